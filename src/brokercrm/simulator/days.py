"""The brokerage day by day: accounts, cash flows, trades, transfers, positions and assets."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from brokercrm.simulator import tables
from brokercrm.simulator.arrays import concat, digits, div_half_up, group_sum, value_cents
from brokercrm.simulator.book import MOBILE_PREFIXES, new_accounts, opening_book
from brokercrm.simulator.calendar import next_trading_day, to_date, trading_days_before
from brokercrm.simulator.holdings import choose_securities, merge, opening_positions, owners, securities_of
from brokercrm.simulator.market import move_prices, trade_prices
from brokercrm.simulator.params import (ACTIVE, BANK_IN, BANK_OUT, CLOSED, DAYTRADER, DIVIDEND, FEE, FROZEN,
                                        HOLDER, INTEREST, NORMAL, OF, OTHER, REGULAR, REPO, SH, SZ, STOCK,
                                        TRADING_DAYS_PER_YEAR, WEALTH, WorldParams)
from brokercrm.simulator.staffing import build_staff, opening_relations, relations_step, staff_number_width
from brokercrm.simulator.trading import Trades, affordable_buys, fees
from brokercrm.simulator.world import (build_branches, build_securities, stock_columns, wealth_columns,
                                       with_market_state)

PER_DAY = 1.0 / TRADING_DAYS_PER_YEAR
ADVISORY_FEES = np.array([9_900, 19_900, 39_900, 99_900])  # cents a quarter, 投顾服务费


class Flows:
    """Cash flow rows collected during a day, in order."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []

    def add(self, cust: np.ndarray, flow_type: int, amount: np.ndarray, bank: np.ndarray | None = None) -> np.ndarray:
        keep = amount != 0
        cust, amount = cust[keep], amount[keep]
        bank = np.full(len(cust), -1, np.int64) if bank is None else bank[keep]
        self.parts.append((cust, flow_type, amount, bank))
        return cust, amount

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self.parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, empty
        return (np.concatenate([p[0] for p in self.parts]),
                np.concatenate([np.full(len(p[0]), p[1], np.int64) for p in self.parts]),
                np.concatenate([p[2] for p in self.parts]), np.concatenate([p[3] for p in self.parts]))


def _unit(wealth: np.ndarray) -> np.ndarray:
    """Bank transfers are round sums: whole hundreds of yuan for most, whole yuan for the smallest."""
    return np.where(wealth >= 1_000_000, 10_000, 100)


def _round_to(amount: np.ndarray, unit: np.ndarray) -> np.ndarray:
    return np.maximum(unit, np.rint(amount / unit).astype(np.int64) * unit)


class Brokerage:
    """The simulated trading system's state; `step(day)` advances it one trading day."""

    def __init__(self, **state) -> None:
        self.__dict__.update(state)

    @classmethod
    def create(cls, *, seed: int, first_day: int, customers: int, staff: int, branches: int,
               params: WorldParams) -> "Brokerage":
        rng = np.random.default_rng([seed, 0])
        branch_cols = build_branches(rng, branches, first_day)
        secs = build_securities(rng, params, first_day)
        book = opening_book(rng, customers, branch_cols, first_day, params)
        positions = opening_positions(rng, book, secs, first_day)
        held = group_sum(owners(positions), value_cents(positions["qty"], secs["price"][securities_of(positions)]),
                         len(book["no"]))
        book["total"] = book["cash"] + held
        staff_cols, teams = build_staff(rng, staff, branch_cols, first_day, params)
        relations = opening_relations(rng, book, staff_cols, first_day, params)
        return cls(seed=seed, params=params, first_day=first_day, prev_day=int(trading_days_before(first_day, 1)[0]),
                   opening_customers=customers, staff_width=staff_number_width(staff), branches=branch_cols,
                   secs=secs, book=book, positions=positions, staff=staff_cols, teams=teams, relations=relations)

    # -- one day ---------------------------------------------------------------------------------

    def step(self, day: int) -> dict[str, pa.Table]:
        params, first = self.params, day == self.first_day
        rng = np.random.default_rng([self.seed, 1, day])
        new_secs = np.zeros(0, np.int64) if first else self._list_securities(rng, day)
        dividend = move_prices(rng, self.secs, day)
        secs = self.secs

        before = len(self.book["no"])
        if not first:
            opened = rng.poisson(params.new_accounts_per_year * self.opening_customers * PER_DAY)
            if opened:
                self.book = concat(self.book, {**new_accounts(rng, opened, int(self.book["no"][-1]) + 1,
                                                              self.branches, day, params), "total": np.zeros(opened, np.int64)})
        book = self.book
        count = len(book["no"])
        new = np.arange(before, count)
        is_new = np.zeros(count, dtype=bool)
        is_new[new] = True

        status, archetype, wealth, total_before = book["status"], book["archetype"], book["wealth"], book["total"]
        is_open = (book["open"] <= day) & (status != CLOSED)
        normal = is_open & (status == NORMAL) & ~is_new
        u = rng.random((12, count))
        closing = normal & (u[0] < params.closings_per_year * PER_DAY * np.where(total_before < 100_000, 3.0, 0.6))
        freeze = normal & ~closing & (u[1] < params.freezes_per_year * PER_DAY)
        unfreeze = is_open & (status == FROZEN) & (u[1] < params.unfreeze_per_day)
        moved = normal & ~closing & (u[2] < params.branch_changes_per_year * PER_DAY) & (len(self.branches["code"]) > 1)
        questionnaire_age = day - book["assessed"]
        renew = is_open & ~closing & ~is_new & (
            ((book["risk"] > 0) & ~book["lapser"] & (questionnaire_age > 2 * 365 - 30) & (u[3] < 0.05))
            | (u[3] < 0.3 * PER_DAY))
        contact = normal & ~closing & (u[4] < params.contact_changes_per_year * PER_DAY)
        engaged = normal & (archetype >= HOLDER) & ~closing
        traders = engaged & (u[5] < book["trade_p"])

        cash = book["cash"].copy()
        flows = Flows()

        def credit(cust: np.ndarray, flow_type: int, amount: np.ndarray, bank: np.ndarray | None = None) -> None:
            cust, amount = flows.add(cust, flow_type, amount, bank)
            np.add.at(cash, cust, amount)

        # Money in from the bank: new accounts fund their account, others top up when low.
        base = np.select([archetype == HOLDER, archetype == REGULAR, archetype == ACTIVE, archetype == DAYTRADER],
                         [0.01, 0.03, 0.05, 0.06], 0.0)
        low = total_before < wealth // 2
        rows = np.flatnonzero((engaged & (u[6] < base * np.where(low, 3.0, 1.0))) | (is_new & (u[6] < 0.75)))
        size = np.where(is_new[rows], wealth[rows] * rng.uniform(0.3, 1.0, len(rows)),
                        wealth[rows] * rng.lognormal(-1.8, 0.8, len(rows)))
        credit(rows, BANK_IN, _round_to(size, _unit(wealth[rows])), book["bank"][rows].astype(np.int64))

        positions = self.positions
        holder, held_sec, held_qty = owners(positions), securities_of(positions), positions["qty"]
        rows = np.flatnonzero(dividend[held_sec] > 0)
        credit(holder[rows], DIVIDEND, value_cents(held_qty[rows], dividend[held_sec[rows]]))

        payable = is_open if self._interest_day(day) else closing
        interest = div_half_up(book["accrual"] * params.cash_interest_rate_e7, 10_000_000 * 360)
        rows = np.flatnonzero(payable)
        credit(rows, INTEREST, interest[rows])
        book["accrual"][rows] = 0

        # Overnight repo bought yesterday matures: sold back at 100.000 with interest.
        stype, market = secs["type"][held_sec], secs["market"][held_sec]
        matured = np.flatnonzero(stype == REPO)
        repo_rate = int(params.repo_rate_e7 * rng.uniform(0.7, 1.5))
        lent = value_cents(held_qty[matured], secs["price"][held_sec[matured]])
        credit(holder[matured], INTEREST, div_half_up(lent * repo_rate * (day - self.prev_day), 10_000_000 * 365))

        # Sells: traders sell some holdings; closing accounts sell or transfer out everything.
        r = rng.random((4, len(held_qty)))
        lot = secs["lot"][held_sec]
        ordinary = stype != REPO
        transferable = ordinary & (market != OF)
        closing_rows = closing[holder] & ordinary
        closed_out = closing_rows & transferable & (r[0] < 0.3)
        sell_prob = np.where(archetype[holder] == DAYTRADER, 0.5, 0.25)
        trader_sells = traders[holder] & ordinary & (r[1] < sell_prob)
        lots_held = held_qty // lot
        partial = trader_sells & (r[2] >= 0.6) & (lots_held >= 2)
        sell_qty = np.where(partial, (1 + np.floor(r[3] * (lots_held - 1)).astype(np.int64)) * lot, held_qty)
        sold = np.flatnonzero(trader_sells | (closing_rows & ~closed_out))
        moved_out = closed_out | (engaged[holder] & ~traders[holder] & transferable
                                  & (r[0] > 1 - params.security_transfers_out_per_year * PER_DAY))
        sell_rows = np.concatenate([sold, matured])
        sells = Trades(holder[sell_rows], held_sec[sell_rows], np.ones(len(sell_rows), dtype=bool),
                       sell_qty[sell_rows], trade_prices(rng, secs, held_sec[sell_rows]))
        sell_fees = fees(value_cents(sells.quantity, sells.price), sells.sell, sells.sec, sells.cust, secs, book)
        np.add.at(cash, sells.cust, sell_fees["settle"])

        # Buys: spend part of the cash over one or more orders, whole lots, fees included.
        sellers = np.zeros(count, dtype=bool)
        sellers[sells.cust] = True
        buyers = np.flatnonzero(traders & (cash >= 100_000))
        extra = np.select([archetype[buyers] == DAYTRADER, archetype[buyers] == ACTIVE], [1.5, 0.4], 0.05)
        orders = np.where(sellers[buyers], rng.random(len(buyers)) < 0.6, 1) + rng.poisson(extra)
        cust = np.repeat(buyers, orders)
        share = rng.exponential(1.0, len(cust))
        starts = np.cumsum(orders) - orders
        totals = np.add.reduceat(share, starts[orders > 0]) if len(cust) else np.zeros(0)
        share /= np.repeat(totals, orders[orders > 0])
        spend = np.repeat(cash[buyers] * rng.uniform(0.25, 0.95, len(buyers)), orders)
        sec = choose_securities(rng, cust, book, secs, day)
        # A third of the orders add to something already held (repo excepted).
        if len(held_sec):
            first_held = np.searchsorted(holder, cust)
            held_count = np.searchsorted(holder, cust, side="right") - first_held
            pick = np.minimum(first_held + np.floor(rng.random(len(cust)) * held_count).astype(np.int64), len(held_sec) - 1)
            again = (held_count > 0) & (rng.random(len(cust)) < 0.35) & (stype[pick] != REPO)
            sec = np.where(again, held_sec[pick], sec)
        buys, buy_fees = affordable_buys(cust, sec, np.floor(spend * share).astype(np.int64),
                                         trade_prices(rng, secs, sec), secs, book, cash)
        np.add.at(cash, buys.cust, buy_fees["settle"])

        # Idle cash of some customers goes into overnight reverse repo.
        repo_buyers = np.flatnonzero(engaged & book["repo_user"] & (u[7] < 0.5) & (cash >= 1_000_000))
        on_sh = cash[repo_buyers] >= 25_000_000
        repo_sec = np.where(on_sh, self._repo_index(SH), self._repo_index(SZ))
        repo_lot = secs["lot"][repo_sec]
        repo_qty = (cash[repo_buyers] * 9 // 10) // (repo_lot * 10_000) * repo_lot
        keep = repo_qty > 0
        repo = Trades(repo_buyers[keep], repo_sec[keep], np.zeros(int(keep.sum()), dtype=bool), repo_qty[keep],
                      secs["price"][repo_sec[keep]])
        repo_fees = fees(value_cents(repo.quantity, repo.price), repo.sell, repo.sec, repo.cust, secs, book)
        np.add.at(cash, repo.cust, repo_fees["settle"])

        # Securities moved in from another broker (转托管转入).
        incoming = np.flatnonzero(engaged & (u[8] < params.security_transfers_in_per_year * PER_DAY))
        in_sec = choose_securities(rng, incoming, book, secs, day, exchange_only=True)
        in_lot, in_close = secs["lot"][in_sec], secs["price"][in_sec]
        in_qty = np.maximum(1, (wealth[incoming] * rng.uniform(0.05, 0.3, len(incoming)) * 10)
                            // (in_close * in_lot)).astype(np.int64) * in_lot

        # Advisory fees, small adjustments, then money out to the bank; closing accounts take everything.
        rows = np.flatnonzero(engaged & (u[9] < params.advisory_fee_per_year * PER_DAY) & (wealth > 10_000_000))
        charge = ADVISORY_FEES[rng.integers(0, len(ADVISORY_FEES), len(rows))]
        rows, charge = rows[cash[rows] >= charge], charge[cash[rows] >= charge]
        credit(rows, FEE, -charge)
        rows = np.flatnonzero(engaged & (u[10] < 0.01 * PER_DAY))
        credit(rows, OTHER, -np.minimum(np.rint(rng.uniform(1, 50, len(rows)) * 100).astype(np.int64), cash[rows]))
        high = total_before > wealth * 1.8
        rows = np.flatnonzero(engaged & (u[11] < base * 0.9 * np.where(high, 3.0, 1.0)))
        unit = _unit(wealth[rows])
        wanted = _round_to(wealth[rows] * rng.lognormal(-1.8, 0.8, len(rows)), unit)
        credit(rows, BANK_OUT, -np.minimum(wanted, cash[rows] // unit * unit), book["bank"][rows].astype(np.int64))
        rows = np.flatnonzero(closing)
        credit(rows, BANK_OUT, -cash[rows], book["bank"][rows].astype(np.int64))
        if (cash < 0).any():
            raise AssertionError("simulator bug: negative cash")

        # Positions at the close.
        remaining = held_qty.copy()
        remaining[sell_rows] -= sells.quantity
        remaining[moved_out] = 0
        cost = np.rint(positions["cost"] * (remaining / np.maximum(held_qty, 1))).astype(np.int64)
        out_rows = np.flatnonzero(moved_out)
        out_cust, out_sec, out_qty = holder[out_rows], held_sec[out_rows], held_qty[out_rows]
        out_value = value_cents(out_qty, secs["price"][out_sec])
        in_value = value_cents(in_qty, in_close)
        self.positions = merge({"key": positions["key"], "qty": remaining, "cost": cost},
                               np.concatenate([buys.cust, repo.cust, incoming]),
                               np.concatenate([buys.sec, repo.sec, in_sec]),
                               np.concatenate([buys.quantity, repo.quantity, in_qty]),
                               np.concatenate([-buy_fees["settle"], -repo_fees["settle"], in_value]))
        positions = self.positions
        holder, held_sec = owners(positions), securities_of(positions)
        close = secs["price"][held_sec]
        value = value_cents(positions["qty"], close)
        market_value = group_sum(holder, value, count)

        # Assets for every account open today (closing ones included, at zero), then the account changes.
        listed = np.flatnonzero(is_open)
        book["cash"] = cash
        book["total"] = np.where(is_open, cash + market_value, 0)
        following = next_trading_day(day)
        book["accrual"] += np.where(is_open & ~closing, cash, 0) * ((following or day + 1) - day)
        self._apply_changes(rng, day, closing, freeze, unfreeze, moved, renew, contact)
        changed = np.arange(count) if first else np.flatnonzero(is_new | closing | freeze | unfreeze | moved | renew | contact)

        self.staff, self.relations = relations_step(
            rng, day, book, self.staff, self.teams, self.branches, self.relations, new, np.flatnonzero(closing),
            np.flatnonzero(moved), params)
        self.prev_day = day

        trades = Trades.concat([sells, buys, repo])
        charged = {name: np.concatenate([sell_fees[name], buy_fees[name], repo_fees[name]]) for name in sell_fees}
        channel = np.where(rng.random(len(trades.cust)) < 0.8, book["channel"][trades.cust],
                           rng.integers(0, 4, len(trades.cust)))
        flow_cust, flow_type, flow_amount, flow_bank = flows.columns()
        transfers = tables.transfers_table(
            day, np.concatenate([incoming, out_cust]), np.concatenate([in_sec, out_sec]),
            np.r_[np.ones(len(incoming), dtype=bool), np.zeros(len(out_cust), dtype=bool)],
            np.concatenate([in_qty, out_qty]), np.concatenate([in_value, out_value]), book, secs)
        return {
            "branches.csv": tables.branches_table(self.branches, np.arange(len(self.branches["code"])) if first
                                                  else np.zeros(0, np.int64)),
            "customers.csv": tables.customers_table(book, self.branches, changed),
            "securities.csv": tables.securities_table(secs, np.arange(len(secs["price"])) if first else new_secs),
            "deliveries.csv": tables.deliveries_table(day, trades, charged, channel, book, secs),
            "cash_flows.csv": tables.cash_flows_table(day, flow_cust, flow_type, flow_amount, flow_bank, book),
            "security_transfers.csv": transfers,
            "positions.csv": tables.positions_table(day, holder, held_sec, positions["qty"], positions["cost"], close,
                                                    value, book, secs),
            "assets.csv": tables.assets_table(day, listed, cash[listed], market_value[listed], book),
        }

    # -- helpers ---------------------------------------------------------------------------------

    def _interest_day(self, day: int) -> bool:
        """Interest on cash is paid quarterly, on the first trading day on or after the 21st of
        March, June, September and December (结息日)."""
        today, before = to_date(day), to_date(self.prev_day)
        return today.month in (3, 6, 9, 12) and today.day >= 21 and (before.month != today.month or before.day < 21)

    def _repo_index(self, market: int) -> int:
        return int(np.flatnonzero((self.secs["type"] == REPO) & (self.secs["market"] == market))[0])

    def _list_securities(self, rng: np.random.Generator, day: int) -> np.ndarray:
        """New stocks (IPOs) and new wealth products listed today; returns their indexes."""
        secs, params = self.secs, self.params
        before = len(secs["price"])
        stocks = rng.poisson(params.new_listings_per_year * PER_DAY)
        products = rng.poisson(params.new_wealth_products_per_year * PER_DAY)
        parts = []
        if stocks:
            is_stock = secs["type"] == STOCK
            taken = set(np.asarray(secs["code"].filter(pa.array(is_stock)).to_numpy(zero_copy_only=False), dtype=np.int64).tolist())
            parts.append(stock_columns(rng, stocks, np.full(stocks, day), taken))
        if products:
            existing = int((secs["type"] == WEALTH).sum())
            parts.append(wealth_columns(rng, products, np.full(products, day), existing + 1))
        for part in parts:
            self.secs = concat(self.secs, with_market_state(part))
        return np.arange(before, len(self.secs["price"]))

    def _apply_changes(self, rng: np.random.Generator, day: int, closing: np.ndarray, freeze: np.ndarray,
                       unfreeze: np.ndarray, moved: np.ndarray, renew: np.ndarray, contact: np.ndarray) -> None:
        book = self.book
        book["status"] = np.select([closing, freeze, unfreeze], [CLOSED, FROZEN, NORMAL], book["status"]).astype(np.int8)
        book["close"] = np.where(closing, day, book["close"]).astype(np.int32)
        branch_count = len(self.branches["code"])
        if branch_count > 1:
            shift = 1 + rng.integers(0, branch_count - 1, len(book["branch"]))
            book["branch"] = np.where(moved, (book["branch"] + shift) % branch_count, book["branch"]).astype(np.int16)
        step = rng.choice([-1, 0, 0, 0, 1], size=len(book["risk"]))
        renewed = np.clip(np.where(book["risk"] > 0, book["risk"] + step, 3), 1, 5)
        book["risk"] = np.where(renew, renewed, book["risk"]).astype(np.int8)
        book["assessed"] = np.where(renew, day, book["assessed"]).astype(np.int32)
        rows = np.flatnonzero(contact)
        if len(rows):
            number = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), len(rows))] * 10**8 + rng.integers(0, 10**8, len(rows))
            book["mobile"] = pc.replace_with_mask(book["mobile"], pa.array(contact), digits(number, 11))
