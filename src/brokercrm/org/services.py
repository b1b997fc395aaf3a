"""Writes of the organisation: each in a transaction, each audited."""
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.csvfiles import parse_date, read_rows
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.core.permissions import role_required
from brokercrm.core.jobgraph import refresh_request
from brokercrm.org.access import staff_access_sync
from brokercrm.org.models import Branch, RoleDefinition, Staff, StaffCategory, StaffLevel, Team, User
from brokercrm.org.roles import ORG_EDITORS, STAFF_BOUND, USER_ADMINS, Role

STAFF_COLUMNS = ["staff_no", "name", "category", "level", "branch_code", "team", "hire_date", "leave_date"]


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc


@transaction.atomic
def branch_upsert(*, code: str, name: str, city: str = "", opened_on: dt.date | None = None, actor=None) -> Branch:
    """Branches arrive from the trading system's deliveries; the newest version wins."""
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        branch = Branch(code=code, name=name, city=city, opened_on=opened_on)
        _full_clean(branch)
        branch.save()
        audit_record(actor=actor, action="create", instance=branch, changes=diff({}, snapshot(branch)))
        return branch
    before = snapshot(branch)
    branch.name, branch.city, branch.opened_on = name, city, opened_on
    changes = diff(before, snapshot(branch))
    if changes:
        _full_clean(branch)
        branch.save()
        audit_record(actor=actor, action="update", instance=branch, changes=changes)
    return branch


def team_get_or_create(*, branch: Branch, code: str, actor=None) -> Team:
    team = Team.objects.filter(branch=branch, code=code).first()
    if team is None:
        team = Team.objects.create(branch=branch, code=code, name=code)
        audit_record(actor=actor, action="create", instance=team, changes=diff({}, snapshot(team)))
    return team


def _check_staff(staff: Staff) -> None:
    if staff.level_id and staff.level.category_id != staff.category_id:
        raise DomainError("level does not belong to the category", field="level")
    if staff.category.levels.exists() and not staff.level_id:
        raise DomainError("a level is required for this category", field="level")
    if staff.team_id and staff.team.branch_id != staff.branch_id:
        raise DomainError("team belongs to another branch", field="team")
    if staff.leave_date and staff.leave_date <= staff.hire_date:
        raise DomainError("leave date must be after the hire date", field="leave_date")


@role_required(ORG_EDITORS)
@transaction.atomic
def staff_create(*, actor, staff_no: str, name: str, category: StaffCategory, branch: Branch, hire_date: dt.date,
                 level: StaffLevel | None = None, team: Team | None = None, leave_date: dt.date | None = None) -> Staff:
    if Staff.objects.filter(staff_no=staff_no).exists():
        raise DomainError(f"staff no. {staff_no} already exists", field="staff_no")
    staff = Staff(staff_no=staff_no, name=name, category=category, level=level, branch=branch, team=team,
                  hire_date=hire_date, leave_date=leave_date)
    _full_clean(staff)
    _check_staff(staff)
    staff.save()
    audit_record(actor=actor, action="create", instance=staff, changes=diff({}, snapshot(staff)))
    staff_access_sync(staff=staff, actor=actor)
    return staff


STAFF_EDITABLE = {"name", "category", "level", "branch", "team", "hire_date", "leave_date", "custom_fields"}


@role_required(ORG_EDITORS)
@transaction.atomic
def staff_update(*, actor, staff: Staff, **fields) -> Staff:
    unknown = set(fields) - STAFF_EDITABLE
    if unknown:
        raise DomainError(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = snapshot(staff)
    for name, value in fields.items():
        setattr(staff, name, value)
    _full_clean(staff)
    _check_staff(staff)
    changes = diff(before, snapshot(staff))
    if changes:
        staff.save()
        audit_record(actor=actor, action="update", instance=staff, changes=changes)
        staff_access_sync(staff=staff, actor=actor)
    return staff


@role_required(ORG_EDITORS)
def staff_leave(*, actor, staff: Staff, leave_date: dt.date) -> Staff:
    """Record a departure: the last working day is the day before leave_date."""
    return staff_update(actor=actor, staff=staff, leave_date=leave_date)


@dataclass(frozen=True)
class StaffImportResult:
    created: int
    updated: int
    unchanged: int


@role_required(ORG_EDITORS)
def staff_import(*, actor, data: bytes, file_name: str, wait: bool = False, refresh: bool = True,
                 check_only: bool = False) -> StaffImportResult | None:
    """Import staff.csv (source-interface.md): all rows valid or nothing imported.

    A change requests the warehouse refresh (staff attribution and marts): run before this returns with
    wait=True (the CLI), enqueued on commit for the worker otherwise; refresh=False when the caller is a step of
    the load graph, which runs the rest of the chain itself. check_only: the file's own rules only (branch codes may
    come with the same delivery), InputRejected or None, nothing written."""
    rows, problems = read_rows(data, file=file_name, columns=STAFF_COLUMNS)
    categories = {c.code: c for c in StaffCategory.objects.all()}
    levels = {(lv.category.code, lv.code): lv for lv in StaffLevel.objects.select_related("category")}
    categories_with_levels = {cat for cat, _ in levels}
    branches = {b.code: b for b in Branch.objects.all()}
    seen: dict[str, int] = {}
    parsed = []
    for row in rows:
        v = row.values

        def bad(column: str, message: str, line: int = row.line) -> None:
            problems.append(Problem(message, file=file_name, line=line, column=column))

        for required in ("staff_no", "name", "category", "branch_code"):
            if not v[required]:
                bad(required, "is required")
        if v["staff_no"]:
            if v["staff_no"] in seen:
                bad("staff_no", f"duplicate staff_no {v['staff_no']} (first on line {seen[v['staff_no']]})")
            seen.setdefault(v["staff_no"], row.line)
        category = categories.get(v["category"] or "")
        if v["category"] and category is None:
            bad("category", f"unknown category '{v['category']}' (expected one of {', '.join(sorted(categories))})")
        level = None
        if v["level"]:
            level = levels.get((v["category"], v["level"]))
            if category and level is None:
                allowed = sorted(code for cat, code in levels if cat == v["category"]) or ["empty"]
                bad("level", f"unknown level '{v['level']}' for category {v['category']} (expected {', '.join(allowed)})")
        elif category and category.code in categories_with_levels:
            bad("level", f"a level is required for category {category.code}")
        branch = branches.get(v["branch_code"] or "")
        if v["branch_code"] and branch is None and not check_only:
            bad("branch_code", f"unknown branch_code '{v['branch_code']}' (load the trading system's delivery first)")
        hire = parse_date(v["hire_date"], required=True, problem=lambda m: bad("hire_date", m))
        leave = parse_date(v["leave_date"], required=False, problem=lambda m: bad("leave_date", m))
        if hire and leave and leave <= hire:
            bad("leave_date", "leave_date must be after hire_date")
        parsed.append((v, category, level, branch, hire, leave))
    if problems:
        raise InputRejected(sorted(problems, key=lambda p: (p.line or 0, p.column)))
    if check_only:
        return None

    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {s.staff_no: s for s in Staff.objects.all()}
        for v, category, level, branch, hire, leave in parsed:
            team = team_get_or_create(branch=branch, code=v["team"], actor=actor) if v["team"] else None
            fields = dict(name=v["name"], category=category, level=level, branch=branch, team=team, hire_date=hire, leave_date=leave)
            staff = existing.get(v["staff_no"])
            if staff is None:
                staff = Staff(staff_no=v["staff_no"], **fields)
                staff.save()
                audit_record(actor=actor, action="create", instance=staff, changes=diff({}, snapshot(staff)), note=file_name)
                created += 1
                continue
            before = snapshot(staff)
            for name, value in fields.items():
                setattr(staff, name, value)
            changes = diff(before, snapshot(staff))
            if changes:
                staff.save()
                audit_record(actor=actor, action="update", instance=staff, changes=changes, note=file_name)
                staff_access_sync(staff=staff, actor=actor)
                updated += 1
            else:
                unchanged += 1
    if (created or updated) and refresh:
        refresh_request(trigger="import", wait=wait)
    return StaffImportResult(created, updated, unchanged)


def role_resolve(code: str) -> tuple[str, RoleDefinition | None]:
    """The shipped role a user keeps for the named role sets, and the custom role (roles as data) if it is one."""
    if code in Role.values:
        return code, None
    row = RoleDefinition.objects.filter(code=code, is_active=True).first()
    if row is None:
        raise DomainError(f"unknown role '{code}' (expected one of {', '.join(Role.values)} or a role an admin created)", field="role")
    return row.base_role, row


def user_links(staff_no: str | None, branch_code: str | None, *, user: User | None = None) -> tuple[Staff | None, Branch | None]:
    """The staff member and branch a user is to be linked to (the branch defaults to the staff member's); a staff member
    may have one user only (`user`: the one being changed)."""
    staff = None
    if staff_no:
        staff = Staff.objects.filter(staff_no=staff_no).select_related("branch").first()
        if staff is None:
            raise DomainError(f"unknown staff no. {staff_no}", field="staff")
        if User.objects.filter(staff=staff).exclude(pk=getattr(user, "pk", None)).exists():
            raise DomainError(f"staff {staff_no} already has a user", field="staff")
    branch = None
    if branch_code:
        branch = Branch.objects.filter(code=branch_code).first()
        if branch is None:
            raise DomainError(f"unknown branch code {branch_code}", field="branch")
    elif staff is not None:
        branch = staff.branch
    return staff, branch


@role_required(USER_ADMINS)
@transaction.atomic
def user_create(*, actor=None, username: str, role: str, staff_no: str | None = None, branch_code: str | None = None,
                password: str | None = None, email: str = "") -> User:
    role, role_definition = role_resolve(role)
    if User.objects.filter(username=username).exists():
        raise DomainError(f"user {username} already exists", field="username")
    staff, branch = user_links(staff_no, branch_code)
    if role == Role.BRANCH_MANAGER and branch is None:
        raise DomainError("a branch manager needs --branch or --staff", field="branch")
    if role in STAFF_BOUND and staff is None:
        raise DomainError(f"a {role} user needs --staff", field="staff")
    user = User(username=username, role=role, role_definition=role_definition, staff=staff, branch=branch, email=email)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_superuser = role == Role.ADMIN and role_definition is None
    user.save()
    audit_record(actor=actor, action="create", instance=user,
                 changes=diff({}, snapshot(user, ["username", "role", "role_definition_id", "staff_id", "branch_id"])))
    return user
