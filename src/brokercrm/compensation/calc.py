"""Pay lines (工资条明细) as plain functions over plain data: no database, Decimal money half-up to 0.01.

A pay structure is an ordered list of items, each a formula of the formula language. A formula may
use the staff member's indicators for the month (`net_commission`), the same month last year
(`last_year.net_commission`, empty without history), the team's and branch's indicators
(`team.net_commission`, `branch.net_commission`), evaluation targets (`target.net_commission`),
pay inputs (`post_salary`, `months_employed`, `evaluation_score`, `compliance_coefficient`,
`product_sales`, `other_deduction`, `customer_cost`, `level_order`), configuration constants, tier tables and every earlier item by
its code. Earnings and deductions are rounded to 0.01; memo items (intermediate values such as a
coefficient) keep 6 decimals and are not paid. An empty result (an empty input) pays 0.00 and is
marked empty on the line.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from brokercrm.core.money import quantize, to_money
from brokercrm.evaluation.facade import INDICATOR_NAMES
from brokercrm.platform.facade import Formula, FormulaError, compile_formula

EARNING, DEDUCTION, MEMO = "earning", "deduction", "memo"
KINDS = (EARNING, DEDUCTION, MEMO)
MEMO_PLACES = 6
# A line's amount must fit a payslip (and the totals of a payslip's lines their columns): below 10^10.
MAX_LINE = Decimal(10) ** 10
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# Inputs every payslip has besides indicators: name → what it is.
PAY_INPUTS = {
    "post_salary": "post salary (岗位工资) of the staff member's category and level",
    "months_employed": "whole months from the hire date to the end of the month",
    "evaluation_score": "score of the month's evaluation run (empty when not evaluated)",
    "compliance_coefficient": "compliance coefficient (合规系数), 1 unless entered for the month",
    "product_sales": "product sales amount of the month: the product_sales_amount measure from the trading data, unless entered",
    "other_deduction": "other deductions of the month (entered or imported)",
    "customer_cost": "customer cost of the month, e.g. rebates (客户成本, entered or imported)",
    "level_order": "the level's rank within its category, 0 = lowest (empty without a level)",
}
ENTERED_INPUTS = {"compliance_coefficient": Decimal(1), "product_sales": Decimal(0), "other_deduction": Decimal(0),
                  "customer_cost": Decimal(0)}
PREFIXES = ("last_year", "team", "branch", "target")


def base_names(constants: Iterable[str] = ()) -> dict[str, str]:
    """Every name a pay formula may use before any item: indicators, their prefixed forms, inputs, constants."""
    names = {name: "number" for name in INDICATOR_NAMES}
    for prefix in PREFIXES:
        names |= {f"{prefix}.{name}": "number" for name in INDICATOR_NAMES}
    names |= {name: "number" for name in PAY_INPUTS}
    names |= {name: "number" for name in constants}
    return names


@dataclass(frozen=True)
class RuleSpec:
    code: str
    kind: str
    formula: Formula


@dataclass(frozen=True)
class PayLine:
    code: str
    kind: str
    amount: Decimal
    formula: str
    inputs: dict = field(default_factory=dict)
    empty: bool = False


class RuleError(Exception):
    """A pay rule that cannot be compiled: which item, and the formula error with its position."""

    def __init__(self, code: str, error: FormulaError):
        super().__init__(f"{code}: {error}")
        self.code, self.error = code, error


def compile_rules(rules: Iterable[tuple[str, str, str]], *, constants: Iterable[str] = (),
                  tier_tables: Iterable[str] = ()) -> list[RuleSpec]:
    """Check (code, kind, formula) rules in order: a formula may use only the items before it."""
    names = base_names(constants)
    specs, seen = [], set()
    for code, kind, text in rules:
        if not CODE.match(code or ""):
            raise RuleError(code, FormulaError("an item code is lower-case letters, digits and _ (e.g. perf_commission)"))
        if code in names or code in seen:
            raise RuleError(code, FormulaError(f"'{code}' is used twice or is the name of an input"))
        if kind not in KINDS:
            raise RuleError(code, FormulaError(f"unknown item kind '{kind}' (expected {', '.join(KINDS)})"))
        try:
            formula = compile_formula(text, names, tier_tables=set(tier_tables))
        except FormulaError as exc:
            raise RuleError(code, exc) from None
        if formula.result_type not in ("number", "any"):
            raise RuleError(code, FormulaError(f"an item's formula must give a number, not a {formula.result_type}"))
        specs.append(RuleSpec(code, kind, formula))
        names[code] = "number"
        seen.add(code)
    return specs


def compute_lines(specs: list[RuleSpec], values: Mapping[str, Decimal | None], *,
                  tiers: Mapping[str, list[tuple[Decimal, Decimal]]] | None = None) -> list[PayLine]:
    """Evaluate each item in order; each result is available to the items after it."""
    scope = dict(values)
    lines = []
    for spec in specs:
        try:
            raw = spec.formula.evaluate(scope, tiers=tiers or {})
        except FormulaError as exc:
            raise RuleError(spec.code, exc) from None
        empty = raw is None
        if not empty and abs(raw) >= MAX_LINE:
            raise RuleError(spec.code, FormulaError(f"the amount {raw} is too large for a payslip (below {MAX_LINE:,} expected)"))
        amount = _amount(Decimal(0) if empty else Decimal(raw), spec.kind)
        inputs = {name: scope.get(name) for name in sorted(spec.formula.names)}
        lines.append(PayLine(spec.code, spec.kind, amount, spec.formula.text, inputs, empty))
        scope[spec.code] = amount
    return lines


def totals(lines: Iterable[PayLine]) -> tuple[Decimal, Decimal, Decimal]:
    """(gross earnings, deductions, net pay)."""
    lines = list(lines)
    gross = sum((ln.amount for ln in lines if ln.kind == EARNING), Decimal("0.00"))
    deductions = sum((ln.amount for ln in lines if ln.kind == DEDUCTION), Decimal("0.00"))
    return to_money(gross), to_money(deductions), to_money(gross - deductions)


def months_employed(hire_date, period_end) -> int:
    """Whole months from the hire date to the end of the period (0 in the month of hiring)."""
    months = (period_end.year - hire_date.year) * 12 + period_end.month - hire_date.month
    if period_end.day < hire_date.day and period_end.day != calendar.monthrange(period_end.year, period_end.month)[1]:
        months -= 1
    return max(months, 0)


def _amount(value: Decimal, kind: str) -> Decimal:
    """Money half-up to cents; a memo half-up to 6 decimals (adding zero turns a -0 into 0)."""
    return quantize(value, MEMO_PLACES) + Decimal(0) if kind == MEMO else to_money(value)
