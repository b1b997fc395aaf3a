"""Reads of broker relations, always through the customer data scope (customers.selectors.customer_scope_q)."""
import datetime as dt

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

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
