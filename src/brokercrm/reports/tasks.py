"""Background work of reports, run by `brokercrm db_worker` and queued by the scheduler's pass (`brokercrm scheduler`,
through core.periodic): delivering the due subscriptions, and computing the dashboards of a newly published snapshot."""
import datetime as dt

from django.core.cache import cache
from django_tasks import task

from brokercrm.datacenter.facade import semantic_snapshot
from brokercrm.reports.dashboards import dashboards_warm
from brokercrm.reports.services import subscriptions_deliver, subscriptions_due

WARMED = "reports:dashboards-warmed"


@task(queue_name="messages")
def subscriptions_deliver_task(now: str) -> int:
    """Queue the copies of the subscriptions due at `now` (the scheduler's pass time) in the outbox."""
    return subscriptions_deliver(now=dt.datetime.fromisoformat(now))


def subscriptions_schedule(now: dt.datetime) -> str:
    """The scheduler's pass: queue one delivery task when a subscription is due (a second one queued before it ran
    queues no copy twice: the outbox's dedupe keys name the subscription, due time and recipient)."""
    due = subscriptions_due(now=now)
    if not due:
        return ""
    subscriptions_deliver_task.enqueue(now.isoformat())
    return f"delivery queued for {len(due)} due subscription(s)"


@task(queue_name="default")
def dashboards_warm_task(snapshot: str) -> int:
    """Fill the dashboard cache for the snapshot (skipped when a later publish has replaced it meanwhile)."""
    return dashboards_warm() if semantic_snapshot() == snapshot else 0


def dashboards_schedule(now: dt.datetime) -> str:
    """The scheduler's pass: after a publish (a new snapshot name), queue the dashboards' warming once."""
    snapshot = semantic_snapshot()
    if snapshot is None or cache.get(WARMED) == snapshot:
        return ""
    cache.set(WARMED, snapshot, None)
    dashboards_warm_task.enqueue(snapshot)
    return f"dashboards of {snapshot} queued for computing"
