"""Administration writes (系统管理): users, roles as data, staff categories and levels. Each checks the actor's role,
runs in a transaction and is audited; the last active admin can be neither deactivated nor demoted."""
import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from brokercrm.core import navigation
from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.org.services import role_resolve, user_links
from brokercrm.org.models import RoleDefinition, StaffCategory, StaffLevel, User
from brokercrm.org.policy import UNMASKABLE_FIELDS, config_changed, role_policies, shipped_policy
from brokercrm.org.roles import CONFIG_ADMINS, STAFF_BOUND, USER_ADMINS, Role
from brokercrm.org.seed import CATEGORIES

_USER_FIELDS = ["role", "role_definition_id", "staff_id", "branch_id", "is_active", "email"]
_ROLE_FIELDS = ["code", "name", "name_en", "base_role", "scope_kind", "pages_granted", "pages_denied", "unmask_fields", "is_active"]
# Category codes the code itself reads (data scope, evaluation, pay): their code cannot change.
SHIPPED_CATEGORY_CODES = frozenset(code for code, *_rest in CATEGORIES)
# Pages the admin role always keeps, so no edit locks the administration out.
ADMIN_PAGES = frozenset({"org:users", "org:roles"})


def _active_admins() -> int:
    return User.objects.filter(role=Role.ADMIN, role_definition__isnull=True, is_active=True).count()


def _guard_last_admin(user: User, *, losing: bool) -> None:
    if losing and user.role == Role.ADMIN and user.is_active and user.role_definition_id is None and _active_admins() <= 1:
        raise DomainError(f"{user.username} is the last active admin: make another admin first", field="user")


@role_required(USER_ADMINS)
@transaction.atomic
def user_update(*, actor, user: User, role: str, staff_no: str = "", branch_code: str = "", email: str = "") -> User:
    """Change a user's role (a shipped or custom one), staff member, branch and e-mail."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(locked, _USER_FIELDS)
    base, row = role_resolve(role)
    _guard_last_admin(locked, losing=base != Role.ADMIN or row is not None)
    staff, branch = user_links(staff_no, branch_code, user=locked)
    if base in STAFF_BOUND and staff is None:
        raise DomainError(f"a {base} user needs a staff member", field="staff")
    if base == Role.BRANCH_MANAGER and branch is None:
        raise DomainError("a branch manager needs a branch or a staff member", field="branch")
    locked.role, locked.role_definition, locked.staff, locked.branch = base, row, staff, branch
    locked.email = email.strip()
    locked.is_superuser = base == Role.ADMIN and row is None
    locked.save()
    audit_record(actor=actor, action="update", instance=locked, changes=diff(before, snapshot(locked, _USER_FIELDS)))
    return locked


@role_required(USER_ADMINS)
@transaction.atomic
def user_active_set(*, actor, user: User, active: bool) -> User:
    """Deactivate a user (sessions and tokens stop working) or activate them again; never the last admin."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return locked
    _guard_last_admin(locked, losing=not active)
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit_record(actor=actor, action="update", instance=locked, changes={"is_active": [not active, active]})
    return locked


@role_required(USER_ADMINS)
@transaction.atomic
def user_password_reset(*, actor, user: User, password: str = "") -> str:
    """Set a new password (a random one when none is given, shown once to the admin); the password is never audited."""
    password = password or secrets.token_urlsafe(12)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="update", instance=user, changes={"password": ["***", "***"]}, note="password reset")
    return password


@role_required(USER_ADMINS)
@transaction.atomic
def user_unlock(*, actor, user: User) -> int:
    """Clear the failed logins that locked the user out (django-axes) so they may log in at once."""
    cleared = axes_reset(username=user.username)
    audit_record(actor=actor, action="update", instance=user, changes={"locked_out": [bool(cleared), False]},
                 note=f"unlocked ({cleared} lockout records cleared)")
    return cleared


def _clean_role_fields(*, scope_kind: str, pages: set[str] | None, unmask_fields: set[str]) -> None:
    if scope_kind not in RoleDefinition.ScopeKind.values:
        raise DomainError(f"unknown scope kind '{scope_kind}'", field="scope_kind")
    unknown = sorted(set(unmask_fields) - set(UNMASKABLE_FIELDS))
    if unknown:
        raise DomainError(f"unknown personal data field {unknown[0]}", field="unmask_fields")
    registered = {e.url_name for e in navigation.entries()}
    if pages is not None and pages - registered:
        raise DomainError(f"unknown page {sorted(pages - registered)[0]}", field="pages")


def _page_difference(base_role: str, pages: set[str]) -> tuple[list[str], list[str]]:
    """The pages granted beyond and denied from the base role's defaults (stored as differences, see org.policy)."""
    defaults = {e.url_name for e in navigation.entries() if base_role in e.roles}
    return sorted(pages - defaults), sorted(defaults - pages)


@role_required(CONFIG_ADMINS)
@transaction.atomic
def role_save(*, actor, code: str, name: str, name_en: str = "", base_role: str | None = None, scope_kind: str,
              pages: set[str], unmask_fields: set[str], is_active: bool = True) -> RoleDefinition:
    """Create a role based on a shipped one, or change a role (the first change of a shipped role stores it as a row)."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise DomainError("a role needs a code and a name", field="code" if not code else "name")
    existing = RoleDefinition.objects.select_for_update().filter(code=code).first()
    shipped = code in Role.values
    base_role = code if shipped else (existing.base_role if existing and not base_role else base_role)
    if base_role not in Role.values:
        raise DomainError(f"a role is based on one of the shipped roles ({', '.join(Role.values)})", field="base_role")
    _clean_role_fields(scope_kind=scope_kind, pages=pages, unmask_fields=unmask_fields)
    if code == Role.ADMIN:
        if not is_active:
            raise DomainError("the admin role cannot be deactivated", field="is_active")
        pages = pages | ADMIN_PAGES
    if not is_active and User.objects.filter(role_definition__code=code, is_active=True).exists():
        raise DomainError(f"role {code} still has active users", field="is_active")
    granted, denied = _page_difference(base_role, pages)
    values = {"name": name[:50], "name_en": name_en.strip()[:50], "base_role": base_role, "scope_kind": scope_kind,
              "pages_granted": granted, "pages_denied": denied, "unmask_fields": sorted(unmask_fields), "is_active": is_active}
    if existing is None:
        row = RoleDefinition(code=code, **values)
        _clean(row)
        row.save()
        before = {} if not shipped else _shipped_snapshot(code)
        audit_record(actor=actor, action="create" if not shipped else "update", instance=row,
                     changes=diff(before, snapshot(row, _ROLE_FIELDS)))
    else:
        row = existing
        before = snapshot(row, _ROLE_FIELDS)
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
        audit_record(actor=actor, action="update", instance=row, changes=diff(before, snapshot(row, _ROLE_FIELDS)))
    config_changed()
    return row


def _shipped_snapshot(code: str) -> dict:
    policy = shipped_policy(code)
    return {"code": code, "name": policy.name, "name_en": "", "base_role": code, "scope_kind": policy.scope_kind,
            "pages_granted": [], "pages_denied": [], "unmask_fields": sorted(policy.unmask_fields), "is_active": True}


@role_required(CONFIG_ADMINS)
@transaction.atomic
def role_create_from(*, actor, code: str, name: str, based_on: str, name_en: str = "") -> RoleDefinition:
    """A new role that starts as a copy of another role's pages, scope and unmask permissions."""
    source = role_policies().get(based_on)
    if source is None:
        raise DomainError(f"unknown role '{based_on}'", field="based_on")
    if code in Role.values or RoleDefinition.objects.filter(code=code).exists() or code in role_policies():
        raise DomainError(f"role {code} already exists", field="code")
    defaults = {e.url_name for e in navigation.entries() if source.base_role in e.roles}
    pages = (defaults | source.pages_granted) - source.pages_denied
    return role_save(actor=actor, code=code, name=name, name_en=name_en, base_role=source.base_role,
                     scope_kind=source.scope_kind, pages=pages, unmask_fields=set(source.unmask_fields))


_CATEGORY_FIELDS = ["code", "name", "name_en", "is_employee", "order"]
_LEVEL_FIELDS = ["category_id", "code", "name", "name_en", "order"]


@role_required(CONFIG_ADMINS)
@transaction.atomic
def staff_category_save(*, actor, code: str, name: str, name_en: str = "", is_employee: bool = True, order: int = 0,
                        category: StaffCategory | None = None) -> StaffCategory:
    """Create or change a staff category (人员类别); the shipped categories keep their codes, which the code reads."""
    if category is not None and category.code in SHIPPED_CATEGORY_CODES and code != category.code:
        raise DomainError(f"the code of the shipped category {category.code} is read by the data scope, evaluation and "
                          "pay and cannot change", field="code")
    row = category or StaffCategory()
    before = snapshot(row, _CATEGORY_FIELDS) if category else {}
    row.code, row.name, row.name_en, row.is_employee, row.order = code.strip(), name.strip(), name_en.strip(), is_employee, order
    _clean(row)
    row.save()
    audit_record(actor=actor, action="update" if category else "create", instance=row,
                 changes=diff(before, snapshot(row, _CATEGORY_FIELDS)))
    return row


@role_required(CONFIG_ADMINS)
@transaction.atomic
def staff_level_save(*, actor, category: StaffCategory, code: str, name: str, name_en: str = "", order: int = 0,
                     level: StaffLevel | None = None) -> StaffLevel:
    """Create or change a level (级别) of a category; staff, pay rules and evaluations point at it by id, so a new code
    or name changes no computation."""
    row = level or StaffLevel(category=category)
    before = snapshot(row, _LEVEL_FIELDS) if level else {}
    row.code, row.name, row.name_en, row.order = code.strip(), name.strip(), name_en.strip(), order
    _clean(row)
    row.save()
    audit_record(actor=actor, action="update" if level else "create", instance=row, changes=diff(before, snapshot(row, _LEVEL_FIELDS)))
    return row


def _clean(row) -> None:
    try:
        row.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc
