"""The XSHG calendar, its coverage limit, and the `brokercrm simulate` command."""
import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brokercrm.simulator.calendar import coverage, to_date, trading_days
from brokercrm.simulator.errors import SimulationError
from brokercrm.simulator.facade import simulate


def test_trading_days_skip_weekends_and_exchange_holidays() -> None:
    """From Friday 13 February 2026 the next trading day is 24 February (Spring Festival closure)."""
    assert [to_date(d) for d in trading_days(date(2026, 2, 13), 2)] == [date(2026, 2, 13), date(2026, 2, 24)]


def test_start_on_a_holiday_moves_to_the_next_trading_day() -> None:
    """1 October 2026 (National Day closure, 1–7 October) starts on 8 October."""
    assert to_date(trading_days(date(2026, 10, 1), 1)[0]) == date(2026, 10, 8)


def test_the_demo_year_has_241_trading_days() -> None:
    """2025-11-03 … 2026-10-30 is 241 XSHG sessions."""
    days = trading_days(date(2025, 11, 3), 241)
    assert (to_date(days[0]), to_date(days[-1])) == (date(2025, 11, 3), date(2026, 10, 30))


def test_dates_beyond_coverage_are_refused() -> None:
    """The package's holidays end with 2026: a 2027 start, or a run past 31 December 2026, is refused."""
    assert coverage() == (date(1999, 1, 1), date(2026, 12, 31))
    with pytest.raises(SimulationError, match=r"2027-01-04 is outside the XSHG calendar's coverage \(1999-01-01 … 2026-12-31\)"):
        trading_days(date(2027, 1, 4), 1)
    with pytest.raises(SimulationError, match="run beyond the XSHG calendar's coverage .it ends 2026-12-31; only 9 trading days remain"):
        trading_days(date(2026, 12, 20), 30)


def test_command_writes_a_delivery(tmp_path: Path) -> None:
    """call_command writes the days and reports the span and customer count."""
    stdout = StringIO()
    call_command("simulate", out=str(tmp_path / "d"), start="2026-03-02", days=2, customers=200, staff=9,
                 branches=2, seed=1, verbosity=0, stdout=stdout)
    assert stdout.getvalue().startswith(f"wrote 2 trading days to {tmp_path / 'd'} (2026-03-02 … 2026-03-03, ")
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["2026-03-02", "2026-03-03", "relations.csv",
                                                                 "simulator_state", "staff.csv"]


def test_command_appends_with_the_stored_world(tmp_path: Path) -> None:
    """--append needs only --out and --days; the world's arguments come from the delivery."""
    call_command("simulate", out=str(tmp_path / "d"), start="2026-03-02", days=1, customers=200, staff=9,
                 branches=2, seed=1, verbosity=0, stdout=StringIO())
    stdout = StringIO()
    call_command("simulate", "--append", out=str(tmp_path / "d"), days=1, verbosity=0, stdout=stdout)
    assert "(2026-03-02 … 2026-03-03, " in stdout.getvalue()


def test_command_refuses_dates_beyond_coverage_and_missing_arguments(tmp_path: Path) -> None:
    """A clear CommandError, nothing written."""
    with pytest.raises(CommandError, match="2027-03-01 is outside the XSHG calendar's coverage"):
        call_command("simulate", out=str(tmp_path / "d"), start="2027-03-01", days=5, customers=10, staff=3,
                     branches=1, seed=1, verbosity=0)
    with pytest.raises(CommandError, match="missing --customers, --seed"):
        call_command("simulate", out=str(tmp_path / "d"), start="2026-03-02", days=5, staff=3, branches=1, verbosity=0)
    with pytest.raises(CommandError, match="too few for 2 branches"):
        call_command("simulate", out=str(tmp_path / "d"), start="2026-03-02", days=1, customers=10, staff=5,
                     branches=2, seed=1, verbosity=0)
    assert not (tmp_path / "d").exists()


def test_command_help_lists_every_option() -> None:
    """`brokercrm simulate --help` documents every option."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-m", "brokercrm.cli", "simulate", "--help"], capture_output=True,
                            text=True, env=env, check=True)
    for option in ("--out", "--start", "--days", "--customers", "--staff", "--branches", "--seed", "--closures", "--append"):
        assert option in result.stdout


def _closures(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_closures_files_let_the_simulator_run_past_the_package(tmp_path: Path) -> None:
    """Given 2027's closures (1 January closed), a run from 2026-12-30 continues on 2027-01-04; without them it is refused."""
    closures = _closures(tmp_path / "closures-2027.csv", "date,reason\n2027-01-01,元旦\n2027-01-05,测试休市\n")
    summary = simulate(out=tmp_path / "d", start=date(2026, 12, 30), days=4, customers=20, staff=3, branches=1, seed=2,
                       closures=(closures,))
    assert [p.name for p in summary.day_folders] == ["2026-12-30", "2026-12-31", "2027-01-04", "2027-01-06"]
    with pytest.raises(SimulationError, match="only 2 trading days remain; give the next year's closures with --closures"):
        simulate(out=tmp_path / "e", start=date(2026, 12, 30), days=4, customers=20, staff=3, branches=1, seed=2)


def test_a_header_only_closures_file_names_its_year_by_file_name(tmp_path: Path) -> None:
    """A year without holidays: every weekday trades (2027-01-01 included)."""
    closures = _closures(tmp_path / "2027.csv", "date,reason\n")
    summary = simulate(out=tmp_path / "d", start=date(2026, 12, 31), days=2, customers=20, staff=3, branches=1, seed=2,
                       closures=(closures,))
    assert [p.name for p in summary.day_folders] == ["2026-12-31", "2027-01-01"]


def test_bad_closures_files_are_refused_whole_naming_file_line_and_column(tmp_path: Path) -> None:
    """Weekend, duplicate, malformed date, wrong field count, a package year that disagrees: every problem, nothing written."""
    bad = _closures(tmp_path / "bad.csv", "date,reason\n2027-01-02,周六\n2027-01-01,元旦\n2027-01-01,元旦\n"
                                          "2027-13-01,x\n2027-02-08\n2026-01-05,不是假日\n")
    with pytest.raises(SimulationError) as refused:
        simulate(out=tmp_path / "d", start=date(2026, 12, 30), days=2, customers=20, staff=3, branches=1, seed=2,
                 closures=(bad,))
    assert str(refused.value).splitlines() == [
        f"{bad}:2:date: 2027-01-02 is a weekend day: weekends are never listed",
        f"{bad}:4:date: 2027-01-01 is listed twice (first at {bad}:3)",
        f"{bad}:5:date: '2027-13-01' is not a date (YYYY-MM-DD)",
        f"{bad}:6:: expected 2 fields, found 1",
        "2026 is covered by exchange_calendars; closures for it must agree with the package",
    ]
    assert not (tmp_path / "d").exists()


def test_command_takes_closures_several_times(tmp_path: Path) -> None:
    """`--closures` may be given once per file; the years add up."""
    first = _closures(tmp_path / "2027.csv", "date,reason\n2027-01-01,元旦\n")
    second = _closures(tmp_path / "2028.csv", "date,reason\n2028-01-03,元旦\n")
    stdout = StringIO()
    call_command("simulate", out=str(tmp_path / "d"), start="2027-12-31", days=2, customers=20, staff=3, branches=1,
                 seed=1, closures=[first, second], verbosity=0, stdout=stdout)
    assert "(2027-12-31 … 2028-01-04, " in stdout.getvalue()
