"""Business-object measures (业务对象): for each object type its record count, `objects.<type>.count`, and the sum of
each of its number fields, `objects.<type>.<field>.sum` (e.g. objects.complaint.count, objects.campaign.budget.sum).

The types are data, so these measures are too: the catalogue reads them from the objects app at each use, and a type
or field added on the admin pages is a measure at the next query. A record counts on its type's first date field
(complaint: 受理日期) within the period, in the viewer's scope, and groups by its owner staff, its branch and the month,
quarter and year of that day.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.http import Http404

from brokercrm.datacenter.facade import SemanticError
from brokercrm.objects.facade import object_measure_rows, object_measure_types

PREFIX = "objects."
OBJECT_DIMENSIONS = ("staff_no", "branch_code", "month", "quarter", "year")
UNATTRIBUTED = "UNATTRIBUTED"
CENT = Decimal("0.01")


def is_object_measure(name: str) -> bool:
    return name.startswith(PREFIX)


def object_catalogue() -> list[tuple[str, str, str, str, str]]:
    """(code, Chinese name, English name, 口径, kind) of every object measure, type by type."""
    out = []
    for t in object_measure_types():
        day = f"{t.date_name_zh}（无则为创建日）" if t.date_field else "创建日"
        scope = f"{day}在区间内、在查看人数据范围内的{t.name_zh}记录；按负责员工、营业部与{day}的月、季度、年分组"
        out.append((f"{PREFIX}{t.code}.count", f"{t.name_zh}数", f"{t.name_en} count", f"{scope}的条数", "count"))
        for f in t.number_fields:
            out.append((f"{PREFIX}{t.code}.{f.key}.sum", f"{t.name_zh}{f.name_zh}合计", f"{t.name_en} {f.name_en} total",
                        f"{scope}的{f.name_zh}之和（空值不计）", "money" if f.kind == "decimal" else "count"))
    return out


def object_check(measures: list[str], by: list[str], where: str) -> None:
    if not any(is_object_measure(m) for m in measures):
        return
    for name in by:
        if name not in OBJECT_DIMENSIONS:
            raise SemanticError(f"object measures cannot be grouped by {name!r}", field="by", value=name)
    if where.strip():
        raise SemanticError("object measures take no filter", field="where", value=where)


def _parse(name: str) -> tuple[str, str]:
    """(type code, summed field or '') of a measure's code."""
    parts = name[len(PREFIX):].split(".")
    return (parts[0], "") if parts[1:] == ["count"] else (parts[0], parts[1])


def object_rows(measures: list[str], by: list[str], date_from: dt.date, date_to: dt.date, *, user,
                kinds: dict[str, str]) -> dict[tuple, dict[str, object]]:
    """{dimension values: {measure: value}} of the object measures asked for; sums of decimal fields to the cent."""
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for m in measures:
        if is_object_measure(m):
            code, key = _parse(m)
            wanted[code].append((m, key))
    out: dict[tuple, dict[str, object]] = {}
    for code, asked in wanted.items():
        keys = [key for _m, key in asked if key]
        try:
            groups = object_measure_rows(user=user, type_code=code, sum_fields=keys, date_from=date_from, date_to=date_to)
        except Http404:  # a type the viewer may not read does not exist for them
            raise SemanticError(f"unknown measure {asked[0][0]!r}", field="measures", value=asked[0][0]) from None
        for g in groups:
            year, month = g.month.split("-")
            values = {"staff_no": g.staff_no or UNATTRIBUTED, "branch_code": g.branch_code or UNATTRIBUTED, "month": g.month,
                      "year": year, "quarter": f"{year}-Q{(int(month) - 1) // 3 + 1}"}
            row = out.setdefault(tuple(values[d] for d in by), {})
            sums = dict(zip(keys, g.sums))
            for measure, key in asked:
                add = g.count if not key else sums[key]
                row[measure] = row.get(measure, 0) + add
    for row in out.values():
        for measure, value in row.items():
            if kinds.get(measure) == "money":
                row[measure] = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
            elif isinstance(value, Decimal):
                row[measure] = int(value) if value == value.to_integral_value() else value
    return out
