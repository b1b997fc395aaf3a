"""Tiny but valid interface-v1 deliveries for tests, computed by hand-checkable Decimal rules.

Three trading days (2026-03-02, 03-03, 03-04), four customers (one opening on day 2, one closing
on day 3), stock, fund and bond trades with the real fee rules, cash flows and a transfer. Every
invariant holds. Tests break one thing with `edit`, `set_line` or `write_file`, then
`refresh_manifest` so only the rule under test fails.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DAYS = (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))
COLUMNS = {
    "branches": ["branch_code", "branch_name", "city", "opened_on"],
    "customers": ["customer_no", "name", "customer_type", "id_type", "id_no", "gender", "birth_date", "mobile",
                  "email", "address", "branch_code", "open_date", "close_date", "status", "risk_level",
                  "risk_assessed_on"],
    "securities": ["market", "security_code", "security_name", "security_type", "industry", "risk_level"],
    "deliveries": ["trade_date", "serial_no", "customer_no", "market", "security_code", "side", "quantity", "price",
                   "amount", "commission", "handling_fee", "regulatory_fee", "stamp_tax", "transfer_fee",
                   "other_fee", "settle_amount", "channel"],
    "cash_flows": ["biz_date", "serial_no", "customer_no", "flow_type", "amount", "bank_code"],
    "security_transfers": ["biz_date", "serial_no", "customer_no", "market", "security_code", "direction",
                           "quantity", "value"],
    "positions": ["biz_date", "customer_no", "market", "security_code", "quantity", "cost_amount", "close_price",
                  "market_value"],
    "assets": ["biz_date", "customer_no", "cash_balance", "market_value", "total_assets"],
}
FILES = {table: f"{table}.csv" for table in COLUMNS}
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


BRANCHES = [
    ["0101", "上海浦东新区营业部", "上海", "2010-01-04"],
    ["0201", "北京金融街营业部", "北京", "2012-06-01"],
]
CUSTOMERS = [
    ["10000001", "张三", "individual", "id_card", "310101199001011234", "M", "1990-01-01", "13800000001",
     "zs@example.com", "上海市浦东新区, 世纪大道100号", "0101", "2020-01-02", "", "normal", "C4", "2025-06-30"],
    ["10000002", "北京某投资有限公司", "institution", "business_license", "91110000MA00000000", "", "", "",
     "", "", "0201", "2021-03-01", "", "normal", "C5", "2025-01-06"],
    ["10000003", "李四", "individual", "id_card", "110101198505055678", "F", "1985-05-05", "13900000003",
     "", "", "0101", "2022-07-01", "", "normal", "", ""],
]
NEW_CUSTOMER = ["10000004", "王五", "individual", "passport", "E12345678", "M", "1999-09-09", "13700000004",
                "", "", "0201", "2026-03-03", "", "normal", "C3", "2026-03-03"]
SECURITIES = [
    ["SH", "600519", "贵州茅台", "stock", "食品饮料", "R4"],
    ["SZ", "000001", "平安银行", "stock", "银行", "R4"],
    ["SH", "510300", "沪深300ETF", "fund", "", "R3"],
    ["SH", "019547", "23国债14", "bond", "", "R1"],
]
TYPES = {(m, c): t for m, c, _, t, _, _ in SECURITIES}
CLOSE = {  # close prices per day
    ("SH", "600519"): ["1500.000", "1510.500", "1498.880"],
    ("SZ", "000001"): ["11.230", "11.350", "11.100"],
    ("SH", "510300"): ["4.123", "4.150", "4.111"],
    ("SH", "019547"): ["100.105", "100.110", "100.120"],
}
OPENING_CASH = {"10000001": Decimal("200000.00"), "10000002": Decimal("500000.00"), "10000003": Decimal("2500.00")}
OPENING_POSITIONS = {("10000001", "SH", "600519"): 100, ("10000002", "SZ", "000001"): 20000}
RATE = {"10000001": Decimal("0.00025"), "10000002": Decimal("0.0001"), "10000004": Decimal("0.0003")}
# Trades: day index, customer, market, code, side, quantity, price, channel.
TRADES = [
    (0, "10000001", "SH", "510300", "B", 1000, "4.120", "app"),
    (1, "10000001", "SH", "600519", "B", 100, "1505.500", "app"),
    (1, "10000002", "SZ", "000001", "S", 5000, "11.235", "counter"),
    (1, "10000004", "SH", "510300", "B", 2000, "4.145", "web"),
    (2, "10000001", "SH", "019547", "B", 100, "100.115", "phone"),
    (2, "10000002", "SZ", "000001", "S", 15000, "11.105", "counter"),
    (2, "10000001", "SH", "510300", "S", 500, "4.112", "app"),
]
# Cash flows: day index, customer, type, amount, bank.
FLOWS = [
    (1, "10000001", "bank_in", "50000.00", "ICBC"),
    (1, "10000004", "bank_in", "20000.00", "CMB"),
    (2, "10000001", "dividend", "1234.56", ""),
    (2, "10000003", "bank_out", "-2500.00", "ICBC"),
    (2, "10000002", "fee", "-10.00", ""),
]
TRANSFERS = [(2, "10000002", "SH", "600519", "in", 200)]
CLOSINGS = {"10000003": 2}  # customer -> day index of close_date


def fees(side: str, security_type: str, amount: Decimal, rate: Decimal) -> dict[str, Decimal]:
    """The interface's fee rules (stocks exactly; other types pay the exchange fees, no stamp tax)."""
    handling = money(amount * Decimal("0.0000341"))
    regulatory = money(amount * Decimal("0.00002"))
    transfer = money(amount * Decimal("0.00001")) if security_type == "stock" else Decimal("0.00")
    stamp = money(amount * Decimal("0.0005")) if security_type == "stock" and side == "S" else Decimal("0.00")
    commission = max(money(amount * rate), Decimal("5.00"))
    return {"commission": commission, "handling_fee": handling, "regulatory_fee": regulatory,
            "stamp_tax": stamp, "transfer_fee": transfer, "other_fee": Decimal("0.00")}


def build_tables() -> dict[date, dict[str, list[list[str]]]]:
    """Every row of every file of every day, as strings, with the invariants holding."""
    cash = dict(OPENING_CASH)
    positions = dict(OPENING_POSITIONS)
    customers = {row[0]: list(row) for row in CUSTOMERS}
    out: dict[date, dict[str, list[list[str]]]] = {}
    for index, day in enumerate(DAYS):
        iso = day.isoformat()
        tables: dict[str, list[list[str]]] = {t: [] for t in COLUMNS}
        if index == 0:
            tables["branches"] = [list(r) for r in BRANCHES]
            tables["customers"] = [list(r) for r in CUSTOMERS]
            tables["securities"] = [list(r) for r in SECURITIES]
        if index == 1:
            customers[NEW_CUSTOMER[0]] = list(NEW_CUSTOMER)
            tables["customers"].append(list(NEW_CUSTOMER))
            cash[NEW_CUSTOMER[0]] = Decimal("0.00")
            tables["customers"].append(customers["10000002"][:10] + ["0101"] + customers["10000002"][11:])
            customers["10000002"] = tables["customers"][-1]
        for no, close_index in CLOSINGS.items():
            if close_index == index:
                row = customers[no][:12] + [iso, "closed"] + customers[no][14:]
                customers[no] = row
                tables["customers"].append(row)
        for serial, (d, no, market, code, side, qty, price, channel) in enumerate(TRADES, start=1):
            if d != index:
                continue
            amount = money(qty * Decimal(price))
            f = fees(side, TYPES[(market, code)], amount, RATE.get(no, Decimal("0.0003")))
            costs = f["commission"] + f["stamp_tax"] + f["transfer_fee"] + f["other_fee"]
            settle = -(amount + costs) if side == "B" else amount - costs
            cash[no] += settle
            key = (no, market, code)
            positions[key] = positions.get(key, 0) + (qty if side == "B" else -qty)
            tables["deliveries"].append([
                iso, f"T{serial:05d}", no, market, code, side, str(qty), price, str(amount),
                *(str(f[k]) for k in ("commission", "handling_fee", "regulatory_fee", "stamp_tax", "transfer_fee",
                                      "other_fee")),
                str(settle), channel])
        for serial, (d, no, kind, amount, bank) in enumerate(FLOWS, start=1):
            if d == index:
                cash[no] += Decimal(amount)
                tables["cash_flows"].append([iso, f"F{serial:05d}", no, kind, amount, bank])
        for serial, (d, no, market, code, direction, qty) in enumerate(TRANSFERS, start=1):
            if d == index:
                key = (no, market, code)
                positions[key] = positions.get(key, 0) + (qty if direction == "in" else -qty)
                value = money(qty * Decimal(CLOSE[(market, code)][index]))
                tables["security_transfers"].append([iso, f"X{serial:05d}", no, market, code, direction, str(qty), str(value)])
        values: dict[str, Decimal] = {}
        for (no, market, code), qty in sorted(positions.items()):
            if qty == 0:
                continue
            price = Decimal(CLOSE[(market, code)][index])
            value = money(qty * price)
            values[no] = values.get(no, Decimal("0.00")) + value
            tables["positions"].append([iso, no, market, code, str(qty), str(money(qty * price * Decimal("0.9"))),
                                        CLOSE[(market, code)][index], str(value)])
        for no, row in sorted(customers.items()):
            if row[11] <= iso and (not row[12] or row[12] >= iso):
                mv = values.get(no, Decimal("0.00"))
                tables["assets"].append([iso, no, str(cash[no]), str(mv), str(cash[no] + mv)])
        positions = {k: v for k, v in positions.items() if v}
        out[day] = tables
    return out


def csv_text(header: list[str] | None, rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_manifest(day_dir: Path, business_date: str, *, manifest: str = "manifest.json", interface: str = "v1") -> None:
    """A manifest consistent with the folder's files as they are now."""
    files = {}
    for path in sorted(day_dir.iterdir()):
        if path.is_file() and path.name != manifest:
            data = path.read_bytes()
            files[path.name] = {"rows": max(data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1) - 1, 0),
                                "sha256": hashlib.sha256(data).hexdigest()}
    (day_dir / manifest).write_text(
        json.dumps({"interface": interface, "business_date": business_date, "files": files}, indent=1), encoding="utf-8")


@dataclass
class Delivery:
    """A written delivery and the hooks to break it."""

    root: Path
    days: tuple[date, ...] = DAYS
    tables: dict = field(default_factory=dict)

    def day_dir(self, day: int) -> Path:
        return self.root / self.days[day].isoformat()

    def path(self, day: int, table: str) -> Path:
        return self.day_dir(day) / FILES[table]

    def rel(self, day: int, table: str) -> str:
        return f"{self.days[day].isoformat()}/{FILES[table]}"

    def lines(self, day: int, table: str) -> list[str]:
        return self.path(day, table).read_text(encoding="utf-8").split("\n")

    def set_line(self, day: int, table: str, line: int, text: str, *, refresh: bool = True) -> None:
        """Replace physical line `line` (1 = header) of a file by `text`."""
        lines = self.lines(day, table)
        lines[line - 1] = text
        self.write_file(day, table, "\n".join(lines).encode("utf-8"), refresh=refresh)

    def edit(self, day: int, table: str, line: int, column: str, value: str, *, refresh: bool = True) -> None:
        """Set one field of physical line `line` (RFC 4180 quoting kept)."""
        row = next(csv.reader([self.lines(day, table)[line - 1]]))
        row[COLUMNS[table].index(column)] = value
        self.set_line(day, table, line, csv_text(None, [row]).rstrip("\n"), refresh=refresh)

    def find_line(self, day: int, table: str, **match: str) -> int:
        """The physical line of the first row whose fields equal `match`."""
        for number, text in enumerate(self.lines(day, table)[1:], start=2):
            if text:
                row = dict(zip(COLUMNS[table], next(csv.reader([text]))))
                if all(row[k] == v for k, v in match.items()):
                    return number
        raise LookupError(f"no row {match} in {table}")

    def write_file(self, day: int, table: str, data: bytes, *, refresh: bool = True) -> None:
        self.path(day, table).write_bytes(data)
        if refresh:
            self.refresh_manifest(day)

    def refresh_manifest(self, day: int) -> None:
        write_manifest(self.day_dir(day), self.days[day].isoformat())


def build_delivery(root: Path, *, days: int = 3) -> Delivery:
    """Write `days` (1-3) valid day folders under root, manifests last."""
    tables = build_tables()
    delivery = Delivery(root=root, days=DAYS[:days], tables=tables)
    for index in range(days):
        day_dir = delivery.day_dir(index)
        day_dir.mkdir(parents=True)
        for table, header in COLUMNS.items():
            (day_dir / FILES[table]).write_text(csv_text(header, tables[DAYS[index]][table]), encoding="utf-8")
        delivery.refresh_manifest(index)
    return delivery
