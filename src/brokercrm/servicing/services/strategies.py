"""Service strategies (服务策略): per segment, content by channel and frequency; running one creates tasks or messages.

Who a strategy serves is decided once, by `strategy_preview`: the segment's open accounts (servicing/segments.py),
each with the responsible staff and the reason it is blocked (opted out of the channel, no contact for the channel,
unsuitable content, with the suitability reason codes). Suitability is asked once per preview for the whole batch
(servicing/contents.py; the products app answers for product recommendations). Running serves exactly the unblocked
rows of the preview and audits the customers skipped as unsuitable with their reasons; quiet hours only delay sending.
"""
import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.customers.facade import CustomerContact
from brokercrm.org.facade import SERVICE_CONFIGURERS, Staff
from brokercrm.relations.facade import responsible_staff
from brokercrm.servicing.contents import ContentRequest, content_render, content_unsuitable
from brokercrm.servicing.models import OptOut, ServiceTask, Strategy
from brokercrm.servicing.segments import segment_member_contacts, segment_month, segment_parse
from brokercrm.servicing.services.outbox import message_enqueue

BLOCKED_OPTED_OUT = "opted_out"
BLOCKED_NO_CONTACT = "no_contact"
BLOCKED_UNSUITABLE = "unsuitable_content"
TASK_CHANNELS = (Strategy.Channel.VISIT, Strategy.Channel.CALL)
# Contents rendered as PDF documents: their e-mail runs go to the background worker from the page.
DOCUMENT_CONTENTS = (Strategy.Content.ACCOUNT_REPORT, Strategy.Content.WEALTH_REPORT)
BLOCKED_LABELS = {BLOCKED_OPTED_OUT: _("Opted out of the channel"), BLOCKED_NO_CONTACT: _("No contact for the channel"),
                  BLOCKED_UNSUITABLE: _("Unsuitable content")}


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def strategy_create(*, actor, name: str, segment: str, content: str, channel: str, frequency: str, owner: str,
                    subject: str = "", body: str = "", active: bool = True, product: str = "") -> Strategy:
    segment_parse(segment)
    product = _product_key(content, product)
    strategy = Strategy(name=name.strip(), segment=segment.strip(), content=content, channel=channel, frequency=frequency,
                        owner=owner, subject=subject.strip(), body=body.strip(), active=active, product=product)
    if channel in (Strategy.Channel.EMAIL, Strategy.Channel.SMS) and content in TEXT_ONLY_CONTENTS and not body.strip():
        raise DomainError("a message strategy needs the message text", field="body")
    strategy.full_clean()
    strategy.save()
    audit_record(actor=actor, action="create", instance=strategy, changes=diff({}, snapshot(strategy)))
    return strategy


# Contents sent as the strategy's own text unless an app registers a renderer for them (servicing/contents.py).
TEXT_ONLY_CONTENTS = (Strategy.Content.RESEARCH_PUSH, Strategy.Content.CUSTOMER_CARE)


def _product_key(content: str, product: str) -> str:
    """A product recommendation names its product as MARKET.CODE; other contents name none."""
    product = product.strip().upper()
    if content != Strategy.Content.PRODUCT_RECOMMENDATION:
        if product:
            raise DomainError("only a product recommendation names a product", field="product")
        return ""
    market, _dot, code = product.partition(".")
    if not market or not code:
        raise DomainError(f"'{product}' is not a product (MARKET.CODE, e.g. OF.000001)", field="product")
    return product


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def strategy_activate(*, actor, strategy: Strategy, active: bool = True) -> Strategy:
    """Switch a strategy on (after its preview was seen) or off."""
    before = snapshot(strategy)
    strategy.active = active
    strategy.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="update", instance=strategy, changes=diff(before, snapshot(strategy)))
    return strategy


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def strategy_text_update(*, actor, strategy: Strategy, subject: str, body: str) -> Strategy:
    """Edit the message template of a strategy (subject and text with their placeholders, docs/servicing.md)."""
    if strategy.channel in (Strategy.Channel.EMAIL, Strategy.Channel.SMS) and strategy.content in TEXT_ONLY_CONTENTS and not body.strip():
        raise DomainError("a message strategy needs the message text", field="body")
    before = snapshot(strategy)
    strategy.subject, strategy.body = subject.strip()[:200], body.strip()
    strategy.save(update_fields=["subject", "body", "updated_at"])
    audit_record(actor=actor, action="update", instance=strategy, changes=diff(before, snapshot(strategy)))
    return strategy


def period_key(frequency: str, day: dt.date) -> str:
    """The period a run belongs to: running twice in one period creates nothing new."""
    return {"once": "once", "monthly": f"{day:%Y-%m}", "quarterly": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
            "yearly": str(day.year)}[frequency]


def month_end(period: str) -> dt.date:
    try:
        year, month = (int(x) for x in period.split("-"))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise DomainError(f"'{period}' is not a month (YYYY-MM)", field="period") from None


@dataclass(frozen=True)
class PreviewRow:
    customer_id: int
    customer_no: str
    staff_id: int | None
    staff_no: str
    channel: str
    blocked_reason: str
    reasons: tuple[str, ...] = ()  # the suitability reason codes of an unsuitable_content row


def _blocked(customer: CustomerContact, *, channel: str, opted_out: set[int], unsuitable: dict[int, tuple[str, ...]]) -> str:
    if channel in (Strategy.Channel.EMAIL, Strategy.Channel.SMS) and customer.id in opted_out:
        return BLOCKED_OPTED_OUT
    contact = {Strategy.Channel.EMAIL: customer.email, Strategy.Channel.SMS: customer.mobile,
               Strategy.Channel.CALL: customer.mobile}.get(channel, "-")
    if not contact:
        return BLOCKED_NO_CONTACT
    if customer.id in unsuitable:
        return BLOCKED_UNSUITABLE
    return ""


def strategy_preview_rows(*, segment: str, period: str, content: str, channel: str, day: dt.date | None = None,
                          customers: list[CustomerContact] | None = None, product: str = "") -> list[PreviewRow]:
    """Who a strategy would serve for the segment's month `period` (open on `day`, default the month's last day),
    by customer no, with the responsible staff and the blocked reason ('' = served; unsuitable rows carry their
    suitability reasons). Sends nothing."""
    if channel not in Strategy.Channel.values:
        raise DomainError(f"unknown channel '{channel}' (channels: {', '.join(Strategy.Channel.values)})", field="channel")
    if content not in Strategy.Content.values:
        raise DomainError(f"unknown content '{content}' (contents: {', '.join(Strategy.Content.values)})", field="content")
    product = _product_key(content, product)
    day = day or month_end(period)
    if customers is None:
        customers = segment_member_contacts(segment, period=period, day=day)
    routing = responsible_staff(c.id for c in customers)
    staff_ids = {c.id: routing.staff_on(c.id, day) for c in customers}
    numbers = dict(Staff.objects.filter(pk__in={s for s in staff_ids.values() if s}).values_list("pk", "staff_no"))
    opted_out = set(OptOut.objects.filter(channel=channel, customer_id__in=[c.id for c in customers])
                    .values_list("customer_id", flat=True)) if channel in ("email", "sms") else set()
    unsuitable = content_unsuitable(content, (c.id for c in customers), day=day, product=product) if customers else {}
    rows = []
    for c in customers:
        blocked = _blocked(c, channel=channel, opted_out=opted_out, unsuitable=unsuitable)
        rows.append(PreviewRow(c.id, c.customer_no, staff_ids[c.id], numbers.get(staff_ids[c.id], ""), channel, blocked,
                               unsuitable[c.id] if blocked == BLOCKED_UNSUITABLE else ()))
    return rows


def strategy_preview(*, strategy: Strategy, day: dt.date) -> list[PreviewRow]:
    """The preview of a stored strategy for a run on `day` (segments of that month, or the latest built before it)."""
    return strategy_preview_rows(segment=strategy.segment, period=segment_month(day), content=strategy.content,
                                 channel=strategy.channel, day=day, product=strategy.product)


@dataclass(frozen=True)
class StrategyRun:
    tasks: int
    messages: int
    skipped: int
    unsuitable: int = 0  # of the skipped: refused by suitability (their reasons are in the run's audit entry)


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def strategy_run(*, actor, strategy: Strategy, period: dt.date) -> StrategyRun:
    """Apply a strategy for the period containing `period`: a task per served customer, or a queued message."""
    if not strategy.active:
        raise DomainError("this strategy is not active", field="active")
    key = period_key(strategy.frequency, period)
    month = segment_month(period)
    customers = {c.id: c for c in segment_member_contacts(strategy.segment, period=month, day=period)}
    rows = strategy_preview_rows(segment=strategy.segment, period=month, content=strategy.content, channel=strategy.channel,
                                 day=period, customers=list(customers.values()), product=strategy.product)
    served = [r for r in rows if not r.blocked_reason]
    refused = {r.customer_no: list(r.reasons) for r in rows if r.blocked_reason == BLOCKED_UNSUITABLE}
    skipped = len(rows) - len(served)
    tasks = messages = 0
    if strategy.channel in TASK_CHANNELS:
        existing = set(ServiceTask.objects.filter(strategy=strategy, source_key__startswith=f"strategy:{strategy.pk}:{key}:")
                       .values_list("source_key", flat=True))
        new = []
        for r in served:
            source_key = f"strategy:{strategy.pk}:{key}:{r.customer_no}"
            if source_key in existing:
                continue
            staff_id = r.staff_id if strategy.owner == Strategy.Owner.SERVICE_STAFF else None
            new.append(ServiceTask(customer_id=r.customer_id, kind=ServiceTask.Kind.STRATEGY, title=strategy.name[:200],
                                   staff_id=staff_id, due_date=period + dt.timedelta(days=14), source_key=source_key,
                                   strategy=strategy, call_centre=strategy.owner == Strategy.Owner.CALL_CENTRE))
        ServiceTask.objects.bulk_create(new, batch_size=2000)
        tasks = len(new)
    else:
        for r in served:
            customer = customers[r.customer_id]
            rendered = content_render(ContentRequest(kind=strategy.content, customer=customer, period=month, day=period,
                                                     subject=strategy.subject, body=strategy.body, frequency=strategy.frequency,
                                                     product=strategy.product))
            if rendered is None:
                skipped += 1
                continue
            recipient = customer.email if strategy.channel == Strategy.Channel.EMAIL else customer.mobile
            _, created = message_enqueue(channel=strategy.channel, recipient=recipient, customer_id=customer.id,
                                         subject=rendered.subject, body_text=rendered.text,
                                         body_html=rendered.html if strategy.channel == Strategy.Channel.EMAIL else "",
                                         attachments=list(rendered.attachments) if strategy.channel == Strategy.Channel.EMAIL else [],
                                         dedupe_key=f"strategy:{strategy.pk}:{key}:{r.customer_no}")
            messages += created
    # Who was not served as unsuitable, and why: kept in the audit log of the run (适当性留痕).
    audit_record(actor=actor, action="update", instance=strategy, changes={"unsuitable": [None, refused]} if refused else None,
                 note=f"run for {key}: {tasks} tasks, {messages} messages, {len(refused)} unsuitable")
    return StrategyRun(tasks, messages, skipped, len(refused))
