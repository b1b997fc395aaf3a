"""Reads of broker relations, always through the customer data scope (customers.selectors.customer_scope_q)."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.core.intervals import in_force
from brokercrm.customers.models import Customer
from brokercrm.customers.selectors import customer_list, customer_scope_q
from brokercrm.org.facade import Staff, scope_for
from brokercrm.relations.models import Relation, RelationType


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    """Relations in force on day: start_date ≤ day < end_date (end_date NULL = open)."""
    return Q(**{f"{prefix}start_date__lte": day}) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day}))


def relation_list(*, user) -> QuerySet[Relation]:
    return Relation.objects.select_related("customer", "staff", "staff__branch").filter(customer_scope_q(user, prefix="customer__"))


def relation_get(*, user, relation_id: int) -> Relation:
    return get_object_or_404(relation_list(user=user), pk=relation_id)


def relation_history(*, user, customer: Customer) -> list[Relation]:
    """Every relation of a customer in scope, past and present, development first, newest first."""
    return list(relation_list(user=user).filter(customer=customer).order_by("relation_type", "-start_date", "staff__staff_no"))


def staff_book(*, user, staff: Staff, on: dt.date, relation_type: str = "") -> list[Relation]:
    """A staff member's book of customers (客户名下) on a day: their relations in force then, customers in scope."""
    qs = relation_list(user=user).filter(in_force_q(on), staff=staff)
    if relation_type:
        qs = qs.filter(relation_type=relation_type)
    return list(qs.order_by("relation_type", "customer__customer_no"))


def open_relations_of(*, staff: Staff, on: dt.date, include_service: bool) -> list[Relation]:
    """The open relations of a staff member in force on a day (what a bulk transfer moves), unscoped: callers check scope."""
    types = [RelationType.DEVELOPMENT] + ([RelationType.SERVICE] if include_service else [])
    return list(Relation.objects.select_related("customer").filter(staff=staff, end_date__isnull=True, start_date__lte=on,
                                                                   relation_type__in=types)
                .order_by("customer__customer_no", "relation_type"))


def customer_for_application(*, user, customer_no: str) -> Customer:
    """A customer the user may apply for: in their scope, or an account of their own branch (to win a new customer)."""
    scope = scope_for(user)
    visible = customer_scope_q(user)
    if user.staff_id is not None and not scope.everything:
        visible |= Q(branch_id=user.staff.branch_id)
    return get_object_or_404(Customer.objects.select_related("branch").filter(visible), customer_no=customer_no)


def staff_for_application(*, staff_no: str) -> Staff:
    """Any staff member by number: a receiving broker may work in another branch (name and branch only are shown)."""
    return get_object_or_404(Staff.objects.select_related("branch", "category"), staff_no=staff_no)


def customers_visible(*, user) -> QuerySet[Customer]:
    return customer_list(user=user)


def unheld_customer(*, branch_id: int):
    """The first normal customer of the branch that no one has ever held (the demo's pending application)."""
    return (Customer.objects.filter(branch_id=branch_id, status="normal", relations__isnull=True)
            .order_by("customer_no").first())


@dataclass(frozen=True)
class Responsibility:
    """The relations of some customers, loaded once, to answer `staff_on(customer_id, day)` many times."""

    by_customer: dict[int, tuple[tuple[str, dt.date, dt.date | None, int], ...]]

    def staff_on(self, customer_id: int, day: dt.date) -> int | None:
        """Staff id responsible on `day`: the service relation's, else the development relation's, else None;
        when two relations of a kind overlap, the one that started last wins."""
        best: dict[str, tuple] = {}
        for kind, start, end, staff_id in self.by_customer.get(customer_id, ()):
            if in_force(start, end, day) and (kind not in best or (start, staff_id) > best[kind]):
                best[kind] = (start, staff_id)
        for kind in (RelationType.SERVICE, RelationType.DEVELOPMENT):
            if kind in best:
                return best[kind][1]
        return None


def responsible_staff(customer_ids: Iterable[int]) -> Responsibility:
    """Who is responsible for each of the customers, on any day (one query per 5,000 customers)."""
    ids = sorted(set(customer_ids))
    by_customer: dict[int, list[tuple]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        rows = Relation.objects.filter(customer_id__in=ids[start:start + 5000]).values_list(
            "customer_id", "relation_type", "start_date", "end_date", "staff_id")
        for customer_id, kind, start_date, end_date, staff_id in rows:
            by_customer[customer_id].append((kind, start_date, end_date, staff_id))
    return Responsibility({k: tuple(v) for k, v in by_customer.items()})


@dataclass(frozen=True)
class RelationSpan:
    customer_no: str
    customer_name: str
    start_date: dt.date
    end_date: dt.date | None


def development_relations_overlapping(*, user, staff_id: int, start: dt.date, end: dt.date,
                                      customer_no: str = "") -> list[RelationSpan]:
    """A staff member's development relations in force on some day of [start, end] (optionally one customer's),
    customers in the user's scope, by customer no. then newest first."""
    qs = (Relation.objects.filter(staff_id=staff_id, relation_type=RelationType.DEVELOPMENT, start_date__lte=end)
          .filter(Q(end_date__isnull=True) | Q(end_date__gt=start)).filter(customer_scope_q(user, prefix="customer__")))
    if customer_no:
        qs = qs.filter(customer__customer_no=customer_no)
    return [RelationSpan(*row) for row in qs.order_by("customer__customer_no", "-start_date")
            .values_list("customer__customer_no", "customer__name", "start_date", "end_date")]


def relations_of_departed_staff(as_of: dt.date) -> list[tuple[int, str, str, dt.date]]:
    """(customer id, customer no., staff no., leave date) of the relations in force on `as_of` whose staff member has
    left by then, customers not closed."""
    return list(Relation.objects.filter(in_force_q(as_of), staff__leave_date__lte=as_of).exclude(customer__status=Customer.Status.CLOSED)
                .values_list("customer_id", "customer__customer_no", "staff__staff_no", "staff__leave_date").distinct())
