"""Item 2 of issue 19: a load killed at any step boundary completes on a plain rerun, with an uninterrupted run's results;
a second concurrent load is refused with its holder named and nothing touched.

Real processes throughout: `brokercrm etl run` in a subprocess, killed by the documented test hook
(BROKERCRM_TEST_KILL_AFTER_STEP: exit 137 right after the step or day is committed and recorded), then run again.
"""
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from brokercrm.simulator.facade import simulate

ROOT = Path(__file__).resolve().parents[4]
FIRST_DAYS_TO = "2026-03-05"  # the template holds days 1–4 with staff and relations; the load under test brings days 5–8
DAYS = ("2026-03-02", "2026-03-11")
DUMP = f"""
from django.core.management import call_command
from brokercrm.customers.models import Customer, CustomerChange, CustomerFigures
import io, os
out = os.environ["RESULTS_DIR"]
for level in ("customer", "staff", "branch"):
    call_command("export", "indicators", "--level", level, "--grain", "day", "--from", "{DAYS[0]}", "--to", "{DAYS[1]}",
                 "--out", f"{{out}}/{{level}}_indicators.csv", stdout=io.StringIO())
call_command("export", "alerts", "--from", "{DAYS[0]}", "--to", "{DAYS[1]}", "--out", f"{{out}}/alerts.csv", stdout=io.StringIO())
fields = [f.attname for f in Customer._meta.concrete_fields if f.attname not in ("created_at", "updated_at")]
with open(f"{{out}}/customers.txt", "w", encoding="utf-8") as fh:
    for row in Customer.objects.order_by("customer_no").values_list(*fields):
        print(row, file=fh)
    for row in CustomerChange.objects.order_by("customer__customer_no", "business_date", "field").values_list(
            "customer__customer_no", "business_date", "field", "old_value", "new_value"):
        print(row, file=fh)
    for row in CustomerFigures.objects.order_by("customer__customer_no").values_list(
            "customer__customer_no", "period", "end_assets", "avg_daily_assets", "net_commission"):
        print(row, file=fh)
"""
RESULTS = ("customer_indicators.csv", "staff_indicators.csv", "branch_indicators.csv", "alerts.csv", "customers.txt")


def _env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(BROKERCRM_DATA_DIR=str(data_dir), PYTHONPATH=f"{ROOT / 'src'}:{ROOT}", **extra)
    return env


def _cli(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brokercrm.cli", *args], env=_env(data_dir, **extra), capture_output=True,
                          text=True, timeout=600)


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _results(data_dir: Path, out: Path) -> dict[str, bytes]:
    out.mkdir()
    _ok(_cli(data_dir, "shell", "-c", DUMP, RESULTS_DIR=str(out)))
    return {name: (out / name).read_bytes() for name in RESULTS}


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("delivery")
    simulate(out=root, start=dt.date(2026, 3, 2), days=8, customers=300, staff=20, branches=2, seed=5)
    return root


@pytest.fixture(scope="module")
def template(tmp_path_factory, delivery) -> Path:
    """Days 1–4 loaded, staff and development relations imported (so alerts and marts attribute to staff)."""
    return loaded_template(tmp_path_factory.mktemp("template"), delivery, through=FIRST_DAYS_TO)


def loaded_template(data: Path, delivery: Path, *, through: str, setup: str | None = None) -> Path:
    """A data directory with the delivery's days up to `through` loaded (after the `setup` shell code, when given) and
    staff.csv and relations.csv imported, relations of customers not yet delivered left out (the import refuses them)."""
    _ok(_cli(data, "migrate", "-v0"))
    if setup:
        _ok(_cli(data, "shell", "-c", setup))
    _ok(_cli(data, "etl", "run", "--source", str(delivery), "--to", through))
    _ok(_cli(data, "staff", "import", str(delivery / "staff.csv")))
    known = {line.split(",")[0] for day in delivery.glob("2026-*") if day.name <= through
             for line in (day / "customers.csv").read_text(encoding="utf-8").splitlines()[1:]}
    lines = (delivery / "relations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    column = lines[0].split(",").index("customer_no")
    relations = data.parent / "relations.csv"
    relations.write_text(lines[0] + "".join(line for line in lines[1:] if line.split(",")[column] in known), encoding="utf-8")
    _ok(_cli(data, "relations", "import", str(relations)))
    return data


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, template, delivery) -> dict[str, bytes]:
    data = tmp_path_factory.mktemp("uninterrupted") / "data"
    shutil.copytree(template, data)
    assert _ok(_cli(data, "etl", "run", "--source", str(delivery))).startswith("loaded 4 day(s): 2026-03-06 … 2026-03-11;")
    return _results(data, data.parent / "out")


@pytest.mark.parametrize("kill_after", ["2026-03-09", "2026-03-11", "app_sync", "crm", "build_dw", "build_marts", "publish",
                                        "customer_figures", "segments", "alerts"])
def test_a_load_killed_after_any_step_completes_on_a_plain_rerun_with_the_same_results(kill_after, template, delivery, uninterrupted,
                                                                                       tmp_path):
    """Given days 1–4 loaded, when the load of days 5–8 dies right after `kill_after` commits and `etl run` runs again,
    then the rerun says what it completed, and the indicators (customer/staff/branch by day), alerts and customers
    (with their history and figures) are byte-identical to an uninterrupted run's; a third run finds nothing to do."""
    data = tmp_path / "data"
    shutil.copytree(template, data)

    killed = _cli(data, "etl", "run", "--source", str(delivery), BROKERCRM_TEST_KILL_AFTER_STEP=kill_after)
    rerun = _ok(_cli(data, "etl", "run", "--source", str(delivery)))
    third = _ok(_cli(data, "etl", "run", "--source", str(delivery)))

    assert killed.returncode == 137
    if kill_after == "2026-03-09":  # two of the four days were ingested: the rerun loads the others and completes all
        assert rerun.startswith("loaded 2 day(s): 2026-03-10 … 2026-03-11; completed the steps an interrupted load left "
                                "undone on 2 day(s): 2026-03-06 … 2026-03-09; marts published")
    else:
        assert rerun.startswith("completed the steps an interrupted load left undone on 4 day(s): 2026-03-06 … 2026-03-11; "
                                "marts published")
    assert third.startswith("nothing to load: every complete day is already loaded")
    assert _results(data, tmp_path / "out") == uninterrupted


def test_a_second_concurrent_load_is_refused_naming_the_first_and_touches_nothing(template, delivery, tmp_path):
    """Given a process holding the load lock, when `etl run` starts, then it exits 1 with "another load is running since …
    (pid …)", no traceback, the warehouse file unchanged; once the holder is killed, the next load runs."""
    data = tmp_path / "data"
    shutil.copytree(template, data)
    warehouse = data / "warehouse" / "warehouse.duckdb"
    before = (warehouse.read_bytes(), warehouse.stat().st_mtime_ns)
    holder = subprocess.Popen(
        [sys.executable, "-m", "brokercrm.cli", "shell", "--no-imports", "-c",
         "from brokercrm.datacenter.loadlock import load_lock\nimport sys, time\n"
         "with load_lock() as me:\n    print(me.since.isoformat(), flush=True)\n    time.sleep(600)\n"],
        env=_env(data), stdout=subprocess.PIPE, text=True)
    try:
        since = dt.datetime.fromisoformat(holder.stdout.readline().strip())
        second = _cli(data, "etl", "run", "--source", str(delivery))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    shown = since.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    assert second.returncode == 1
    assert second.stderr.strip() == f"CommandError: another load is running since {shown} (pid {holder.pid})"
    assert "Traceback" not in second.stdout + second.stderr
    assert (warehouse.read_bytes(), warehouse.stat().st_mtime_ns) == before
    assert _ok(_cli(data, "etl", "run", "--source", str(delivery))).startswith("loaded 4 day(s): 2026-03-06 … 2026-03-11;")
