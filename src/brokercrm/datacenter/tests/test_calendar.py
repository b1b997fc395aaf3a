"""The one trading calendar: closures imported per year, used by validation, ingest and the marts across a year end."""
import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from brokercrm.core.errors import InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.datacenter import calendar, facade, services
from brokercrm.datacenter.models import CalendarYear, JobRun, MarketClosure
from brokercrm.datacenter.validation import validate_delivery
from brokercrm.simulator.facade import simulate

CLOSURES_2027 = "date,reason\n2027-01-01,元旦\n2027-01-08,测试休市\n"
# 2026-12-21 … 2027-01-15 with 1 and 8 January closed.
TRADING_DAYS = [dt.date(2026, 12, d) for d in (21, 22, 23, 24, 25, 28, 29, 30, 31)] + \
               [dt.date(2027, 1, d) for d in (4, 5, 6, 7, 11, 12, 13, 14, 15)]


def _import(text: str, name: str = "closures-2027.csv", **kwargs):
    return services.closures_import(actor=None, data=text.encode("utf-8"), file_name=name, **kwargs)


@pytest.fixture
def year_end(tmp_path, settings):
    """A simulated delivery 2026-12-21 … 2027-01-15, written by a trading system that knows 2027's closures."""
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    closures = tmp_path / "closures-2027.csv"
    closures.write_text(CLOSURES_2027, encoding="utf-8")
    simulate(out=tmp_path / "delivery", start=dt.date(2026, 12, 21), days=len(TRADING_DAYS), customers=60, staff=6,
             branches=2, seed=5, closures=(closures,))
    return tmp_path / "delivery", closures


def test_an_imported_year_is_its_weekdays_minus_its_closures():
    """Given 2027's closures, its trading days are the 261 weekdays minus the 2 closures; 2028 stays unknown."""
    _import(CLOSURES_2027)
    days = facade.trading_days(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert (len(days), days[0], days[-1]) == (259, dt.date(2027, 1, 4), dt.date(2027, 12, 31))
    assert facade.next_trading_day(dt.date(2027, 1, 7)) == dt.date(2027, 1, 11)
    assert facade.add_trading_days(dt.date(2026, 12, 30), 3) == dt.date(2027, 1, 5)
    assert facade.last_known_trading_day() == dt.date(2027, 12, 31)
    with pytest.raises(facade.CalendarYearUnknown, match=r"2028-01-03 is in 2028: the exchange closures of 2028 are "
                                                         r"not known; import them with `brokercrm calendar import FILE.csv`"):
        facade.is_trading_day(dt.date(2028, 1, 3))


def test_a_header_only_file_imports_a_year_without_holidays_named_by_the_file_or_year():
    """No closure listed: the year comes from --year, else from the file name; without either it is refused."""
    assert _import("date,reason\n", name="closures-2027.csv").stored == {2027: 0}
    assert _import("date,reason\n", name="empty.csv", years=[2028]).stored == {2028: 0}
    with pytest.raises(InputRejected) as refused:
        _import("date,reason\n", name="empty.csv")
    assert [str(p) for p in refused.value.problems] == [
        "empty.csv:1:: the file lists no closure, so it names no year: give the year (--year YYYY) or put it in the file name"]
    assert facade.is_trading_day(dt.date(2027, 1, 1)) and facade.is_trading_day(dt.date(2028, 12, 29))


def test_bad_closure_files_are_refused_whole_and_nothing_is_stored():
    """A weekend, a date listed twice, a malformed date and a short line: each named FILE:LINE:COLUMN; no year stored."""
    _import(CLOSURES_2027)
    bad = "date,reason\n2028-01-03,元旦\n2028-01-08,周六\n2028-01-03,again\n2028-02-30,x\n2028-05-01\n"
    with pytest.raises(InputRejected) as refused:
        _import(bad, name="c.csv")
    assert [str(p) for p in refused.value.problems] == [
        "c.csv:3:date: 2028-01-08 is a Saturday: weekends are never listed, only weekdays the exchanges close",
        "c.csv:4:date: 2028-01-03 is listed twice (first on line 2)",
        "c.csv:5:date: '2028-02-30' is not a date (YYYY-MM-DD)",
        "c.csv:6:: expected 2 fields, found 1",
    ]
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2027]
    assert MarketClosure.objects.count() == 2


def test_a_package_year_is_accepted_only_when_it_agrees_with_the_package():
    """2026 stays exchange_calendars' year: an agreeing file stores nothing, a differing one is refused naming the dates."""
    closed_2026 = sorted(calendar.package_closures(2026))
    agreeing = "date,reason\n" + "".join(f"{d.isoformat()},假日\n" for d in closed_2026)
    assert _import(agreeing, name="2026.csv").confirmed == (2026,)
    assert not CalendarYear.objects.exists()
    differing = "date,reason\n" + "".join(f"{d.isoformat()},假日\n" for d in closed_2026[1:]) + "2026-03-02,x\n"
    with pytest.raises(InputRejected) as refused:
        _import(differing, name="2026.csv")
    package = calendar.package_calendar()[2]
    assert [str(p) for p in refused.value.problems] == [
        f"2026.csv:{len(closed_2026) + 1}:date: 2026-03-02 is a trading day in {package}, which stays the source for 2026",
        f"2026.csv::: {closed_2026[0].isoformat()} is closed in {package}, which stays the source for 2026: the file must list it too",
    ]


def test_reimporting_a_year_replaces_it_and_is_audited():
    """The second file of 2027 replaces the first; the audit log holds both closure lists."""
    _import(CLOSURES_2027)
    _import("date,reason\n2027-01-01,元旦\n2027-02-08,春节\n")
    assert list(MarketClosure.objects.values_list("date", "reason")) == [(dt.date(2027, 1, 1), "元旦"), (dt.date(2027, 2, 8), "春节")]
    entry = AuditEntry.objects.filter(object_type="datacenter.calendaryear", action="update").get()
    assert entry.changes["closures"] == [["2027-01-01 元旦", "2027-01-08 测试休市"], ["2027-01-01 元旦", "2027-02-08 春节"]]


def test_only_admin_and_head_office_may_import(org_world):
    """The role is checked in the service, so page and CLI share it."""
    users = org_world["users"]
    with pytest.raises(PermissionDenied):
        services.closures_import(actor=users["broker"], data=CLOSURES_2027.encode(), file_name="c.csv")
    services.closures_import(actor=users["head_office"], data=CLOSURES_2027.encode(), file_name="c.csv")
    assert CalendarYear.objects.filter(year=2027).exists()


def test_the_warning_starts_30_days_before_the_last_known_trading_day():
    """On 2026-12-01 (30 days before 2026-12-31) 2027 is announced as missing; not on 2026-11-30; not once imported."""
    assert facade.calendar_warning(dt.date(2026, 11, 30)) is None
    warning = facade.calendar_warning(dt.date(2026, 12, 1))
    assert (warning.missing_year, warning.last_known_day, warning.days_left) == (2027, dt.date(2026, 12, 31), 30)
    _import(CLOSURES_2027)
    assert facade.calendar_warning(dt.date(2026, 12, 2)) is None
    assert facade.calendar_warning(dt.date(2027, 12, 2)).missing_year == 2028


def test_calendar_show_and_export_on_the_command_line(tmp_path, settings):
    """show warns that 2027 is unknown (today 2026-12-02); after the import it lists the closures; export writes the days."""
    settings.TIME_ZONE = "Asia/Shanghai"
    out = io.StringIO()
    call_command("calendar", "show", "--year", "2027", stdout=out)
    assert "2027: unknown — the exchange closures of 2027 are not imported" in out.getvalue()
    path = tmp_path / "closures-2027.csv"
    path.write_text(CLOSURES_2027, encoding="utf-8")
    out = io.StringIO()
    call_command("calendar", "import", str(path), stdout=out)
    assert out.getvalue().splitlines()[0] == "2027: 2 closure(s) imported from closures-2027.csv"
    out = io.StringIO()
    call_command("calendar", "show", "--year", "2027", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2027: 259 trading days, 2 weekday closure(s); source: imported, closures-2027.csv (")
    assert lines[1:4] == ["closures:", "  2027-01-01 Fri  元旦  (imported)", "  2027-01-08 Fri  测试休市  (imported)"]
    call_command("calendar", "export", "--year", "2027", "--out", str(tmp_path / "days.csv"), stdout=io.StringIO())
    rows = list(csv.DictReader(open(tmp_path / "days.csv", encoding="utf-8")))
    assert (len(rows), rows[0], rows[4]) == (259, {"date": "2027-01-04"}, {"date": "2027-01-11"})


def test_a_delivery_into_a_year_without_closures_is_refused_naming_the_year_and_the_fix(year_end):
    """Without the import: validate names 2027 and the command; etl loads December and stops at 2027-01-04 (status calendar)."""
    delivery, _ = year_end
    assert [str(p) for p in validate_delivery(delivery)][0] == (
        "2027-01-04::: 2027-01-04 is in 2027: the exchange closures of 2027 are not known; "
        "import them with `brokercrm calendar import FILE.csv` (or on the Trading calendar page)")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("etl", "run", "--source", str(delivery), stdout=out, stderr=io.StringIO())
    assert "2027-01-04::: 2027-01-04 is in 2027: the exchange closures of 2027 are not known" in out.getvalue()
    assert JobRun.objects.get(job="ingest", business_date="2027-01-04").status == JobRun.Status.CALENDAR
    assert JobRun.objects.filter(job="ingest", status=JobRun.Status.SUCCEEDED).count() == 9


def test_a_delivery_across_the_year_end_loads_and_counts_only_trading_days(year_end, tmp_path):
    """With 2027 imported the delivery validates and loads; day indicators list exactly the trading days, and
    January's month indicators count over its 9 trading days (active_days, average daily assets), not 8 January."""
    delivery, closures = year_end
    call_command("calendar", "import", str(closures), stdout=io.StringIO())
    assert validate_delivery(delivery) == []
    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())

    call_command("export", "indicators", "--level", "branch", "--grain", "day", "--from", "2026-12-21", "--to", "2027-01-15",
                 "--out", str(tmp_path / "day.csv"), stdout=io.StringIO())
    day_rows = list(csv.DictReader(open(tmp_path / "day.csv", encoding="utf-8")))
    assert sorted({r["period"] for r in day_rows}) == [d.isoformat() for d in TRADING_DAYS]

    call_command("export", "indicators", "--level", "customer", "--grain", "month", "--from", "2027-01-01", "--to", "2027-01-31",
                 "--out", str(tmp_path / "month.csv"), stdout=io.StringIO())
    call_command("export", "indicators", "--level", "customer", "--grain", "day", "--from", "2027-01-01", "--to", "2027-01-31",
                 "--out", str(tmp_path / "jan.csv"), stdout=io.StringIO())
    month = {r["key"]: r for r in csv.DictReader(open(tmp_path / "month.csv", encoding="utf-8"))}
    days = list(csv.DictReader(open(tmp_path / "jan.csv", encoding="utf-8")))
    assert month and len({d["period"] for d in days}) == 9
    for key, row in month.items():
        mine = [d for d in days if d["key"] == key]
        assert int(row["active_days"]) == sum(int(d["active_days"]) for d in mine) <= 9
        total = sum((Decimal(d["avg_daily_assets"]) for d in mine), Decimal(0))
        assert Decimal(row["avg_daily_assets"]) == (total / 9).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
