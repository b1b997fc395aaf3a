"""Who is responsible for a customer on a day (责任人): the service relation's staff, else the development relation's,
else nobody. The one place this rule is written; servicing routes alerts and tasks with it."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from brokercrm.core.bulk import batches
from brokercrm.core.intervals import in_force
from brokercrm.relations.models import Relation, RelationType


@dataclass(frozen=True)
class Responsibility:
    """The relations of some customers, loaded once, to answer `staff_on(customer_id, day)` many times."""

    relations: dict[int, tuple[tuple[str, dt.date, dt.date | None, int], ...]]

    def staff_on(self, customer_id: int, day: dt.date) -> int | None:
        """Staff id responsible on day; when two relations of a kind overlap, the one that started last wins."""
        best: dict[str, tuple[dt.date, int]] = {}
        for kind, start, end, staff_id in self.relations.get(customer_id, ()):
            if in_force(start, end, day) and (kind not in best or (start, staff_id) > best[kind]):
                best[kind] = (start, staff_id)
        for kind in (RelationType.SERVICE, RelationType.DEVELOPMENT):
            if kind in best:
                return best[kind][1]
        return None


def responsible_staff(customer_ids: Iterable[int]) -> Responsibility:
    by_customer: dict[int, list[tuple]] = defaultdict(list)
    for batch in batches(sorted(set(customer_ids))):
        for customer_id, kind, start, end, staff_id in Relation.objects.filter(customer_id__in=batch).values_list(
                "customer_id", "relation_type", "start_date", "end_date", "staff_id"):
            by_customer[customer_id].append((kind, start, end, staff_id))
    return Responsibility({cid: tuple(rows) for cid, rows in by_customer.items()})


def responsible_staff_on(*, customer_id: int, day: dt.date) -> int | None:
    """The staff id responsible for one customer on day (None: nobody holds the customer then)."""
    return responsible_staff([customer_id]).staff_on(customer_id, day)
