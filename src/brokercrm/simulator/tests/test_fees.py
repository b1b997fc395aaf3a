"""Fee rules per trade, hand-computed (amounts in cents)."""
import numpy as np

from brokercrm.simulator.arrays import div_half_up, scaled
from brokercrm.simulator.params import BOND, FUND, OF, REPO, SH, STOCK, SZ, WEALTH
from brokercrm.simulator.trading import fees


def _secs(stype: int, market: int, fee_e7: int = 0) -> dict:
    return {"type": np.array([stype], np.int8), "market": np.array([market], np.int8), "fee_e7": np.array([fee_e7])}


def _book(rate_e7: int, minimum: int) -> dict:
    return {"rate_e7": np.array([rate_e7], np.int64), "min_comm": np.array([minimum], np.int64)}


def _fees(amount: int, sell: bool, secs: dict, book: dict) -> dict:
    out = fees(np.array([amount], np.int64), np.array([sell]), np.array([0]), np.array([0]), secs, book)
    return {name: int(value[0]) for name, value in out.items()}


def test_half_up_rounds_ties_away_from_zero() -> None:
    """5/10 → 1, 15/10 → 2, -5/10 → -1, 4/10 → 0, and a rate of 0.00341% on 1,000.00 → 0.03."""
    assert div_half_up(np.array([5, 15, -5, -15, 4, -4]), 10).tolist() == [1, 2, -1, -2, 0, 0]
    assert scaled(np.array([100_000]), 341).tolist() == [3]


def test_stock_sell_pays_every_fee() -> None:
    """Selling 100,000.00 of stock at 0.025%: commission 25.00 (incl. handling 3.41 and regulatory 2.00),
    stamp tax 50.00, transfer fee 1.00, settlement 99,924.00."""
    assert _fees(10_000_000, True, _secs(STOCK, SH), _book(2_500, 500)) == {
        "amount": 10_000_000, "commission": 2_500, "handling": 341, "regulatory": 200, "stamp": 5_000,
        "transfer": 100, "other": 0, "settle": 9_992_400}


def test_small_stock_buy_pays_the_minimum_commission() -> None:
    """Buying 1,000.00: 0.25 at 0.025% is below the 5.00 minimum; handling 0.03, regulatory 0.02,
    transfer 0.01, no stamp tax; settlement -1,005.01."""
    assert _fees(100_000, False, _secs(STOCK, SZ), _book(2_500, 500)) == {
        "amount": 100_000, "commission": 500, "handling": 3, "regulatory": 2, "stamp": 0, "transfer": 1,
        "other": 0, "settle": -100_501}


def test_waived_minimum_never_falls_below_the_exchange_fees() -> None:
    """With the minimum waived, 1,000.00 at 0.001% would be 0.01; the commission still covers handling
    0.03 + regulatory 0.02 = 0.05."""
    charged = _fees(100_000, False, _secs(STOCK, SH), _book(100, 0))
    assert (charged["commission"], charged["handling"], charged["regulatory"]) == (5, 3, 2)


def test_exchange_fund_pays_no_stamp_tax_or_transfer_fee() -> None:
    """An ETF sell of 50,000.00 at 0.02%: commission 10.00 with handling 2.00 (0.004%), no stamp tax."""
    assert _fees(5_000_000, True, _secs(FUND, SH), _book(2_000, 500)) == {
        "amount": 5_000_000, "commission": 1_000, "handling": 200, "regulatory": 0, "stamp": 0, "transfer": 0,
        "other": 0, "settle": 4_999_000}


def test_bond_commission_is_fixed_with_a_one_yuan_minimum() -> None:
    """Bonds: 0.02% of 2,000.00 is 0.40, raised to the 1.00 minimum; handling 0.0001% rounds to 0.00."""
    charged = _fees(200_000, False, _secs(BOND, SH), _book(2_500, 500))
    assert (charged["commission"], charged["handling"], charged["stamp"], charged["settle"]) == (100, 0, 0, -200_100)


def test_off_exchange_products_charge_a_subscription_fee_on_buys_only() -> None:
    """An equity fund buy of 10,000.00 at 0.15% costs 15.00; its redemption and wealth products are free."""
    assert _fees(1_000_000, False, _secs(FUND, OF, 15_000), _book(2_500, 500))["commission"] == 1_500
    assert _fees(1_000_000, True, _secs(FUND, OF, 15_000), _book(2_500, 500))["settle"] == 1_000_000
    assert _fees(1_000_000, False, _secs(WEALTH, OF), _book(2_500, 500))["settle"] == -1_000_000


def test_reverse_repo_charges_only_on_the_buy() -> None:
    """Lending 100,000.00 overnight costs 1.00 (0.001%); the maturity sale is free."""
    assert _fees(10_000_000, False, _secs(REPO, SH), _book(2_500, 500))["settle"] == -10_000_100
    assert _fees(10_000_000, True, _secs(REPO, SH), _book(2_500, 500))["settle"] == 10_000_000
