"""Reads of evaluation, scoped by the user: scores of staff in scope; drill-down to customers in scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from brokercrm.customers.facade import customer_get
from brokercrm.datacenter.facade import attributed_trades
from brokercrm.evaluation.indicators import BY_NAME, parse_period
from brokercrm.evaluation.marts import CUSTOMER_COLUMNS, customer_indicators
from brokercrm.evaluation.models import EvaluationRun, LevelChange, LevelRule, ProbationRule, Scheme, Score, Target
from brokercrm.org.facade import Staff, scope_for, staff_get
from brokercrm.relations.facade import development_relations_overlapping


def scheme_list() -> QuerySet[Scheme]:
    return Scheme.objects.select_related("category", "level").prefetch_related("items")


def scheme_get(*, code: str) -> Scheme:
    return get_object_or_404(scheme_list(), code=code)


def run_list(*, user) -> QuerySet[EvaluationRun]:
    """Runs are visible to everyone; their scores are narrowed to the user's scope."""
    return EvaluationRun.objects.select_related("scheme", "scheme__category")


def run_get(*, user, run_id: int) -> EvaluationRun:
    return get_object_or_404(run_list(user=user), pk=run_id)


def score_list(*, user, run: EvaluationRun) -> QuerySet[Score]:
    return (Score.objects.filter(run=run).filter(scope_for(user).staff_q("staff__"))
            .select_related("staff", "branch", "team").order_by("rank_company", "staff__staff_no"))


def score_get(*, user, run: EvaluationRun, staff_no: str) -> Score:
    return get_object_or_404(score_list(user=user, run=run).prefetch_related("lines"), staff__staff_no=staff_no)


def staff_scores(*, staff_ids: list[int], month: str) -> dict[int, tuple[Decimal, int]]:
    """The month's score per staff member (from the run of an active monthly scheme): staff id → (score, run id)."""
    out = {}
    for staff_id, total, run_id in (Score.objects.filter(run__period=month, run__scheme__period_kind="month", run__scheme__active=True,
                                                         staff_id__in=staff_ids)
                                    .order_by("run__scheme__level_id", "run_id").values_list("staff_id", "total", "run_id")):
        out.setdefault(staff_id, (total, run_id))
    return out


def scheme_targets(*, category_id: int, level_id: int | None) -> tuple[str, dict[str, Decimal]]:
    """Targets of the active monthly scheme for a category and level (level-specific first): (scheme code, targets)."""
    schemes = Scheme.objects.filter(category_id=category_id, period_kind="month", active=True).filter(
        Q(level_id=level_id) | Q(level__isnull=True)).order_by("level_id").prefetch_related("items")
    scheme = next((s for s in schemes if s.level_id == level_id), None) or next(iter(schemes), None)
    if scheme is None:
        return "", {}
    return scheme.code, {i.indicator: i.target for i in scheme.items.all() if i.target is not None}


@dataclass(frozen=True)
class CustomerContribution:
    customer_no: str
    name: str
    value: Decimal | None
    indicators: dict
    relation_from: object
    relation_to: object
    whole_period: bool


def drill_customers(*, user, staff_no: str, period: str, indicator: str) -> tuple[Staff, list[CustomerContribution], str]:
    """Customers whose development relation with the staff member overlaps the period, in the user's scope,
    with their indicators for the period from the customer marts (the customer's whole-period values)."""
    if indicator not in BY_NAME:
        raise Http404
    staff = staff_get(user=user, staff_no=staff_no)
    parsed = parse_period(period)
    if parsed.kind in ("day", "week"):
        raise Http404  # no customer day mart: customers are drilled by month, quarter or year
    relations = development_relations_overlapping(user=user, staff_id=staff.pk, start=parsed.start, end=parsed.end)
    values = customer_indicators(parsed, [r.customer_no for r in relations]).values if relations else {}
    rows = []
    for r in relations:
        v = values.get(r.customer_no, {})
        whole = r.start_date <= parsed.start and (r.end_date is None or r.end_date > parsed.end)
        rows.append(CustomerContribution(r.customer_no, r.customer_name, v.get(indicator),
                                         {c: v.get(c) for c in CUSTOMER_COLUMNS}, r.start_date, r.end_date, whole))
    rows.sort(key=lambda c: (c.value is None, -(c.value or 0), c.customer_no))
    note = "" if indicator in CUSTOMER_COLUMNS else "this indicator is counted per staff member only; customers are listed with their trading indicators"
    return staff, rows, note


@dataclass
class TradeDrill:
    rows: list[dict]
    commission: Decimal
    net_commission: Decimal
    relation_from: object = None
    relation_to: object = None


def drill_trades(*, user, staff_no: str, period: str, customer_no: str) -> tuple[Staff, object, TradeDrill]:
    """The trades of one customer attributed to the staff member in the period (the published facts carry the staff
    member in force on each trade's date), inside the development relation's interval [start, end) clipped to the period."""

    staff = staff_get(user=user, staff_no=staff_no)
    customer = customer_get(user=user, customer_no=customer_no)
    parsed = parse_period(period)
    spans = development_relations_overlapping(user=user, staff_id=staff.pk, start=parsed.start, end=parsed.end,
                                              customer_no=customer.customer_no)
    if not spans:
        raise Http404
    relation = spans[0]
    start = max(parsed.start, relation.start_date)
    end = min(parsed.end, relation.end_date - dt.timedelta(days=1)) if relation.end_date else parsed.end
    rows = attributed_trades(customer_no=customer_no, staff_no=staff_no, date_from=start, date_to=end)
    for r in rows:
        r["net_commission"] = r["commission"] - r["handling_fee"] - r["regulatory_fee"]
    commission = sum((r["commission"] for r in rows), Decimal("0.00"))
    net = sum((r["net_commission"] for r in rows), Decimal("0.00"))
    return staff, customer, TradeDrill(rows, commission, net, start, end)


@dataclass(frozen=True)
class BoardGroup:
    """One team (or a branch's staff outside teams) of a ranking board, its scores by rank."""

    branch: object
    team: object
    scores: list


def board(*, user, kind: str = "day", period: str = "") -> tuple[list[EvaluationRun], str, list[str], dict[int, list[BoardGroup]]]:
    """The ranking board (排行榜) of the runs of `kind` schemes for a period (the latest run's when empty), in the user's
    scope: (runs, period, the periods with runs, run id → groups by branch and team, each ranked within its group)."""
    runs = run_list(user=user).filter(scheme__period_kind=kind, scheme__active=True)
    periods = list(runs.order_by("-period").values_list("period", flat=True).distinct()[:30])
    period = period if period in periods else (periods[0] if periods else "")
    chosen = list(runs.filter(period=period).order_by("scheme__code"))
    groups: dict[int, list[BoardGroup]] = {}
    for run in chosen:
        by_group: dict[tuple, list] = {}
        for score in score_list(user=user, run=run).order_by("branch__code", "team__code", "rank_branch", "staff__staff_no"):
            by_group.setdefault((score.branch, score.team), []).append(score)
        groups[run.pk] = [BoardGroup(b, t, sorted(ss, key=lambda s: (s.rank_team or s.rank_branch, s.staff.staff_no)))
                          for (b, t), ss in by_group.items()]
    return chosen, period, periods, groups


def latest_target_period() -> str:
    """The latest period that has targets ('' when none)."""
    return Target.objects.order_by("-period").values_list("period", flat=True).first() or ""


def level_changes(*, user) -> QuerySet[LevelChange]:
    """Proposed and decided level changes of the staff in the user's scope, newest review first."""
    return (LevelChange.objects.filter(scope_for(user).staff_q("staff__"))
            .select_related("staff", "category", "from_level", "level").order_by("-reviewed_month", "staff__staff_no"))


def level_rules() -> tuple[QuerySet[LevelRule], QuerySet[ProbationRule]]:
    return LevelRule.objects.select_related("category").order_by("category__order", "kind"), ProbationRule.objects.select_related("category")
