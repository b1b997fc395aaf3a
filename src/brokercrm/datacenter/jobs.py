"""The job graph per business date (ingest → DW → marts → publish → downstream), each step recorded as a JobRun.

The CLI runs it synchronously (a command returns when the work it triggers is done); the worker
runs the same functions from schedules and from the console's rerun/backfill buttons.
"""
import datetime as dt
import logging
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

from django.conf import settings
from django.utils import timezone

from brokercrm.core.errors import DomainError, InputRejected, Problem
from brokercrm.datacenter import calendar
from brokercrm.datacenter.calendar import CalendarYearUnknown
from brokercrm.datacenter.models import JobRun, QuarantinedRow

log = logging.getLogger("brokercrm.datacenter")
Progress = Callable[[int, int, str], None]
CHECKPOINT_THRESHOLD = "4GB"

# Steps that run after the marts are published; later modules (segments, alerts, tasks) register theirs.
_downstream: list[tuple[str, Callable[[list[dt.date]], dict]]] = []


def register_downstream(job: str, step: Callable[[list[dt.date]], dict]) -> None:
    """A step run after each publish with the business dates just loaded (e.g. segments, alerts)."""
    if all(name != job for name, _ in _downstream):
        _downstream.append((job, step))


@contextmanager
def recorded(job: str, *, business_date: dt.date | None = None, trigger: str = "cli", parameters: dict | None = None) -> Iterator[JobRun]:
    """Record one step: running → succeeded / refused (bad input, or the year's closures unknown) / failed."""
    run = JobRun.objects.create(job=job, business_date=business_date, trigger=trigger, parameters=parameters or {},
                                status=JobRun.Status.RUNNING, started_at=timezone.now())
    try:
        yield run
    except CalendarYearUnknown as exc:
        run.status = JobRun.Status.CALENDAR
        run.error = "\n".join(str(p) for p in exc.problems)
        raise
    except InputRejected as exc:
        run.status = JobRun.Status.REFUSED
        run.error = "\n".join(str(p) for p in exc.problems[:200])
        raise
    except Exception as exc:
        run.status = JobRun.Status.FAILED
        run.error = f"{exc}\n\n{traceback.format_exc()}"
        raise
    else:
        run.status = JobRun.Status.SUCCEEDED
    finally:
        run.finished_at = timezone.now()
        run.save()


@dataclass
class EtlOutcome:
    loaded: list[dt.date] = field(default_factory=list)
    refused: dt.date | None = None
    problems: list[Problem] = field(default_factory=list)
    cancelled: bool = False


def active_source_config():
    """The collection configuration chosen in the console, or the shipped interface v1 mapping."""
    from brokercrm.datacenter.models import SourceConfiguration
    from brokercrm.datacenter.sources.config import default_source_config, load_source_config

    active = SourceConfiguration.objects.filter(active=True).first()
    return load_source_config(active.yaml_text) if active else default_source_config()


def _crm_rows():
    from brokercrm.datacenter.pipelines.crm import RelationRow, StaffRow
    from brokercrm.org.models import Staff
    from brokercrm.relations.models import Relation, RelationType

    staff = [StaffRow(s.staff_no, s.name, s.category.code, s.branch.code, s.hire_date, s.leave_date)
             for s in Staff.objects.select_related("category", "branch")]
    relations = [RelationRow(c, s, start, end) for c, s, start, end in Relation.objects.filter(
        relation_type=RelationType.DEVELOPMENT).values_list("customer__customer_no", "staff__staff_no", "start_date", "end_date")]
    return staff, relations


def _sync_app_tables(con, business_date: dt.date) -> dict:
    """Branches and customers of the day into the app's own tables (current version, with history)."""
    from brokercrm.customers.services import customer_sync
    from brokercrm.org.services import branch_upsert

    branches = con.execute("SELECT branch_code, branch_name, city, opened_on FROM ods.branches WHERE business_date = ?",
                           [business_date]).fetchall()
    for code, name, city, opened_on in branches:
        branch_upsert(code=code, name=name, city=city or "", opened_on=opened_on)
    cursor = con.execute("SELECT * FROM ods.customers WHERE business_date = ? ORDER BY customer_no", [business_date])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    result = customer_sync(rows=rows, business_date=business_date)
    return {"branches": len(branches), "customers_created": result.created, "customers_updated": result.updated}


def rebuild_and_publish(con, *, dates: list[dt.date], trigger: str = "cli", progress: Progress | None = None) -> None:
    """CRM copy → DW → marts → publish → downstream steps; each recorded."""
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dm import build_marts
    from brokercrm.datacenter.pipelines.dw import build_dw
    from brokercrm.datacenter.pipelines.publish import publish_marts

    steps = 4 + len(_downstream)
    with recorded("build_dw", trigger=trigger) as run:
        staff, relations = _crm_rows()
        changed = ingest_crm(con, staff=staff, development_relations=relations)
        built = build_dw(con, dates=dates)
        run.rows_read = {"crm.staff": len(staff), "crm.development_relations": len(relations)}
        run.rows_written = {f"dw.{k}": v for k, v in built.rows.items()}
        run.log = (f"crm changed: {changed}; full rebuild: {built.full}; customers re-attributed: {built.restamped}; "
                   f"dates: {', '.join(map(str, built.dates))}")
    if progress:
        progress(1, steps, "dw")
    with recorded("build_marts", trigger=trigger) as run:
        marts = build_marts(con, effective_assets=Decimal(settings.EFFECTIVE_CUSTOMER_ASSETS))
        run.rows_written = {k: v for k, v in (marts or {}).items()} if isinstance(marts, dict) else {}
    if progress:
        progress(2, steps, "marts")
    with recorded("publish", trigger=trigger) as run:
        path = publish_marts(con, Path(settings.WAREHOUSE_SNAPSHOT_DIR))
        run.log = f"published {path}"
    if progress:
        progress(3, steps, "publish")
    for i, (job, step) in enumerate(_downstream, start=4):
        with recorded(job, trigger=trigger) as run:
            run.rows_written = step(dates) or {}
        if progress:
            progress(i, steps, job)


def etl_run(*, source: Path, dates: list[dt.date] | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
            trigger: str = "cli", progress: Progress | None = None, should_stop: Callable[[], bool] | None = None) -> EtlOutcome:
    """Load every complete day not yet loaded (or the named ones), in date order; stop at the first refused day."""
    from brokercrm.datacenter import warehouse
    from brokercrm.datacenter.checks.day import day_folders
    from brokercrm.datacenter.pipelines.ods import DayPipeline, ensure_ods_schema

    source = Path(source)
    if not source.is_dir():
        raise DomainError(f"{source}: no such delivery directory", field="source")
    outcome = EtlOutcome()
    con = warehouse.connect()
    # Each day commits (durable in the WAL); checkpointing the file once at the end instead of every
    # few days saves about half a second per day on a year of deliveries.
    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    try:
        ensure_ods_schema(con)
        config = active_source_config()
        loaded = {r[0] for r in con.execute("SELECT business_date FROM ods.loaded_days").fetchall()}
        candidates = day_folders(source, config)
        if dates:
            wanted = set(dates)
            missing = wanted - {f.business_date for f in candidates}
            if missing:
                raise DomainError(f"{source}: no delivery folder for {', '.join(sorted(map(str, missing)))}", field="date")
            todo = [f for f in candidates if f.business_date in wanted]
        elif date_from or date_to:
            todo = [f for f in candidates
                    if (not date_from or f.business_date >= date_from) and (not date_to or f.business_date <= date_to)]
        else:
            todo = [f for f in candidates if f.business_date not in loaded and (f.path / config.manifest).exists()]
        total = len(todo) + 4 + len(_downstream)
        pipeline = DayPipeline(con, todo, config=config, policy=settings.DATACENTER_BAD_ROW_POLICY, root=source)
        try:
            _ingest_all(pipeline, todo, outcome, source=source, trigger=trigger, progress=progress,
                        should_stop=should_stop, total=total)
        finally:
            pipeline.close()
        if outcome.loaded:
            con.execute("CHECKPOINT")
            rebuild_and_publish(con, dates=outcome.loaded, trigger=trigger,
                                progress=(lambda d, t, label: progress(len(todo) + d, total, label)) if progress else None)
    except InputRejected:
        # Days before the refused one are loaded and must still reach the marts.
        if outcome.loaded:
            rebuild_and_publish(con, dates=outcome.loaded, trigger=trigger)
        raise
    finally:
        con.close()
    return outcome


def _ingest_all(pipeline, todo, outcome: EtlOutcome, *, source: Path, trigger: str, progress: Progress | None,
                should_stop: Callable[[], bool] | None, total: int) -> None:
    """Ingest the days in order, each recorded; stop at the first refused day (InputRejected).

    A day in a year whose closures were never imported is refused before it is read: the operator's
    fix is a calendar import, not a new delivery, and the console says so (status `calendar`)."""
    con = pipeline.con
    cal = calendar.current()
    for i, folder in enumerate(todo):
        day = folder.business_date
        if should_stop and should_stop():
            outcome.cancelled = True
            break
        with recorded("ingest", business_date=day, trigger=trigger, parameters={"source": str(source)}) as run:
            if not cal.known(day.year):
                unknown = CalendarYearUnknown(day.year, day=day, file=folder.rel)
                outcome.refused, outcome.problems = day, unknown.problems
                raise unknown
            try:
                result = pipeline.ingest(i)
            except InputRejected as exc:
                QuarantinedRow.objects.bulk_create([QuarantinedRow(run=run, business_date=day, file=p.file, line=p.line, column=p.column,
                                                                   message=p.message) for p in exc.problems[:5000]])
                outcome.refused, outcome.problems = day, exc.problems
                raise
            run.rows_read, run.rows_written, run.rows_rejected = result.rows_read, result.rows_written, result.rows_rejected
            if result.problems:
                QuarantinedRow.objects.bulk_create([QuarantinedRow(run=run, business_date=day, file=p.file, line=p.line, column=p.column,
                                                                   message=p.message) for p in result.problems[:5000]])
            if not result.loaded:
                outcome.refused, outcome.problems = day, list(result.problems)
                run.status = JobRun.Status.REFUSED
                raise InputRejected(list(result.problems))
            run.rows_written = {**result.rows_written, **{f"app.{k}": v for k, v in _sync_app_tables(con, day).items()}}
        outcome.loaded.append(day)
        if progress:
            progress(i + 1, total, str(day))


def crm_changed(*, trigger: str = "cli") -> bool:
    """Staff or relations changed: rebuild attribution and marts when anything is loaded. True when rebuilt."""
    from brokercrm.datacenter import warehouse

    if not Path(settings.WAREHOUSE_PATH).exists():
        return False
    con = warehouse.connect()
    try:
        has_days = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ods' AND table_name = 'loaded_days'").fetchone()[0]
        if not has_days or not con.execute("SELECT count(*) FROM ods.loaded_days").fetchone()[0]:
            return False
        rebuild_and_publish(con, dates=[], trigger=trigger)
        return True
    finally:
        con.close()
