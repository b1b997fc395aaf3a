"""Writes of reports: save a report from the builder, import/export definitions, pins and role dashboards; every
change audited and done in one transaction."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from croniter import croniter
from django.db import transaction
from django.utils import timezone

from brokercrm.core.audit import audit_record
from brokercrm.core.models import AuditEntry
from brokercrm.core.errors import DomainError
from brokercrm.core.exports import XLSX_CONTENT_TYPE
from brokercrm.core.permissions import has_role, require_role
from brokercrm.datacenter.facade import semantic_last_day
from brokercrm.org.facade import ALL_ROLES, REPORT_MANAGERS, REPORT_READERS, User
from brokercrm.reports.definitions import (FORMAT, apply_dashboards, apply_reports, dump_reports, parse_dashboards,
                                           parse_reports)
from brokercrm.reports.files import FORMATS, csv_bytes, xlsx_bytes
from brokercrm.reports.models import DashboardWidget, Pin, Report, Subscription
from brokercrm.reports.periods import current_period
from brokercrm.reports.selectors import report_run
from brokercrm.servicing.facade import message_enqueue
from brokercrm.core.yamlio import dump

logger = logging.getLogger(__name__)


def reports_export(path: Path) -> int:
    """Write every report definition and the role dashboards to `path` (YAML that `report import` reads back)."""
    reports = list(Report.objects.all())
    dashboards: dict[str, list[str]] = {}
    for widget in DashboardWidget.objects.select_related("report"):
        dashboards.setdefault(widget.role, []).append(widget.report.name)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_reports(reports, dashboards), encoding="utf-8")
    return len(reports)


@transaction.atomic
def reports_import(*, actor, data: bytes | str, file: str) -> int:
    """Create or update the file's reports by name (and the role dashboards it lists); nothing changes on a problem."""
    require_role(actor, REPORT_MANAGERS)
    definitions = parse_reports(data, file=file)
    known = {d["name"] for d in definitions} | set(Report.objects.values_list("name", flat=True))
    dashboards = parse_dashboards(data, file=file, names=known)
    saved = apply_reports(definitions, model=Report)
    apply_dashboards(dashboards, report_model=Report, widget_model=DashboardWidget)
    audit_record(actor=actor, action=AuditEntry.Action.IMPORT, object_type="reports.report", object_repr=file,
                 note=f"{len(saved)} reports, dashboards of {', '.join(dashboards) or 'no role'}")
    return len(saved)


@transaction.atomic
def report_save(*, actor, definition: dict, report: Report | None = None) -> Report:
    """Save the builder's report (checked like a file's): a new one is the actor's; others' only by managers."""
    require_role(actor, REPORT_READERS)
    if report is not None and report.owner_id != getattr(actor, "pk", None) and not has_role(actor, REPORT_MANAGERS):
        raise DomainError("only its owner or head office may change this report", field="name")
    [checked] = parse_reports(dump({"format": FORMAT, "reports": [definition]}), file="report")
    clash = Report.objects.filter(name=checked["name"]).exclude(pk=getattr(report, "pk", None))
    if clash.exists():
        raise DomainError(f"a report named {checked['name']} exists", field="name")
    created = report is None
    report = report or Report(owner=actor if getattr(actor, "pk", None) else None)
    for field, value in checked.items():
        setattr(report, field, value if field != "top_n" else value or None)
    report.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, instance=report)
    return report


@transaction.atomic
def report_pin_toggle(*, actor, report: Report) -> bool:
    """Pin the report to the actor's home page, or unpin it; True when it is pinned now."""
    require_role(actor, REPORT_READERS)
    deleted, _ = Pin.objects.filter(user=actor, report=report).delete()
    if deleted:
        audit_record(actor=actor, action=AuditEntry.Action.DELETE, object_type="reports.pin", object_repr=report.name)
        return False
    pin = Pin.objects.create(user=actor, report=report)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=pin, object_repr=report.name)
    return True


@transaction.atomic
def dashboard_set(*, actor, role: str, names: list[str]) -> None:
    """An admin sets a role's default dashboard to these reports, in order."""
    require_role(actor, REPORT_MANAGERS)
    text = dump({"format": FORMAT, "reports": [], "dashboards": {role: names}})
    dashboards = parse_dashboards(text, file="dashboard", names=set(Report.objects.values_list("name", flat=True)))
    apply_dashboards(dashboards, report_model=Report, widget_model=DashboardWidget)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, object_type="reports.dashboardwidget", object_repr=role,
                 note=", ".join(names))


@transaction.atomic
def subscription_create(*, actor, report: Report, cron: str, roles: list[str] = (), users: list = (),
                        fmt: str = "xlsx") -> Subscription:
    """Subscribe roles and/or users to a report on a cron schedule; the schedule and roles are checked first."""
    require_role(actor, REPORT_MANAGERS)
    if not croniter.is_valid(cron):
        raise DomainError(f"{cron!r} is not a cron schedule (minute hour day month weekday)", field="cron")
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown:
        raise DomainError(f"unknown role {unknown[0]!r}", field="roles")
    if fmt not in FORMATS:
        raise DomainError(f"unknown format {fmt!r} (csv or xlsx)", field="format")
    if not roles and not users:
        raise DomainError("name at least one role or user", field="roles")
    subscription = Subscription.objects.create(report=report, cron=cron, roles=list(roles), format=fmt,
                                               created_by=actor if getattr(actor, "pk", None) else None,
                                               last_run_at=timezone.now())
    subscription.users.set(users)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=subscription,
                 note=f"{report.name}: {cron} → {', '.join(roles) or ''} {', '.join(u.username for u in users)}")
    return subscription


def _recipients(subscription: Subscription) -> list:
    people = {u.pk: u for u in User.objects.filter(role__in=subscription.roles, is_active=True)}
    people |= {u.pk: u for u in subscription.users.filter(is_active=True)}
    return [people[pk] for pk in sorted(people) if people[pk].email]


def _due(subscription: Subscription, now: dt.datetime) -> dt.datetime | None:
    """The latest scheduled time not after now when the subscription has not run since; None when it is not due.
    Runs missed while nothing delivered are not made up one by one."""
    last = timezone.localtime(subscription.last_run_at or now - dt.timedelta(minutes=1))
    due = croniter(subscription.cron, timezone.localtime(now)).get_prev(dt.datetime)
    return due if due > last else None


def subscriptions_due(*, now: dt.datetime) -> list[Subscription]:
    """The active subscriptions whose scheduled time has come since they last ran."""
    return [s for s in Subscription.objects.filter(active=True).select_related("report") if _due(s, now) is not None]


def subscriptions_deliver(*, now: dt.datetime | None = None) -> int:
    """Queue every due subscription's copies in the outbox (one per recipient, computed in that recipient's scope).

    Exactly once: each copy's dedupe key names the subscription, the due time and the recipient, so a second pass
    (or a crash and rerun) queues nothing new; the outbox sends and retries. A subscription that fails stays due (its
    time is recorded only once every copy is queued), so the next pass retries it; the others are delivered.
    Returns the messages queued.
    """
    now = now or timezone.now()
    queued = 0
    last_day = semantic_last_day()
    if last_day is None:
        return 0
    for subscription in subscriptions_due(now=now):
        try:
            queued += _deliver(subscription, _due(subscription, now), last_day)
        except Exception:  # one broken report must not hold up the others; it is retried at the next pass
            logger.exception("subscription %s (%s) failed; it stays due", subscription.pk, subscription.report.name)
    return queued


@transaction.atomic
def _deliver(subscription: Subscription, due: dt.datetime, last_day: dt.date) -> int:
    report, queued = subscription.report, 0
    period = current_period(report.period_kind if report.period_kind != "range" else "month", last_day)
    for user in _recipients(subscription):
        table = report_run(user=user, report=report, period=period.label, as_viewer=True)
        if subscription.format == "csv":
            data, mime = csv_bytes(list(table.columns), table.rows), "text/csv"
        else:
            data, mime = xlsx_bytes(list(table.titles), table.rows), XLSX_CONTENT_TYPE
        _, created = message_enqueue(
            channel="email", recipient=user.email, subject=f"{report.name} {period.label}",
            body_text=f"{report.name}（{period.label}）见附件，共 {len(table.rows)} 行。数据截至 {last_day.isoformat()}。",
            attachments=[(f"{report.name}-{period.label}.{subscription.format}", mime, data)],
            dedupe_key=f"report:{subscription.pk}:{due.isoformat()}:{user.pk}")
        queued += created
    subscription.last_run_at = due
    subscription.save(update_fields=["last_run_at"])
    return queued
