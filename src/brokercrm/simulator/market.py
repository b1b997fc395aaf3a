"""Daily prices: stocks and ETFs move within the ±10% limit (limit prices rounded to 0.01), bonds
drift, off-exchange funds and wealth products publish a net value, repo is quoted at 100.000."""
import numpy as np

from brokercrm.simulator.arrays import Columns, div_half_up
from brokercrm.simulator.calendar import to_date
from brokercrm.simulator.params import BOND, FUND, OF, REPO, STOCK, WEALTH

LIMIT_PERCENT = 10
STOCK_FLOOR_CENTS = 100  # no stock falls below 1.00 (it would be delisted), so a lot always covers its fees


def move_prices(rng: np.random.Generator, secs: Columns, day: int) -> np.ndarray:
    """Set today's close, limits and dividend of every security; returns dividend per share in 0.001."""
    count = len(secs["price"])
    secs["prev"] = secs["price"].copy()
    stype, market = secs["type"], secs["market"]
    listed_today = secs["listed"] == day

    when = to_date(day)
    due = (stype == STOCK) & (secs["div_yield"] > 0) & (when.timetuple().tm_yday >= secs["div_doy"]) \
        & (secs["div_year"] < when.year) & ~listed_today
    dividend = np.where(due, np.maximum(np.rint(secs["prev"] * secs["div_yield"]), 1), 0).astype(np.int64)
    secs["div_year"] = np.where(due, when.year, secs["div_year"]).astype(np.int16)
    # Ex-dividend reference price, rounded up to the 0.01 tick.
    reference = secs["prev"] - dividend
    reference = np.where(stype == STOCK, -((-reference) // 10) * 10, reference)

    market_move = 0.011 * rng.standard_t(4) / np.sqrt(2)
    industry_move = rng.normal(0.0, 0.007, 64)
    shock = rng.standard_t(4, count) / np.sqrt(2)
    ret = secs["beta"] * market_move + np.where(secs["industry"] >= 0, industry_move[secs["industry"] % 64], 0.0) \
        + secs["vol"] * shock

    exchange = (stype == STOCK) | ((stype == FUND) & (market != OF))
    cents = reference // 10
    up_cents = div_half_up(cents * (100 + LIMIT_PERCENT), 100)
    down_cents = np.maximum(div_half_up(cents * (100 - LIMIT_PERCENT), 100), 1)
    stock_close = np.clip(np.rint(cents * (1 + ret)), down_cents, up_cents).astype(np.int64)
    stock_close = np.maximum(stock_close, np.minimum(STOCK_FLOOR_CENTS, cents)) * 10
    up_mills = div_half_up(reference * (100 + LIMIT_PERCENT), 100)
    down_mills = np.maximum(div_half_up(reference * (100 - LIMIT_PERCENT), 100), 1)
    fund_close = np.clip(np.rint(reference * (1 + ret)), down_mills, up_mills).astype(np.int64)
    bond_close = np.maximum(np.rint(reference * (1 + np.clip(ret, -0.02, 0.02))), 1).astype(np.int64)

    net_value = secs["nav"] * (1 + np.where(stype == WEALTH, 0.03 / 244, 0.0) + np.where(market == OF, ret, 0.0))
    secs["nav"] = np.where(market == OF, net_value, secs["nav"])
    product_close = np.maximum(np.rint(secs["nav"] * 1000), 1).astype(np.int64)

    close = np.select([stype == STOCK, exchange, stype == BOND, stype == REPO],
                      [stock_close, fund_close, bond_close, secs["prev"]], product_close)
    secs["price"] = close
    secs["up"] = np.where(stype == STOCK, up_cents * 10, np.where(exchange, up_mills, close + close // 50))
    secs["down"] = np.where(stype == STOCK, down_cents * 10, np.where(exchange, down_mills, close - close // 50))
    products = (market == OF) | (stype == REPO)
    secs["up"] = np.where(products, close, secs["up"])
    secs["down"] = np.where(products, close, secs["down"])
    return dividend


def trade_prices(rng: np.random.Generator, secs: Columns, sec: np.ndarray) -> np.ndarray:
    """Execution prices near the close, on the tick and inside the day's limits."""
    close = secs["price"][sec]
    tick = secs["tick"][sec]
    noise = rng.normal(0.0, 1.0, len(sec)) * secs["vol"][sec] * 0.4
    price = np.rint(close * (1 + noise) / tick).astype(np.int64) * tick
    return np.clip(price, secs["down"][sec], secs["up"][sec])
