"""The outbox against real local servers: SMTP (aiosmtpd) and SMPP; exactly once across a worker restart; policies."""
import datetime as dt
import zoneinfo

import pytest

from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.servicing.models import ChannelConfig, OutboxMessage
from brokercrm.servicing.services.outbox import message_enqueue, opt_out_set, outbox_send
from brokercrm.servicing.tests.servers import smpp_server, smtp_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI)


def _configure(code: str, port: int, **extra) -> None:
    ChannelConfig.objects.update_or_create(code=code, defaults={"host": "127.0.0.1", "port": port, "sender": "95500" if code == "sms" else "service@broker.example", **extra})


def _mail(n: int, **extra) -> OutboxMessage:
    return message_enqueue(channel="email", recipient=f"c{n}@example.com", subject=f"账户月报 {n}", body_text=f"尊敬的客户{n}：您好",
                           dedupe_key=f"test:mail:{n}", **extra)[0]


def test_an_email_with_html_text_and_an_attachment_arrives_at_the_smtp_server(smtp_server):
    """The server receives one message with text and HTML alternatives, the PDF attachment, and our Message-ID."""
    _configure("email", smtp_server.port)
    message = _mail(1, body_html="<p>尊敬的客户1：您好</p>", attachments=[("report.pdf", "application/pdf", b"%PDF-1.4 test")])

    result = outbox_send(channels=("email",), now=NOON)

    assert result.sent == 1
    [mail] = smtp_server.messages
    assert (mail["To"], mail["Subject"], mail["From"]) == ("c1@example.com", "账户月报 1", "service@broker.example")
    assert mail.get_body(("plain",)).get_content().strip() == "尊敬的客户1：您好"
    assert mail.get_body(("html",)).get_content().strip() == "<p>尊敬的客户1：您好</p>"
    [attachment] = list(mail.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("report.pdf", b"%PDF-1.4 test")
    message.refresh_from_db()
    assert (message.status, message.provider_id) == ("sent", mail["Message-ID"])


def test_an_sms_in_chinese_reaches_the_smsc_and_its_delivery_receipt_is_recorded(smpp_server):
    """A long UCS-2 text goes out in parts, is reassembled by the SMSC, and the receipts mark delivered / undeliverable."""
    _configure("sms", smpp_server.port)
    smpp_server.undeliverable.add("13900000002")
    text = "【某证券】尊敬的客户，您的账户本月资产报告已生成，请登录手机客户端查看。如有疑问请致电95500，感谢您的支持与信任，祝您投资顺利！"
    ok = message_enqueue(channel="sms", recipient="13900000001", body_text=text, dedupe_key="test:sms:1")[0]
    bad = message_enqueue(channel="sms", recipient="13900000002", body_text="您好", dedupe_key="test:sms:2")[0]

    result = outbox_send(channels=("sms",), now=NOON)

    assert result.sent == 2
    assert [(r.destination, r.text) for r in smpp_server.received] == [("13900000001", text), ("13900000002", "您好")]
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert (ok.status, ok.delivery_status, bad.delivery_status) == ("sent", "delivrd", "undeliv")


def test_a_worker_stopped_between_send_and_mark_never_sends_twice_after_restart(smtp_server):
    """The first worker dies right after the server accepted message 2; the restarted worker sends 3 only; 2 becomes unknown."""
    _configure("email", smtp_server.port)
    messages = [_mail(n) for n in (1, 2, 3)]

    class WorkerKilled(BaseException):
        pass

    def die_after_second(message):
        if message.pk == messages[1].pk:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        outbox_send(channels=("email",), now=NOON, after_send=die_after_second)
    outbox_send(channels=("email",), now=NOON + dt.timedelta(minutes=1))
    outbox_send(channels=("email",), now=NOON + dt.timedelta(minutes=10))

    assert sorted(m["To"] for m in smtp_server.messages) == ["c1@example.com", "c2@example.com", "c3@example.com"]
    statuses = [OutboxMessage.objects.get(pk=m.pk).status for m in messages]
    assert statuses == ["sent", "unknown", "sent"]


def test_queuing_the_same_key_twice_queues_once_and_opt_out_suppresses(smtp_server, org_world):
    """The same dedupe key is one message; a customer who opted out of e-mail is not sent to."""
    _configure("email", smtp_server.port)
    customer = CustomerFactory(branch=org_world["branches"][0])
    opt_out_set(actor=org_world["users"]["admin"], customer=customer, channel="email", opted_out=True)
    first, created = message_enqueue(channel="email", recipient="a@example.com", body_text="x", dedupe_key="k1")
    again, created_again = message_enqueue(channel="email", recipient="a@example.com", body_text="x", dedupe_key="k1")
    opted = _mail(9, customer_id=customer.pk)

    outbox_send(channels=("email",), now=NOON)

    assert (created, created_again, first.pk == again.pk) == (True, False, True)
    assert [m["To"] for m in smtp_server.messages] == ["a@example.com"]
    opted.refresh_from_db()
    assert opted.status == "suppressed"


def test_quiet_hours_and_the_rate_limit_hold_messages_back(smtp_server):
    """No e-mail between 21:00 and 08:00; at 2 per minute a round sends 2 of 3 and the next minute the third."""
    _configure("email", smtp_server.port, quiet_start=dt.time(21), quiet_end=dt.time(8), rate_per_minute=2)
    for n in (1, 2, 3):
        _mail(n)

    night = outbox_send(channels=("email",), now=dt.datetime(2026, 3, 3, 22, 30, tzinfo=SHANGHAI))
    noon = outbox_send(channels=("email",), now=NOON)
    later = outbox_send(channels=("email",), now=NOON + dt.timedelta(seconds=61))

    assert (night.sent, night.deferred) == (0, {"email": "quiet hours"})
    assert (noon.sent, noon.deferred, later.sent) == (2, {"email": "rate limit"}, 1)


def test_a_server_that_is_down_is_retried_with_back_off_then_failed():
    """Nothing listens: each round reschedules with back-off; after max attempts the message is failed."""
    from brokercrm.servicing.tests.servers import free_port

    _configure("email", free_port(), max_attempts=2)
    message = _mail(1)

    first = outbox_send(channels=("email",), now=NOON)
    message.refresh_from_db()
    assert (first.retried, message.status, message.attempts, message.next_attempt_at) == (1, "pending", 1, NOON + dt.timedelta(minutes=2))
    early = outbox_send(channels=("email",), now=NOON + dt.timedelta(minutes=1))
    second = outbox_send(channels=("email",), now=NOON + dt.timedelta(minutes=2))
    message.refresh_from_db()
    assert (early.retried, second.failed, message.status) == (0, 1, "failed")
    assert "cannot connect" in message.last_error
