"""Reads of prospects, scoped: company-wide roles see all, a branch manager their branch, others the prospects assigned
to staff of their reporting subtree or entered by themselves."""
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.core.permissions import require_role
from brokercrm.customers.models import Prospect
from brokercrm.customers.selectors import identity_q, prefix_q
from brokercrm.org.facade import PROSPECT_REVIEWERS, scope_for
from brokercrm.platform.facade import custom_field_filter_q


def prospect_scope_q(user) -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.branch_ids:
        return Q(branch_id__in=scope.branch_ids)
    return Q(staff_id__in=scope.staff_ids) | Q(created_by_id=getattr(user, "pk", None))


def prospect_list(*, user, query: str = "", status: str = "", branch: str = "", staff: str = "", custom: dict | None = None,
                  include_closed: bool = True, review_pending: bool = False) -> QuerySet[Prospect]:
    """The prospects in the user's scope matching the filters; only reviewers may ask for those waiting for review (待复核)."""
    qs = Prospect.objects.select_related("branch", "staff", "converted_customer").filter(prospect_scope_q(user))
    q = (query or "").strip()
    if q:
        terms = prefix_q("name", q) | identity_q(q)
        if len(q) >= 3:
            terms |= Q(name__icontains=q)
        qs = qs.filter(terms)
    if status:
        qs = qs.filter(status=status)
    elif not include_closed:
        qs = qs.filter(status__in=[Prospect.Status.NEW, Prospect.Status.FOLLOWING])
    if branch:
        qs = qs.filter(branch__code=branch)
    if staff:
        qs = qs.filter(staff__staff_no=staff)
    if review_pending:
        require_role(user, PROSPECT_REVIEWERS)
        qs = qs.filter(review_pending=True)
    if custom:
        qs = qs.filter(custom_field_filter_q("prospect", custom))
    return qs.order_by("-id")


def prospects_in_review_count() -> int:
    """How many prospects wait for review (待复核), company-wide."""
    return Prospect.objects.filter(review_pending=True).count()


def prospect_get(*, user, pk: int) -> Prospect:
    return get_object_or_404(prospect_list(user=user), pk=pk)


def prospect_duplicates(*, user) -> list[list[Prospect]]:
    """Groups of open prospects in scope sharing a normalised mobile or ID number (candidates for a merge)."""
    open_qs = prospect_list(user=user, include_closed=False)
    groups: list[list[Prospect]] = []
    seen: set[int] = set()
    for key in ("mobile", "id_no"):
        values = [v for v in open_qs.exclude(**{key: ""}).order_by().values(key).annotate(n=Count("id")).filter(n__gt=1)
                  .values_list(key, flat=True)]
        for value in sorted(values):
            members = [p for p in open_qs.filter(**{key: value}).order_by("id") if p.pk not in seen]
            if len(members) > 1:
                seen |= {p.pk for p in members}
                groups.append(members)
    return groups
