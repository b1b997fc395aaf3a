"""RFM quintiles: ties share a score, no-trade customers score 0, the best block scores 5."""
import numpy as np

from brokercrm.analytics.engine.rfm import quintiles, rfm_scores


def test_ten_distinct_values_fill_the_quintiles_two_by_two():
    """Values 1…10: 1,2→1; 3,4→2; 5,6→3; 7,8→4; 9,10→5."""
    assert quintiles(np.arange(1, 11), np.ones(10, bool)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_score_at_the_quintile_where_their_block_ends():
    """Values [1, 2, 2, 2, 9]: k = 1, 4, 4, 4, 5 of n = 5 → ceil(5k/5) = 1, 4, 4, 4, 5."""
    assert quintiles(np.array([1, 2, 2, 2, 9]), np.ones(5, bool)).tolist() == [1, 4, 4, 4, 5]


def test_everyone_equal_scores_five():
    """One block of equal values ends at the top quintile."""
    assert quintiles(np.array([7, 7, 7]), np.ones(3, bool)).tolist() == [5, 5, 5]


def test_three_customers_spread_over_the_quintiles():
    """n = 3: k = 1, 2, 3 → ceil(5/3)=2, ceil(10/3)=4, 5."""
    assert quintiles(np.array([10, 20, 30]), np.ones(3, bool)).tolist() == [2, 4, 5]


def test_customers_without_a_trade_score_zero_and_are_not_ranked():
    """Two non-traders get 0 on R, F and M; the two traders are ranked only among themselves."""
    r, f, m = rfm_scores(months_since_trade=[0, 3, 12, 12], active_days=[10, 2, 0, 0],
                         net_commission_cents=[50_000, 10_000, 0, 0], traded=[True, True, False, False])
    assert (r.tolist(), f.tolist(), m.tolist()) == ([5, 3, 0, 0], [5, 3, 0, 0], [5, 3, 0, 0])


def test_recency_scores_recent_trades_higher():
    """Months since last trade 0, 1, 2, 3, 4 → R 5, 4, 3, 2, 1."""
    r, _, _ = rfm_scores([0, 1, 2, 3, 4], [1] * 5, [1] * 5, [True] * 5)
    assert r.tolist() == [5, 4, 3, 2, 1]
