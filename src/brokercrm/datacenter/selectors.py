"""Reads for the scheduling console; the console is company-wide (admin and head office)."""
from django.db.models import QuerySet

from brokercrm.datacenter.models import JobRun, JobSchedule, QuarantinedRow, SourceConfiguration


def job_run_list(*, job: str = "", status: str = "") -> QuerySet[JobRun]:
    qs = JobRun.objects.all()
    if job:
        qs = qs.filter(job=job)
    if status:
        qs = qs.filter(status=status)
    return qs


def job_run_get(*, run_id: int) -> JobRun:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(JobRun, pk=run_id)


def quarantine_list(*, run: JobRun | None = None) -> QuerySet[QuarantinedRow]:
    qs = QuarantinedRow.objects.select_related("run")
    return qs.filter(run=run) if run else qs


def schedule_list() -> QuerySet[JobSchedule]:
    return JobSchedule.objects.all()


def source_configuration_list() -> QuerySet[SourceConfiguration]:
    return SourceConfiguration.objects.all()


def loaded_days_summary() -> dict:
    """First and last loaded business dates and their count, from the ingest runs."""
    days = JobRun.objects.filter(job="ingest", status=JobRun.Status.SUCCEEDED).values_list("business_date", flat=True).distinct()
    days = sorted(d for d in days if d)
    return {"count": len(days), "first": days[0] if days else None, "last": days[-1] if days else None}


def latest_loaded_date():
    """The newest business date loaded successfully (None before the first load)."""
    from django.db.models import Max

    return JobRun.objects.filter(job="ingest", status=JobRun.Status.SUCCEEDED).aggregate(d=Max("business_date"))["d"]
