"""Trades (交割单): fee rules, and sizing buys so that cash never goes negative."""
from dataclasses import dataclass

import numpy as np

from brokercrm.simulator.arrays import Columns, cumsum_within, scaled, value_cents
from brokercrm.simulator.params import BOND, FUND, OF, REPO, STOCK

MASK = (1 << 20) - 1  # position key = customer index << 20 | security index

# Fee rates in units of 1e-7 of the amount (see docs/simulator.md, "Fees").
STAMP_TAX_E7 = 5_000  # 0.05%, stock sells only
TRANSFER_FEE_E7 = 100  # 0.001%, stocks
STOCK_HANDLING_E7 = 341  # 0.00341%
REGULATORY_E7 = 200  # 0.002%, stocks
ETF_HANDLING_E7 = 400  # 0.004%, exchange funds
BOND_HANDLING_E7 = 10  # 0.0001%
BOND_COMMISSION_E7 = 2_000  # 0.02%, minimum 1.00
BOND_MINIMUM = 100
REPO_COMMISSION_E7 = 100  # 0.001% of the amount lent overnight, charged on the buy


@dataclass
class Trades:
    """Deliveries of one day as parallel arrays (cust = customer index, sec = security index)."""

    cust: np.ndarray
    sec: np.ndarray
    sell: np.ndarray
    quantity: np.ndarray
    price: np.ndarray

    @staticmethod
    def concat(parts: list["Trades"]) -> "Trades":
        return Trades(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("cust", "sec", "sell", "quantity", "price")))


def fees(amount: np.ndarray, sell: np.ndarray, sec: np.ndarray, cust: np.ndarray, secs: Columns, book: Columns) -> Columns:
    """Every fee of each trade, rounded half-up to 0.01 per trade, and the signed settlement."""
    stype, market = secs["type"][sec], secs["market"][sec]
    stock = stype == STOCK
    exchange_fund = (stype == FUND) & (market != OF)
    bond = stype == BOND
    product = market == OF
    handling = np.where(stock, scaled(amount, STOCK_HANDLING_E7),
                        np.where(exchange_fund, scaled(amount, ETF_HANDLING_E7),
                                 np.where(bond, scaled(amount, BOND_HANDLING_E7), 0)))
    regulatory = np.where(stock, scaled(amount, REGULATORY_E7), 0)
    transfer = np.where(stock, scaled(amount, TRANSFER_FEE_E7), 0)
    stamp = np.where(stock & sell, scaled(amount, STAMP_TAX_E7), 0)
    negotiated = np.maximum(scaled(amount, book["rate_e7"][cust]), book["min_comm"][cust])
    brokerage = np.select(
        [stock | exchange_fund, bond, (stype == REPO) & ~sell, product & ~sell],
        [negotiated, np.maximum(scaled(amount, BOND_COMMISSION_E7), BOND_MINIMUM),
         scaled(amount, REPO_COMMISSION_E7), scaled(amount, secs["fee_e7"][sec])], 0)
    # The broker passes the exchange's and regulator's fees on inside its commission, never below them.
    commission = np.maximum(brokerage, handling + regulatory)
    other = np.zeros(len(amount), np.int64)
    charges = commission + stamp + transfer + other
    settle = np.where(sell, amount - charges, -(amount + charges))
    return {"amount": amount, "commission": commission, "handling": handling, "regulatory": regulatory,
            "stamp": stamp, "transfer": transfer, "other": other, "settle": settle}


def affordable_buys(cust: np.ndarray, sec: np.ndarray, budget: np.ndarray,
                    price: np.ndarray, secs: Columns, book: Columns, cash: np.ndarray) -> tuple[Trades, Columns]:
    """Buys sized to their budget in whole lots, then cut so each customer's total cost fits their cash.

    Rows must be grouped by customer (ascending)."""
    lot = secs["lot"][sec]
    headroom = np.maximum(budget - book["min_comm"][cust] - BOND_MINIMUM, 0)
    lots = (headroom * 10 * 10_000) // (price * lot * 10_035)  # 0.35% covers commission and transfer fee
    quantity = lots * lot
    keep = quantity > 0
    cust, sec, quantity, price = cust[keep], sec[keep], quantity[keep], price[keep]
    sell = np.zeros(len(cust), dtype=bool)
    charged = fees(value_cents(quantity, price), sell, sec, cust, secs, book)
    fits = cumsum_within(cust, -charged["settle"]) <= cash[cust]
    trades = Trades(cust[fits], sec[fits], sell[fits], quantity[fits], price[fits])
    return trades, {name: column[fits] for name, column in charged.items()}
