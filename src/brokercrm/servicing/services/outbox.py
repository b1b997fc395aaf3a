"""The outbox (发送队列): queuing, and sending rounds with retries, opt-out, quiet hours and per-channel rate limits.

Exactly once across restarts: a message is claimed (pending → sending, committed) before any byte goes
out and marked sent right after the server accepted it. A worker that dies between the two leaves the
message `sending`; the next round turns it into `unknown` after the lease and never sends it again
(an operator may requeue it from the outbox page after checking). Queuing uses a unique key, so
generating the same message twice queues it once.
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import role_required
from brokercrm.org.facade import SERVICE_CONFIGURERS, SERVICE_WORKERS
from brokercrm.servicing.channels.email import SmtpSender
from brokercrm.servicing.channels.sms import SmppSender
from brokercrm.servicing.models import ChannelConfig, OptOut, OutboxAttachment, OutboxMessage

LEASE = dt.timedelta(minutes=5)


def channel_config(code: str) -> ChannelConfig:
    config, _ = ChannelConfig.objects.get_or_create(code=code, defaults={"port": 25 if code == "email" else 2775})
    return config


@transaction.atomic
def message_enqueue(*, channel: str, recipient: str, body_text: str, dedupe_key: str, customer_id: int | None = None, subject: str = "",
                    body_html: str = "", attachments: list[tuple[str, str, bytes]] = (), task=None) -> tuple[OutboxMessage, bool]:
    """Queue a message once per dedupe_key; a customer who opted out of the channel gets it suppressed."""
    if channel not in ChannelConfig.Code.values:
        raise DomainError(f"unknown channel '{channel}'", field="channel")
    if not recipient.strip():
        raise DomainError("a recipient is required", field="recipient")
    existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    suppressed = customer_id is not None and OptOut.objects.filter(customer_id=customer_id, channel=channel).exists()
    message = OutboxMessage.objects.create(
        channel=channel, recipient=recipient.strip(), body_text=body_text, body_html=body_html, subject=subject,
        dedupe_key=dedupe_key, customer_id=customer_id, task=task,
        status=OutboxMessage.Status.SUPPRESSED if suppressed else OutboxMessage.Status.PENDING)
    OutboxAttachment.objects.bulk_create([OutboxAttachment(message=message, file_name=name, content_type=kind, content=data)
                                          for name, kind, data in attachments])
    return message, True


@role_required(SERVICE_WORKERS)
@transaction.atomic
def opt_out_set(*, actor, customer, channel: str, opted_out: bool) -> None:
    if channel not in ChannelConfig.Code.values:
        raise DomainError(f"unknown channel '{channel}'", field="channel")
    if opted_out:
        OptOut.objects.get_or_create(customer_id=customer.id, channel=channel)
    else:
        OptOut.objects.filter(customer_id=customer.id, channel=channel).delete()
    audit_record(actor=actor, action="update", object_type="customers.customer", object_id=str(customer.id), object_repr=str(customer),
                 changes={f"opt_out_{channel}": [not opted_out, opted_out]})


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def message_requeue(*, actor, message: OutboxMessage) -> OutboxMessage:
    """An operator decides an interrupted or failed message should be sent (again)."""
    if message.status not in (OutboxMessage.Status.UNKNOWN, OutboxMessage.Status.FAILED):
        raise DomainError("only failed or interrupted messages can be requeued", field="status")
    before = message.status
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=None)
    message.refresh_from_db()
    audit_record(actor=actor, action="update", instance=message, changes={"status": [before, message.status]})
    return message


def in_quiet_hours(config: ChannelConfig, local_time: dt.time) -> bool:
    start, end = config.quiet_start, config.quiet_end
    if start is None or end is None or start == end:
        return False
    return start <= local_time < end if start < end else (local_time >= start or local_time < end)


def _senders():
    return {"email": SmtpSender, "sms": SmppSender}


@dataclass
class SendRound:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: dict[str, str] = field(default_factory=dict)  # channel → why nothing more was sent (quiet hours, rate limit)
    interrupted: int = 0


def _claim(message_id: int, now) -> bool:
    """pending → sending, committed at once: two workers never both claim one message."""
    return OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1) == 1


def outbox_send(*, channels: tuple[str, ...] = ("email", "sms"), now: dt.datetime | None = None, senders: dict | None = None,
                after_send=None) -> SendRound:
    """One sending round over the due messages of each channel; returns what happened.

    `after_send(message)` runs after the server accepted a message and before it is marked sent (tests use it
    to stop the worker at the worst moment).
    """
    now = now or timezone.now()
    result = SendRound()
    result.interrupted = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - LEASE).update(
        status=OutboxMessage.Status.UNKNOWN, last_error="interrupted while sending; not resent automatically")
    senders = senders or _senders()
    local = timezone.localtime(now).time()
    for code in channels:
        config = channel_config(code)
        if in_quiet_hours(config, local):
            result.deferred[code] = "quiet hours"
            continue
        recent = OutboxMessage.objects.filter(channel=code, sent_at__gt=now - dt.timedelta(minutes=1)).count()
        budget = config.rate_per_minute - recent
        due = list(OutboxMessage.objects.filter(channel=code, status=OutboxMessage.Status.PENDING)
                   .exclude(next_attempt_at__gt=now).order_by("id").values_list("id", flat=True)[:max(budget, 0) + 1])
        if not due:
            continue
        if len(due) > budget:
            result.deferred[code] = "rate limit"
            due = due[:max(budget, 0)]
        _send_channel(code, config, due, now, senders[code], result, after_send)
    return result


def _send_channel(code, config, due, now, sender_class, result, after_send) -> None:
    opted_out = set(OptOut.objects.filter(channel=code, customer__messages__id__in=due).values_list("customer_id", flat=True))
    accepted: dict[str, int] = {}
    try:
        sender = sender_class(config).__enter__()
    except OSError as exc:
        _retry_all(due, config, now, f"cannot connect to {config.host}:{config.port}: {exc}", result)
        return
    try:
        for message_id in due:
            if not _claim(message_id, now):
                continue
            message = OutboxMessage.objects.get(pk=message_id)
            if message.customer_id in opted_out:
                OutboxMessage.objects.filter(pk=message_id).update(status=OutboxMessage.Status.SUPPRESSED)
                result.suppressed += 1
                continue
            try:
                provider_id = sender.send(message)
            except Exception as exc:  # noqa: BLE001  (any refusal: retried with back-off, then failed)
                _retry(message, config, now, str(exc) or exc.__class__.__name__, result)
                continue
            if after_send:
                after_send(message)
            OutboxMessage.objects.filter(pk=message_id).update(status=OutboxMessage.Status.SENT, sent_at=now, provider_id=provider_id,
                                                               last_error="")
            accepted[provider_id] = message_id
            result.sent += 1
        for provider_id, stat in sender.receipts(set(accepted)).items():
            OutboxMessage.objects.filter(channel=code, provider_id=provider_id).update(delivery_status=stat.lower()[:16])
    finally:
        sender.__exit__(None, None, None)


def _retry(message, config, now, error: str, result: SendRound) -> None:
    attempts = OutboxMessage.objects.get(pk=message.pk).attempts
    if attempts >= config.max_attempts:
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED, last_error=error[:2000])
        result.failed += 1
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.PENDING, last_error=error[:2000],
                                                           next_attempt_at=now + dt.timedelta(minutes=2 ** attempts))
        result.retried += 1


def _retry_all(due, config, now, error, result) -> None:
    for message in OutboxMessage.objects.filter(pk__in=due, status=OutboxMessage.Status.PENDING):
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1)
        _retry(message, config, now, error, result)


@role_required(SERVICE_CONFIGURERS)
@transaction.atomic
def channel_config_update(*, actor, code: str, **changes) -> ChannelConfig:
    """Change a channel's connection or policy (host, port, sender, username, rate_per_minute, quiet hours, max_attempts)."""
    allowed = {"host", "port", "sender", "username", "password", "rate_per_minute", "quiet_start", "quiet_end", "max_attempts"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(f"unknown setting {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    config = channel_config(code)
    before = snapshot(config, [f for f in allowed if f != "password"])
    for name, value in changes.items():
        setattr(config, name, value)
    if (config.quiet_start is None) != (config.quiet_end is None):
        raise DomainError("quiet hours need both a start and an end", field="quiet_end")
    config.full_clean()
    config.save()
    audit_record(actor=actor, action="update", instance=config, changes=diff(before, snapshot(config, [f for f in allowed if f != "password"])))
    return config
