"""The score measure (考核得分): each staff member's month score from evaluation, by staff_no (and month).

Scores belong to a staff member and a month (the run of an active monthly scheme), so they group only by those two;
the staff shown are those of the viewer's scope (a broker: themself; a branch manager: the branch's staff).
"""
from __future__ import annotations

import datetime as dt

from brokercrm.datacenter.facade import SemanticError
from brokercrm.evaluation.facade import staff_scores
from brokercrm.org.facade import Staff, scope_for
from brokercrm.reports.periods import months_in

SCORE_MEASURES = ("score",)
SCORE_DIMENSIONS = ("staff_no", "month")


def score_check(measures: list[str], by: list[str], where: str) -> None:
    if "score" not in measures:
        return
    if "staff_no" not in by:
        raise SemanticError("the score is a staff member's: group it by staff_no", field="by", value=",".join(by))
    for name in by:
        if name not in SCORE_DIMENSIONS:
            raise SemanticError(f"the score cannot be grouped by {name!r}", field="by", value=name)
    if where.strip():
        raise SemanticError("the score takes no filter", field="where", value=where)


def score_rows(by: list[str], date_from: dt.date, date_to: dt.date, *, user) -> dict[tuple, dict[str, object]]:
    """{dimension values: {"score": total}} for the staff in the user's scope with a score in a month of the period."""
    staff = Staff.objects.all() if user is None else Staff.objects.filter(scope_for(user).staff_q())
    numbers = dict(staff.values_list("id", "staff_no"))
    out: dict[tuple, dict[str, object]] = {}
    months = months_in(date_from, date_to)
    if "month" not in by and len(months) != 1:
        raise SemanticError("a score is a month's: group by month or ask for one month", field="by", value=",".join(by))
    for month in months:
        for staff_id, (total, _run) in staff_scores(staff_ids=list(numbers), month=month).items():
            values = {"staff_no": numbers[staff_id], "month": month}
            out[tuple(values[d] for d in by)] = {"score": total}
    return out
