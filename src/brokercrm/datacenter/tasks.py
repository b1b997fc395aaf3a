"""Background tasks of the data center, run by `brokercrm db_worker` (django-tasks database backend)."""
import datetime as dt
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from brokercrm.core.errors import InputRejected
from brokercrm.datacenter import jobs
from brokercrm.datacenter.calendar import CalendarYearUnknown
from brokercrm.datacenter.loadlock import LoadRunning
from brokercrm.datacenter.models import JobRun


@task(queue_name="datacenter")
def etl_task(run_id: int) -> None:
    """Run an ETL request queued from the console or a schedule; its JobRun carries the parameters and the outcome."""
    run = JobRun.objects.get(pk=run_id)
    if run.cancel_requested or run.status == JobRun.Status.CANCELLED:
        JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.CANCELLED, finished_at=timezone.now())
        return
    now = timezone.now()
    JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.RUNNING, started_at=now, heartbeat_at=now)
    p = run.parameters
    dates = [dt.date.fromisoformat(d) for d in p.get("dates", [])] or None
    date_from = dt.date.fromisoformat(p["from"]) if p.get("from") else None
    date_to = dt.date.fromisoformat(p["to"]) if p.get("to") else None

    def progress(done: int, total: int, label: str) -> None:
        JobRun.objects.filter(pk=run_id).update(progress_done=done, progress_total=total, log=f"{label}", heartbeat_at=timezone.now())

    def should_stop() -> bool:
        return JobRun.objects.filter(pk=run_id, cancel_requested=True).exists()

    status, error = JobRun.Status.SUCCEEDED, ""
    try:
        outcome = jobs.etl_run(source=Path(p["source"]), dates=dates, date_from=date_from, date_to=date_to,
                               trigger=run.trigger, progress=progress, should_stop=should_stop)
        log = jobs.etl_outcome_text(outcome)
        if outcome.cancelled:
            status = JobRun.Status.CANCELLED
    except CalendarYearUnknown as exc:
        status, error, log = JobRun.Status.CALENDAR, "\n".join(str(x) for x in exc.problems), f"closures of {exc.year} not imported"
    except LoadRunning as exc:
        status, error, log = JobRun.Status.FAILED, exc.message, exc.message
    except InputRejected as exc:
        status, error, log = JobRun.Status.REFUSED, "\n".join(str(x) for x in exc.problems[:200]), "refused"
    except Exception as exc:  # the run records the failure; the worker keeps the traceback too
        status, error, log = JobRun.Status.FAILED, str(exc), "failed"
        JobRun.objects.filter(pk=run_id).update(status=status, error=error, log=log, finished_at=timezone.now())
        raise
    JobRun.objects.filter(pk=run_id).update(status=status, error=error, log=log, finished_at=timezone.now())


@task(queue_name="datacenter")
def refresh_task(trigger: str = "workflow") -> bool:
    """Staff or relations changed (an import, an approved application): run the load graph from the CRM copy on."""
    return jobs.refresh(trigger=trigger)
