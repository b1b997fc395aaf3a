"""Service measures (alerts, tasks, visits) grouped like the warehouse measures, from the servicing app's work records.

They live in the app database, not the warehouse, so they are counted here from servicing's `service_events` and
joined to the semantic layer's rows on the dimension values. Staff is the staff member the work is routed to
(UNATTRIBUTED when none), branch the customer's branch; time dimensions come from the event's date.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from brokercrm.datacenter.facade import SemanticError
from brokercrm.platform.facade import FormulaError, compile_formula
from brokercrm.servicing.facade import service_events

UNATTRIBUTED = "UNATTRIBUTED"
SERVICE_COUNTS = ("alerts_raised", "alerts_resolved", "tasks_due", "tasks_done", "visits_due", "visits_done")
SERVICE_MEASURES = (*SERVICE_COUNTS, "visit_completion_rate")
SERVICE_DIMENSIONS = ("customer_no", "staff_no", "branch_code", "tier", "team", "staff_category", "staff_level", "day",
                      "month", "quarter", "year")
RATE = Decimal("0.000001")


def service_check(measures: list[str], by: list[str], where: str) -> None:
    """Service measures group and filter only by the dimensions their records carry."""
    if not any(m in SERVICE_MEASURES for m in measures):
        return
    for name in by:
        if name not in SERVICE_DIMENSIONS:
            raise SemanticError(f"service measures cannot be grouped by {name!r}", field="by", value=name)
    if where.strip():
        try:
            compile_formula(where, {name: "text" for name in SERVICE_DIMENSIONS})
        except FormulaError as exc:
            raise SemanticError(f"column {exc.column}: {exc.message} (service measures)", field="where", value=where,
                                column=exc.column) from None


def _values(no: str, staff: str | None, branch: str, day: dt.date, attributes: dict) -> dict[str, str | None]:
    staff_no = staff or UNATTRIBUTED
    values = {"customer_no": no, "staff_no": staff_no, "branch_code": branch, "day": day.isoformat(),
              "month": f"{day:%Y-%m}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}", "year": str(day.year)}
    for name, by_key in attributes.items():
        values[name] = by_key.get(no if name == "tier" else staff_no)
    return values


def service_rows(measures: list[str], by: list[str], date_from: dt.date, date_to: dt.date, *, where: str,
                 customers: set[str] | None, attributes: dict) -> dict[tuple, dict[str, object]]:
    """{dimension values: {measure: value}} for the service measures asked, only groups with at least one event."""
    wanted = [m for m in measures if m in SERVICE_MEASURES]
    formula = compile_formula(where, {n: "text" for n in SERVICE_DIMENSIONS}) if where.strip() else None
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for event, no, staff, branch, day in service_events(date_from=date_from, date_to=date_to):
        if customers is not None and no not in customers:
            continue
        values = _values(no, staff, branch, day, attributes)
        if formula is not None and not formula.evaluate(values):
            continue
        key = tuple(values[d] for d in by)
        counts[key][event] += 1
    out = {}
    for key, c in counts.items():
        row: dict[str, object] = {m: c[m] for m in wanted if m in SERVICE_COUNTS}
        if "visit_completion_rate" in wanted:
            row["visit_completion_rate"] = (Decimal(c["visits_due_done"]) / c["visits_due"]).quantize(RATE, ROUND_HALF_UP) \
                if c["visits_due"] else None
        if any(c[m] for m in (*SERVICE_COUNTS, "visits_due_done")):
            out[key] = row
    return out
