"""Scores and period aggregation as pure functions: hand-computed values, no database."""
from decimal import Decimal as D

import pytest

from brokercrm.core.errors import DomainError
from brokercrm.evaluation.indicators import aggregate_months, parse_period
from brokercrm.evaluation.scoring import ItemSpec, check_item, compile_item_formula, rank, score_item, score_staff
from brokercrm.platform.formula import FormulaError


def test_linear_to_target_scores_weight_times_ratio_rounded_half_up():
    """Linear: 40 × 123,456.78 ÷ 100,000 = 49.382712 → 49.38."""
    item = score_item(ItemSpec("net_commission", D(40), D(100000), "linear"), {"net_commission": D("123456.78")})
    assert item.points == D("49.38")
    assert item.ratio == D("1.234568")


def test_capped_limits_the_ratio():
    """Capped at 1.2: 123,456.78 against 100,000 gives 40 × 1.2 = 48.00; 50,000 gives 20.00."""
    spec = ItemSpec("net_commission", D(40), D(100000), "capped", cap=D("1.2"))
    assert score_item(spec, {"net_commission": D("123456.78")}).points == D("48.00")
    assert score_item(spec, {"net_commission": D("50000")}).points == D("20.00")


def test_floor_gives_nothing_below_the_minimum_ratio():
    """Floor 0.6: 55% of target scores 0; 60% scores 40 × 0.6 = 24.00."""
    spec = ItemSpec("net_commission", D(40), D(100000), "floor", floor=D("0.6"))
    assert score_item(spec, {"net_commission": D("55000")}).points == D("0.00")
    assert score_item(spec, {"net_commission": D("60000")}).points == D("24.00")


def test_formula_scoring_uses_actual_target_weight_and_ratio():
    """A formula item: half credit below target — 30 × 0.8 × 0.5 = 12.00, full weight at target."""
    spec = ItemSpec("new_customers", D(30), D(10), "formula",
                    formula=compile_item_formula("if(actual >= target, weight, weight * ratio * 0.5)"))
    assert score_item(spec, {"new_customers": D(8)}).points == D("12.00")
    item = score_item(spec, {"new_customers": D(10)})
    assert item.points == D("30.00") and item.inputs == {"actual": D(10), "ratio": D(1), "target": D(10), "weight": D(30)}


def test_empty_actual_scores_zero_and_the_total_sums_the_items():
    """An empty indicator (commission rate without trades) scores 0; the total is the sum of the items."""
    specs = [ItemSpec("commission_rate", D(20), D("0.0003")), ItemSpec("customer_count", D(80), D(200), "capped")]
    total, items = score_staff(specs, {"commission_rate": None, "customer_count": D(150)})
    assert [i.points for i in items] == [D("0.00"), D("60.00")]
    assert total == D("60.00")


def test_bad_items_are_refused_naming_the_field():
    """Unknown indicator, zero target and a formula with an unknown name are refused before saving."""
    with pytest.raises(DomainError) as exc:
        check_item(ItemSpec("profit", D(10), D(1)))
    assert exc.value.field == "indicator"
    with pytest.raises(DomainError) as exc:
        check_item(ItemSpec("net_commission", D(10), D(0)))
    assert exc.value.field == "target"
    with pytest.raises(FormulaError) as err:
        compile_item_formula("actual / tagret")
    assert err.value.column == 10


def test_rankings_share_a_place_on_equal_scores_within_each_group():
    """Competition ranking per group: 90, 85, 85, 70 → 1, 2, 2, 4; another group ranks on its own."""
    totals = {"S1": D(90), "S2": D(85), "S3": D(85), "S4": D(70), "S5": D(50)}
    assert rank(totals) == {"S1": 1, "S2": 2, "S3": 2, "S4": 4, "S5": 5}
    assert rank(totals, {"S1": "A", "S2": "A", "S3": "B", "S4": "A", "S5": "B"}) == {"S1": 1, "S2": 2, "S4": 3, "S3": 1, "S5": 2}


def test_quarter_aggregation_follows_metrics_rules():
    """A quarter: sums, last month's end values, averages weighted by trading days, rate from the sums."""
    months = [
        {"avg_daily_assets": D("1000.00"), "end_assets": D("1100.00"), "net_commission": D("10.00"), "commission": D("12.00"),
         "trade_amount": D("40000.00"), "customer_count": D(3), "new_customers": D(1)},
        {"avg_daily_assets": D("2000.00"), "end_assets": D("2100.00"), "net_commission": D("20.00"), "commission": D("24.00"),
         "trade_amount": D("20000.00"), "customer_count": D(4), "new_customers": D(0)},
        {"avg_daily_assets": D("3000.00"), "end_assets": D("3100.00"), "net_commission": D("5.50"), "commission": D("7.00"),
         "trade_amount": D("0.00"), "customer_count": D(5), "new_customers": D(2)},
    ]
    out = aggregate_months(months, [20, 19, 22])
    # (1000×20 + 2000×19 + 3000×22) / 61 = 124000 / 61 = 2032.786… → 2032.79
    assert out["avg_daily_assets"] == D("2032.79")
    assert out["end_assets"] == D("3100.00") and out["customer_count"] == D(5)
    assert out["net_commission"] == D("35.50") and out["new_customers"] == D(3)
    assert out["commission_rate"] == D("0.000717")  # 43 / 60000 = 0.00071666…


def test_periods_parse_months_quarters_and_years_and_refuse_others():
    """2026-03, 2026-Q1 and 2026 name their months; 2026-13 and 26-3 are refused on the period field."""
    assert parse_period("2026-Q1").months == ("2026-01", "2026-02", "2026-03")
    assert parse_period("2026").months[-1] == "2026-12"
    assert parse_period("2026-03").shifted_year().label == "2025-03"
    for bad in ("2026-13", "26-3"):
        with pytest.raises(DomainError) as exc:
            parse_period(bad)
        assert exc.value.field == "period"
