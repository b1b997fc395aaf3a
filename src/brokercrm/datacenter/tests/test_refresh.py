"""A staff import refreshes the warehouse through the same service from the web upload (worker) and the CLI (before it returns)."""
import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from brokercrm.datacenter.facade import month_indicators
from brokercrm.datacenter.models import JobRun
from brokercrm.org.facade import Role, user_create
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path, settings):
    """Six delivered days loaded; no staff imported yet, so the staff marts hold only UNATTRIBUTED."""
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    root = tmp_path / "delivery"
    simulate(out=root, start=dt.date(2026, 3, 2), days=6, customers=60, staff=6, branches=2, seed=3)
    aside = tmp_path / "crm"  # the CRM files out of the delivery root while the days load: `etl run` would import them
    aside.mkdir()
    for name in ("staff.csv", "relations.csv"):
        (root / name).rename(aside / name)
    call_command("etl", "run", "--source", str(root), stdout=io.StringIO(), stderr=io.StringIO())
    for name in ("staff.csv", "relations.csv"):
        (aside / name).rename(root / name)
    assert set(month_indicators("staff", ["2026-03"]).values) == {"UNATTRIBUTED"}
    return root


def _published_staff() -> set[str]:
    return set(month_indicators("staff", ["2026-03"]).values) - {"UNATTRIBUTED"}


def _employed_in_the_loaded_days(root) -> set[str]:
    """staff.csv's staff employed on a day of 2026-03-02 … 03-09 (hire_date ≤ d < leave_date): the staff marts' rows."""
    with open(root / "staff.csv", encoding="utf-8") as fh:
        return {r["staff_no"] for r in csv.DictReader(fh)
                if r["hire_date"] <= "2026-03-09" and (not r["leave_date"] or r["leave_date"] > "2026-03-02")}


def test_a_web_staff_upload_leads_to_rebuilt_marts_through_the_worker(loaded, client, django_capture_on_commit_callbacks):
    """The upload enqueues the refresh on commit; the worker's run (immediate backend here) publishes marts with the staff."""
    client.force_login(user_create(username="admin", role=Role.ADMIN))
    upload = SimpleUploadedFile("staff.csv", (loaded / "staff.csv").read_bytes(), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/org/staff/import/", {"file": upload})

    assert response.status_code == 302 and len(callbacks) == 1
    assert _published_staff() == _employed_in_the_loaded_days(loaded) != set()
    assert JobRun.objects.filter(job="build_marts", trigger="import", status="succeeded").count() == 1


def test_the_cli_staff_import_returns_with_the_marts_current(loaded):
    """`brokercrm staff import` runs the same refresh before it returns: the published marts already list the staff."""
    call_command("staff", "import", str(loaded / "staff.csv"), stdout=io.StringIO())

    assert _published_staff() == _employed_in_the_loaded_days(loaded) != set()
    assert JobRun.objects.filter(job="publish", trigger="import", status="succeeded").count() == 1
