"""Abnormal-activity rules (异动提醒), evaluated set-wise by the data center over its facts (datacenter facade `alert_hits`).

Each rule is one query giving (customer_no, biz_date, amount, base, ref) for the business dates
asked about. Event rules (withdrawal, deposit, closing) fire on every day the event happens; state
rules (assets drop, no trade, concentration, questionnaire) fire on the day the state begins, so a
customer who stays concentrated is not alerted again every day (deduplication by transition).
Thresholds are configuration (AlertRule.parameters over DEFAULTS); money is compared as DECIMAL.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from brokercrm.core.errors import Problem
from brokercrm.datacenter.facade import alert_hits

# Parameter name → (default, kind); kinds: money (Decimal ≥ 0), percent (0–100), ratio (0–1), days (int ≥ 1).
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "large_withdrawal": {"amount": ("500000.00", "money"), "share": ("0.50", "ratio"), "share_min_amount": ("50000.00", "money")},
    "assets_drop": {"percent": ("30", "percent"), "days": ("5", "days"), "min_assets": ("100000.00", "money")},
    "no_trade": {"days": ("60", "days"), "min_assets": ("10000.00", "money")},
    "large_deposit": {"amount": ("500000.00", "money")},
    "concentration": {"percent": ("80", "percent"), "min_assets": ("100000.00", "money")},
    "account_closing": {},
    "questionnaire_expired": {"valid_days": ("730", "days")},
    "suitability_breach": {"valid_days": ("730", "days")},
}
STATE_RULES = ("assets_drop", "no_trade", "concentration", "questionnaire_expired")


@dataclass(frozen=True)
class Candidate:
    customer_no: str
    rule: str
    biz_date: dt.date
    details: dict


def parse_parameters(rule: str, given: dict, *, field_prefix: str = "") -> tuple[dict, list[Problem]]:
    """The rule's parameters as Decimals/ints, defaults filling the gaps; problems name the field."""
    values, problems = {}, []
    unknown = set(given) - set(DEFAULTS[rule])
    for name in sorted(unknown):
        problems.append(Problem(f"unknown parameter (allowed: {', '.join(DEFAULTS[rule]) or 'none'})", field=f"{field_prefix}{name}"))
    for name, (default, kind) in DEFAULTS[rule].items():
        text = str(given.get(name, default)).strip()
        try:
            value = int(text) if kind == "days" else Decimal(text)
        except (ValueError, InvalidOperation):
            problems.append(Problem(f"'{text}' is not a number", field=f"{field_prefix}{name}"))
            continue
        bad = ((kind == "days" and value < 1) or (kind == "money" and value < 0) or (kind == "percent" and not 0 < value <= 100)
               or (kind == "ratio" and not 0 < value <= 1))
        if bad:
            limits = {"days": "a whole number ≥ 1", "money": "an amount ≥ 0", "percent": "between 0 and 100", "ratio": "between 0 and 1"}
            problems.append(Problem(f"must be {limits[kind]}", field=f"{field_prefix}{name}"))
            continue
        values[name] = value
    return values, problems


def _details(rule: str, amount, base, ref) -> dict:
    details: dict = {}
    if amount is not None:
        details["amount"] = f"{Decimal(amount):.2f}"
    if base is not None:
        details["base"] = f"{Decimal(base):.2f}"
    if ref is not None:
        details["security"] = ref
    return details


def evaluate(con, *, dates: list[dt.date], rules: dict[str, dict]) -> list[Candidate]:
    """Every alert the enabled `rules` ({code: parsed parameters}) raise on `dates`, in a stable order."""
    found = [Candidate(customer_no, rule, biz_date, _details(rule, amount, base, ref))
             for rule, customer_no, biz_date, amount, base, ref in alert_hits(con, dates=dates, rules=rules)]
    return sorted(found, key=lambda c: (c.biz_date, c.customer_no, c.rule))
