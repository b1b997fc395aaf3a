"""Call-centre call records (通话记录)."""
import datetime as dt

from django.db import transaction

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.org.facade import SERVICE_WORKERS
from brokercrm.servicing.models import CallRecord


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
