"""Behaviour-group rules: evaluated set-wise in SQL exactly as the formula means; bad rules refused with the position."""
import pytest

from brokercrm.analytics.engine.build import GroupRule, RULE_NAMES, SegmentConfig, compute_segments
from brokercrm.analytics.engine.tiers import TierRule
from brokercrm.analytics.models import BehaviourGroup
from brokercrm.analytics.seed import DEFAULT_GROUPS, DEFAULT_TIERS
from brokercrm.analytics.services import group_save, rule_compile
from brokercrm.analytics.tests.snapshot_factory import SnapshotFactory
from brokercrm.core.errors import DomainError
from brokercrm.platform.formula import compile_formula

TIERS = tuple(TierRule(code, threshold) for code, _, _, threshold in DEFAULT_TIERS)
YEAR = [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]


def _groups(rules: dict[str, str]) -> tuple[GroupRule, ...]:
    return tuple(GroupRule(code, compile_formula(text, RULE_NAMES)) for code, text in rules.items())


def _last_month(snap: SnapshotFactory, rules: dict[str, str] | None = None) -> dict[str, list[str]]:
    groups = _groups(rules) if rules else _groups({c: r for c, _, _, _, r in DEFAULT_GROUPS})
    result = compute_segments(snap.connect(), SegmentConfig(tiers=TIERS, groups=groups, cluster_count=2))[-1]
    return {no: [g for g in groups_text.split(";") if g] for no, groups_text in zip(result.customer_no.tolist(), result.groups.tolist())}


def test_silent_needs_every_month_end_below_1000_and_no_trade_all_year():
    """Silent: 12 months with month-end assets 999.99 and no trade; one month at 1,000 or one trade spoils it."""
    snap = SnapshotFactory()
    for period in YEAR:
        snap.month("QUIET", period, avg_daily_assets=999.99, end_assets=999.99)
        snap.month("ONCE_RICH", period, avg_daily_assets=500, end_assets=1000 if period == "2026-02" else 500)
        snap.month("ONE_TRADE", period, avg_daily_assets=500, end_assets=500, active_days=1 if period == "2025-12" else 0)
    assert _last_month(snap) == {"QUIET": ["silent"], "ONCE_RICH": [], "ONE_TRADE": []}


def test_silent_needs_twelve_months_of_history():
    """The history_months guard: eleven quiet months are not enough, the twelfth makes the customer silent."""
    snap = SnapshotFactory()
    for period in YEAR:
        snap.month("TWELVE", period, avg_daily_assets=10, end_assets=10)
    for period in YEAR[1:]:
        snap.month("ELEVEN", period, avg_daily_assets=10, end_assets=10)
    assert _last_month(snap) == {"ELEVEN": [], "TWELVE": ["silent"]}


def test_dormant_reads_month_end_positions_and_cash_after_three_years_without_trade():
    """36 months without a trade, no position and cash 99.99 → dormant; a position of 50 (assets still below 100)
    or cash of exactly 100 → not; 35 months → not yet."""
    months = [f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(11, 11 + 37)]  # 2023-11 … 2026-11
    snap = SnapshotFactory()
    for period in months:
        for no, cash, value in (("EMPTY", 99.99, 0), ("HOLDS", 30, 50), ("CASH100", 100, 0)):
            snap.month(no, period, avg_daily_assets=cash + value, end_assets=cash + value, end_cash=cash, end_market_value=value)
    for period in months[:-1]:
        snap.month("RECENT", period, avg_daily_assets=0, end_assets=0, active_days=1 if period == months[1] else 0,
                   end_cash=0, end_market_value=0)
    snap.month("RECENT", months[-1], avg_daily_assets=0, end_assets=0, end_cash=0, end_market_value=0)
    result = _last_month(snap)
    assert {no: "dormant" in groups for no, groups in result.items()} == {
        "CASH100": False, "EMPTY": True, "HOLDS": False, "RECENT": False}


def test_lost_is_a_closed_account_and_risk_seeking_needs_c4_or_c5_and_turnover_of_two():
    """Closed → lost; C5 with trade amount exactly 2 × average daily assets → risk-seeking; C3 alike → not."""
    snap = SnapshotFactory()
    snap.customer("GONE", status="closed")
    snap.customer("BOLD", risk_level="C5")
    snap.customer("CALM", risk_level="C3")
    snap.month("GONE", "2026-10", avg_daily_assets=5000, end_assets=5000, active_days=1)
    snap.month("BOLD", "2026-10", avg_daily_assets=50000, end_assets=50000, trade_amount=100000, active_days=3)
    snap.month("CALM", "2026-10", avg_daily_assets=50000, end_assets=50000, trade_amount=100000, active_days=3)
    assert _last_month(snap) == {"BOLD": ["risk_seeking"], "CALM": [], "GONE": ["lost"]}


def test_active_contributor_and_potential_at_their_thresholds():
    """5 active days and 500.00 net commission is enough; 499.99 is not. Potential needs 50,000 inflow in 3 months."""
    snap = SnapshotFactory()
    snap.month("A", "2026-10", avg_daily_assets=50000, end_assets=50000, active_days=5, net_commission=500)
    snap.month("B", "2026-10", avg_daily_assets=50000, end_assets=50000, active_days=5, net_commission=499.99)
    for period, inflow in (("2026-08", 20000), ("2026-09", 20000), ("2026-10", 10000)):
        snap.month("P", period, avg_daily_assets=300000, end_assets=300000, net_inflow=inflow)
    assert _last_month(snap) == {"A": ["active_contributor"], "B": [], "P": ["potential"]}


def test_rules_see_the_tier_and_profile_fields():
    """A rule over tier, age and branch evaluates against each customer's own values."""
    snap = SnapshotFactory()
    import datetime as dt

    snap.customer("OLD", birth_date=dt.date(1960, 10, 31), branch_code="0002")
    snap.customer("YOUNG", birth_date=dt.date(1960, 11, 1), branch_code="0002")
    for no in ("OLD", "YOUNG"):
        snap.month(no, "2026-10", avg_daily_assets=1_200_000, end_assets=1_200_000)
    rules = {"senior_gold": 'tier == "gold" and age >= 66 and branch_code == "0002"'}
    assert _last_month(snap, rules) == {"OLD": ["senior_gold"], "YOUNG": []}


@pytest.mark.parametrize("rule,message,column", [
    ("active_days >=", "syntax error", 15),
    ("activ_days >= 5", "unknown name 'activ_days'", 1),
    ('status + 1 > 0', "an arithmetic operand must be a number, not a text", 1),
    ("net_commission * 2", "a rule must be a condition", 1),
    ("__import__('os').system('x')", "unknown function", 1),
])
def test_bad_rules_are_refused_with_the_position(rule, message, column):
    """A rule that does not compile to a condition names line and column and the rule field."""
    with pytest.raises(DomainError) as exc:
        rule_compile(rule)
    assert exc.value.field == "rule"
    assert message in exc.value.message
    assert f"column {column}:" in exc.value.message


def test_a_bad_rule_is_not_stored(db):
    """group_save refuses the rule and leaves the stored group as it was."""
    group = group_save(actor=None, code="vip", name="贵宾", rule="avg_daily_assets >= 1000000")
    with pytest.raises(DomainError, match="unknown name 'asets'"):
        group_save(actor=None, group=group, code="vip", name="贵宾", rule="asets >= 1")
    assert BehaviourGroup.objects.get(code="vip").rule == "avg_daily_assets >= 1000000"
