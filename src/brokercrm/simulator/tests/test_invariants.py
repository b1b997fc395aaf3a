"""The interface's invariants, recomputed from the CSV files alone (tests/checks.py)."""
import json
from pathlib import Path

from brokercrm.simulator.tests.checks import COLUMNS, check_delivery, day_folders


def test_small_delivery_keeps_every_invariant(small_delivery: Path) -> None:
    """Keys, references, totals, cash and position continuity, fees, manifests and CRM files all hold."""
    assert check_delivery(small_delivery) == []


def test_year_delivery_keeps_every_invariant(year_delivery: Path, year_db) -> None:
    """Over a whole year (closings, new accounts, listings, transfers, interest days) nothing breaks."""
    assert check_delivery(year_delivery, year_db) == []


def test_delivery_layout_is_day_folders_plus_crm_files(small_delivery: Path) -> None:
    """The root holds only trading-day folders, staff.csv, relations.csv and the simulator's state folder."""
    names = sorted(p.name for p in small_delivery.iterdir())
    assert names == ["2026-06-10", "2026-06-11", "2026-06-12", "2026-06-15", "2026-06-16", "2026-06-17", "2026-06-18",
                     "2026-06-22", "2026-06-23", "2026-06-24", "2026-06-25", "2026-06-26", "relations.csv",
                     "simulator_state", "staff.csv"]


def test_every_day_has_all_files_and_a_manifest_naming_it(small_delivery: Path) -> None:
    """Every file is present (even empty, header only) and the manifest lists each with rows and sha256."""
    for folder in day_folders(small_delivery):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["interface"] == "v1"
        assert manifest["business_date"] == folder.name
        assert list(manifest["files"]) == list(COLUMNS)
        assert sorted(p.name for p in folder.iterdir()) == sorted([*COLUMNS, "manifest.json"])


def test_later_days_carry_only_changes(small_delivery: Path) -> None:
    """The first day is a full snapshot; later days deliver no branches and only changed customers."""
    first, second = day_folders(small_delivery)[:2]
    assert (first / "branches.csv").read_text(encoding="utf-8").count("\n") == 4
    assert (second / "branches.csv").read_text(encoding="utf-8") == "branch_code,branch_name,city,opened_on\n"
    snapshot = (first / "customers.csv").read_text(encoding="utf-8").count("\n") - 1
    changes = (second / "customers.csv").read_text(encoding="utf-8").count("\n") - 1
    assert snapshot == 618  # 600 open accounts and 18 (3%) closed before the start
    assert 0 < changes < 30


def test_checker_catches_a_broken_cash_balance(small_delivery: Path, tmp_path: Path) -> None:
    """The independent checker is not vacuous: one cent off in one assets row is reported."""
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(small_delivery, broken)
    assets = broken / "2026-06-12" / "assets.csv"
    lines = assets.read_text(encoding="utf-8").split("\n")
    fields = lines[1].split(",")
    fields[2] = f"{float(fields[2]) + 0.01:.2f}"
    fields[4] = f"{float(fields[4]) + 0.01:.2f}"
    lines[1] = ",".join(fields)
    assets.write_text("\n".join(lines), encoding="utf-8")

    problems = check_delivery(broken)

    assert any("rows/sha256" in p and "2026-06-12/assets.csv" in p for p in problems)
    assert any(p.startswith("cash continuity broken") for p in problems)
