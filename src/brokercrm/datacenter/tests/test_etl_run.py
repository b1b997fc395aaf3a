"""The set-up order a user follows, end to end through the CLI: load, import staff, import relations, export."""
import csv
import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import call_command

from brokercrm.core.jobgraph import load_graph
from brokercrm.customers.models import Customer
from brokercrm.datacenter import jobs
from brokercrm.datacenter.models import JobRun, QuarantinedRow
from brokercrm.org.models import Branch, Staff
from brokercrm.relations.models import Relation
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(tmp_path, settings):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    root = tmp_path / "delivery"
    simulate(out=root, start=dt.date(2026, 3, 2), days=6, customers=120, staff=12, branches=2, seed=3)
    return root


def _export(level: str, out) -> list[dict]:
    call_command("export", "indicators", "--level", level, "--grain", "month", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--out", str(out), stdout=io.StringIO())
    with open(out, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _set_crm_files_aside(delivery, tmp_path):
    """The CRM files moved out of the delivery root, so `etl run` loads the days alone (the set-up order of a user who
    imports staff and relations by hand)."""
    tmp_path.mkdir(exist_ok=True)
    for name in ("staff.csv", "relations.csv"):
        (delivery / name).rename(tmp_path / name)
    return tmp_path


def test_load_import_staff_and_relations_then_export_reflects_attribution_at_once(delivery, tmp_path):
    """After `etl run`, branches and customers exist in the app; after the relations import, staff marts attribute at once."""
    crm_files = _set_crm_files_aside(delivery, tmp_path / "crm")
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())

    assert Branch.objects.count() == 2
    delivered = {r["customer_no"] for day in delivery.glob("2026-*") for r in csv.DictReader(open(day / "customers.csv", encoding="utf-8"))}
    assert set(Customer.objects.values_list("customer_no", flat=True)) == delivered
    assert JobRun.objects.filter(job="ingest", status="succeeded").count() == 6
    before = _export("staff", tmp_path / "before.csv")
    assert [r["key"] for r in before] == ["UNATTRIBUTED"]

    call_command("staff", "import", str(crm_files / "staff.csv"), stdout=io.StringIO())
    call_command("relations", "import", str(crm_files / "relations.csv"), stdout=io.StringIO())

    after = _export("staff", tmp_path / "after.csv")
    total = lambda rows, col: sum(int(r[col]) for r in rows)  # noqa: E731
    assert len(after) > 1 and after[-1]["key"] == "UNATTRIBUTED"
    assert total(after, "trade_count") == total(before, "trade_count")
    assert int(after[-1]["trade_count"]) < int(before[-1]["trade_count"])


def test_one_etl_run_with_the_crm_files_beside_the_days_runs_the_chain_once_and_equals_the_step_by_step_set_up(
        delivery, tmp_path, settings):
    """staff.csv and relations.csv beside the day folders are imported by the load itself: every step after the CRM
    copy runs once, and the exports equal loading first and importing the two files by hand afterwards."""
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())
    batch = {level: _export(level, tmp_path / f"batch-{level}.csv") for level in ("staff", "branch")}
    assert JobRun.objects.filter(job="crm_files").count() == 1
    assert JobRun.objects.filter(job="build_marts").count() == 1
    assert len(batch["staff"]) > 1

    settings.WAREHOUSE_PATH = tmp_path / "by-hand" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "by-hand" / "published"
    crm_files = _set_crm_files_aside(delivery, tmp_path / "crm")
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("staff", "import", str(crm_files / "staff.csv"), stdout=io.StringIO())
    call_command("relations", "import", str(crm_files / "relations.csv"), stdout=io.StringIO())
    assert {level: _export(level, tmp_path / f"hand-{level}.csv") for level in ("staff", "branch")} == batch


def test_an_etl_run_with_no_new_day_applies_changed_crm_files_and_otherwise_does_nothing(delivery, tmp_path):
    """Run again with the same files: nothing to load and no step runs; with one more relation ended in relations.csv,
    the chain after the CRM copy runs once more and the staff export moves that customer's later facts."""
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())
    marts_runs = JobRun.objects.filter(job="build_marts").count()
    out = io.StringIO()
    call_command("etl", "run", "--source", str(delivery), stdout=out, stderr=io.StringIO())
    assert "nothing to load" in out.getvalue()
    assert JobRun.objects.filter(job="build_marts").count() == marts_runs

    lines = (delivery / "relations.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    assert first[header.index("end_date")] == ""
    first[header.index("end_date")] = "2026-03-04"
    lines[1] = ",".join(first)
    (delivery / "relations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("etl", "run", "--source", str(delivery), stdout=out, stderr=io.StringIO())

    assert "CRM files changed" in out.getvalue()
    assert JobRun.objects.filter(job="build_marts").count() == marts_runs + 1


def test_loading_the_same_days_again_changes_nothing(delivery, tmp_path):
    """A second `etl run` finds nothing new; reloading a named day gives the same export byte for byte."""
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())
    first = (_export("customer", tmp_path / "a.csv"), (tmp_path / "a.csv").read_bytes())

    out = io.StringIO()
    call_command("etl", "run", "--source", str(delivery), stdout=out, stderr=io.StringIO())
    assert "nothing to load" in out.getvalue()
    call_command("etl", "run", "--source", str(delivery), "--date", "2026-03-04", stdout=io.StringIO(), stderr=io.StringIO())

    _export("customer", tmp_path / "b.csv")
    assert (tmp_path / "b.csv").read_bytes() == first[1]


def test_a_day_with_one_bad_value_is_refused_naming_the_line_and_the_warehouse_is_unchanged(delivery, tmp_path):
    """One bad amount (manifest kept consistent) refuses the day with FILE:LINE:COLUMN; earlier days stay loaded, exports unchanged."""
    days = sorted(p for p in delivery.glob("2026-*"))
    call_command("etl", "run", "--source", str(delivery), "--to", days[3].name, stdout=io.StringIO(), stderr=io.StringIO())
    before = (_export("customer", tmp_path / "a.csv"), (tmp_path / "a.csv").read_bytes())[1]
    bad_day = days[4]
    lines = (bad_day / "assets.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].rstrip("\n").split(",")
    fields[2] = "12.345"  # cash_balance with three decimals
    lines[1] = ",".join(fields) + "\n"
    (bad_day / "assets.csv").write_text("".join(lines), encoding="utf-8")
    manifest = json.loads((bad_day / "manifest.json").read_text())
    data = (bad_day / "assets.csv").read_bytes()
    manifest["files"]["assets.csv"]["sha256"] = hashlib.sha256(data).hexdigest()
    (bad_day / "manifest.json").write_text(json.dumps(manifest))

    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("etl", "run", "--source", str(delivery), stdout=out, stderr=io.StringIO())

    assert exc.value.code == 1
    assert f"{bad_day.name}/assets.csv:2:cash_balance:" in out.getvalue()
    assert QuarantinedRow.objects.filter(business_date=bad_day.name, line=2, column="cash_balance").exists()
    assert JobRun.objects.get(job="ingest", business_date=bad_day.name).status == "refused"
    _export("customer", tmp_path / "b.csv")
    assert (tmp_path / "b.csv").read_bytes() == before


def _edit_csv(path, line: int, column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header, fields = lines[0].split(","), lines[line - 1].split(",")
    fields[header.index(column)] = value
    lines[line - 1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("name", "line", "column", "value", "message"), [
    ("staff.csv", 3, "hire_date", "2020-02-30", "hire_date"),
    ("relations.csv", 4, "relation_type", "friendship", "unknown relation_type 'friendship'"),
])
def test_a_bad_crm_file_beside_the_days_refuses_the_whole_batch_and_changes_nothing(delivery, name, line, column, value, message):
    """One bad value in staff.csv or relations.csv: `etl run` exits 1 naming FILE:LINE:COLUMN before any day is loaded,
    so no day, customer, staff member, relation or step record exists; with the file fixed, one run loads everything."""
    good = (delivery / name).read_bytes()
    _edit_csv(delivery / name, line, column, value)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("etl", "run", "--source", str(delivery), stdout=out, stderr=io.StringIO())

    assert exc.value.code == 1
    assert f"{delivery / name}:{line}:{column}: " in out.getvalue() and message in out.getvalue()
    assert not JobRun.objects.exists()
    assert not Customer.objects.exists() and not Branch.objects.exists()
    assert not Staff.objects.exists() and not Relation.objects.exists()

    (delivery / name).write_bytes(good)
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())
    assert JobRun.objects.filter(job="ingest", status="succeeded").count() == 6
    assert JobRun.objects.filter(job="build_marts").count() == 1
    assert Relation.objects.exists()


def test_a_load_tells_its_progress_by_day_step_and_rows(delivery):
    """The progress callback (the terminal's bar, the console's run row) hears each day with its rows, each step as it
    starts and with its rows when done, and app_sync's days and customer versions; the last report counts every step and day done."""
    heard = []
    jobs.etl_run(source=delivery, progress=lambda done, total, label: heard.append((done, total, label)))

    labels = [label for _, _, label in heard]
    days = sorted(p.name for p in delivery.glob("2026-*"))
    rows = {day: sum(1 for name in (delivery / day).glob("*.csv") for _ in open(name, encoding="utf-8")) - 8 for day in days}
    assert [label for label in labels if label.startswith("ingest ") and "rows" in label] == [
        f"ingest {day}: {rows[day]:,} rows" for day in days]
    assert f"app_sync {days[0]} … {days[-1]} (6 day(s)): writing " in " | ".join(labels)
    assert "build_dw (6 day(s)) …" in labels
    assert labels.index("build_dw (6 day(s)) …") < labels.index("build_marts (6 day(s)) …")
    assert "publish: 1 rows" in labels
    assert heard[-1][0] == heard[-1][1] == 6 + len([s for s in load_graph() if s.recorded])
