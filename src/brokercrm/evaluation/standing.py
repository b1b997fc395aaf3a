"""A staff member's own standing (the salesperson's page): latest daily, weekly and monthly score and ranks, each
indicator of the latest month against their target, what is missing for the next level or to pass probation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from brokercrm.core.errors import DomainError
from brokercrm.evaluation.indicators import BY_NAME, parse_period
from brokercrm.evaluation.levels import levels_in_force, months_back
from brokercrm.evaluation.marts import staff_indicators
from brokercrm.evaluation.models import LevelRule, ProbationRule, Score, Target
from brokercrm.evaluation.selectors import scheme_targets
from brokercrm.org.facade import Staff, staff_categories

KINDS = ("day", "week", "month")


@dataclass(frozen=True)
class Standing:
    kind: str
    scheme: str
    period: str
    run_id: int
    total: Decimal
    rank_team: int | None
    rank_branch: int
    rank_company: int


@dataclass(frozen=True)
class Gap:
    """One indicator against a target: how far from it (0 when reached)."""

    indicator: str
    label: str
    actual: Decimal | None
    target: Decimal
    ratio: Decimal | None
    missing: Decimal

    # Shown with thousands separators (money and counts alike).
    @property
    def actual_shown(self) -> str:
        return "—" if self.actual is None else f"{self.actual:,.2f}"

    @property
    def target_shown(self) -> str:
        return f"{self.target:,.2f}"

    @property
    def missing_shown(self) -> str:
        return f"{self.missing:,.2f}"


@dataclass(frozen=True)
class MyStanding:
    standings: tuple[Standing, ...]
    month: str
    month_lines: tuple[Gap, ...]
    level: str
    next_level: str
    next_level_gaps: tuple[Gap, ...]
    promote_months: int
    probation_end: str
    probation_gaps: tuple[Gap, ...]
    own_targets: tuple[tuple[str, str, str], ...] = ()  # (period, indicator label, target shown) of the cascade


def _gap(indicator: str, actual: Decimal | None, target: Decimal) -> Gap:
    ratio = None if not target or actual is None else (actual / target).quantize(Decimal("0.0001"))
    label = BY_NAME[indicator].name_zh if indicator in BY_NAME else indicator
    return Gap(indicator, label, actual, target, ratio, max(Decimal(0), target - (actual or Decimal(0))))


def my_standing(staff: Staff, *, today: dt.date | None = None) -> MyStanding:
    today = today or dt.date.today()
    latest: dict[str, Score] = {}
    for score in (Score.objects.filter(staff=staff, run__scheme__active=True, run__scheme__period_kind__in=KINDS)
                  .select_related("run", "run__scheme").order_by("-run__period", "run__scheme__code")):
        latest.setdefault(score.run.scheme.period_kind, score)
    standings = tuple(Standing(k, s.run.scheme.name, s.run.period, s.run_id, s.total, s.rank_team, s.rank_branch, s.rank_company)
                      for k in KINDS if (s := latest.get(k)))
    month_score = latest.get("month")
    lines = tuple(_gap(ln.indicator, ln.actual, ln.target) for ln in month_score.lines.all() if ln.target) if month_score else ()
    category = next((c for c in staff_categories().values() if c.id == staff.category_id), None)
    level = levels_in_force([staff], today).get(staff.pk)
    next_level, gaps, promote_months = "", (), 0
    if category and level and level.level_id and level.order + 1 < len(category.levels):
        nxt = category.levels[level.order + 1]
        next_level = nxt.label
        targets = scheme_targets(category_id=category.id, level_id=nxt.id)[1]
        actual = {ln.indicator: ln.actual for ln in month_score.lines.all()} if month_score else {}
        gaps = tuple(_gap(k, actual.get(k), v) for k, v in targets.items())
        rule = LevelRule.objects.filter(category_id=category.id, kind="promote", active=True).first()
        promote_months = rule.months if rule else 0
    probation_end, probation = "", ()
    rule = ProbationRule.objects.filter(category_id=staff.category_id).first()
    if rule:
        start = staff.hire_date.replace(day=1)
        index = start.month - 1 + rule.months - 1
        last = f"{start.year + index // 12:04d}-{index % 12 + 1:02d}"
        if parse_period(last).end >= today:
            probation_end = last
            months = [m for m in months_back(last, rule.months) if parse_period(m).start <= today]
            sums = {k: Decimal(0) for k in rule.targets}
            try:
                for m in months:
                    values = staff_indicators(parse_period(m), [staff.staff_no]).values.get(staff.staff_no, {})
                    for k in sums:
                        sums[k] += values.get(k) or Decimal(0)
            except DomainError:
                pass  # nothing published yet: the sums so far are 0
            probation = tuple(_gap(k, sums[k], Decimal(str(t))) for k, t in rule.targets.items())
    own = tuple((t.period, BY_NAME[t.indicator].name_zh if t.indicator in BY_NAME else t.indicator, f"{t.target:,.2f}")
                for t in Target.objects.filter(scope="staff", key=staff.staff_no, status=Target.Status.APPROVED).order_by("-period", "indicator")[:12])
    return MyStanding(standings, month_score.run.period if month_score else "", lines, level.code if level else "", next_level, gaps,
                      promote_months, probation_end, probation, own)
