"""Scores (考核得分) as plain functions over plain data: no database, Decimal throughout.

Each scheme item turns one indicator into points: linear to target (weight × actual ÷ target),
capped (the ratio limited to a cap, 1 by default), floor (no points below a minimum ratio), or a
formula of the formula language. Points are rounded half-up to 0.01; the score is their sum.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from brokercrm.core.errors import DomainError
from brokercrm.core.money import quantize, to_money
from brokercrm.evaluation.indicators import BY_NAME, INDICATORS
from brokercrm.platform.facade import Formula, FormulaError, compile_formula

LINEAR, CAPPED, FLOOR, FORMULA = "linear", "capped", "floor", "formula"
# An item's points must fit a score line, and the sum of a scheme's items the score: below 10^8 each.
MAX_POINTS = Decimal(10) ** 8
MODES = (LINEAR, CAPPED, FLOOR, FORMULA)
RATIO_PLACES = 6


def formula_names() -> dict[str, str]:
    """The names a scoring formula may use: this item's actual/target/weight/ratio, every indicator (also last year's)
    and the staff member's own target of each (target.<indicator>, empty without one)."""
    names = {"actual": "number", "target": "number", "weight": "number", "ratio": "number"}
    for ind in INDICATORS:
        names[ind.name] = "number"
        names[f"last_year.{ind.name}"] = "number"
        names[f"target.{ind.name}"] = "number"
    return names


def compile_item_formula(text: str) -> Formula:
    return compile_formula(text, formula_names())


@dataclass(frozen=True)
class ItemSpec:
    indicator: str
    weight: Decimal
    target: Decimal | None = None
    mode: str = LINEAR
    cap: Decimal | None = None
    floor: Decimal | None = None
    formula: Formula | None = None


@dataclass(frozen=True)
class ItemScore:
    indicator: str
    actual: Decimal | None
    target: Decimal | None
    weight: Decimal
    ratio: Decimal | None
    points: Decimal
    mode: str
    formula: str = ""
    inputs: dict = field(default_factory=dict)


def check_item(spec: ItemSpec) -> None:
    """Refuse an item that cannot be scored, naming the field."""
    if spec.indicator not in BY_NAME:
        raise DomainError(f"unknown indicator '{spec.indicator}'", field="indicator")
    if spec.mode not in MODES:
        raise DomainError(f"unknown scoring mode '{spec.mode}' (expected {', '.join(MODES)})", field="mode")
    if spec.mode == FORMULA:
        if spec.formula is None:
            raise DomainError("a formula is required for scoring mode formula", field="formula")
    elif spec.target is None or spec.target <= 0:
        raise DomainError("the target must be greater than 0", field="target")
    if spec.weight < 0:
        raise DomainError("the weight must not be negative", field="weight")


def score_item(spec: ItemSpec, values: Mapping[str, Decimal | None]) -> ItemScore:
    actual = values.get(spec.indicator)
    ratio = None
    if spec.target and actual is not None:
        ratio = actual / spec.target
    if spec.mode == FORMULA:
        inputs = dict(values) | {"actual": actual, "target": spec.target, "weight": spec.weight, "ratio": ratio}
        raw = spec.formula.evaluate(inputs)
        used = {n: inputs.get(n) for n in sorted(spec.formula.names)}
        points = Decimal(0) if raw is None else Decimal(raw)
        if abs(points) >= MAX_POINTS:
            raise FormulaError(f"the points {points} are too large for a score (below {MAX_POINTS:,} expected)")
        return ItemScore(spec.indicator, actual, spec.target, spec.weight, _r(ratio), to_money(points), spec.mode,
                         spec.formula.text, used)
    effective = Decimal(0) if ratio is None else max(Decimal(0), ratio)
    if spec.mode == CAPPED:
        effective = min(effective, spec.cap if spec.cap is not None else Decimal(1))
    elif spec.mode == FLOOR:
        if spec.floor is not None and effective < spec.floor:
            effective = Decimal(0)
        elif spec.cap is not None:
            effective = min(effective, spec.cap)
    points = spec.weight * effective
    return ItemScore(spec.indicator, actual, spec.target, spec.weight, _r(ratio), to_money(points), spec.mode)


def score_staff(specs: Iterable[ItemSpec], values: Mapping[str, Decimal | None]) -> tuple[Decimal, list[ItemScore]]:
    """The score of one staff member and its breakdown by item."""
    items = [score_item(spec, values) for spec in specs]
    return to_money(sum((i.points for i in items), Decimal(0))), items


def rank(totals: Mapping[str, Decimal], groups: Mapping[str, str] | None = None) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) by score descending within each group (team, branch or company)."""
    groups = groups or {k: "" for k in totals}
    members: dict[str, list[str]] = {}
    for key in totals:
        members.setdefault(groups.get(key, ""), []).append(key)
    ranks = {}
    for keys in members.values():
        ordered = sorted(keys, key=lambda k: (-totals[k], k))
        for position, key in enumerate(ordered, start=1):
            previous = ordered[position - 2] if position > 1 else None
            ranks[key] = ranks[previous] if previous is not None and totals[previous] == totals[key] else position
    return ranks


def _r(value: Decimal | None) -> Decimal | None:
    return None if value is None else quantize(value, RATIO_PLACES)


__all__ = ["FormulaError", "ItemSpec", "ItemScore", "score_item", "score_staff", "rank", "MODES"]
