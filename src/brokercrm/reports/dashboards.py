"""Role dashboards (驾驶舱) as the home page: each widget is a saved report run for its current period in the viewer's
scope. Results are cached under the published snapshot's name, so a publish refreshes every dashboard by itself."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.facade import semantic_last_day, semantic_snapshot
from brokercrm.org.facade import COMPANY_WIDE, Role, User, scope_for
from brokercrm.reports.definitions import TEAM_LEADER
from brokercrm.reports.models import DashboardWidget, Pin, Report
from brokercrm.reports.periods import current_period
from brokercrm.reports.selectors import Table, report_table, team_staff, viewer_copy

CACHE_SECONDS = 24 * 3600
TABLE_ROWS = 10


@dataclass(frozen=True)
class Widget:
    report: Report
    table: Table | None
    error: str = ""
    pinned: bool = False


def widget_reports(user) -> list[tuple[Report, bool]]:
    """The role's default widgets (a broker who leads a team: the team leader's), then the user's pins: [(report,
    pinned)]."""
    role = "admin" if user.is_superuser else user.role
    if len(team_staff(user)) > 1:
        role = TEAM_LEADER
    reports = [(w.report, False) for w in DashboardWidget.objects.filter(role=role).select_related("report")]
    shown = {r.pk for r, _ in reports}
    reports += [(p.report, True) for p in Pin.objects.filter(user=user).select_related("report") if p.report_id not in shown]
    return reports


def _scope_key(user) -> str:
    return "all" if user.is_superuser or scope_for(user).everything else f"user{user.pk}"


def _period(report: Report, today: dt.date):
    return current_period(report.period_kind if report.period_kind != "range" else "month", today)


def widget_key(user, report: Report, *, today: dt.date) -> str:
    """The cache key of a widget: the snapshot (a publish names a new one), the report's version, the scope, the period."""
    return (f"reports:widget:{semantic_snapshot()}:{report.pk}:{report.updated_at.timestamp()}:{_scope_key(user)}:"
            f"{_period(report, today).label}")


def widget_table(user, report: Report, *, today: dt.date) -> Table:
    """The report for the period of its kind holding `today`, cached (in the cache every process shares) per snapshot,
    report version and scope."""
    period = _period(report, today)
    key = widget_key(user, report, today=today)
    table = cache.get(key)
    if table is None:
        where, scoped = viewer_copy(user, report)
        table = report_table(user=user, measures=report.measures, by=report.dimensions, period=period, where=where,
                             comparisons=report.comparisons, sort=report.sort, descending=report.descending,
                             top_n=report.top_n, scoped=scoped)
        cache.set(key, table, CACHE_SECONDS)
    return table


def dashboard(user) -> tuple[dt.date | None, list[Widget]]:
    """The viewer's widgets with their tables (or the reason one cannot be shown) and the day they are as of."""
    today = semantic_last_day()
    widgets = []
    for report, pinned in widget_reports(user):
        if today is None:
            widgets.append(Widget(report, None, _("No indicators are published yet: they appear after the first load."),
                                  pinned))
            continue
        try:
            widgets.append(Widget(report, widget_table(user, report, today=today), pinned=pinned))
        except DomainError as exc:
            widgets.append(Widget(report, None, exc.message, pinned))
    return today, widgets


def dashboards_warm() -> int:
    """Compute the dashboards of a new snapshot before anyone opens them: one user of each company-wide role (their
    widgets are cached once for everyone with that scope) and every branch manager. Brokers' own copies are small and
    computed at their first view. Returns the users warmed."""
    users = [u for u in (User.objects.filter(role=role, is_active=True).first() for role in sorted(COMPANY_WIDE)) if u]
    users += list(User.objects.filter(role=Role.BRANCH_MANAGER, is_active=True))
    for user in users:
        dashboard(user)
    return len(users)
