"""Console actions: queue an ETL run (rerun a day, backfill a range), cancel it, schedule jobs, edit source configs."""
import datetime as dt
from pathlib import Path

from croniter import croniter
from django.db import transaction
from django.utils import timezone

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.datacenter.models import JobRun, JobSchedule, SourceConfiguration


def etl_enqueue(*, actor, source: str, dates: list[dt.date] | None = None, date_from: dt.date | None = None,
                date_to: dt.date | None = None, trigger: str = "console") -> JobRun:
    if not source or not Path(source).is_dir():
        raise DomainError(f"{source}: no such delivery directory", field="source")
    if date_from and date_to and date_from > date_to:
        raise DomainError("the range ends before it starts", field="date_to")
    from brokercrm.datacenter.tasks import etl_task

    params = {"source": source, "dates": [d.isoformat() for d in dates or []],
              "from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None}
    run = JobRun.objects.create(job="etl", status=JobRun.Status.QUEUED, trigger=trigger, parameters=params)
    audit_record(actor=actor, action="create", instance=run, changes={"parameters": [None, params]})
    transaction.on_commit(lambda: etl_task.enqueue(run.pk))
    return run


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
    """Queue the runs of every enabled schedule whose cron time has come since it last fired."""
    now = now or timezone.now()
    fired = []
    for schedule in JobSchedule.objects.filter(enabled=True):
        # A schedule that never fired counts from one minute ago: it fires at its next time, not for the past.
        last = schedule.last_fired_at or now - dt.timedelta(minutes=1)
        next_time = croniter(schedule.cron, timezone.localtime(last)).get_next(dt.datetime)
        if next_time <= timezone.localtime(now):
            if schedule.job == "etl":
                fired.append(etl_enqueue(actor=None, source=schedule.parameters.get("source", ""), trigger="schedule"))
            schedule.last_fired_at = now
            schedule.save(update_fields=["last_fired_at"])
    return fired


@transaction.atomic
def source_configuration_save(*, actor, name: str, yaml_text: str, active: bool) -> SourceConfiguration:
    """Validate a collection configuration before it is stored; at most one is active."""
    from brokercrm.datacenter.sources.config import load_source_config

    load_source_config(yaml_text)  # raises InputRejected naming the field
    config = SourceConfiguration.objects.filter(name=name).first() or SourceConfiguration(name=name)
    before = snapshot(config) if config.pk else {}
    config.yaml_text, config.active = yaml_text, active
    config.save()
    if active:
        SourceConfiguration.objects.exclude(pk=config.pk).update(active=False)
    audit_record(actor=actor, action="update" if before else "create", instance=config, changes=diff(before, snapshot(config)))
    return config
