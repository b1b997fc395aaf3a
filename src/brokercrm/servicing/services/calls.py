"""Call-centre call records (通话记录)."""
import datetime as dt

from django.db import transaction

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.org.facade import SERVICE_WORKERS
from brokercrm.servicing.models import CallRecord, ServiceTask
from brokercrm.servicing.services.tasks import task_complete, task_create


# What a call's outcome means for the task it was made for.
CALL_TASK_OUTCOME = {CallRecord.Outcome.ANSWERED: ServiceTask.Outcome.COMPLETED, CallRecord.Outcome.RESOLVED: ServiceTask.Outcome.SATISFIED}


@role_required(SERVICE_WORKERS)
@transaction.atomic
def call_record_with_follow_up(*, actor, customer, direction: str, phone: str, started_at: dt.datetime, duration_seconds: int,
                               outcome: str, note: str = "", task=None, complete_task: bool = False,
                               follow_up_title: str = "", follow_up_due: dt.date | None = None) -> CallRecord:
    """The desk's call record form: the call, optionally completing its task and creating a follow-up task for the agent."""
    call = call_record(actor=actor, customer=customer, direction=direction, phone=phone, started_at=started_at,
                       duration_seconds=duration_seconds, outcome=outcome, note=note, task=task)
    if task is not None and complete_task:
        task_complete(actor=actor, task=task, outcome=CALL_TASK_OUTCOME.get(outcome, ServiceTask.Outcome.UNREACHABLE),
                      note=note or call.get_outcome_display())
    if follow_up_title.strip() or follow_up_due:
        if not (follow_up_title.strip() and follow_up_due):
            raise DomainError("a follow-up needs a title and a due date", field="follow_up_title")
        task_create(actor=actor, customer_id=customer.id, title=follow_up_title, due_date=follow_up_due)
    return call


@role_required(SERVICE_WORKERS)
@transaction.atomic
def call_record(*, actor, customer, direction: str, phone: str, started_at: dt.datetime, duration_seconds: int, outcome: str,
                note: str = "", task=None) -> CallRecord:
    if direction not in CallRecord.Direction.values:
        raise DomainError(f"unknown direction '{direction}'", field="direction")
    if outcome not in CallRecord.Outcome.values:
        raise DomainError(f"unknown outcome '{outcome}'", field="outcome")
    if duration_seconds < 0:
        raise DomainError("must not be negative", field="duration_seconds")
    if task is not None and task.customer_id != customer.id:
        raise DomainError("the task is about another customer", field="task_id")
    call = CallRecord(customer_id=customer.id, user=actor, direction=direction, phone=phone, started_at=started_at,
                      duration_seconds=duration_seconds, outcome=outcome, note=note.strip(), task=task)
    call.full_clean()
    call.save()
    audit_record(actor=actor, action="create", instance=call, changes=diff({}, snapshot(call)))
    return call
