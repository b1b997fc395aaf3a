"""API for evaluation: the indicator library, runs and scores (scoped like the pages)."""
from ninja import Router, Schema

from brokercrm.core.api_errors import errors
from brokercrm.evaluation import selectors
from brokercrm.evaluation.indicators import INDICATORS

router = Router(tags=["evaluation"])


def _plain(value) -> str:
    """A stored 6-decimal value without trailing zeros, never in exponent form (35000.000000 → 35000)."""
    text = format(value.normalize(), "f")
    return text


class IndicatorOut(Schema):
    name: str
    name_zh: str
    definition: str
    kind: str
    source: str


class EvaluationRunOut(Schema):
    id: int
    scheme: str
    period: str
    note: str


class ScoreOut(Schema):
    staff_no: str
    branch_code: str
    total: str
    rank_team: int | None
    rank_branch: int
    rank_company: int
    lines: list[dict]


@router.get("/evaluation/indicators", response={200: list[IndicatorOut], **errors()})
def list_indicators(request):
    return [{"name": i.name, "name_zh": i.name_zh, "definition": i.definition, "kind": i.kind, "source": i.source} for i in INDICATORS]


@router.get("/evaluation/runs", response={200: list[EvaluationRunOut], **errors()})
def list_runs(request):
    return [{"id": r.pk, "scheme": r.scheme.code, "period": r.period, "note": r.note} for r in selectors.run_list(user=request.auth)]


@router.get("/evaluation/runs/{run_id}/scores", response={200: list[ScoreOut], **errors(400, 404)})
def list_scores(request, run_id: int):
    run = selectors.run_get(user=request.auth, run_id=run_id)
    scores = selectors.score_list(user=request.auth, run=run).prefetch_related("lines")
    return [{"staff_no": s.staff.staff_no, "branch_code": s.branch.code, "total": f"{s.total:.2f}", "rank_team": s.rank_team,
             "rank_branch": s.rank_branch, "rank_company": s.rank_company,
             "lines": [{"indicator": ln.indicator, "actual": None if ln.actual is None else _plain(ln.actual),
                        "target": None if ln.target is None else str(ln.target), "weight": str(ln.weight), "points": f"{ln.points:.2f}"}
                       for ln in s.lines.all()]} for s in scores]
