"""Background work of reports, run by `brokercrm db_worker`: delivering the due subscriptions, queued by the
scheduler's pass (`brokercrm scheduler`, through core.periodic) whenever one is due."""
import datetime as dt

from django_tasks import task

from brokercrm.reports.services import subscriptions_deliver, subscriptions_due


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
