"""Background work of the servicing app, run by `brokercrm db_worker`: a strategy's run when it renders documents
(account and wealth reports take about 0.4 s each), so that the page that started it answers at once."""
import datetime as dt

from django_tasks import task

from brokercrm.core.audit import audit_record
from brokercrm.servicing.models import Strategy
from brokercrm.servicing.services.strategies import strategy_run


@task(queue_name="messages")
def strategy_run_task(strategy_id: int, day: str, requested_by: str) -> dict:
    """Run the strategy for the period containing `day` as the system, noting who asked for it."""
    strategy = Strategy.objects.get(pk=strategy_id)
    result = strategy_run(actor=None, strategy=strategy, period=dt.date.fromisoformat(day))
    audit_record(actor=None, action="update", instance=strategy, note=f"run requested by {requested_by}")
    return {"tasks": result.tasks, "messages": result.messages, "skipped": result.skipped}
