"""Tier hysteresis over constructed month sequences: upgrade at once, downgrade after three months below."""
from decimal import Decimal

import numpy as np
from hypothesis import given, settings, strategies as st

from brokercrm.analytics.engine.tiers import TierRule, tier_matrix, tier_sequence

TIERS = [TierRule("diamond", Decimal("5000000")), TierRule("gold", Decimal("1000000")),
         TierRule("silver", Decimal("100000")), TierRule("regular", Decimal("0"))]


def seq(values, **kwargs):
    return tier_sequence([None if v is None else Decimal(v) for v in values], TIERS, **kwargs)


def test_the_first_month_takes_the_tier_its_value_reaches():
    """Thresholds are inclusive: exactly 1,000,000.00 is gold, 999,999.99 silver."""
    assert seq(["1000000.00"]) == ["gold"]
    assert seq(["999999.99"]) == ["silver"]
    assert seq(["0"]) == ["regular"]


def test_an_upgrade_happens_at_once():
    """A month qualifying for a higher tier moves the customer up that month, skipping tiers if needed."""
    assert seq([50_000, 6_000_000]) == ["regular", "diamond"]


def test_two_months_below_keep_the_tier_and_the_third_drops_it():
    """Below diamond in months 2, 3 and 4: kept in 2 and 3, dropped in 4 to what month 4 qualifies for."""
    assert seq([6_000_000, 4_000_000, 4_000_000, 200_000]) == ["diamond", "diamond", "diamond", "silver"]


def test_a_month_back_at_the_tier_restarts_the_count():
    """Below, below, at the tier, below, below: never three in a row, so the tier holds."""
    assert seq([6_000_000, 4_000_000, 4_000_000, 5_000_000, 4_000_000, 4_000_000]) == ["diamond"] * 6
    assert seq([6_000_000, 4_000_000, 4_000_000, 5_000_000, 4_000_000, 4_000_000, 4_000_000])[-1] == "gold"


def test_the_drop_goes_to_the_current_months_tier_not_one_step():
    """After three months below gold, the fall is to the current month's tier (regular), not to silver."""
    assert seq([1_500_000, 500_000, 500_000, 10]) == ["gold", "gold", "gold", "regular"]


def test_after_a_drop_the_new_tier_needs_three_months_below_it_again():
    """Dropped to gold in month 4; months 5 and 6 below gold keep gold, month 7 drops."""
    assert seq([6_000_000, 4_000_000, 4_000_000, 4_000_000, 500_000, 500_000, 500_000]) == \
        ["diamond", "diamond", "diamond", "gold", "gold", "gold", "silver"]


def test_a_pin_overrides_the_rule_and_the_rule_resumes_from_the_pinned_tier():
    """Pinned diamond for months 2–3 despite low values; from month 4 the rule applies to the pinned tier."""
    pins = [None, "diamond", "diamond", None, None]
    assert seq([200_000, 200_000, 200_000, 200_000, 200_000], pins=pins) == ["silver", "diamond", "diamond", "silver", "silver"]
    assert seq([200_000, 200_000, 6_000_000, 4_000_000, 4_000_000], pins=[None, "gold", None, None, None]) == \
        ["silver", "gold", "diamond", "diamond", "diamond"]


def test_the_downgrade_length_is_configuration():
    """With downgrade_months=1 a month below drops at once."""
    assert seq([6_000_000, 4_000_000], downgrade_months=1) == ["diamond", "gold"]


def test_a_month_without_a_row_has_no_tier_and_breaks_the_run_below():
    """An absent month emits nothing, keeps the held tier, and does not count as a month below."""
    assert seq([6_000_000, 4_000_000, None, 4_000_000, 4_000_000]) == ["diamond", "diamond", None, "diamond", "diamond"]


amounts = st.sampled_from([0, 50, 99_999, 100_000, 999_999, 1_000_000, 4_999_999, 5_000_000, 9_000_000])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), amounts), min_size=8, max_size=8), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=4))
def test_the_vectorised_form_equals_the_pure_function(customers, downgrade_months):
    """tier_matrix (numpy, all customers at once) gives exactly tier_sequence for each customer."""
    cents = np.array([[0 if v is None else v * 100 for v in row] for row in customers], dtype=np.int64)
    present = np.array([[v is not None for v in row] for row in customers], dtype=bool)
    result, _ = tier_matrix(cents, present, TIERS, downgrade_months=downgrade_months)
    codes = ["regular", "silver", "gold", "diamond"]
    for row, out in zip(customers, result):
        expected = tier_sequence([None if v is None else Decimal(v) for v in row], TIERS, downgrade_months=downgrade_months)
        assert [None if t < 0 else codes[t] for t in out] == expected
