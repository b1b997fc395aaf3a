"""Background work of the servicing app (django-tasks, queue "messages")."""
from django_tasks import task


@task(queue_name="messages")
def send_outbox_round() -> dict:
    """One sending round over the outbox; safe to run concurrently and to retry (messages are claimed before sending)."""
    from brokercrm.servicing.services.outbox import outbox_send

    result = outbox_send()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed, "interrupted": result.interrupted}
