"""Reads for the scheduling console (company-wide: admin and head office) and the trading calendar (everyone)."""
import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.datacenter import calendar
from brokercrm.datacenter.loadlock import LockHolder, load_lock_holder
from brokercrm.datacenter.resume import pending_read
from brokercrm.datacenter.models import JobRun, JobSchedule, QuarantinedRow, SourceConfiguration


def job_run_list(*, job: str = "", status: str = "") -> QuerySet[JobRun]:
    qs = JobRun.objects.all()
    if job:
        qs = qs.filter(job=job)
    if status:
        qs = qs.filter(status=status)
    return qs


def job_run_get(*, run_id: int) -> JobRun:
    return get_object_or_404(JobRun, pk=run_id)


def quarantine_list(*, run: JobRun | None = None) -> QuerySet[QuarantinedRow]:
    qs = QuarantinedRow.objects.select_related("run")
    return qs.filter(run=run) if run else qs


def schedule_list() -> QuerySet[JobSchedule]:
    return JobSchedule.objects.all()


def source_configuration_list() -> QuerySet[SourceConfiguration]:
    return SourceConfiguration.objects.all()


@dataclass(frozen=True)
class LoadState:
    """For the console: who holds the load lock now (None: no load runs), and each date's steps still undone."""

    holder: LockHolder | None
    pending: dict[dt.date, list[str]]


def load_state() -> LoadState:
    return LoadState(holder=load_lock_holder(), pending=pending_read())


def loaded_days_summary() -> dict:
    """First and last loaded business dates and their count, from the ingest runs."""
    days = JobRun.objects.filter(job="ingest", status=JobRun.Status.SUCCEEDED).values_list("business_date", flat=True).distinct()
    days = sorted(d for d in days if d)
    return {"count": len(days), "first": days[0] if days else None, "last": days[-1] if days else None}


def latest_loaded_date():
    """The newest business date loaded successfully (None before the first load)."""
    from django.db.models import Max

    return JobRun.objects.filter(job="ingest", status=JobRun.Status.SUCCEEDED).aggregate(d=Max("business_date"))["d"]


@dataclass(frozen=True)
class DayCell:
    day: dt.date | None  # None: a day of the neighbouring month, left blank
    kind: str = ""  # "trading", "closure" or "weekend"
    reason: str = ""


def calendar_year_get(*, year: int) -> dict:
    """A year of the calendar as month grids (weeks from Monday), with its source and the other known years."""
    cal = calendar.current()
    view = cal.year_view(year)
    trading, closed = set(view.trading_days), dict(view.closures)
    months = []
    for month in range(1, 13):
        weeks = [[_cell(d, month, trading, closed) for d in week]
                 for week in month_calendar.Calendar().monthdatescalendar(year, month)]
        months.append({"month": month, "weeks": weeks, "trading_days": sum(1 for d in trading if d.month == month)})
    imported = [{"year": y, "file": f, "at": at} for y, (f, at) in sorted(cal.imported.items())]
    return {"view": view, "months": months if view.source != calendar.SOURCE_UNKNOWN else [],
            "package_last_year": cal.package_last_year, "package_name": cal.package_name, "imported": imported,
            "last_known_day": cal.last_known_trading_day()}


def _cell(day: dt.date, month: int, trading: set[dt.date], closed: dict[dt.date, str]) -> DayCell:
    if day.month != month:
        return DayCell(None)
    if day in trading:
        return DayCell(day, "trading")
    if day in closed:
        return DayCell(day, "closure", closed[day])
    return DayCell(day, "weekend")


def trading_calendar() -> calendar.TradingCalendar:
    """The calendar as now, a frozen snapshot: for callers asking many dates at once."""
    return calendar.current()


def trading_days(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The XSHG trading days in [start, end]; CalendarYearUnknown when a year in it has no imported closures."""
    return calendar.current().trading_days(start, end)


def is_trading_day(day: dt.date, *, provisional: bool = False) -> bool:
    """`provisional`: in a year whose closures are not imported yet, count weekdays (due dates, never loads)."""
    return calendar.current().is_trading_day(day, provisional=provisional)


def next_trading_day(day: dt.date, *, provisional: bool = False) -> dt.date:
    return calendar.current().next_trading_day(day, provisional=provisional)


def add_trading_days(day: dt.date, count: int, *, provisional: bool = False) -> dt.date:
    return calendar.current().add_trading_days(day, count, provisional=provisional)


def trading_day_on_or_before(day: dt.date, *, provisional: bool = False) -> dt.date:
    return calendar.current().trading_day_on_or_before(day, provisional=provisional)


def last_known_trading_day() -> dt.date:
    return calendar.current().last_known_trading_day()
