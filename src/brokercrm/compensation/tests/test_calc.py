"""Pay lines as pure functions: each incentive mode hand-computed, rounding, last year without history, errors."""
import datetime as dt
from decimal import Decimal as D

import pytest

from brokercrm.compensation.calc import RuleError, compile_rules, compute_lines, months_employed, totals

TIERS = {"net_commission_rate": [(D(0), D("0.10")), (D(20000), D("0.15")), (D(50000), D("0.20"))],
         "evaluation_coefficient": [(D(0), D("0.8")), (D(60), D("0.9")), (D(80), D("1.0")), (D(95), D("1.1"))]}


def pay(rules, values, constants=()):
    specs = compile_rules(rules, constants=constants, tier_tables=TIERS)
    lines = compute_lines(specs, values, tiers=TIERS)
    return {ln.code: ln for ln in lines}, totals(lines)


def test_tiered_commission_on_net_commission_takes_the_rate_of_the_tier_reached():
    """35,000 net commission reaches the 15% tier: 5,250.00; 19,999.99 stays at 10%: 1,999.999 → 2,000.00."""
    rules = [("perf_commission", "earning", 'net_commission * tier(net_commission, "net_commission_rate")')]
    lines, _ = pay(rules, {"net_commission": D("35000.00")})
    assert lines["perf_commission"].amount == D("5250.00")
    lines, _ = pay(rules, {"net_commission": D("19999.99")})
    assert lines["perf_commission"].amount == D("2000.00")
    assert lines["perf_commission"].inputs == {"net_commission": D("19999.99")}


def test_guaranteed_minimum_tops_up_during_probation_only():
    """Probation (2 months < 6): 3,000 + 4,000 × 15% = 3,600 is topped up by 1,400 to 5,000; after probation no top-up."""
    rules = [("post_pay", "earning", "post_salary"),
             ("perf_commission", "earning", "round(net_commission * 0.15, 2)"),
             ("guarantee_topup", "earning", "if(months_employed < probation_months, max(0, guaranteed_minimum - (post_pay + perf_commission)), 0)")]
    values = {"post_salary": D(3000), "net_commission": D(4000), "probation_months": D(6), "guaranteed_minimum": D(5000)}
    lines, (gross, deductions, net) = pay(rules, values | {"months_employed": D(2)}, constants=["probation_months", "guaranteed_minimum"])
    assert lines["guarantee_topup"].amount == D("1400.00")
    assert (gross, deductions, net) == (D("5000.00"), D("0.00"), D("5000.00"))
    lines, (_, _, net) = pay(rules, values | {"months_employed": D(6)}, constants=["probation_months", "guaranteed_minimum"])
    assert lines["guarantee_topup"].amount == D("0.00") and net == D("3600.00")


def test_year_on_year_growth_bonus_and_last_year_without_history():
    """Growth 30,000 − 24,000.50 = 5,999.50 × 5% = 299.975 → 299.98; without last year the line is empty and pays 0.00."""
    rules = [("yoy_bonus", "earning", "max(0, net_commission - last_year.net_commission) * 0.05")]
    lines, _ = pay(rules, {"net_commission": D("30000"), "last_year.net_commission": D("24000.50")})
    assert lines["yoy_bonus"].amount == D("299.98") and not lines["yoy_bonus"].empty
    lines, (_, _, net) = pay(rules, {"net_commission": D("30000")})
    assert lines["yoy_bonus"].amount == D("0.00") and lines["yoy_bonus"].empty and net == D("0.00")
    lines, _ = pay([("yoy_bonus", "earning", "max(0, net_commission - coalesce(last_year.net_commission, 0)) * 0.05")],
                   {"net_commission": D("30000")})
    assert lines["yoy_bonus"].amount == D("1500.00")


def test_points_are_scored_by_activity_and_paid_per_point():
    """7 visits × 1 + 3 new accounts × 5 + 2 effective × 10 = 42 points × 20.00 = 840.00; the memo line is not paid."""
    rules = [("points", "memo", "visits * 1 + new_customers * 5 + effective_new_customers * 10"),
             ("points_bonus", "earning", "points * point_value")]
    lines, (gross, _, _) = pay(rules, {"visits": D(7), "new_customers": D(3), "effective_new_customers": D(2), "point_value": D(20)},
                               constants=["point_value"])
    assert lines["points"].amount == D("42.000000") and lines["points_bonus"].amount == D("840.00")
    assert gross == D("840.00")


def test_evaluation_and_compliance_coefficients_adjust_the_subtotal_and_deductions_reduce_net():
    """Subtotal 10,000.00 × 0.9 (score 72) × 0.95 = 8,550.00: adjustment −1,450.00; 123.45 deducted → net 8,426.55."""
    rules = [("post_pay", "earning", "post_salary"),
             ("subtotal", "memo", "post_pay"),
             ("eval_coefficient", "memo", 'coalesce(tier(evaluation_score, "evaluation_coefficient"), 1)'),
             ("coefficient_adjustment", "earning", "round(subtotal * eval_coefficient * compliance_coefficient, 2) - subtotal"),
             ("deduction", "deduction", "other_deduction")]
    values = {"post_salary": D(10000), "evaluation_score": D("72.00"), "compliance_coefficient": D("0.95"), "other_deduction": D("123.45")}
    lines, (gross, deductions, net) = pay(rules, values)
    assert lines["eval_coefficient"].amount == D("0.900000")
    assert lines["coefficient_adjustment"].amount == D("-1450.00")
    assert (gross, deductions, net) == (D("8550.00"), D("123.45"), D("8426.55"))
    lines, _ = pay(rules, values | {"evaluation_score": None})
    assert lines["eval_coefficient"].amount == D("1.000000")


def test_amounts_round_half_up_at_the_cent_and_never_show_minus_zero():
    """0.005 → 0.01, −0.005 → −0.01 (ties away from zero), −0.004 → 0.00 not −0.00."""
    for text, expected in (("0.005", "0.01"), ("-0.005", "-0.01"), ("-0.004", "0.00")):
        lines, _ = pay([("x", "earning", text)], {})
        assert str(lines["x"].amount) == expected


def test_a_formula_may_use_only_earlier_items_and_errors_name_the_item_and_column():
    """Referencing a later item, an unknown name or bad syntax is refused with the item code and the column."""
    with pytest.raises(RuleError) as exc:
        compile_rules([("a", "earning", "1 + b"), ("b", "earning", "2")])
    assert exc.value.code == "a" and exc.value.error.column == 5 and "unknown name 'b'" in exc.value.error.message
    with pytest.raises(RuleError) as exc:
        compile_rules([("a", "earning", "net_commission * ")])
    assert exc.value.error.message.startswith("syntax error")
    with pytest.raises(RuleError) as exc:
        compile_rules([("Bad Code", "earning", "1")])
    assert "item code" in exc.value.error.message
    with pytest.raises(RuleError) as exc:
        compile_rules([("net_commission", "earning", "1")])
    assert "name of an input" in exc.value.error.message


def test_months_employed_counts_whole_months_to_the_period_end():
    """Hired 2026-01-15: 0 months at the end of January, 2 at the end of March; hired on the 31st counts month ends."""
    assert months_employed(dt.date(2026, 1, 15), dt.date(2026, 1, 31)) == 0
    assert months_employed(dt.date(2026, 1, 15), dt.date(2026, 3, 31)) == 2
    assert months_employed(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1


def test_commission_shared_by_level_after_the_level_deduction_and_customer_cost():
    """Senior (level 2): (35,000 − 4,000 − 1,000.50) × 70% = 20,999.65; an assistant (0) below the deduction gets 0.00."""
    tiers = {"level_deduction": [(D(0), D(2000)), (D(1), D(3000)), (D(2), D(4000)), (D(3), D(5000))],
             "level_commission_share": [(D(0), D("0.50")), (D(1), D("0.60")), (D(2), D("0.70")), (D(3), D("0.80"))]}
    specs = compile_rules([("perf_commission", "earning", 'round(max(0, net_commission - tier(level_order, "level_deduction") - customer_cost)'
                                                             ' * tier(level_order, "level_commission_share"), 2)')], tier_tables=tiers)
    line = compute_lines(specs, {"net_commission": D(35000), "level_order": D(2), "customer_cost": D("1000.50")}, tiers=tiers)[0]
    assert line.amount == D("20999.65")
    line = compute_lines(specs, {"net_commission": D(1500), "level_order": D(0), "customer_cost": D(0)}, tiers=tiers)[0]
    assert line.amount == D("0.00")
