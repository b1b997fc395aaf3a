import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from brokercrm.core.periodic import periodic_run

from brokercrm.datacenter.services import job_runs_expire_and_retry, schedules_fire_due


class Command(BaseCommand):
    help = ("Fire the console's cron schedules, expire stale running jobs (queueing their load again) and queue the "
            "work other apps schedule (report subscriptions): the jobs run in `brokercrm db_worker` (runs until "
            "stopped; --once for one pass).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=int, default=30, help="seconds between passes")

    def handle(self, *args, **opts):
        while True:
            for run in job_runs_expire_and_retry():
                self.stdout.write(f"queued {run.job} run {run.pk} ({run.trigger}): an expired load's rerun")
            for run in schedules_fire_due():
                self.stdout.write(f"queued {run.job} run {run.pk} ({run.trigger})")
            for note in periodic_run(timezone.now()):
                self.stdout.write(note)
            if opts["once"]:
                return
            time.sleep(opts["interval"])
