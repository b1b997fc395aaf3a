"""The runner of the load graph (settings.BROKERCRM_JOB_GRAPH, defined in site/jobgraph.py) and the data center's own steps.

Each step is recorded as a JobRun. The CLI runs the graph synchronously (a command returns when the
work it triggers is done); the worker runs it from schedules, the console's rerun/backfill buttons
and refresh requests.
"""
import datetime as dt
import logging
import os
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

from django.conf import settings
from django.utils import timezone

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.jobgraph import Load, downstream, load_graph
from brokercrm.datacenter import calendar, warehouse
from brokercrm.datacenter.calendar import CalendarYearUnknown
from brokercrm.datacenter.checks.day import day_folders
from brokercrm.datacenter.leases import job_runs_expire
from brokercrm.datacenter.loadlock import load_lock
from brokercrm.datacenter.models import JobRun, QuarantinedRow, SourceConfiguration
from brokercrm.datacenter.pipelines.crm import RelationRow, StaffRow, ingest_crm
from brokercrm.datacenter.pipelines.dm import build_marts
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.datacenter.pipelines.ods import DayPipeline, ensure_ods_schema
from brokercrm.datacenter.pipelines.publish import compact_lake, publish_marts
from brokercrm.datacenter.pipelines.spark import spark_build_dw, spark_build_marts, warehouse_engine
from brokercrm.datacenter.resume import ensure_step_done, pending_publish, pending_steps, step_mark_done
from brokercrm.datacenter.sources.config import default_source_config, load_source_config

log = logging.getLogger("brokercrm.datacenter")
Progress = Callable[[int, int, str], None]
CHECKPOINT_THRESHOLD = "4GB"

@contextmanager
def recorded(job: str, *, business_date: dt.date | None = None, trigger: str = "cli", parameters: dict | None = None) -> Iterator[JobRun]:
    """Record one step: running → succeeded / refused (bad input, or the year's closures unknown) / failed."""
    now = timezone.now()
    run = JobRun.objects.create(job=job, business_date=business_date, trigger=trigger, parameters=parameters or {},
                                status=JobRun.Status.RUNNING, started_at=now, heartbeat_at=now)
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


@dataclass(frozen=True)
class EtlOutcome:
    loaded: list[dt.date]
    cancelled: bool
    resumed: list[dt.date] = field(default_factory=list)  # loaded by an interrupted run; their undone steps done now
    refreshed: bool = False  # no day was loaded, but a step that runs when idle (the CRM files) changed something
    engine: str = "duckdb"  # what DW, marts and alerts ran on (engine_label)


def engine_label() -> str:
    """The warehouse engine as the load's log names it: `duckdb`, or `spark (<master>)`."""
    engine = warehouse_engine()
    return f"spark ({settings.BROKERCRM_SPARK_MASTER})" if engine == "spark" else engine


def active_source_config():
    """The collection configuration chosen in the console, or the shipped interface v1 mapping."""
    active = SourceConfiguration.objects.filter(active=True).first()
    return load_source_config(active.yaml_text) if active else default_source_config()


def run_graph(load: Load, *, start: str | None = None) -> None:
    """Run the graph's steps in order (from `start` and what needs it, when given), each recorded unless it records itself.

    After ingest, the dates an earlier, interrupted load left with undone steps join the dates just loaded, and
    the graph runs from the first step any of them has not done (`load.resumed` names those dates). A refused
    day stops ingest; the days loaded before it still go through every later step, then the refusal is raised.
    """
    graph = load_graph()
    steps = downstream(graph, start) if start else graph
    marked = [s.name for s in graph if s.recorded]
    parameters = {"source": str(load.request["source"])} if load.request.get("source") else {"refresh": True}
    ensure_step_done(load.con, marked)  # before ingest: only days loaded before the table existed count as complete
    load.total += sum(1 for s in steps if s.recorded)
    refused = None
    first = 0
    for step in steps:
        if not step.recorded:
            try:
                step.run(load)
            except InputRejected as exc:
                refused = exc
            pending = pending_steps(load.con, marked)
            pending_publish(pending)
            load.resumed = sorted(set(pending) - set(load.dates))
            if not load.dates and not load.resumed:
                break
            first = 0 if load.dates else min(marked.index(s) for undone in pending.values() for s in undone)
            load.dates = sorted({*load.dates, *load.resumed})
            load.total -= first
            continue
        if marked.index(step.name) < first:
            continue
        load.note(f"{step.name} ({len(load.dates)} day(s)) …")
        with recorded(step.name, trigger=load.trigger, parameters=parameters) as run:
            run.log = f"engine: {engine_label()}"
            run.rows_written = step.run(load) or {}
        step_mark_done(load.con, step=step.name, dates=load.dates)
        pending_publish(pending_steps(load.con, marked))
        load.advance(f"{step.name}: {_rows(run.rows_written):,} rows")
        _test_kill_point(step.name)
        if load.nothing_changed:
            break
    if refused is not None:
        raise refused


def _rows(counts: dict) -> int:
    """The rows a step reports (its counts of rows; flags such as dw.full_rebuild count 0 or 1)."""
    return sum(int(v) for v in counts.values() if isinstance(v, int | float))


def _test_kill_point(label: str) -> None:
    """The kill tests' hook (settings.BROKERCRM_TEST_KILL_AFTER_STEP, empty in production): die here as SIGKILL would."""
    if settings.BROKERCRM_TEST_KILL_AFTER_STEP == label:
        os._exit(137)


def etl_run(*, source: Path, dates: list[dt.date] | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
            trigger: str = "cli", progress: Progress | None = None, should_stop: Callable[[], bool] | None = None) -> EtlOutcome:
    """Load every complete day not yet loaded (or the named ones), in date order, and run the rest of the graph on them
    and on the days an interrupted load left unfinished. LoadRunning, with nothing touched, while another load runs."""
    source = Path(source)
    if not source.is_dir():
        raise DomainError(f"{source}: no such delivery directory", field="source")
    engine = engine_label()
    with load_lock():
        job_runs_expire(holding_lock=True)
        log.info("load of %s on engine %s", source, engine)
        con = warehouse.connect()
        # Each day commits (durable in the WAL); checkpointing the file once at the end instead of every
        # few days saves about half a second per day on a year of deliveries.
        con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        load = Load(con=con, trigger=trigger, progress=progress, should_stop=should_stop,
                    request={"source": source, "dates": dates, "from": date_from, "to": date_to})
        try:
            run_graph(load)
            refreshed = not (load.dates or load.resumed or load.cancelled) and _run_idle_steps(load)
        finally:
            con.close()
    return EtlOutcome(loaded=[d for d in load.dates if d not in load.resumed], resumed=load.resumed, cancelled=load.cancelled,
                      refreshed=refreshed, engine=engine)


def _run_idle_steps(load: Load) -> bool:
    """No day to load: run the graph from its first step marked when_idle (the CRM files beside the day folders), which
    stops it when it changed nothing. True when the rest of the graph ran."""
    idle = next((s.name for s in load_graph() if s.when_idle), None)
    if idle is None:
        return False
    again = Load(con=load.con, trigger=load.trigger, request=load.request, progress=load.progress)
    run_graph(again, start=idle)
    return not again.nothing_changed


def etl_outcome_text(outcome: EtlOutcome) -> str:
    """What a load did, in one line (the CLI's answer and the worker's log)."""
    parts = []
    if outcome.loaded:
        parts.append(f"loaded {len(outcome.loaded)} day(s): {outcome.loaded[0]} … {outcome.loaded[-1]}")
    if outcome.resumed:
        parts.append(f"completed the steps an interrupted load left undone on {len(outcome.resumed)} day(s): "
                     f"{outcome.resumed[0]} … {outcome.resumed[-1]}")
    if not parts and outcome.refreshed:
        return "no day to load; the CRM files changed: marts published"
    if not parts:
        return "nothing to load: every complete day is already loaded"
    # DuckDB, the default, goes unsaid; another engine is named where the marts were built.
    on = f" on {outcome.engine}" if outcome.engine != "duckdb" else ""
    return "; ".join(parts) + (f"; marts published{on}" if not outcome.cancelled else " (cancelled)")


def ingest(load: Load) -> None:
    """Ingest the requested day folders in order, each recorded as its own JobRun; stop at the first refused day (InputRejected)."""
    con, source = load.con, Path(load.request["source"])
    ensure_ods_schema(con)
    config = active_source_config()
    loaded = {r[0] for r in con.execute("SELECT business_date FROM ods.loaded_days").fetchall()}
    candidates = day_folders(source, config)
    dates, date_from, date_to = load.request.get("dates"), load.request.get("from"), load.request.get("to")
    if dates:
        missing = set(dates) - {f.business_date for f in candidates}
        if missing:
            raise DomainError(f"{source}: no delivery folder for {', '.join(sorted(map(str, missing)))}", field="date")
        todo = [f for f in candidates if f.business_date in set(dates)]
    elif date_from or date_to:
        todo = [f for f in candidates
                if (not date_from or f.business_date >= date_from) and (not date_to or f.business_date <= date_to)]
    else:
        todo = [f for f in candidates if f.business_date not in loaded and (f.path / config.manifest).exists()]
    load.total += len(todo)
    pipeline = DayPipeline(con, todo, config=config, policy=settings.DATACENTER_BAD_ROW_POLICY, root=source)
    cal = calendar.current()
    try:
        for i, folder in enumerate(todo):
            if load.should_stop and load.should_stop():
                load.cancelled = True
                break
            load.note(f"ingest {folder.business_date} ({i + 1}/{len(todo)}) …")
            rows = _ingest_day(pipeline, i, folder, cal, source=source, trigger=load.trigger)
            load.dates.append(folder.business_date)
            load.advance(f"ingest {folder.business_date}: {rows:,} rows")
            _test_kill_point(str(folder.business_date))
    finally:
        pipeline.close()
        if load.dates:
            con.execute("CHECKPOINT")


def _ingest_day(pipeline, i: int, folder, cal, *, source: Path, trigger: str) -> int:
    """One day, recorded; the rows it read. A day in a year whose closures were never imported is refused before it is read: the
    operator's fix is a calendar import, not a new delivery, and the console says so (status `calendar`)."""
    day = folder.business_date
    with recorded("ingest", business_date=day, trigger=trigger, parameters={"source": str(source)}) as run:
        if not cal.known(day.year):
            raise CalendarYearUnknown(day.year, day=day, file=folder.rel)
        try:
            result = pipeline.ingest(i)
        except InputRejected as exc:
            _quarantine(run, day, exc.problems)
            raise
        run.rows_read, run.rows_written, run.rows_rejected = result.rows_read, result.rows_written, result.rows_rejected
        _quarantine(run, day, result.problems)
        if not result.loaded:
            run.status = JobRun.Status.REFUSED
            raise InputRejected(list(result.problems))
    return sum(result.rows_read.values())


def _quarantine(run: JobRun, day: dt.date, problems) -> None:
    QuarantinedRow.objects.bulk_create([QuarantinedRow(run=run, business_date=day, file=p.file, line=p.line, column=p.column,
                                                       message=p.message) for p in problems[:5000]])


def delivered_rows(load: Load, dates: list[dt.date]) -> tuple[list[dict], list[dict]]:
    """(branches, customers) as delivered on these days, for the app database: plain dicts of the interface columns and
    business_date, in business-date order (then by code, by customer number)."""
    wanted = "business_date IN (SELECT unnest(?::DATE[]))"
    cursor = load.con.execute(f"SELECT branch_code, branch_name, city, opened_on, business_date FROM ods.branches WHERE {wanted} "
                              "ORDER BY business_date, branch_code", [dates])
    branches = [dict(zip([d[0] for d in cursor.description], r)) for r in cursor.fetchall()]
    cursor = load.con.execute(f"SELECT * FROM ods.customers WHERE {wanted} ORDER BY business_date, customer_no", [dates])
    customers = [dict(zip([d[0] for d in cursor.description], r)) for r in cursor.fetchall()]
    return branches, customers


def crm_copy(load: Load, *, staff: list[StaffRow], development_relations: list[RelationRow]) -> dict:
    """Staff and development relations, handed over by the graph, into the warehouse's CRM layer."""
    changed = ingest_crm(load.con, staff=staff, development_relations=development_relations)
    return {"crm.staff": len(staff), "crm.development_relations": len(development_relations), "crm.changed": int(changed)}


def build_dw_step(load: Load) -> dict:
    built = (spark_build_dw if warehouse_engine() == "spark" else build_dw)(load.con, dates=load.dates)
    return {**{f"dw.{k}": v for k, v in built.rows.items()}, "dw.full_rebuild": int(built.full), "dw.restamped": built.restamped}


def build_marts_step(load: Load) -> dict:
    build = spark_build_marts if warehouse_engine() == "spark" else build_marts
    marts = build(load.con, effective_assets=Decimal(settings.EFFECTIVE_CUSTOMER_ASSETS))
    return dict(marts) if isinstance(marts, dict) else {}


def publish_step(load: Load) -> dict:
    publish_marts(load.con, Path(settings.WAREHOUSE_SNAPSHOT_DIR))
    # The new snapshot is current already; closing a month's day files into one is the readers' gain, done after.
    compacted = compact_lake(Path(settings.WAREHOUSE_SNAPSHOT_DIR))
    return {"published": 1, "compacted": int(compacted is not None)}


def refresh(*, trigger: str = "cli") -> bool:
    """Staff or relations changed: run the graph from the CRM copy on, when anything is loaded. True when it ran.

    While a load runs, the refresh waits for it to finish (the load may have copied the CRM before the change).
    """
    if not Path(settings.WAREHOUSE_PATH).exists():
        return False
    with load_lock(wait=True, on_wait=lambda holder: log.info("the refresh waits for the load running %s", holder)):
        job_runs_expire(holding_lock=True)
        con = warehouse.connect()
        try:
            has_days = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ods' AND table_name = 'loaded_days'").fetchone()[0]
            if not has_days or not con.execute("SELECT count(*) FROM ods.loaded_days").fetchone()[0]:
                return False
            run_graph(Load(con=con, trigger=trigger), start="crm")
            return True
        finally:
            con.close()
