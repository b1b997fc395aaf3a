"""Reads of the customer base, always through the user's data scope (the one place customer scope is decided)."""
import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.customers.models import Customer
from brokercrm.datacenter.facade import latest_loaded_date
from brokercrm.org.facade import scope_for


def scope_date() -> dt.date:
    """Relations decide access as they stand on the latest loaded business date (today before any load)."""
    return latest_loaded_date() or dt.date.today()


def customer_scope_q(user, *, prefix: str = "") -> Q:
    """A filter for customers the user may see; prefix is the path to the Customer (e.g. 'customer__').

    Admin, head office and compliance see all; a branch manager the customers of their branch; anyone
    else the customers they (or their reporting subtree) hold a development or service relation with
    on the latest loaded business date.
    """
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.branch_ids:
        return Q(**{f"{prefix}branch_id__in": scope.branch_ids})
    if not scope.staff_ids:
        return Q(pk__in=[])
    from brokercrm.relations.models import Relation

    day = scope_date()
    holds = Relation.objects.filter(customer_id=OuterRef("pk"), staff_id__in=scope.staff_ids, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day))
    return Q(**{f"{prefix}pk__in": Customer.objects.filter(Exists(holds)).values("pk")})


def customer_list(*, user) -> QuerySet[Customer]:
    return Customer.objects.select_related("branch").filter(customer_scope_q(user))


def customer_get(*, user, customer_no: str) -> Customer:
    """One customer in scope; anything else is a 404 so that existence does not leak."""
    return get_object_or_404(customer_list(user=user), customer_no=customer_no)
