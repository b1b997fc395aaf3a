"""Writes of the research library: importing a report (UI and CLI), pushing a clients' report, recording an open."""
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brokercrm.core.audit import audit_record, diff, snapshot
from brokercrm.core.errors import DomainError
from brokercrm.core.money import to_money
from brokercrm.core.permissions import role_required
from brokercrm.customers.facade import customer_contacts_in_scope, customer_ids_by_no
from brokercrm.datacenter.facade import holders_of_securities
from brokercrm.org.facade import RESEARCH_DISTRIBUTORS, RESEARCH_EDITORS
from brokercrm.relations.facade import responsible_staff
from brokercrm.research.models import ResearchDelivery, ResearchPush, ResearchReport
from brokercrm.research.text import content_type_for, extract_text, search_text
from brokercrm.servicing.facade import message_enqueue, segment_member_contacts, segment_month

SECURITY = re.compile(r"^(SH|SZ|BJ|OF)([0-9A-Z]{1,16})$")


def _split(value) -> list[str]:
    """A list given as 'a,b' (CLI, form) or as a list (API), stripped, blanks and repeats left out."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(i.strip() for i in items if i and i.strip()))


def _securities(value) -> list[str]:
    codes = [c.upper() for c in _split(value)]
    bad = [c for c in codes if not SECURITY.match(c)]
    if bad:
        raise DomainError(f"'{bad[0]}' is not a security (market SH, SZ, BJ or OF followed by the code, e.g. SH600519)",
                          field="securities")
    return codes


def _target_price(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = to_money(Decimal(str(value)))
    except InvalidOperation:
        raise DomainError(f"'{value}' is not a price", field="target_price") from None
    if price <= 0:
        raise DomainError("the target price must be positive", field="target_price")
    return price


@role_required(RESEARCH_EDITORS)
@transaction.atomic
def report_import(*, actor, file_name: str, data: bytes, title: str = "", source: str = ResearchReport.Source.INSTITUTE,
                  analyst: str = "", report_date: dt.date | None = None, report_type: str = ResearchReport.ReportType.INDUSTRY,
                  rating: str = "", target_price=None, industries=(), securities=(), tags=(),
                  audience: str = ResearchReport.Audience.INTERNAL) -> ResearchReport:
    """Store a report with its text extracted and indexed; a file that cannot be read stores nothing."""
    name = PurePath(file_name).name
    body = extract_text(name, data)
    first_line = next((line for line in body.splitlines() if line.strip()), PurePath(name).stem)
    report = ResearchReport(
        title=(title.strip() or first_line)[:300], source=source, analyst=analyst.strip(),
        report_date=report_date or timezone.localdate(), report_type=report_type, rating=rating,
        target_price=_target_price(target_price), industries=_split(industries), securities=_securities(securities),
        tags=_split(tags), audience=audience, file_name=name, content_type=content_type_for(name), content=data,
        body_text=body, uploaded_by=actor if getattr(actor, "pk", None) else None)
    # Tags, industries and securities (with and without the market) are searchable like the text.
    labels = [*report.tags, *report.industries, *report.securities, *(code[2:] for code in report.securities)]
    report.search_text = search_text(report.title, "\n".join([body, *labels]))
    try:
        report.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(f"{messages[0]}", field=field) from None
    report.save()
    audit_record(actor=actor, action="create", instance=report,
                 changes=diff({}, snapshot(report, ["title", "source", "analyst", "report_date", "report_type", "rating", "target_price",
                                                    "industries", "securities", "tags", "audience", "file_name"])))
    return report


@dataclass(frozen=True)
class PushResult:
    """What a push did: customers matched, messages queued, those left out (no address; already sent the report)."""

    push_id: int
    matched: int
    queued: int
    no_address: int
    already_sent: int


def _matches(report: ResearchReport, *, by_holdings: bool, segment: str, day: dt.date) -> dict[int, str]:
    """customer id → why they get the report ("SH600519", "segment:all")."""
    matched: dict[int, str] = {}
    if by_holdings:
        holders = holders_of_securities(securities=[(s[:2], s[2:]) for s in report.securities], industries=report.industries)
        ids = customer_ids_by_no(holders)
        matched.update({ids[no]: ",".join(held) for no, held in holders.items() if no in ids})
    if segment:
        for contact in segment_member_contacts(segment, period=segment_month(day), day=day):
            matched.setdefault(contact.id, f"segment:{segment}")
    return matched


def _message(report: ResearchReport, name: str, link: str, channel: str) -> tuple[str, str]:
    """(subject, text) in the customers' language (the site's, whatever the pusher's page language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _message_text(report, name, link, channel)


def _message_text(report: ResearchReport, name: str, link: str, channel: str) -> tuple[str, str]:
    if channel == ResearchPush.Channel.SMS:
        return "", _("[Research] %(title)s — read it here: %(link)s") % {"title": report.title, "link": link}
    return (_("Research report: %(title)s") % {"title": report.title},
            _("Dear %(name)s,\n\nour research team has published \"%(title)s\", about securities or industries you hold. "
              "The report is attached; you can also read it here: %(link)s\n\nThis report is for reference only and is not "
              "investment advice.") % {"name": name, "title": report.title, "link": link})


@role_required(RESEARCH_DISTRIBUTORS)
@transaction.atomic
def report_push(*, actor, report_id: int, channel: str, segment: str = "", by_holdings: bool = True,
                day: dt.date | None = None) -> PushResult:
    """Send a clients' report to the customers (in the actor's scope) holding what it covers and/or in a segment: by
    e-mail with the file attached, or by SMS with a link; each through the outbox, with its own tracked link."""
    report = ResearchReport.objects.select_for_update().get(pk=report_id)
    if report.audience != ResearchReport.Audience.CLIENTS:
        raise DomainError(_("this report is for internal use only and is never sent to clients"), field="audience")
    if channel not in ResearchPush.Channel.values:
        raise DomainError(f"unknown channel '{channel}' (email or sms)", field="channel")
    if not by_holdings and not segment:
        raise DomainError(_("choose the holders of what the report covers, a segment, or both"), field="segment")
    day = day or timezone.localdate()
    matched = _matches(report, by_holdings=by_holdings, segment=segment.strip(), day=day)
    contacts = customer_contacts_in_scope(user=actor, customer_ids=matched)
    push = ResearchPush.objects.create(report=report, channel=channel, segment=segment.strip(), by_holdings=by_holdings,
                                       pushed_by=actor if getattr(actor, "pk", None) else None)
    already = set(report.deliveries.values_list("customer_id", flat=True))
    routing = responsible_staff(c.id for c in contacts)
    queued = no_address = 0
    for contact in contacts:
        if contact.id in already:
            continue
        address = contact.email if channel == ResearchPush.Channel.EMAIL else contact.mobile
        if not address.strip():
            no_address += 1
            continue
        token = secrets.token_urlsafe(24)
        link = settings.PUBLIC_URL + reverse("research:open", args=[token])
        subject, text = _message(report, contact.name, link, channel)
        attachments = [(report.file_name, report.content_type, bytes(report.content))] if channel == ResearchPush.Channel.EMAIL else []
        message, _created = message_enqueue(channel=channel, recipient=address, subject=subject, body_text=text, attachments=attachments,
                                            customer_id=contact.id, dedupe_key=f"research:{report.pk}:{contact.id}")
        ResearchDelivery.objects.create(push=push, report=report, customer_id=contact.id, staff_id=routing.staff_on(contact.id, day),
                                        matched_on=matched[contact.id][:300], token=token, outbox_message_id=message.pk, sent_on=day)
        queued += 1
    result = PushResult(push.pk, len(contacts), queued, no_address, len(already & {c.id for c in contacts}))
    audit_record(actor=actor, action="create", instance=push, object_repr=f"{report.title} → {queued}",
                 changes={"report": [None, report.pk], "channel": [None, channel], "segment": [None, push.segment],
                          "by_holdings": [None, by_holdings], "queued": [None, queued]})
    return result


@transaction.atomic
def delivery_open(*, token: str) -> ResearchReport | None:
    """A customer followed their link: count the open (the first one's time kept) and hand back the report to serve."""
    delivery = ResearchDelivery.objects.select_related("report").filter(token=token).first()
    if delivery is None:
        return None
    ResearchDelivery.objects.filter(pk=delivery.pk).update(open_count=F("open_count") + 1)
    ResearchDelivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    return delivery.report
