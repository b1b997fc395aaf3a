"""Report definitions as YAML (`brokercrm report export|import`, the shipped reports' data migration): read, check,
apply, write. Every problem names the file, line and field; nothing is stored unless the whole file is valid."""
from __future__ import annotations

from pathlib import Path

from brokercrm.core.yamlio import Collector, dump, line_of, load
from brokercrm.datacenter.facade import SemanticError
from brokercrm.org.facade import ALL_ROLES
from brokercrm.reports.periods import COMPARISONS, KINDS
from brokercrm.reports.selectors import query_check

FORMAT = "brokercrm-reports/v1"
SHIPPED = Path(__file__).parent / "shipped" / "reports.yaml"
VIEWS = ("table", "pivot", "bar", "line", "stacked", "pie")
# Dashboards are configured per role, plus the team leader's: a broker whose data scope is a team (org/scope.py).
TEAM_LEADER = "team_leader"
FIELDS = ("name", "description", "measures", "dimensions", "where", "period", "comparisons", "sort", "descending",
          "top_n", "view", "shared_roles")


def _names(c: Collector, node: dict, field: str, *, required: bool) -> list[str]:
    value = node.get(field) or []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.add(node, field, "must be a list of names", line=line_of(node, field))
        return []
    if required and not value:
        c.add(node, field, "is required", line=line_of(node, field))
    return value


def parse_reports(text: str | bytes, *, file: str) -> list[dict]:
    """The definitions of the file, checked against the semantic layer (measures, dimensions, filter)."""
    data = load(text, file=file, expected_format=FORMAT)
    c = Collector(file)
    out, seen = [], set()
    for node in c.items(data, "reports"):
        c.unknown_keys(node, set(FIELDS))
        name = c.text(node, "name", max_length=100)
        if name in seen:
            c.add(node, "name", f"report {name} is defined twice")
        seen.add(name)
        measures, dimensions = _names(c, node, "measures", required=True), _names(c, node, "dimensions", required=False)
        where = str(node.get("where") or "")
        try:
            query_check(measures, dimensions, where)
        except SemanticError as exc:
            field = {"by": "dimensions"}.get(exc.field, exc.field)
            c.add(node, field, exc.message, line=line_of(node, field))
        comparisons = _names(c, node, "comparisons", required=False)
        for comparison in comparisons:
            if comparison not in COMPARISONS:
                c.add(node, "comparisons", f"unknown comparison '{comparison}' (expected {', '.join(COMPARISONS)})")
        roles = _names(c, node, "shared_roles", required=False)
        for role in roles:
            if role not in ALL_ROLES:
                c.add(node, "shared_roles", f"unknown role '{role}'")
        period = str(node.get("period") or "month")
        if period not in KINDS:
            c.add(node, "period", f"unknown period '{period}' (expected {', '.join(KINDS)})")
        view = str(node.get("view") or "table")
        if view not in VIEWS:
            c.add(node, "view", f"unknown view '{view}' (expected {', '.join(VIEWS)})")
        top_n = node.get("top_n")
        if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1):
            c.add(node, "top_n", f"'{top_n}' is not a positive whole number")
        sort = str(node.get("sort") or "")
        sortable = {*dimensions, *measures, *(f"{m}_{k}{g}" for m in measures for k in comparisons for g in ("", "_growth"))}
        if sort and sort not in sortable:
            c.add(node, "sort", f"'{sort}' is not a column of the report")
        out.append({"name": name, "description": str(node.get("description") or ""), "measures": measures,
                    "dimensions": dimensions, "where": where, "period_kind": period, "comparisons": comparisons,
                    "sort": sort, "descending": bool(node.get("descending", True)), "top_n": top_n, "view": view,
                    "shared_roles": roles})
    c.raise_if_any()
    return out


def parse_dashboards(text: str | bytes, *, file: str, names: set[str]) -> dict[str, list[str]]:
    """The `dashboards:` mapping of a file: role → report names (each a report of the file or already stored)."""
    data = load(text, file=file, expected_format=FORMAT)
    c = Collector(file)
    node = data.get("dashboards") or {}
    out = {}
    for role in sorted(k for k in node if isinstance(k, str) and not k.startswith("__")):
        if role not in ALL_ROLES and role != TEAM_LEADER:
            c.add(node, role, f"unknown role '{role}'", line=line_of(node, role))
            continue
        reports = node[role] if isinstance(node[role], list) else []
        for name in reports:
            if name not in names:
                c.add(node, role, f"unknown report '{name}'", line=line_of(node, role))
        out[role] = [str(n) for n in reports]
    c.raise_if_any()
    return out


def apply_reports(definitions: list[dict], *, model, shipped: bool = False) -> list:
    """Create or update each report by name (the model class is passed so the data migration can use its own)."""
    saved = []
    for definition in definitions:
        values = dict(definition, top_n=definition["top_n"] or None)
        if shipped:
            values["shipped"] = True
        report, _ = model.objects.update_or_create(name=definition["name"], defaults=values)
        saved.append(report)
    return saved


def apply_dashboards(dashboards: dict[str, list[str]], *, report_model, widget_model) -> None:
    """Replace the default widgets of each role named with these reports, in order."""
    for role, names in dashboards.items():
        widget_model.objects.filter(role=role).delete()
        by_name = {r.name: r for r in report_model.objects.filter(name__in=names)}
        widget_model.objects.bulk_create(widget_model(role=role, report=by_name[n], position=i) for i, n in enumerate(names))


def ship(*, report_model, widget_model) -> None:
    """Store the shipped reports and role dashboards (the data migration; tests whose database was flushed)."""
    text = SHIPPED.read_text(encoding="utf-8")
    definitions = parse_reports(text, file=SHIPPED.name)
    apply_reports(definitions, model=report_model, shipped=True)
    apply_dashboards(parse_dashboards(text, file=SHIPPED.name, names={d["name"] for d in definitions}),
                     report_model=report_model, widget_model=widget_model)


def dump_reports(reports, dashboards: dict[str, list[str]] | None = None) -> str:
    """The YAML of reports (and role dashboards), readable by parse_reports / parse_dashboards (round trip)."""
    document = {"format": FORMAT, "reports": [{
        "name": r.name, "description": r.description, "measures": list(r.measures), "dimensions": list(r.dimensions),
        "where": r.where, "period": r.period_kind, "comparisons": list(r.comparisons), "sort": r.sort,
        "descending": r.descending, "top_n": r.top_n, "view": r.view, "shared_roles": list(r.shared_roles),
    } for r in reports]}
    if dashboards:
        document["dashboards"] = dashboards
    return dump(document)
