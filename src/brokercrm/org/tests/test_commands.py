import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from brokercrm.org.models import Staff, User

pytestmark = pytest.mark.django_db


def test_users_create_reads_the_password_from_stdin(org_world, monkeypatch):
    """`brokercrm users create … --password-stdin` creates a user who can log in with that password."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("Very-Secret-9\n"))
    out = io.StringIO()

    call_command("users", "create", "--username", "wang", "--role", "branch_manager", "--branch", "0002", "--password-stdin", stdout=out)

    user = User.objects.get(username="wang")
    assert (user.role, user.branch.code) == ("branch_manager", "0002")
    assert user.check_password("Very-Secret-9")


def test_users_create_with_an_unknown_staff_fails_clearly(org_world):
    """A bad --staff is a CommandError naming the field."""
    with pytest.raises(CommandError, match="staff: unknown staff no. S9999"):
        call_command("users", "create", "--username", "x", "--role", "broker", "--staff", "S9999")


def test_api_token_prints_the_token_alone_on_the_last_line(org_world):
    """Scripts take the last line of `brokercrm api-token U` as the bearer token."""
    out = io.StringIO()
    call_command("api-token", "broker", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    from django.test import Client

    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/staff").status_code == 200


def test_staff_import_command_prints_problems_and_exits_1(org_world, tmp_path):
    """A bad staff.csv prints FILE:LINE:COLUMN lines, exits non-zero, and imports nothing."""
    path = tmp_path / "staff.csv"
    path.write_text("staff_no,name,category,level,branch_code,team,hire_date,leave_date\nS0400,甲,account_manager,boss,0001,,2024-01-02,\n", encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(SystemExit) as exc:
        call_command("staff", "import", str(path), stdout=out, stderr=io.StringIO())

    assert exc.value.code == 1
    assert out.getvalue() == f"{path}:2:level: unknown level 'boss' for category account_manager (expected assistant, manager, principal, senior)\n"
    assert not Staff.objects.filter(staff_no="S0400").exists()


def test_staff_import_command_refuses_a_huge_field_and_a_nul_byte_with_their_place(org_world, tmp_path, settings):
    """Issue 19: a 131,072-character field answered 500; through the CLI it and a NUL byte are FILE:LINE:COLUMN problems, exit 1."""
    settings.IMPORT_FIELD_MAX_CHARS = 4096
    path = tmp_path / "staff.csv"
    path.write_bytes(("staff_no,name,category,level,branch_code,team,hire_date,leave_date\n"
                      f"S0400,{'甲' * 131_072},account_manager,,0001,,2024-01-02,\n"
                      "S0401,乙\x00,account_manager,,0001,,2024-01-02,\n").encode())
    out = io.StringIO()

    with pytest.raises(SystemExit) as exc, translation.override("en"):
        call_command("staff", "import", str(path), stdout=out, stderr=io.StringIO())

    assert exc.value.code == 1
    assert out.getvalue().splitlines() == [f"{path}:2:name: field too long (131072 characters, at most 4096)",
                                           f"{path}:3:name: NUL character (\\0) is not allowed"]
    assert not Staff.objects.filter(staff_no__in=["S0400", "S0401"]).exists()
