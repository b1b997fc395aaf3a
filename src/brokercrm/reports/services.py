"""Writes of reports: save a report from the builder, import/export definitions, pins and role dashboards; every
change audited and done in one transaction."""
from __future__ import annotations

from pathlib import Path

from django.db import transaction

from brokercrm.core.audit import audit_record
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import has_role, require_role
from brokercrm.org.facade import REPORT_MANAGERS, REPORT_READERS
from brokercrm.reports.definitions import (FORMAT, apply_dashboards, apply_reports, dump_reports, parse_dashboards,
                                           parse_reports)
from brokercrm.reports.models import DashboardWidget, Pin, Report
from brokercrm.core.yamlio import dump


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
    audit_record(actor=actor, action="reports.import", object_type="reports.report", object_repr=file,
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
    report = report or Report(owner=actor if getattr(actor, "pk", None) else None)
    for field, value in checked.items():
        setattr(report, field, value if field != "top_n" else value or None)
    report.save()
    audit_record(actor=actor, action="reports.save", instance=report)
    return report


@transaction.atomic
def report_pin_toggle(*, actor, report: Report) -> bool:
    """Pin the report to the actor's home page, or unpin it; True when it is pinned now."""
    require_role(actor, REPORT_READERS)
    deleted, _ = Pin.objects.filter(user=actor, report=report).delete()
    if deleted:
        return False
    Pin.objects.create(user=actor, report=report)
    return True


@transaction.atomic
def dashboard_set(*, actor, role: str, names: list[str]) -> None:
    """An admin sets a role's default dashboard to these reports, in order."""
    require_role(actor, REPORT_MANAGERS)
    text = dump({"format": FORMAT, "reports": [], "dashboards": {role: names}})
    dashboards = parse_dashboards(text, file="dashboard", names=set(Report.objects.values_list("name", flat=True)))
    apply_dashboards(dashboards, report_model=Report, widget_model=DashboardWidget)
    audit_record(actor=actor, action="reports.dashboard", object_type="reports.dashboardwidget", object_repr=role,
                 note=", ".join(names))
