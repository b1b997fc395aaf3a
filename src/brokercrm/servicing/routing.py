"""Who is responsible for a customer on a day: the service relation's staff, else the development relation's, else nobody."""
import datetime as dt
from collections import defaultdict
from typing import Iterable

from brokercrm.relations.models import Relation, RelationType

_CHUNK = 5000


def responsible_staff(customer_ids: Iterable[int]) -> "Responsibility":
    """Relations of the given customers, loaded once, to answer `staff_on(customer_id, day)` many times."""
    ids = sorted(set(customer_ids))
    by_customer: dict[int, list[tuple]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        rows = Relation.objects.filter(customer_id__in=ids[start:start + _CHUNK]).values_list(
            "customer_id", "relation_type", "start_date", "end_date", "staff_id")
        for customer_id, kind, start_date, end_date, staff_id in rows:
            by_customer[customer_id].append((kind, start_date, end_date, staff_id))
    return Responsibility(by_customer)


class Responsibility:
    def __init__(self, by_customer: dict[int, list[tuple]]):
        self._by_customer = by_customer

    def staff_on(self, customer_id: int, day: dt.date) -> int | None:
        """Staff id in force on `day`; when two service relations overlap, the one that started last wins."""
        best: dict[str, tuple] = {}
        for kind, start, end, staff_id in self._by_customer.get(customer_id, ()):
            if start <= day and (end is None or day < end):
                if kind not in best or (start, staff_id) > best[kind]:
                    best[kind] = (start, staff_id)
        for kind in (RelationType.SERVICE, RelationType.DEVELOPMENT):
            if kind in best:
                return best[kind][1]
        return None
