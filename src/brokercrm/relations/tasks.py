"""Background work of the relations app, run by `brokercrm db_worker` (synchronously in tests)."""
from django_tasks import task


@task(queue_name="datacenter")
def refresh_attribution_task() -> bool:
    """Rebuild the staff marts after an approved relation change; the next load would do it too."""
    from brokercrm.datacenter.facade import refresh_attribution

    return refresh_attribution(trigger="workflow")
