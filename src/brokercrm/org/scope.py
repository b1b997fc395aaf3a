"""Data scope (数据权限): what part of the company a user may see, computed in one place.

Every selector of every app narrows its queryset with the DataScope of the requesting user;
views, exports, reports and the API never query models directly.
"""
from dataclasses import dataclass

from django.db.models import Q

from brokercrm.org.models import Staff, User
from brokercrm.org.policy import user_scope_kind


@dataclass(frozen=True)
class DataScope:
    everything: bool
    branch_ids: frozenset[int]
    staff_ids: frozenset[int]
    """Staff whose records and books the user sees: the reporting subtree (or the branch's staff)."""
    own_staff_id: int | None
    role: str

    def staff_q(self, prefix: str = "") -> Q:
        """A filter for rows that belong to staff in scope (prefix: path to the Staff relation, e.g. 'staff__')."""
        if self.everything:
            return Q()
        if self.branch_ids:
            return Q(**{f"{prefix}branch_id__in": self.branch_ids})
        return Q(**{f"{prefix}id__in": self.staff_ids})


def _reporting_subtree(staff: Staff) -> set[int]:
    """A team leader sees their team; a branch manager their branch; anyone else themselves."""
    code = staff.category.code
    if code == "branch_manager":
        return set(Staff.objects.filter(branch_id=staff.branch_id).values_list("id", flat=True))
    if code == "team_leader" and staff.team_id:
        return set(Staff.objects.filter(team_id=staff.team_id).values_list("id", flat=True)) | {staff.id}
    return {staff.id}


def scope_for(user: User) -> DataScope:
    if not user or not user.is_authenticated:
        return DataScope(False, frozenset(), frozenset(), None, "")
    cached = getattr(user, "_data_scope", None)
    if cached is not None:
        return cached
    role = user.role
    staff = user.staff
    kind = user_scope_kind(user)  # the role's scope kind (org.policy): company, branch, team or self
    if kind == "company":
        scope = DataScope(True, frozenset(), frozenset(), staff.id if staff else None, role)
    elif kind == "branch":
        branch_id = user.branch_id or (staff.branch_id if staff else None)
        branch_ids = frozenset({branch_id} if branch_id else set())
        staff_ids = frozenset(Staff.objects.filter(branch_id__in=branch_ids).values_list("id", flat=True))
        scope = DataScope(False, branch_ids, staff_ids, staff.id if staff else None, role)
    elif staff is not None:
        staff_ids = _reporting_subtree(staff) if kind == "team" else {staff.id}
        scope = DataScope(False, frozenset(), frozenset(staff_ids), staff.id, role)
    else:
        scope = DataScope(False, frozenset(), frozenset(), None, role)
    user._data_scope = scope
    return scope
