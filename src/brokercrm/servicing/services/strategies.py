"""Service strategies (服务策略): per segment, content by channel and frequency; running one creates tasks or messages."""
import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.customers.facade import CustomerContact, customer_contacts_open_on
from brokercrm.org.facade import SERVICE_CONFIGURERS
from brokercrm.relations.facade import responsible_staff
from brokercrm.servicing.models import ServiceTask, Strategy
from brokercrm.servicing.services.outbox import message_enqueue

# Segments known before the analytics app lands: code → the open customers as of a day.
BUILTIN_SEGMENTS = {
    "all": lambda day: customer_contacts_open_on(day),
    "new_accounts": lambda day: customer_contacts_open_on(day, opened_after=day - dt.timedelta(days=30)),
}


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def strategy_create(*, actor, name: str, segment: str, content: str, channel: str, frequency: str, owner: str,
                    subject: str = "", body: str = "", active: bool = True) -> Strategy:
    strategy = Strategy(name=name.strip(), segment=segment.strip(), content=content, channel=channel, frequency=frequency,
                        owner=owner, subject=subject.strip(), body=body.strip(), active=active)
    if channel in (Strategy.Channel.EMAIL, Strategy.Channel.SMS) and not body.strip():
        raise DomainError("a message strategy needs the message text", field="body")
    strategy.full_clean()
    strategy.save()
    audit_record(actor=actor, action="create", instance=strategy, changes=diff({}, snapshot(strategy)))
    return strategy


def period_key(frequency: str, day: dt.date) -> str:
    """The period a run belongs to: running twice in one period creates nothing new."""
    return {"once": "once", "monthly": f"{day:%Y-%m}", "quarterly": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            "yearly": str(day.year)}[frequency]


def segment_customers(segment: str, day: dt.date) -> list[CustomerContact]:
    if segment not in BUILTIN_SEGMENTS:
        raise DomainError(f"segment '{segment}' is not known (known: {', '.join(BUILTIN_SEGMENTS)})", field="segment")
    return BUILTIN_SEGMENTS[segment](day)


@dataclass(frozen=True)
class StrategyRun:
    tasks: int
    messages: int
    skipped: int


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def strategy_run(*, actor, strategy: Strategy, period: dt.date) -> StrategyRun:
    """Apply a strategy for the period containing `period`: a task per customer, or a queued message."""
    if not strategy.active:
        raise DomainError("this strategy is not active", field="active")
    key = period_key(strategy.frequency, period)
    customers = segment_customers(strategy.segment, period)
    tasks = messages = skipped = 0
    if strategy.channel in (Strategy.Channel.VISIT, Strategy.Channel.CALL):
        routing = responsible_staff(c.id for c in customers)
        existing = set(ServiceTask.objects.filter(strategy=strategy, source_key__startswith=f"strategy:{strategy.pk}:{key}:")
                       .values_list("source_key", flat=True))
        new = []
        for c in customers:
            source_key = f"strategy:{strategy.pk}:{key}:{c.customer_no}"
            if source_key in existing:
                continue
            staff_id = routing.staff_on(c.id, period) if strategy.owner == Strategy.Owner.SERVICE_STAFF else None
            new.append(ServiceTask(customer_id=c.id, kind=ServiceTask.Kind.STRATEGY, title=strategy.name[:200], staff_id=staff_id,
                                   due_date=period + dt.timedelta(days=14), source_key=source_key, strategy=strategy))
        ServiceTask.objects.bulk_create(new, batch_size=2000)
        tasks = len(new)
    else:
        for c in customers:
            recipient = c.email if strategy.channel == Strategy.Channel.EMAIL else c.mobile
            if not recipient:
                skipped += 1
                continue
            text = strategy.body.replace("{name}", c.name).replace("{customer_no}", c.customer_no)
            _, created = message_enqueue(channel=strategy.channel, recipient=recipient, customer_id=c.id, subject=strategy.subject,
                                         body_text=text, dedupe_key=f"strategy:{strategy.pk}:{key}:{c.customer_no}")
            messages += created
    audit_record(actor=actor, action="update", instance=strategy, note=f"run for {key}: {tasks} tasks, {messages} messages")
    return StrategyRun(tasks, messages, skipped)


