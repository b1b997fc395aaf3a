import datetime as dt

import pytest

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.org import access, services
from brokercrm.org.models import Staff, Team, User

pytestmark = pytest.mark.django_db

HEADER = "staff_no,name,category,level,branch_code,team,hire_date,leave_date\n"


def test_staff_update_records_before_and_after_values_in_the_audit_log(org_world):
    """An edit through the service writes one audit entry with the old and new value of each changed field."""
    admin = org_world["users"]["admin"]
    broker = org_world["staff"]["broker"]

    services.staff_update(actor=admin, staff=broker, name="张三丰", hire_date=dt.date(2021, 3, 1))

    entry = AuditEntry.objects.get(object_type="org.staff", object_id=str(broker.pk), action="update")
    assert entry.actor == admin
    assert entry.changes == {"hire_date": ["2020-01-02", "2021-03-01"], "name": ["张三", "张三丰"]}


def test_staff_update_without_changes_writes_no_audit_entry(org_world):
    """Saving identical values is a no-op: the audit log only holds real changes."""
    broker = org_world["staff"]["broker"]

    services.staff_update(actor=None, staff=broker, name=broker.name)

    assert not AuditEntry.objects.filter(object_type="org.staff", action="update").exists()


def test_staff_leave_sets_leave_date_and_status(org_world):
    """The last working day is the day before leave_date, so the member is 'left' from leave_date on."""
    broker = org_world["staff"]["broker"]

    services.staff_leave(actor=None, staff=broker, leave_date=dt.date(2024, 5, 6))

    broker.refresh_from_db()
    assert broker.employed_on(dt.date(2024, 5, 5)) is True
    assert broker.employed_on(dt.date(2024, 5, 6)) is False
    assert broker.status == "left"


def test_staff_leave_before_hire_is_refused_with_the_field(org_world):
    """A leave date on or before the hire date names the field and changes nothing."""
    broker = org_world["staff"]["broker"]

    with pytest.raises(DomainError) as exc:
        services.staff_leave(actor=None, staff=broker, leave_date=dt.date(2020, 1, 2))

    assert exc.value.field == "leave_date"
    broker.refresh_from_db()
    assert broker.leave_date is None


def test_staff_import_creates_updates_and_creates_teams(org_world):
    """A valid staff.csv creates new staff, updates existing ones by staff_no, and creates unknown teams."""
    data = (HEADER + "S0003,张三,account_manager,senior,0001,T01,2020-01-02,\n"
            "S0100,孙七,account_manager,assistant,0002,T09,2024-02-01,2025-01-02\n"
            "S0101,周八,external_broker,,0002,,2024-03-01,\n").encode()

    result = services.staff_import(actor=None, data=data, file_name="staff.csv")

    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert Staff.objects.get(staff_no="S0003").level.code == "senior"
    new = Staff.objects.get(staff_no="S0100")
    assert (new.team.code, new.team.branch.code, new.leave_date) == ("T09", "0002", dt.date(2025, 1, 2))
    assert Team.objects.filter(code="T09").count() == 1


def test_staff_import_reports_every_bad_row_with_line_and_column_and_imports_nothing(org_world):
    """All-or-nothing: each bad field is reported as FILE:LINE:COLUMN and no row is stored."""
    data = (HEADER + "S0100,孙七,account_manager,assistant,0002,,2024-02-01,\n"
            "S0101,周八,astronaut,,0002,,2024-03-01,\n"
            "S0102,吴九,account_manager,,0009,,2024-13-01,\n"
            "S0100,重复,external_broker,,0002,,2024-03-01,2024-02-01\n").encode()

    with pytest.raises(InputRejected) as exc:
        services.staff_import(actor=None, data=data, file_name="staff.csv")

    assert [str(p) for p in exc.value.problems] == [
        "staff.csv:3:category: unknown category 'astronaut' (expected one of account_manager, branch_manager, external_broker, investment_adviser, service_agent, team_leader)",
        "staff.csv:4:branch_code: unknown branch_code '0009' (load the trading system's delivery first)",
        "staff.csv:4:hire_date: '2024-13-01' is not a date (YYYY-MM-DD)",
        "staff.csv:4:level: a level is required for category account_manager",
        "staff.csv:5:leave_date: leave_date must be after hire_date",
        "staff.csv:5:staff_no: duplicate staff_no S0100 (first on line 2)",
    ]
    assert not Staff.objects.filter(staff_no__in=["S0100", "S0101", "S0102"]).exists()


def test_staff_import_rejects_a_wrong_header(org_world):
    """The header must be exactly the interface's columns, in order."""
    with pytest.raises(InputRejected) as exc:
        services.staff_import(actor=None, data=b"staff_no,name\nS1,x\n", file_name="staff.csv")

    assert str(exc.value.problems[0]).startswith("staff.csv:1:: header must be exactly: staff_no,name,category")


def test_user_create_requires_staff_for_brokers_and_hashes_with_argon2(org_world, settings):
    """A broker user must be tied to a staff member; passwords are hashed with Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    with pytest.raises(DomainError) as exc:
        services.user_create(username="nobody", role="broker")
    assert exc.value.field == "staff"

    user = services.user_create(username="zhang", role="broker", staff_no="S0004", password="Brokers!2026")

    assert user.password.startswith("argon2")
    assert (user.staff.staff_no, user.branch.code) == ("S0004", "0001")
    assert User.objects.get(username="zhang").check_password("Brokers!2026")


def test_api_token_is_stored_only_as_a_hash(org_world):
    """The token is returned once; the database keeps only its SHA-256."""
    user = org_world["users"]["broker"]

    token = access.api_token_create(user=user)

    stored = user.api_tokens.get()
    assert stored.key_hash != token and len(stored.key_hash) == 64
    assert stored.prefix == token[:8]
