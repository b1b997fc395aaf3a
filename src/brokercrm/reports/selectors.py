"""Reads of reports: a query of the semantic layer within the caller's scope, a saved report run for a period (with
its comparisons, sort and top N), and the reports a user may see."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from brokercrm.analytics.facade import customer_month_groups, customer_tiers
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import require_role
from brokercrm.customers.facade import customer_nos_in_scope
from brokercrm.datacenter.facade import (STAFF_ATTRIBUTES, SemanticError, SemanticQuery, SemanticResult, semantic_check,
                                          semantic_query)
from brokercrm.org.facade import REPORT_MANAGERS, REPORT_READERS, Role, Staff, scope_for
from brokercrm.reports.catalogue import DIMENSIONS, asset_bands, column_title, measure_entries, measure_entry
from brokercrm.reports.models import Report
from brokercrm.reports.periods import ReportPeriod, compared_period, months_in, parse_period
from brokercrm.reports.audit_measures import AUDIT_MEASURES, audit_check, audit_rows
from brokercrm.reports.object_measures import is_object_measure, object_check, object_rows
from brokercrm.reports.pay_measures import PAY_MEASURES, pay_check, pay_rows
from brokercrm.reports.score_measures import SCORE_MEASURES, score_check, score_rows
from brokercrm.reports.service_measures import SERVICE_MEASURES, UNATTRIBUTED, service_check, service_rows

GROWTH = Decimal("0.01")
# Measures counted from the app database by the reports app, beside the warehouse measures of the semantic layer.
APP_MEASURES = (*SERVICE_MEASURES, *SCORE_MEASURES, *AUDIT_MEASURES, *PAY_MEASURES)


@dataclass(frozen=True)
class Table:
    """A report's answer: codes of the columns, their Chinese titles, rows, and the snapshot it was read from."""

    columns: tuple[str, ...]
    titles: tuple[str, ...]
    rows: tuple[tuple, ...]
    snapshot: str
    period: str = ""


def _attributes(names: list[str]) -> dict[str, dict[str, str]]:
    """The attribute dimensions asked for, as the layer takes them: tier by customer_no (analytics), team /
    staff_category / staff_level by staff_no (org)."""
    out: dict[str, dict[str, str]] = {"tier": customer_tiers()} if "tier" in names else {}
    wanted = [n for n in names if n in STAFF_ATTRIBUTES]
    if not wanted:
        return out
    fields = {"team": "team__name", "staff_category": "category__name", "staff_level": "level__name"}
    out |= {n: {} for n in wanted}
    for row in Staff.objects.values("staff_no", *(fields[n] for n in wanted)):
        for n in wanted:
            if row[fields[n]] is not None:
                out[n][row["staff_no"]] = row[fields[n]]
    return out


def _semantic(measures: list[str], by: list[str], date_from: dt.date, date_to: dt.date, where: str, scope) -> SemanticQuery:
    """The layer's query with the values it takes from the apps above it: tiers, staff attributes, the configured asset
    bands and, when asked for, the behaviour groups of the customers in the months of the period."""
    named = [*by, *(n for n in ("tier", "behaviour_group", *STAFF_ATTRIBUTES) if n in where)]
    groups = customer_month_groups(months=months_in(date_from, date_to)) if "behaviour_group" in named else {}
    return SemanticQuery(measures=tuple(measures), by=tuple(by), date_from=date_from, date_to=date_to, where=where,
                         customers=None if scope is None else tuple(scope), attributes=_attributes(named),
                         asset_bands=asset_bands(), behaviour_groups=groups)


def query_check(measures: list[str], by: list[str], where: str = "") -> None:
    """Refuse an unknown measure or dimension or a bad filter (SemanticError naming the parameter and the value)."""
    if not measures:
        raise SemanticError("name at least one measure", field="measures", value="")
    known = measure_entries()
    for name in measures:
        if name not in known:
            raise SemanticError(f"unknown measure {name!r}", field="measures", value=name)
    if len(set(measures)) != len(measures):
        raise SemanticError(f"a measure is named twice in {','.join(measures)!r}", field="measures", value=",".join(measures))
    for name in by:
        if name not in DIMENSIONS:
            raise SemanticError(f"unknown dimension {name!r}", field="by", value=name)
    warehouse = [m for m in measures if m not in APP_MEASURES and not is_object_measure(m)]
    if warehouse:  # the layer's own rules: one time dimension, the filter over its dimensions
        day = dt.date(2000, 1, 1)
        semantic_check(SemanticQuery(measures=tuple(warehouse), by=tuple(by), date_from=day, date_to=day, where=where or ""))
    service_check(measures, by, where or "")
    score_check(measures, by, where or "")
    audit_check(measures, by, where or "")
    pay_check(measures, by, where or "")
    object_check(measures, by, where or "")


def report_query(*, user, measures: list[str], by: list[str], date_from: dt.date, date_to: dt.date,
                 where: str = "", scoped: bool = True) -> SemanticResult:
    """Warehouse and service measures together, counting only the customers in the user's scope (user None = system;
    scoped False: the viewer's own copy, whose filter already keeps only the facts attributed to them).

    Rows are the groups with at least one fact or service event, sorted by the dimensions with UNATTRIBUTED last.
    """
    require_role(user, REPORT_READERS)
    query_check(measures, by, where)
    if date_from > date_to:
        raise SemanticError(f"from {date_from.isoformat()} is after to {date_to.isoformat()}", field="from",
                            value=date_from.isoformat())
    scope = customer_nos_in_scope(user) if scoped else None
    warehouse = [m for m in measures if m not in APP_MEASURES and not is_object_measure(m)]
    service = [m for m in measures if m in SERVICE_MEASURES]
    if len(warehouse) == len(measures):
        return semantic_query(_semantic(measures, by, date_from, date_to, where or "", scope))
    merged: dict[tuple, dict[str, object]] = {}
    snapshot = ""
    if warehouse:
        result = semantic_query(_semantic(warehouse, by, date_from, date_to, where or "", scope))
        snapshot = result.snapshot
        for row in result.rows:
            merged[tuple(row[:len(by)])] = dict(zip(warehouse, row[len(by):]))
    if service:
        events = service_rows(service, by, date_from, date_to, where=where or "",
                              customers=None if scope is None else set(scope),
                              attributes=_attributes([*by, *(n for n in ("tier", *STAFF_ATTRIBUTES) if n in (where or ""))]))
        for key, values in events.items():
            merged.setdefault(key, {}).update(values)
    if "score" in measures:
        for key, values in score_rows(by, date_from, date_to, user=user).items():
            merged.setdefault(key, {}).update(values)
    if any(m in PAY_MEASURES for m in measures):
        for key, values in pay_rows(measures, by, date_from, date_to, user=user).items():
            merged.setdefault(key, {}).update(values)
    if "unmask_count" in measures:
        for key, values in audit_rows(by, date_from, date_to, user=user).items():
            merged.setdefault(key, {}).update(values)
    if any(is_object_measure(m) for m in measures):
        kinds = {m: e.kind for m, e in measure_entries().items() if is_object_measure(m)}
        for key, values in object_rows(measures, by, date_from, date_to, user=user, kinds=kinds).items():
            merged.setdefault(key, {}).update(values)
    entries = measure_entries()
    zero = {m: (None if entries[m].kind in ("rate", "score") else (Decimal("0.00") if entries[m].kind == "money" else 0))
            for m in measures}
    rows = [(*key, *(values.get(m, zero[m]) for m in measures)) for key, values in merged.items()]
    rows.sort(key=lambda r: tuple((v == UNATTRIBUTED, v is None, v or "") for v in r[:len(by)]))
    return SemanticResult(snapshot, (*by, *measures), tuple(rows))


def _growth(current, previous) -> Decimal | None:
    """Growth in % of current over previous, 2 decimals; empty when there is nothing to grow from."""
    if current is None or previous is None or Decimal(previous) == 0:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / abs(Decimal(previous))).quantize(GROWTH, rounding=ROUND_HALF_UP)


COMPARISON_TITLES = {"previous": ("上期", "环比%"), "last_year": ("去年同期", "同比%")}


def report_table(*, user, measures: list[str], by: list[str], period: ReportPeriod, where: str = "",
                 comparisons: list[str] = (), sort: str = "", descending: bool = True, top_n: int | None = None,
                 scoped: bool = True) -> Table:
    """A query for a period with comparison columns (`<m>_<comparison>`, `<m>_<comparison>_growth`), sorted, cut to top N.

    A comparison row is matched on the dimensions other than time (the compared period's own month or day differs).
    Without a time dimension, a group with facts only in a compared period is listed too, with this period's numbers
    zero (a branch whose commission fell to nothing shows 0 against last month's, -100%).
    """
    result = report_query(user=user, measures=measures, by=by, date_from=period.start, date_to=period.end, where=where,
                          scoped=scoped)
    columns, rows = list(result.columns), [list(r) for r in result.rows]
    plain = [i for i, d in enumerate(by) if d not in ("day", "month", "quarter", "year")]
    compared = {c: report_query(user=user, measures=measures, by=by, date_from=other.start, date_to=other.end,
                                where=where, scoped=scoped)
                for c, other in ((c, compared_period(period, c)) for c in comparisons)}
    if by and len(plain) == len(by):
        shown = {tuple(r[:len(by)]) for r in rows}
        gone = {tuple(r[:len(by)]) for earlier in compared.values() for r in earlier.rows} - shown
        kinds = [measure_entry(m).kind for m in measures]
        zero = [None if kind in ("rate", "score") else (Decimal("0.00") if kind == "money" else 0) for kind in kinds]
        if gone:  # sorted again as the layer sorts: UNATTRIBUTED and empty values last, asset bands in their order
            bands = {label: i for i, (_, label) in enumerate(asset_bands())}
            rows = sorted(rows + [[*key, *zero] for key in gone], key=lambda r: tuple(
                (v == UNATTRIBUTED, v is None, bands.get(v, 0) if d == "asset_band" else 0, v or "")
                for d, v in zip(by, r)))
    for comparison, earlier in compared.items():
        index = {tuple(r[i] for i in plain): r[len(by):] for r in earlier.rows}
        for row in rows:
            before = index.get(tuple(row[i] for i in plain))
            values = row[len(by):len(by) + len(measures)]
            for position, measure in enumerate(measures):
                previous = before[position] if before else None
                row += [previous, _growth(values[position], previous)]
        for measure in measures:
            columns += [f"{measure}_{comparison}", f"{measure}_{comparison}_growth"]
    if sort:
        if sort not in columns:
            raise DomainError(f"cannot sort by {sort!r}: not a column of the report", field="sort")
        i = columns.index(sort)
        present = [r for r in rows if r[i] is not None]
        rows = sorted(present, key=lambda r: r[i], reverse=descending) + [r for r in rows if r[i] is None]
    if top_n:
        rows = rows[:top_n]
    return Table(tuple(columns), tuple(_title(c) for c in columns), tuple(tuple(r) for r in rows), result.snapshot,
                 period.label)


def _title(column: str) -> str:
    for comparison, (was, growth) in COMPARISON_TITLES.items():
        if column.endswith(f"_{comparison}_growth"):
            return f"{column_title(column[: -len(comparison) - 8])} {growth}"
        if column.endswith(f"_{comparison}"):
            return f"{column_title(column[: -len(comparison) - 1])}（{was}）"
    return column_title(column)


def team_staff(user) -> list[str]:
    """The staff numbers of a broker's reporting subtree: themself, or their team when they lead one."""
    if user is None or user.role != Role.BROKER or user.staff is None:
        return []
    return sorted(Staff.objects.filter(id__in=scope_for(user).staff_ids | {user.staff.pk}).values_list("staff_no", flat=True))


def viewer_filter(user, report: Report) -> str:
    """The report's filter as its viewer's copy (dashboard widget, subscription) applies it: a broker's numbers are
    those attributed to them or their team (their staff export's rows), a branch manager's those attributed to their
    branch (the branch export's row), both within their scope. Scores and unmasks are read within the scope already."""
    where = report.where
    if user is None or any(m in (*SCORE_MEASURES, *AUDIT_MEASURES, *PAY_MEASURES) or is_object_measure(m) for m in report.measures):
        return where
    team = team_staff(user)
    branch = user.branch or (user.staff.branch if user.staff else None)
    if team:
        own = f'staff_no == "{team[0]}"' if len(team) == 1 else "staff_no in (" + ", ".join(f'"{n}"' for n in team) + ")"
    elif user.role == Role.BRANCH_MANAGER and branch is not None:
        own = f'branch_code == "{branch.code}"'
    else:
        return where
    return f"({where}) and {own}" if where else own


def viewer_copy(user, report: Report) -> tuple[str, bool]:
    """(filter, scoped) of the viewer's own copy. When the filter keeps only the facts attributed to the viewer (their
    staff or branch on each fact's date), it is not cut to their current customers too: a customer who left them in
    the month still brings the facts of the days they were theirs, as in the staff and branch exports. A report listing
    customers stays within the scope: no customer outside it is ever named."""
    where = viewer_filter(user, report)
    return where, where == report.where or "customer_no" in report.dimensions


def report_run(*, user, report: Report, period: str, as_viewer: bool = False) -> Table:
    """A saved report for the period P (`2026-03`, `2026-Q1`, …); as_viewer: the viewer's own copy (viewer_copy)."""
    where, scoped = viewer_copy(user, report) if as_viewer else (report.where, True)
    return report_table(user=user, measures=report.measures, by=report.dimensions, period=parse_period(period),
                        where=where, comparisons=report.comparisons, sort=report.sort,
                        descending=report.descending, top_n=report.top_n, scoped=scoped)


def reports_visible(user) -> QuerySet[Report]:
    """The reports a user may open: shipped ones, their own, and those shared with their role (all for managers)."""
    require_role(user, REPORT_READERS)
    if user is None or user.is_superuser or user.role in REPORT_MANAGERS:
        return Report.objects.all()
    # Shares are a short list per report and reports are few: read in Python (JSON containment differs per database).
    shared = [pk for pk, roles in Report.objects.values_list("pk", "shared_roles") if user.role in (roles or [])]
    return Report.objects.filter(Q(shipped=True) | Q(owner=user) | Q(pk__in=shared))


def report_get(user, name: str) -> Report:
    """A report by name among those the user may see (404 otherwise)."""
    return get_object_or_404(reports_visible(user), name=name)


def report_by_id(user, report_id: int) -> Report:
    """A report by id among those the user may see (404 otherwise)."""
    return get_object_or_404(reports_visible(user), pk=report_id)
