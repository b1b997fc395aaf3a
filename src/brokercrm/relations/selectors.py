"""Reads of broker relations, always through the data scope (customers' customer_scope_q and the user's staff)."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.core.intervals import in_force_q, overlapping_q
from brokercrm.customers.facade import CustomerStatus, customer_scope_q
from brokercrm.org.facade import Staff, scope_for, staff_list
from brokercrm.relations.models import Relation, RelationType


def relation_scope_q(user) -> Q:
    """Relations the user may see: those of customers in scope; below branch level, only those of the user's own staff
    subtree, so that serving a customer shows nobody else's relations with it. Company-wide roles and a branch manager
    see every relation of the customers in their scope (the branch owns the account)."""
    scope = scope_for(user)
    visible = customer_scope_q(user, prefix="customer__")
    if scope.everything or scope.branch_ids:
        return visible
    return visible & Q(staff_id__in=scope.staff_ids)


def relation_list(*, user) -> QuerySet[Relation]:
    return Relation.objects.select_related("customer", "staff", "staff__branch").filter(relation_scope_q(user))


def relation_get(*, user, relation_id: int) -> Relation:
    return get_object_or_404(relation_list(user=user), pk=relation_id)


def relation_history(*, user, customer_id: int) -> list[Relation]:
    """The relations of a customer the user may see, past and present, development first, newest first (经纪关系历史)."""
    return list(relation_list(user=user).filter(customer_id=customer_id).order_by("relation_type", "-start_date", "staff__staff_no"))


def staff_book(*, user, staff: Staff, on: dt.date, relation_type: str = "") -> list[Relation]:
    """A staff member's book of customers (客户名下) on a day: their relations in force then, customers in scope."""
    qs = relation_list(user=user).filter(in_force_q(on), staff=staff)
    if relation_type:
        qs = qs.filter(relation_type=relation_type)
    return list(qs.order_by("relation_type", "customer__customer_no"))


def open_relations_of(*, staff: Staff, on: dt.date, include_service: bool) -> list[Relation]:
    """The open relations of a staff member in force on a day (what a bulk transfer moves), unscoped: callers check scope."""
    types = [RelationType.DEVELOPMENT] + ([RelationType.SERVICE] if include_service else [])
    return list(Relation.objects.select_related("customer").filter(in_force_q(on), staff=staff, end_date__isnull=True,
                                                                   relation_type__in=types)
                .order_by("customer__customer_no", "relation_type"))


def staff_for_application(*, staff_no: str) -> Staff:
    """Any staff member by number: a receiving broker may work in another branch (name and branch only are shown)."""
    return get_object_or_404(Staff.objects.select_related("branch", "category"), staff_no=staff_no)


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
    qs = (Relation.objects.filter(overlapping_q(start, end), staff_id=staff_id, relation_type=RelationType.DEVELOPMENT)
          .filter(customer_scope_q(user, prefix="customer__")))
    if customer_no:
        qs = qs.filter(customer__customer_no=customer_no)
    return [RelationSpan(*row) for row in qs.order_by("customer__customer_no", "-start_date")
            .values_list("customer__customer_no", "customer__name", "start_date", "end_date")]


def relations_of_departed_staff(as_of: dt.date) -> list[tuple[int, str, str, dt.date]]:
    """(customer id, customer no., staff no., leave date) of the relations in force on `as_of` whose staff member has
    left by then, customers not closed."""
    return list(Relation.objects.filter(in_force_q(as_of), staff__leave_date__lte=as_of).exclude(customer__status=CustomerStatus.CLOSED)
                .values_list("customer_id", "customer__customer_no", "staff__staff_no", "staff__leave_date").distinct())


def development_relation_rows() -> list[tuple]:
    """Every development relation (开发关系) as (customer_no, staff_no, start_date, end_date), for the warehouse."""
    return list(Relation.objects.filter(relation_type=RelationType.DEVELOPMENT).values_list(
        "customer__customer_no", "staff__staff_no", "start_date", "end_date"))


@dataclass(frozen=True)
class Handover:
    """A departed staff member and the open relations someone must take over (交接清单)."""

    staff: Staff
    relations: tuple[Relation, ...]


def handover_list(*, user, on: dt.date) -> list[Handover]:
    """Staff in the user's scope whose leave date is on or before `on` and who still hold open relations (customers in
    scope), by staff no.; each relation stays theirs until a (bulk) transfer moves it."""
    departed = staff_list(user=user).filter(leave_date__lte=on).values("id")
    relations = (relation_list(user=user).filter(staff_id__in=departed, end_date__isnull=True)
                 .order_by("staff__staff_no", "customer__customer_no", "relation_type"))
    by_staff: dict[int, list[Relation]] = {}
    staff_of: dict[int, Staff] = {}
    for relation in relations:
        by_staff.setdefault(relation.staff_id, []).append(relation)
        staff_of[relation.staff_id] = relation.staff
    return [Handover(staff_of[staff_id], tuple(rows)) for staff_id, rows in by_staff.items()]
