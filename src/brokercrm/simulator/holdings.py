"""Positions (持仓) as a sorted sparse table keyed by customer and security, and what customers pick."""
import numpy as np

from brokercrm.simulator.arrays import Columns, group_starts, group_sum, value_cents
from brokercrm.simulator.params import BOND, DORMANT, FUND, OF, REPO, SILENT, STOCK, CLOSED
from brokercrm.simulator.trading import MASK

SHIFT = 20


def empty_positions() -> Columns:
    return {"key": np.zeros(0, np.int64), "qty": np.zeros(0, np.int64), "cost": np.zeros(0, np.int64)}


def owners(positions: Columns) -> np.ndarray:
    return positions["key"] >> SHIFT


def securities_of(positions: Columns) -> np.ndarray:
    return positions["key"] & MASK


def merge(positions: Columns, cust: np.ndarray, sec: np.ndarray, qty: np.ndarray, cost: np.ndarray) -> Columns:
    """Add quantities and costs (negative to remove); rows summing to zero quantity disappear."""
    key = np.concatenate([positions["key"], (np.asarray(cust, np.int64) << SHIFT) | np.asarray(sec, np.int64)])
    quantity = np.concatenate([positions["qty"], np.asarray(qty, np.int64)])
    amount = np.concatenate([positions["cost"], np.asarray(cost, np.int64)])
    order = np.argsort(key, kind="stable")
    key, quantity, amount = key[order], quantity[order], amount[order]
    starts = group_starts(key)
    if len(starts):
        key, quantity, amount = key[starts], np.add.reduceat(quantity, starts), np.add.reduceat(amount, starts)
    keep = quantity > 0
    return {"key": key[keep], "qty": quantity[keep], "cost": amount[keep]}


def _weighted(candidates: np.ndarray, weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(weights[candidates])
    index = np.searchsorted(cumulative, u * cumulative[-1], side="right")
    return candidates[np.minimum(index, len(candidates) - 1)]


def choose_securities(rng: np.random.Generator, cust: np.ndarray, book: Columns, secs: Columns, day: int,
                      exchange_only: bool = False) -> np.ndarray:
    """What each row's customer buys: popular stocks mostly, some ETFs and bonds, and off-exchange
    funds and wealth products only up to the customer's risk level (适当性: R ≤ C)."""
    count = len(cust)
    listed = secs["listed"] <= day
    stype, market, popularity = secs["type"], secs["market"], secs["popularity"]
    u = rng.random((4, count))
    stocks = _weighted(np.flatnonzero(listed & (stype == STOCK)), popularity, u[1])
    etfs = _weighted(np.flatnonzero(listed & (stype == FUND) & (market != OF)), popularity, u[1])
    bonds = _weighted(np.flatnonzero(listed & (stype == BOND)), popularity, u[1])
    chosen = np.select([u[0] < 0.9, u[0] < 0.96], [stocks, etfs], bonds)
    if not exchange_only:
        products = np.flatnonzero(listed & (market == OF))
        products = products[np.argsort(secs["risk"][products], kind="stable")]
        allowed = np.searchsorted(secs["risk"][products], np.arange(6), side="right")
        fits = allowed[np.maximum(book["risk"][cust], 1)]
        product = products[np.minimum((u[2] * fits).astype(np.int64), len(products) - 1)]
        wants = u[3] < book["fund_taste"][cust]
        chosen = np.where(wants & (fits > 0), product, chosen)
    return chosen


def opening_positions(rng: np.random.Generator, book: Columns, secs: Columns, first_day: int) -> Columns:
    """Holdings at the start, sized from each customer's wealth; the rest of the wealth is cash."""
    holder = (book["status"] != CLOSED) & (book["archetype"] != SILENT) & (book["archetype"] != DORMANT)
    people = np.flatnonzero(holder)
    wealth = book["wealth"][people]
    invested = np.rint(wealth * rng.beta(3.0, 2.0, len(people))).astype(np.int64)
    size = np.clip(1.5 + 0.8 * np.log10(np.maximum(wealth, 1) / 1_000_000), 0.5, 9)
    count = 1 + np.minimum(rng.poisson(size), 19)
    cust = np.repeat(people, count)
    share = rng.exponential(1.0, len(cust))
    share /= np.repeat(np.add.reduceat(share, np.cumsum(count) - count), count)
    sec = choose_securities(rng, cust, book, secs, first_day - 1)
    budget = np.repeat(invested, count) * share
    lot, close = secs["lot"][sec], secs["price"][sec]
    qty = (np.floor(budget * 10 / (close * lot)) * lot).astype(np.int64)
    cost = np.rint(value_cents(qty, close) * rng.uniform(0.7, 1.4, len(cust))).astype(np.int64)
    keep = (qty > 0) & (secs["type"][sec] != REPO)
    positions = merge(empty_positions(), cust[keep], sec[keep], qty[keep], cost[keep])
    held = group_sum(owners(positions), value_cents(positions["qty"], secs["price"][securities_of(positions)]),
                     len(book["no"]))
    book["cash"] = np.where(book["status"] == CLOSED, 0, np.maximum(book["wealth"] - held, 0)).astype(np.int64)
    book["accrual"] = book["cash"] * rng.integers(0, 90, len(book["no"]))
    return positions
