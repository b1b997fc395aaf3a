"""Arrow tables in the exact column order of source-interface.md v1 and of the CRM import files."""
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from brokercrm.simulator import pools
from brokercrm.simulator.arrays import Columns, constant_date, dates, digits, money, pick, price
from brokercrm.simulator.params import (CHANNELS, CUSTOMER_TYPES, FLOW_TYPES, GENDERS, ID_TYPES, MARKETS,
                                        RISK_LEVELS_C, RISK_LEVELS_R, SECURITY_TYPES, STATUSES)
from brokercrm.simulator.staffing import CATEGORIES, LEVELS, RELATION_TYPES
from brokercrm.simulator.trading import Trades

_BANK_CODES = [code for code, _ in pools.BANKS]


def _enum(names: list[str], codes: np.ndarray, null_code: int | None = None) -> pa.Array:
    codes = np.asarray(codes, dtype=np.int64)
    mask = None if null_code is None else codes == null_code
    return pick(names, np.maximum(codes, 0), mask)


def customer_numbers(book: Columns, rows: np.ndarray) -> pa.Array:
    return digits(book["no"][rows], 8)


def branches_table(branches: Columns, rows: np.ndarray) -> pa.Table:
    take = pa.array(rows, type=pa.int64())
    return pa.table({
        "branch_code": branches["code"].take(take), "branch_name": branches["name"].take(take),
        "city": pick([c for c, _, _ in pools.CITIES], branches["city"][rows]),
        "opened_on": dates(branches["opened"][rows]),
    })


def customers_table(book: Columns, branches: Columns, rows: np.ndarray) -> pa.Table:
    take = pa.array(rows, type=pa.int64())
    return pa.table({
        "customer_no": customer_numbers(book, rows), "name": book["name"].take(take),
        "customer_type": _enum(CUSTOMER_TYPES, book["ctype"][rows]),
        "id_type": _enum(ID_TYPES, book["id_type"][rows]), "id_no": book["id_no"].take(take),
        "gender": _enum(GENDERS, book["gender"][rows], 0), "birth_date": dates(book["birth"][rows]),
        "mobile": book["mobile"].take(take), "email": book["email"].take(take), "address": book["address"].take(take),
        "branch_code": branches["code"].take(pa.array(book["branch"][rows].astype(np.int64))),
        "open_date": dates(book["open"][rows]), "close_date": dates(book["close"][rows]),
        "status": _enum(STATUSES, book["status"][rows]),
        "risk_level": _enum(RISK_LEVELS_C, book["risk"][rows], 0), "risk_assessed_on": dates(book["assessed"][rows]),
    })


def securities_table(secs: Columns, rows: np.ndarray) -> pa.Table:
    take = pa.array(rows, type=pa.int64())
    return pa.table({
        "market": _enum(MARKETS, secs["market"][rows]), "security_code": secs["code"].take(take),
        "security_name": secs["name"].take(take), "security_type": _enum(SECURITY_TYPES, secs["type"][rows]),
        "industry": _enum([name for name, _ in pools.INDUSTRIES], secs["industry"][rows], -1),
        "risk_level": _enum(RISK_LEVELS_R, secs["risk"][rows], 0),
    })


def _security_keys(secs: Columns, sec: np.ndarray) -> tuple[pa.Array, pa.Array]:
    return _enum(MARKETS, secs["market"][sec]), secs["code"].take(pa.array(sec, type=pa.int64()))


def serials(count: int) -> pa.Array:
    return digits(np.arange(1, count + 1), 10)


def deliveries_table(day: int, trades: Trades, charged: Columns, channel: np.ndarray, book: Columns,
                     secs: Columns) -> pa.Table:
    count = len(trades.cust)
    market, code = _security_keys(secs, trades.sec)
    return pa.table({
        "trade_date": constant_date(day, count), "serial_no": serials(count),
        "customer_no": customer_numbers(book, trades.cust), "market": market, "security_code": code,
        "side": pc.if_else(pa.array(trades.sell), "S", "B"), "quantity": pa.array(trades.quantity),
        "price": price(trades.price), "amount": money(charged["amount"]), "commission": money(charged["commission"]),
        "handling_fee": money(charged["handling"]), "regulatory_fee": money(charged["regulatory"]),
        "stamp_tax": money(charged["stamp"]), "transfer_fee": money(charged["transfer"]),
        "other_fee": money(charged["other"]), "settle_amount": money(charged["settle"]),
        "channel": _enum(CHANNELS, channel),
    })


def cash_flows_table(day: int, cust: np.ndarray, flow_type: np.ndarray, amount: np.ndarray, bank: np.ndarray,
                     book: Columns) -> pa.Table:
    count = len(cust)
    return pa.table({
        "biz_date": constant_date(day, count), "serial_no": serials(count),
        "customer_no": customer_numbers(book, cust), "flow_type": _enum(FLOW_TYPES, flow_type),
        "amount": money(amount), "bank_code": _enum(_BANK_CODES, bank, -1),
    })


def transfers_table(day: int, cust: np.ndarray, sec: np.ndarray, inward: np.ndarray, quantity: np.ndarray,
                    value: np.ndarray, book: Columns, secs: Columns) -> pa.Table:
    count = len(cust)
    market, code = _security_keys(secs, sec)
    return pa.table({
        "biz_date": constant_date(day, count), "serial_no": serials(count),
        "customer_no": customer_numbers(book, cust), "market": market, "security_code": code,
        "direction": pc.if_else(pa.array(inward, type=pa.bool_()), "in", "out"), "quantity": pa.array(quantity),
        "value": money(value),
    })


def positions_table(day: int, cust: np.ndarray, sec: np.ndarray, quantity: np.ndarray, cost: np.ndarray,
                    close: np.ndarray, value: np.ndarray, book: Columns, secs: Columns) -> pa.Table:
    count = len(cust)
    market, code = _security_keys(secs, sec)
    return pa.table({
        "biz_date": constant_date(day, count), "customer_no": customer_numbers(book, cust), "market": market,
        "security_code": code, "quantity": pa.array(quantity), "cost_amount": money(cost),
        "close_price": price(close), "market_value": money(value),
    })


def assets_table(day: int, cust: np.ndarray, cash: np.ndarray, value: np.ndarray, book: Columns) -> pa.Table:
    count = len(cust)
    return pa.table({
        "biz_date": constant_date(day, count), "customer_no": customer_numbers(book, cust),
        "cash_balance": money(cash), "market_value": money(value), "total_assets": money(cash + value),
    })


def staff_table(staff: Columns, branches: Columns, width: int) -> pa.Table:
    team = np.asarray(staff["team"], dtype=np.int64)
    return pa.table({
        "staff_no": digits(staff["no"], width, "S"), "name": staff["name"],
        "category": _enum(CATEGORIES, staff["category"]), "level": _enum(LEVELS, staff["level"], -1),
        "branch_code": branches["code"].take(pa.array(staff["branch"].astype(np.int64))),
        "team": pc.if_else(pa.array(team < 0), pa.scalar(None, pa.string()), digits(team + 1, 2, "T")),
        "hire_date": dates(staff["hire"]), "leave_date": dates(staff["leave"]),
    })


def relations_table(relations: Columns, book: Columns, staff: Columns, width: int) -> pa.Table:
    order = np.lexsort((staff["no"][relations["staff"]], relations["start"], relations["type"], book["no"][relations["cust"]]))
    rel = {name: column[order] for name, column in relations.items()}
    return pa.table({
        "customer_no": customer_numbers(book, rel["cust"]),
        "staff_no": digits(staff["no"][rel["staff"]], width, "S"),
        "relation_type": _enum(RELATION_TYPES, rel["type"]),
        "start_date": dates(rel["start"]), "end_date": dates(rel["end"]),
    })
