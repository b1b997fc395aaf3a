"""Reads of the organisation, always through the user's data scope."""
import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role
from brokercrm.org.models import ApiToken, Branch, StaffCategory, Staff, Team, User
from brokercrm.org.roles import USER_ADMINS
from brokercrm.org.scope import scope_for


def branch_list(*, user: User) -> QuerySet[Branch]:
    scope = scope_for(user)
    if scope.everything:
        return Branch.objects.all()
    visible = set(scope.branch_ids) | set(Staff.objects.filter(id__in=scope.staff_ids).values_list("branch_id", flat=True))
    return Branch.objects.filter(id__in=visible)


def branch_get(*, user: User, code: str) -> Branch:
    return get_object_or_404(branch_list(user=user), code=code)


def team_list(*, user: User) -> QuerySet[Team]:
    scope = scope_for(user)
    qs = Team.objects.select_related("branch")
    if scope.everything:
        return qs
    if scope.branch_ids:
        return qs.filter(branch_id__in=scope.branch_ids)
    return qs.filter(members__id__in=scope.staff_ids).distinct()


def staff_list(*, user: User, query: str = "", branch_code: str = "", category_code: str = "", active_only: bool = False) -> QuerySet[Staff]:
    scope = scope_for(user)
    qs = Staff.objects.select_related("category", "level", "branch", "team").filter(scope.staff_q())
    if query:
        qs = qs.filter(Q(staff_no__istartswith=query) | Q(name__icontains=query))
    if branch_code:
        qs = qs.filter(branch__code=branch_code)
    if category_code:
        qs = qs.filter(category__code=category_code)
    if active_only:
        today = dt.date.today()
        qs = qs.filter(hire_date__lte=today).filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
    return qs


def staff_get(*, user: User, staff_no: str) -> Staff:
    """One staff member in scope; anything else is a 404 so that existence does not leak."""
    return get_object_or_404(staff_list(user=user), staff_no=staff_no)


def staff_manager(*, staff: Staff) -> Staff | None:
    """The reporting line: team leader of the team, then branch manager of the branch."""
    if staff.category.code not in {"team_leader", "branch_manager"} and staff.team_id:
        leader = Staff.objects.filter(team_id=staff.team_id, category__code="team_leader").exclude(id=staff.id).order_by("hire_date").first()
        if leader:
            return leader
    if staff.category.code != "branch_manager":
        return Staff.objects.filter(branch_id=staff.branch_id, category__code="branch_manager").exclude(id=staff.id).order_by("hire_date").first()
    return None


def org_tree(*, user: User) -> list[Branch]:
    """Branches in scope with their teams and staff, for the org tree page (a constant number of queries)."""
    staff_qs = staff_list(user=user).order_by("category__order", "staff_no")
    teams = team_list(user=user).prefetch_related(Prefetch("members", queryset=staff_qs, to_attr="visible_members"))
    return list(
        branch_list(user=user)
        .annotate(staff_count=Count("staff", filter=Q(staff__in=staff_qs), distinct=True))
        .prefetch_related(
            Prefetch("teams", queryset=teams, to_attr="visible_teams"),
            Prefetch("staff", queryset=staff_qs.filter(team__isnull=True), to_attr="unteamed_staff"),
        )
    )


def category_list() -> QuerySet[StaffCategory]:
    return StaffCategory.objects.prefetch_related("levels")


@dataclass(frozen=True)
class StaffLevelRef:
    id: int
    code: str
    label: str


@dataclass(frozen=True)
class StaffCategoryRef:
    """A staff category with its levels, as other apps see it (choices, YAML checks, code → id)."""

    id: int
    code: str
    label: str
    levels: tuple[StaffLevelRef, ...]

    def level(self, code: str) -> StaffLevelRef | None:
        return next((lv for lv in self.levels if lv.code == code), None)


def staff_categories(category_model=StaffCategory) -> dict[str, StaffCategoryRef]:
    """Every staff category by code, in display order, with its levels (data migrations pass their historical model)."""
    return {c.code: StaffCategoryRef(c.id, c.code, str(c), tuple(StaffLevelRef(lv.id, lv.code, str(lv)) for lv in c.levels.all()))
            for c in category_model.objects.prefetch_related("levels")}


def category_level_ids(category: str, level: str = "") -> tuple[int, int | None]:
    """Ids of a staff category and, optionally, one of its levels, given by code; DomainError names the wrong one."""
    ref = staff_categories().get(category)
    if ref is None:
        raise DomainError(f"unknown staff category '{category}'", field="category")
    if not level:
        return ref.id, None
    if ref.level(level) is None:
        raise DomainError("the level does not belong to the category", field="level")
    return ref.id, ref.level(level).id


def staff_rows() -> list[tuple]:
    """Every staff member as (staff_no, name, category code, branch code, hire_date, leave_date), for the warehouse."""
    return [(s.staff_no, s.name, s.category.code, s.branch.code, s.hire_date, s.leave_date)
            for s in Staff.objects.select_related("category", "branch")]


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's own API tokens; an admin sees everyone's."""
    qs = ApiToken.objects.select_related("user")
    return qs if has_role(user, USER_ADMINS) else qs.filter(user=user)


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    return get_object_or_404(api_token_list(user=user), pk=token_id)


def user_admin_list(*, query: str = ""):
    """Users for the administration page (only admins reach it), with their staff, branch and custom role."""
    users = User.objects.select_related("staff", "branch", "role_definition").order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(staff__name__icontains=query) | Q(staff__staff_no__icontains=query))
    return users


def user_locked(*, user: User) -> bool:
    """Whether too many failed logins locked the user out (django-axes), until an admin unlocks them or the cool-off ends."""
    return AccessAttempt.objects.filter(username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()


def user_count_by_role() -> dict[str, int]:
    """Users per role code (a custom role's code for its users)."""
    counts: dict[str, int] = {}
    for role, custom, n in (User.objects.values_list("role", "role_definition__code").annotate(n=Count("id"))
                            .values_list("role", "role_definition__code", "n")):
        counts[custom or role] = counts.get(custom or role, 0) + n
    return counts
