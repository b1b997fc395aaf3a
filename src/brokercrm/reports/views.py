"""Report pages: the role dashboard as home page, the report list, the builder (table / pivot / chart, comparisons,
drill to customers, save and share, CSV and Excel export) and the admin's dashboard settings."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokercrm.core.errors import DomainError
from brokercrm.core.exports import csv_response, xlsx_response
from brokercrm.core.notices import notices_for
from brokercrm.core.permissions import has_role, require_role
from brokercrm.datacenter.facade import semantic_last_day
from brokercrm.org.facade import REPORT_MANAGERS, REPORT_READERS, Role
from brokercrm.reports import selectors, services
from brokercrm.reports.campaign_effect import campaign_effect, campaigns_listed
from brokercrm.reports.catalogue import DIMENSIONS, column_title, measure_entries, measure_entry
from brokercrm.reports.dashboards import dashboard
from brokercrm.reports.definitions import TEAM_LEADER, VIEWS
from brokercrm.reports.files import display, pdf_bytes, xlsx_bytes
from brokercrm.reports.models import DashboardWidget, Report
from brokercrm.reports.periods import COMPARISONS, current_period, parse_period


def _chart(table, view: str, by: list[str], measures: list[str]) -> dict:
    """What static/js/reports.js draws: category labels and one series per measure (first dimension on the axis)."""
    if not by:
        return {}
    width = len(by)
    labels = [" / ".join(str(v) for v in row[:width]) for row in table.rows]
    series = [{"name": measure_entry(m).zh, "data": [None if row[width + i] is None else float(row[width + i])
                                                  for row in table.rows]} for i, m in enumerate(measures)]
    return {"view": view, "labels": labels, "series": series}


def _pivot(table, by: list[str], measure: str) -> dict | None:
    """The first measure with the last dimension across the columns (two or more dimensions)."""
    if len(by) < 2:
        return None
    width, index = len(by), table.columns.index(measure)
    across = sorted({row[width - 1] for row in table.rows}, key=lambda v: (v is None, str(v)))
    lines: dict[tuple, dict] = {}
    for row in table.rows:
        lines.setdefault(tuple(row[:width - 1]), {})[row[width - 1]] = row[index]
    return {"head": [DIMENSIONS[d].zh for d in by[:-1]], "across": across,
            "rows": [(list(k), [display(measure, v.get(a)) for a in across]) for k, v in lines.items()]}


def _spec(source) -> dict:
    """The builder's choices from a query string or form (lists as repeated keys)."""
    return {"measures": [m for m in source.getlist("measures") if m],
            "dimensions": [d for d in source.getlist("dimensions") if d],
            "where": source.get("where", "").strip(), "period": source.get("period", "").strip(),
            "comparisons": [c for c in source.getlist("comparisons") if c in COMPARISONS],
            "sort": source.get("sort", "").strip(), "descending": source.get("ascending") != "1",
            "top_n": int(source["top_n"]) if source.get("top_n", "").isdigit() and int(source["top_n"]) > 0 else None,
            "view": source.get("view") if source.get("view") in VIEWS else "table"}


def _drill(spec: dict, row: tuple) -> str:
    """The builder's query string for the customers behind a row: same measures, by customer, the row's values as filter."""
    conditions = [f'{d} == "{v}"' for d, v in zip(spec["dimensions"], row) if v is not None
                  and d not in ("day", "month", "quarter", "year") and '"' not in str(v)]
    if spec["where"]:
        conditions.insert(0, f"({spec['where']})")
    period = next((str(v) for d, v in zip(spec["dimensions"], row) if d in ("day", "month", "quarter", "year")), spec["period"])
    return urlencode([("measures", m) for m in spec["measures"]] + [("dimensions", "customer_no"), ("period", period),
                     ("where", " and ".join(conditions)), ("sort", spec["measures"][0]), ("run", "1")])


def home_page(request):
    """The home page: the dashboard of the user's role (and their pins), then the notices."""
    if not has_role(request.user, REPORT_READERS) or request.user.role == Role.SERVICE_AGENT:
        return render(request, "reports/home.html", {"notices": notices_for(request.user), "widgets": []})
    today, widgets = dashboard(request.user)
    shown = []
    for w in widgets:
        if w.table is None:
            shown.append({"widget": w})
            continue
        by, measures = w.report.dimensions, w.report.measures
        rows = [[display(c, v) for c, v in zip(w.table.columns, row)] for row in w.table.rows]
        chart = _chart(w.table, w.report.view, by, measures) if w.report.view not in ("table", "pivot") else {}
        shown.append({"widget": w, "titles": w.table.titles, "rows": rows, "kpi": not by, "chart": chart,
                      "kpis": list(zip(w.table.titles, rows[0])) if rows and not by else [],
                      "chart_id": f"widget-{w.report.pk}", "data_id": f"widget-{w.report.pk}-data"})
    return render(request, "reports/home.html", {"notices": notices_for(request.user), "widgets": shown, "today": today,
                                                 "can_manage": has_role(request.user, REPORT_MANAGERS)})


def report_list(request):
    require_role(request.user, REPORT_READERS)
    return render(request, "reports/list.html", {"reports": selectors.reports_visible(request.user)})


def campaign_list_page(request):
    """营销活动效果: the campaigns in the user's scope, each linking to its participants' trading over its period."""
    require_role(request.user, REPORT_READERS)
    return render(request, "reports/campaigns.html", {"campaigns": campaigns_listed(user=request.user)})


def campaign_effect_page(request, number: str):
    require_role(request.user, REPORT_READERS)
    effect = campaign_effect(user=request.user, number=number)
    return render(request, "reports/campaign_effect.html", {
        "effect": effect, "titles": [column_title(c) for c in effect.columns],
        "rows": [(row[0], [display(c, v) for c, v in zip(effect.columns[1:], row[1:])]) for row in effect.rows],
        "totals": [display(c, v) for c, v in zip(effect.columns[1:], effect.totals)]})


def builder_page(request, report_id: int | None = None):
    """Build a report (or open a saved one): pick, run, view as table / pivot / chart, export, save."""
    require_role(request.user, REPORT_READERS)
    report = selectors.report_by_id(request.user, report_id) if report_id else None
    if report is not None and "run" not in request.GET:
        spec = {"measures": report.measures, "dimensions": report.dimensions, "where": report.where, "period": "",
                "comparisons": report.comparisons, "sort": report.sort, "descending": report.descending,
                "top_n": report.top_n, "view": report.view}
    else:
        spec = _spec(request.GET)
    last_day = semantic_last_day()
    if not spec["period"] and last_day is not None:
        spec["period"] = current_period(report.period_kind if report and report.period_kind != "range" else "month",
                                        last_day).label
    context = {"spec": spec, "report": report, "measures": measure_entries().values(), "dimensions": DIMENSIONS.values(),
               "subscriptions": report.subscriptions.all() if report else [],
               "views": VIEWS, "roles": Role.choices, "can_manage": has_role(request.user, REPORT_MANAGERS)}
    if spec["measures"] and spec["period"]:
        try:
            table = selectors.report_table(user=request.user, measures=spec["measures"], by=spec["dimensions"],
                                           period=parse_period(spec["period"]), where=spec["where"],
                                           comparisons=spec["comparisons"], sort=spec["sort"],
                                           descending=spec["descending"], top_n=spec["top_n"])
        except DomainError as exc:
            context["error"] = f"{exc.field}: {exc.message}" if exc.field else exc.message
        else:
            fmt = request.GET.get("export")
            name = (f"report-{report.pk}" if report else "report") + f"-{table.period}"  # ASCII: a header's filename
            if fmt == "csv":
                return csv_response(table.rows, list(table.columns), filename=f"{name}.csv")
            if fmt == "xlsx":
                return xlsx_response(xlsx_bytes(list(table.titles), table.rows), filename=f"{name}.xlsx")
            if fmt == "pdf":
                data = pdf_bytes(report.name if report else _("Report"), table.period, table.snapshot, table.columns,
                                 table.titles, table.rows, dimensions=len(spec["dimensions"]))
                response = HttpResponse(data, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
                return response
            width = len(spec["dimensions"])
            context |= {
                "table": table,
                "rows": [{"cells": [display(c, v) for c, v in zip(table.columns, row)],
                          "drill": _drill(spec, row[:width]) if "customer_no" not in spec["dimensions"] else ""}
                         for row in table.rows],
                "pivot": _pivot(table, spec["dimensions"], spec["measures"][0]) if spec["view"] == "pivot" else None,
                "chart": _chart(table, spec["view"], spec["dimensions"], spec["measures"])
                if spec["view"] not in ("table", "pivot") else {},
                "query": request.GET.urlencode(),
            }
    return render(request, "reports/builder.html", context)


@require_POST
def report_save(request):
    """Save the builder's report under a name, shared with the roles ticked."""
    spec = _spec(request.POST)
    report = selectors.report_by_id(request.user, int(request.POST["report_id"])) if request.POST.get("report_id") else None
    definition = {"name": request.POST.get("name", "").strip(), "description": request.POST.get("description", ""),
                  "measures": spec["measures"], "dimensions": spec["dimensions"], "where": spec["where"],
                  "period": parse_period(spec["period"]).kind if spec["period"] else "month",
                  "comparisons": spec["comparisons"], "sort": spec["sort"], "descending": spec["descending"],
                  "top_n": spec["top_n"], "view": spec["view"], "shared_roles": request.POST.getlist("shared_roles")}
    try:
        saved = services.report_save(actor=request.user, definition=definition, report=report)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(f"{request.META.get('HTTP_REFERER') or '/reports/builder/'}")
    messages.success(request, _("Report %(name)s saved.") % {"name": saved.name})
    return redirect("reports:report", report_id=saved.pk)


@require_POST
def report_pin(request, report_id: int):
    report = selectors.report_by_id(request.user, report_id)
    pinned = services.report_pin_toggle(actor=request.user, report=report)
    messages.success(request, _("Pinned to your home page.") if pinned else _("Removed from your home page."))
    return redirect("reports:report", report_id=report.pk)


@require_POST
def report_subscribe(request, report_id: int):
    """Head office subscribes roles to a saved report (cron schedule, CSV or Excel)."""
    report = selectors.report_by_id(request.user, report_id)
    try:
        services.subscription_create(actor=request.user, report=report, cron=request.POST.get("cron", "").strip(),
                                     roles=request.POST.getlist("roles"), fmt=request.POST.get("format", "xlsx"))
    except DomainError as exc:
        messages.error(request, str(exc) if not exc.field else f"{exc.field}: {exc.message}")
    else:
        messages.success(request, _("Subscription saved: each recipient receives their own scope's copy."))
    return redirect("reports:report", report_id=report.pk)


def dashboard_settings(request):
    """An admin edits each role's default dashboard: the reports, in order, one name per line."""
    require_role(request.user, REPORT_MANAGERS)
    if request.method == "POST":
        role = request.POST.get("role", "")
        names = [n.strip() for n in request.POST.get("reports", "").splitlines() if n.strip()]
        try:
            services.dashboard_set(actor=request.user, role=role, names=names)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Dashboard saved."))
        return redirect("reports:dashboards")
    keys = [*Role.choices, (TEAM_LEADER, _("Team leader (a broker leading a team)"))]
    current: dict[str, list[str]] = {}
    for widget in DashboardWidget.objects.select_related("report"):
        current.setdefault(widget.role, []).append(widget.report.name)
    return render(request, "reports/dashboards.html", {
        "roles": [(role, label, "\n".join(current.get(role, []))) for role, label in keys],
        "reports": Report.objects.all()})
