"""Default segment definitions (SPEC.md "Business rules"; every threshold is configuration), shared by the migration and tests."""
from decimal import Decimal

DEFAULT_TIERS = [
    # code, name, English name, minimum average daily assets
    ("diamond", "钻石", "Diamond", Decimal("5000000.00")),
    ("gold", "黄金", "Gold", Decimal("1000000.00")),
    ("silver", "白银", "Silver", Decimal("100000.00")),
    ("regular", "普通", "Regular", Decimal("0.00")),
]

DEFAULT_GROUPS = [
    # code, name, English name, description, rule
    ("active_contributor", "高活跃高贡献", "High activity, high contribution",
     "Traded on at least 5 days this month and brought at least 500 of net commission.",
     "active_days >= 5 and net_commission >= 500"),
    ("potential", "潜力客户", "Potential",
     "Below the gold tier, but brought at least 50,000 of net inflow over the last three months.",
     'tier in ("regular", "silver") and last3.net_inflow >= 50000 and status == "normal"'),
    ("silent", "沉寂客户", "Silent",
     "At least 12 months of history, month-end assets below 1,000 in every month of the last year and no trade in it.",
     "history_months >= 12 and year.max_end_assets < 1000 and year.active_days == 0"),
    ("dormant", "休眠客户", "Dormant",
     "No trade for 36 months, no position and cash below 100 at the month end.",
     "months_without_trade >= 36 and end_market_value == 0 and end_cash < 100"),
    ("lost", "流失客户", "Lost", "The account is closed.", 'status == "closed"'),
    ("risk_seeking", "风险偏好", "Risk-seeking",
     "Risk tolerance C4 or C5 and a month's trading of at least twice the average daily assets.",
     'risk_level in ("C4", "C5") and turnover >= 2'),
]


def seed_segment_defaults(Tier, BehaviourGroup, SegmentSettings) -> None:
    """Create the default tiers, groups and settings where none exist (idempotent)."""
    if not Tier.objects.exists():
        Tier.objects.bulk_create([Tier(code=c, name=n, name_en=e, min_avg_daily_assets=t) for c, n, e, t in DEFAULT_TIERS])
    if not BehaviourGroup.objects.exists():
        BehaviourGroup.objects.bulk_create([BehaviourGroup(code=c, name=n, name_en=e, description=d, rule=r, order=i * 10)
                                            for i, (c, n, e, d, r) in enumerate(DEFAULT_GROUPS, start=1)])
    SegmentSettings.objects.get_or_create(pk=1)
