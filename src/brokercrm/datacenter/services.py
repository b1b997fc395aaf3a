"""Console actions: queue an ETL run (rerun a day, backfill a range), cancel it, schedule jobs, edit source configs,
import a year's exchange closures."""
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from croniter import croniter
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.csvfiles import parse_date, read_rows
from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.datacenter import calendar
from brokercrm.datacenter.models import CalendarYear, JobRun, JobSchedule, MarketClosure, SourceConfiguration
from brokercrm.datacenter.selectors import latest_loaded_date
from brokercrm.datacenter.sources.config import load_source_config
from brokercrm.datacenter.leases import job_runs_expire
from brokercrm.datacenter.loadlock import load_lock_holder
from brokercrm.datacenter.tasks import etl_task, refresh_task
from brokercrm.org.facade import CALENDAR_EDITORS

CLOSURE_COLUMNS = ["date", "reason"]


def etl_enqueue(*, actor, source: str, dates: list[dt.date] | None = None, date_from: dt.date | None = None,
                date_to: dt.date | None = None, trigger: str = "console") -> JobRun:
    if not source or not Path(source).is_dir():
        raise DomainError(f"{source}: no such delivery directory", field="source")
    if date_from and date_to and date_from > date_to:
        raise DomainError("the range ends before it starts", field="date_to")
    params = {"source": source, "dates": [d.isoformat() for d in dates or []],
              "from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None}
    run = JobRun.objects.create(job="etl", status=JobRun.Status.QUEUED, trigger=trigger, parameters=params)
    audit_record(actor=actor, action="create", instance=run, changes={"parameters": [None, params]})
    transaction.on_commit(lambda: etl_task.enqueue(run.pk))
    return run


@transaction.atomic
def job_runs_expire_and_retry(*, now: dt.datetime | None = None) -> list[JobRun]:
    """Expire the stale running runs and queue their load again for the worker, once: one run per delivery directory,
    one refresh for an interrupted refresh. Returns the queued runs."""
    expired = job_runs_expire(now=now)
    queued = []
    for source in sorted({r.parameters["source"] for r in expired if r.parameters.get("source")}):
        if Path(source).is_dir():
            queued.append(etl_enqueue(actor=None, source=source, trigger="retry"))
            for run in expired:
                if run.parameters.get("source") == source:
                    run.error += f" Rerun queued: run {queued[-1].pk}."
                    run.save(update_fields=["error"])
    if any(r.parameters.get("refresh") for r in expired):
        transaction.on_commit(lambda: refresh_task.enqueue(trigger="retry"))
    return queued


def job_run_cancel(*, actor, run: JobRun) -> JobRun:
    """A queued run is cancelled at once; a running one stops before its next day."""
    if run.status not in {JobRun.Status.QUEUED, JobRun.Status.RUNNING}:
        raise DomainError("only queued or running jobs can be cancelled", field="status")
    run.cancel_requested = True
    if run.status == JobRun.Status.QUEUED:
        run.status, run.finished_at = JobRun.Status.CANCELLED, timezone.now()
    run.save()
    audit_record(actor=actor, action="update", instance=run, changes={"cancel_requested": [False, True]})
    return run


def schedule_save(*, actor, job: str, cron: str, parameters: dict, enabled: bool = True, schedule: JobSchedule | None = None) -> JobSchedule:
    if not croniter.is_valid(cron):
        raise DomainError(f"'{cron}' is not a cron expression (minute hour day month weekday)", field="cron")
    if job == "etl" and not Path(parameters.get("source", "")).is_dir():
        raise DomainError(f"{parameters.get('source')}: no such delivery directory", field="source")
    schedule = schedule or JobSchedule()
    before = snapshot(schedule) if schedule.pk else {}
    schedule.job, schedule.cron, schedule.parameters, schedule.enabled = job, cron, parameters, enabled
    schedule.save()
    audit_record(actor=actor, action="update" if before else "create", instance=schedule, changes=diff(before, snapshot(schedule)))
    return schedule


def schedules_fire_due(*, now: dt.datetime | None = None) -> list[JobRun]:
    """Queue the runs of every enabled schedule whose cron time has come since it last fired.

    A load is not queued on a day the calendar knows to be closed (a holiday on a weekday); in a year
    whose closures are unknown it is, and its refusal tells the console that the closures are missing.
    While a load runs (the load lock is held), a due load stays due and fires at the next pass after it."""
    now = now or timezone.now()
    fired = []
    cal = calendar.current()
    loading = load_lock_holder() is not None
    for schedule in JobSchedule.objects.filter(enabled=True):
        if loading and schedule.job == "etl":
            continue
        # A schedule that never fired counts from one minute ago: it fires at its next time, not for the past.
        last = schedule.last_fired_at or now - dt.timedelta(minutes=1)
        next_time = croniter(schedule.cron, timezone.localtime(last)).get_next(dt.datetime)
        if next_time <= timezone.localtime(now):
            today = timezone.localtime(now).date()
            if schedule.job == "etl" and (not cal.known(today.year) or cal.is_trading_day(today)):
                fired.append(etl_enqueue(actor=None, source=schedule.parameters.get("source", ""), trigger="schedule"))
            schedule.last_fired_at = now
            schedule.save(update_fields=["last_fired_at"])
    return fired


@transaction.atomic
def source_configuration_save(*, actor, name: str, yaml_text: str, active: bool) -> SourceConfiguration:
    """Validate a collection configuration before it is stored; at most one is active."""
    load_source_config(yaml_text)  # raises InputRejected naming the field
    config = SourceConfiguration.objects.filter(name=name).first() or SourceConfiguration(name=name)
    before = snapshot(config) if config.pk else {}
    config.yaml_text, config.active = yaml_text, active
    config.save()
    if active:
        SourceConfiguration.objects.exclude(pk=config.pk).update(active=False)
    audit_record(actor=actor, action="update" if before else "create", instance=config, changes=diff(before, snapshot(config)))
    return config


@dataclass(frozen=True)
class ClosuresImportResult:
    """Years stored (replacing any earlier import) and package years the file merely agreed with."""

    stored: dict[int, int]  # year → closures stored
    confirmed: tuple[int, ...]


def calendar_require_editor(actor) -> None:
    """Admin and head office import closures; the CLI (no actor) acts as the system."""
    if actor is not None and getattr(actor, "role", "") not in CALENDAR_EDITORS:
        raise PermissionDenied(_("only a system admin or a head-office manager may import exchange closures"))


def closures_import(*, actor, data: bytes, file_name: str, years: Iterable[int] = ()) -> ClosuresImportResult:
    """Import a closures file (date,reason): all of it or nothing. Its years are `years` when given, else
    the years of its dates, else the one year in the file name (a year without holidays is a header alone)."""
    calendar_require_editor(actor)
    rows, problems = read_rows(data, file=file_name, columns=CLOSURE_COLUMNS)
    cal = calendar.current()
    wanted = set(years)
    first_line: dict[dt.date, int] = {}
    reasons: dict[dt.date, str] = {}
    for row in rows:
        def bad(message: str, line: int = row.line) -> None:
            problems.append(Problem(message, file=file_name, line=line, column="date"))

        day = parse_date(row.values["date"], required=True, problem=bad)
        if day is None:
            continue
        if day in first_line:
            bad(f"{day.isoformat()} is listed twice (first on line {first_line[day]})")
            continue
        first_line[day], reasons[day] = row.line, (row.values["reason"] or "").strip()
        if day.weekday() >= 5:
            bad(f"{day.isoformat()} is a {day:%A}: weekends are never listed, only weekdays the exchanges close")
        elif day < calendar.FIRST_SESSION:
            bad(f"{day.isoformat()} is before the exchange opened ({calendar.FIRST_SESSION.isoformat()})")
        elif wanted and day.year not in wanted:
            bad(f"{day.isoformat()} is not in the year(s) imported ({', '.join(map(str, sorted(wanted)))})")
    if not wanted:
        wanted = {d.year for d in first_line} or _year_in_name(file_name)
    if not wanted and not problems:
        problems.append(Problem("the file lists no closure, so it names no year: give the year (--year YYYY) "
                                "or put it in the file name", file=file_name, line=1))
    problems += _package_disagreements(cal, wanted, first_line, file_name)
    problems += _loaded_changes(cal, wanted, set(first_line), file_name)
    if problems:
        raise InputRejected(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
    return _store_closures(actor=actor, cal=cal, years=wanted, closures=reasons, file_name=file_name)


def _year_in_name(file_name: str) -> set[int]:
    found = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", Path(file_name).name)}
    return found if len(found) == 1 else set()


def _package_disagreements(cal, years: set[int], dates: dict[dt.date, int], file_name: str) -> list[Problem]:
    """A package year may be imported only as the package has it: the package stays the source."""
    problems = []
    for year in sorted(y for y in years if cal.source(y) == calendar.SOURCE_PACKAGE):
        expected = calendar.package_closures(year)
        listed = {d for d in dates if d.year == year}
        for d in sorted(listed - expected):
            problems.append(Problem(f"{d.isoformat()} is a trading day in {cal.package_name}, which stays the source "
                                    f"for {year}", file=file_name, line=dates[d], column="date"))
        for d in sorted(expected - listed):
            problems.append(Problem(f"{d.isoformat()} is closed in {cal.package_name}, which stays the source for "
                                    f"{year}: the file must list it too", file=file_name))
    return problems


def _loaded_changes(cal, years: set[int], closed: set[dt.date], file_name: str) -> list[Problem]:
    """Days already loaded keep their status: a closure may not appear or vanish on or before the last loaded day."""
    last_loaded = latest_loaded_date()
    if last_loaded is None:
        return []
    problems = []
    for year in sorted(y for y in years if cal.source(y) == calendar.SOURCE_IMPORTED and y <= last_loaded.year):
        before = {d for d in calendar.weekdays(year) if not cal.is_trading_day(d)}
        for d in sorted((before ^ {c for c in closed if c.year == year})):
            if d <= last_loaded:
                problems.append(Problem(f"{d.isoformat()} would change from {'closed' if d in before else 'open'} after "
                                        f"business days up to {last_loaded.isoformat()} were loaded", file=file_name))
    return problems


@transaction.atomic
def _store_closures(*, actor, cal, years: set[int], closures: dict[dt.date, str], file_name: str) -> ClosuresImportResult:
    stored: dict[int, int] = {}
    for year in sorted(y for y in years if cal.source(y) != calendar.SOURCE_PACKAGE):
        previous = CalendarYear.objects.filter(year=year).first()
        before = [f"{c.date.isoformat()} {c.reason}".strip() for c in previous.closures.all()] if previous else None
        if previous:
            previous.delete()
        record = CalendarYear.objects.create(year=year, source_file=Path(file_name).name, imported_at=timezone.now())
        rows = [MarketClosure(calendar_year=record, date=d, reason=reason) for d, reason in sorted(closures.items()) if d.year == year]
        MarketClosure.objects.bulk_create(rows)
        after = [f"{c.date.isoformat()} {c.reason}".strip() for c in rows]
        audit_record(actor=actor, action="update" if previous else "create", instance=record,
                     changes={"closures": [before, after]}, note=f"calendar import {file_name}")
        stored[year] = len(rows)
    return ClosuresImportResult(stored=stored, confirmed=tuple(sorted(y for y in years if y not in stored)))
