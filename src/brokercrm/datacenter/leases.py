"""Stale running jobs: a run left `running` by a process that died is marked `expired` with a note saying so.

Every step of a load runs under the load lock, so a caller that holds the lock knows every other running
step is dead. Otherwise a run is stale when its heartbeat is older than the lease
(settings.BROKERCRM_JOB_LEASE_SECONDS) and no load holds the lock (a live load may run one long step).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from brokercrm.datacenter.loadlock import load_lock_holder
from brokercrm.datacenter.models import JobRun

QUEUED_LOAD = "etl"  # the worker's request: running before its process takes the lock, so it always waits for the lease


def job_runs_expire(*, holding_lock: bool = False, now: dt.datetime | None = None) -> list[JobRun]:
    """Mark the stale running runs expired (status `expired`, finished now, the reason in `error`); returns them."""
    if not holding_lock and load_lock_holder() is not None:
        return []
    now = now or timezone.now()
    lease = int(settings.BROKERCRM_JOB_LEASE_SECONDS)
    stale = Q(last_beat__lt=now - dt.timedelta(seconds=lease))
    if holding_lock:
        stale |= ~Q(job=QUEUED_LOAD)
    expired = list(JobRun.objects.filter(status=JobRun.Status.RUNNING)
                   .annotate(last_beat=Coalesce("heartbeat_at", "started_at", "queued_at")).filter(stale))
    for run in expired:
        run.status, run.finished_at = JobRun.Status.EXPIRED, now
        beat = timezone.localtime(run.last_beat).strftime("%Y-%m-%d %H:%M:%S")
        run.error = (f"expired: no heartbeat since {beat} and no load is running (lease {lease} s); "
                     "the process running it stopped (killed or crashed). A rerun of the load completes the steps it left undone.")
        run.save(update_fields=["status", "finished_at", "error"])
    return expired
