"""Background work of the business objects: escalating overdue records, queued by the scheduler's pass
(`brokercrm scheduler`, through core.periodic) and run by `brokercrm db_worker`."""
import datetime as dt

from django.utils import timezone
from django_tasks import task

from brokercrm.objects.models import ObjectRecord
from brokercrm.objects.services import records_escalate_overdue


@task(queue_name="default")
def records_escalate_task(today: str) -> int:
    return records_escalate_overdue(today=dt.date.fromisoformat(today))


def escalation_schedule(now: dt.datetime) -> str:
    """The scheduler's pass: when a record with a process is past its deadline and not yet escalated, queue the
    escalation (itself safe to rerun, so a second pass before the worker ran changes nothing twice)."""
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    overdue = ObjectRecord.objects.filter(due_on__lt=today, escalated=False, process_instance_id__isnull=False).count()
    if not overdue:
        return ""
    records_escalate_task.enqueue(today.isoformat())
    return f"escalation queued for {overdue} overdue record(s)"
