"""Hand-made ODS rows for DW/DM tests: the `ods.*` tables of the ODS contract, filled a row at a time.

Columns and types follow source-interface.md plus business_date, source_line and load_id.
Unspecified columns get plausible defaults; tests name only what their case is about.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from brokercrm.datacenter.pipelines.portable import Target, as_target

M = "DECIMAL(18,2)"
ODS_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "branches": [("branch_code", "VARCHAR"), ("branch_name", "VARCHAR"), ("city", "VARCHAR"), ("opened_on", "DATE")],
    "customers": [("customer_no", "VARCHAR"), ("name", "VARCHAR"), ("customer_type", "VARCHAR"), ("id_type", "VARCHAR"),
                  ("id_no", "VARCHAR"), ("gender", "VARCHAR"), ("birth_date", "DATE"), ("mobile", "VARCHAR"),
                  ("email", "VARCHAR"), ("address", "VARCHAR"), ("branch_code", "VARCHAR"), ("open_date", "DATE"),
                  ("close_date", "DATE"), ("status", "VARCHAR"), ("risk_level", "VARCHAR"), ("risk_assessed_on", "DATE")],
    "securities": [("market", "VARCHAR"), ("security_code", "VARCHAR"), ("security_name", "VARCHAR"),
                   ("security_type", "VARCHAR"), ("industry", "VARCHAR"), ("risk_level", "VARCHAR")],
    "deliveries": [("trade_date", "DATE"), ("serial_no", "VARCHAR"), ("customer_no", "VARCHAR"), ("market", "VARCHAR"),
                   ("security_code", "VARCHAR"), ("side", "VARCHAR"), ("quantity", "BIGINT"), ("price", "DECIMAL(18,3)"),
                   ("amount", M), ("commission", M), ("handling_fee", M), ("regulatory_fee", M), ("stamp_tax", M),
                   ("transfer_fee", M), ("other_fee", M), ("settle_amount", M), ("channel", "VARCHAR")],
    "cash_flows": [("biz_date", "DATE"), ("serial_no", "VARCHAR"), ("customer_no", "VARCHAR"), ("flow_type", "VARCHAR"),
                   ("amount", M), ("bank_code", "VARCHAR")],
    "security_transfers": [("biz_date", "DATE"), ("serial_no", "VARCHAR"), ("customer_no", "VARCHAR"),
                           ("market", "VARCHAR"), ("security_code", "VARCHAR"), ("direction", "VARCHAR"),
                           ("quantity", "BIGINT"), ("value", M)],
    "positions": [("biz_date", "DATE"), ("customer_no", "VARCHAR"), ("market", "VARCHAR"), ("security_code", "VARCHAR"),
                  ("quantity", "BIGINT"), ("cost_amount", M), ("close_price", "DECIMAL(18,3)"), ("market_value", M)],
    "assets": [("biz_date", "DATE"), ("customer_no", "VARCHAR"), ("cash_balance", M), ("market_value", M),
               ("total_assets", M)],
}
META = [("business_date", "DATE"), ("source_line", "INTEGER"), ("load_id", "BIGINT")]


def create_ods_tables(con) -> None:
    """Create the ODS contract's tables (empty) unless they exist."""
    target = as_target(con)
    for table, columns in ODS_COLUMNS.items():
        cols = ", ".join(f"{name} {kind}" for name, kind in columns + META)
        target.execute(f"CREATE TABLE IF NOT EXISTS ods.{table} ({cols})")
    target.execute("CREATE TABLE IF NOT EXISTS ods.loaded_days (business_date DATE PRIMARY KEY, load_id BIGINT, "
                   "loaded_at TIMESTAMP)")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


class OdsFactory:
    """Collects rows per table, then `save()` inserts them; `day()` marks business dates as loaded."""

    def __init__(self, con):
        self.target: Target = as_target(con)
        create_ods_tables(self.target)
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.days: dict[dt.date, int] = {}
        self._serial = 0

    def _add(self, table: str, business_date: dt.date, **values) -> None:
        self.rows[table].append({**values, "business_date": business_date,
                                 "source_line": len(self.rows[table]) + 2, "load_id": self.days.get(business_date, 1)})

    def _next_serial(self) -> str:
        self._serial += 1
        return f"S{self._serial:08d}"

    def day(self, *dates: str, load_id: int = 1) -> "OdsFactory":
        for text in dates:
            self.days[d(text)] = load_id
        return self

    def branch(self, code: str, *, on: str, opened_on: str = "2020-01-02", name: str | None = None) -> "OdsFactory":
        self._add("branches", d(on), branch_code=code, branch_name=name or f"营业部{code}", city="上海",
                  opened_on=d(opened_on))
        return self

    def customer(self, no: str, *, on: str, branch: str, open_date: str, close_date: str | None = None,
                 status: str | None = None, risk_level: str | None = "C3") -> "OdsFactory":
        self._add("customers", d(on), customer_no=no, name=f"客户{no}", customer_type="individual", id_type="id_card",
                  id_no="310101199001011234", gender="M", birth_date=d("1990-01-01"), mobile=None, email=None,
                  address=None, branch_code=branch, open_date=d(open_date),
                  close_date=d(close_date) if close_date else None,
                  status=status or ("closed" if close_date else "normal"), risk_level=risk_level,
                  risk_assessed_on=None)
        return self

    def security(self, market: str, code: str, *, on: str) -> "OdsFactory":
        self._add("securities", d(on), market=market, security_code=code, security_name=f"证券{code}",
                  security_type="stock", industry=None, risk_level="R3")
        return self

    def trade(self, on: str, customer: str, *, amount, commission, handling_fee="0", regulatory_fee="0",
              side: str = "B") -> "OdsFactory":
        amount, commission = money(amount), money(commission)
        sign = -1 if side == "B" else 1
        self._add("deliveries", d(on), trade_date=d(on), serial_no=self._next_serial(), customer_no=customer,
                  market="SH", security_code="600000", side=side, quantity=100,
                  price=(amount / 100).quantize(Decimal("0.001")), amount=amount, commission=commission,
                  handling_fee=money(handling_fee), regulatory_fee=money(regulatory_fee), stamp_tax=money(0),
                  transfer_fee=money(0), other_fee=money(0), settle_amount=sign * amount - commission, channel="app")
        return self

    def cash_flow(self, on: str, customer: str, *, flow_type: str, amount) -> "OdsFactory":
        self._add("cash_flows", d(on), biz_date=d(on), serial_no=self._next_serial(), customer_no=customer,
                  flow_type=flow_type, amount=money(amount), bank_code="ICBC" if flow_type.startswith("bank") else None)
        return self

    def transfer(self, on: str, customer: str, *, direction: str, value) -> "OdsFactory":
        self._add("security_transfers", d(on), biz_date=d(on), serial_no=self._next_serial(), customer_no=customer,
                  market="SZ", security_code="000001", direction=direction, quantity=100, value=money(value))
        return self

    def position(self, on: str, customer: str, *, market_value) -> "OdsFactory":
        self._add("positions", d(on), biz_date=d(on), customer_no=customer, market="SH", security_code="600000",
                  quantity=100, cost_amount=money(market_value), close_price=(money(market_value) / 100).quantize(
                      Decimal("0.001")), market_value=money(market_value))
        return self

    def assets(self, on: str, customer: str, total, *, cash=None) -> "OdsFactory":
        total = money(total)
        cash_balance = money(cash) if cash is not None else total
        self._add("assets", d(on), biz_date=d(on), customer_no=customer, cash_balance=cash_balance,
                  market_value=total - cash_balance, total_assets=total)
        return self

    def save(self) -> None:
        """Insert the collected rows and loaded days; the factory can be reused for more rows."""
        for table, rows in self.rows.items():
            columns = [name for name, _ in ODS_COLUMNS[table] + META]
            self.target.insert_rows(f"ods.{table}", columns, [tuple(r[c] for c in columns) for r in rows])
        self.rows.clear()
        existing = {row[0] for row in self.target.fetchall("SELECT business_date FROM ods.loaded_days")}
        self.target.insert_rows("ods.loaded_days", ["business_date", "load_id", "loaded_at"],
                                [(day, load_id, dt.datetime(2026, 1, 1)) for day, load_id in sorted(self.days.items())
                                 if day not in existing])


def staff(no: str, *, hire: str = "2020-01-01", leave: str | None = None, branch: str = "0101"):
    from brokercrm.datacenter.pipelines.crm import StaffRow

    return StaffRow(no, f"员工{no}", "account_manager", branch, d(hire), d(leave) if leave else None)


def relation(customer: str, staff_no: str, start: str, end: str | None = None):
    from brokercrm.datacenter.pipelines.crm import RelationRow

    return RelationRow(customer, staff_no, d(start), d(end) if end else None)


def build(con, *, staff_rows=(), relations=(), effective_assets: Decimal = Decimal("10000.00")) -> None:
    """CRM copy → DW → marts, as a load does."""
    from brokercrm.datacenter.pipelines.crm import ingest_crm
    from brokercrm.datacenter.pipelines.dm import build_marts
    from brokercrm.datacenter.pipelines.dw import build_dw

    ingest_crm(con, staff=list(staff_rows), development_relations=list(relations))
    build_dw(con)
    build_marts(con, effective_assets=effective_assets)


def mart(con, level: str, grain: str) -> dict[tuple[str, str], dict[str, str | None]]:
    """A mart as {(key, period): {column: exact text}} (None for NULL)."""
    from brokercrm.datacenter.pipelines.dm import MATERIALISED, computed_select

    target = as_target(con)
    sql = f"SELECT * FROM dm.{level}_{grain}" if (level, grain) in MATERIALISED else computed_select(
        target, level=level, grain=grain)
    if isinstance(target, Target) and target.dialect == "duckdb":
        cursor = target.con.execute(sql)
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    else:
        with target.conn.cursor() as cur:
            cur.execute(target.translate(sql)[0])
            names = [c.name for c in cur.description]
            rows = cur.fetchall()
    text = [{n: None if v is None else str(v) for n, v in zip(names, row)} for row in rows]
    return {(r["key"], r["period"]): {k: v for k, v in r.items() if k not in ("key", "period")} for r in text}


RICH_DAYS = ("2026-03-27", "2026-03-30", "2026-04-01", "2026-04-02")  # 03-31 is a trading day not loaded


def rich_brokerage(con):
    """Most rules at once, for cross-engine and format tests: returns (staff rows, relations).

    Branch change mid-month, relation switch, unattributed days, a staff member who left, closed and new
    customers, an unloaded trading day inside the range, every fact kind, rates with ties.
    """
    f = OdsFactory(con).day(*RICH_DAYS)
    first = RICH_DAYS[0]
    for code, opened in (("0101", "2020-01-02"), ("0102", "2021-06-01"), ("0103", "2026-04-01")):
        f.branch(code, on=first, opened_on=opened)
    f.customer("10000001", on=first, branch="0101", open_date="2019-03-04")
    f.customer("10000001", on="2026-04-01", branch="0102", open_date="2019-03-04")
    f.customer("10000002", on=first, branch="0101", open_date="2020-01-02")
    f.customer("10000003", on=first, branch="0102", open_date="2021-07-01")
    f.customer("10000003", on="2026-03-30", branch="0102", open_date="2021-07-01", close_date="2026-03-30")
    f.customer("10000004", on="2026-03-30", branch="0102", open_date="2026-03-30")
    f.customer("10000005", on="2026-04-02", branch="0103", open_date="2026-04-02")
    assets = {
        "10000001": ("1000.00", "1000.01", "1000.02", "0.00"),
        "10000002": ("333.33", "333.33", "333.34", "333.35"),
        "10000003": ("50.00", "0.00", None, None),
        "10000004": (None, "9999.99", "10000.00", "12000.50"),
        "10000005": (None, None, None, "10000.00"),
    }
    for no, values in assets.items():
        for day, value in zip(RICH_DAYS, values):
            if value is not None:
                f.assets(day, no, value, cash=Decimal(value) / 2)
                if Decimal(value) > 0:
                    f.position(day, no, market_value=Decimal(value) - money(Decimal(value) / 2))
    f.trade("2026-03-27", "10000001", amount="12345.67", commission="5.00", handling_fee="0.42", regulatory_fee="0.25")
    f.trade("2026-03-30", "10000001", amount="20000.00", commission="0.01")
    f.trade("2026-03-30", "10000002", amount="3000.00", commission="5.00", handling_fee="0.10", regulatory_fee="0.06",
            side="S")
    f.trade("2026-04-01", "10000004", amount="999.99", commission="5.00", handling_fee="0.03", regulatory_fee="0.02")
    f.trade("2026-04-01", "10000004", amount="0.01", commission="0.00")
    f.cash_flow("2026-03-27", "10000002", flow_type="bank_in", amount="500.00")
    f.cash_flow("2026-03-30", "10000002", flow_type="bank_out", amount="-500.00")
    f.cash_flow("2026-03-30", "10000004", flow_type="bank_in", amount="9999.99")
    f.cash_flow("2026-04-02", "10000001", flow_type="dividend", amount="3.21")
    f.transfer("2026-04-01", "10000001", direction="out", value="1000.01")
    f.transfer("2026-04-02", "10000005", direction="in", value="5000.00")
    f.save()
    staff_rows = [staff("S0001"), staff("S0002", leave="2026-03-30"), staff("S0003", hire="2026-04-02", branch="0103"),
                  staff("S0004", leave="2025-01-01")]
    relations = [relation("10000001", "S0001", "2019-03-04", "2026-03-30"), relation("10000001", "S0002", "2026-03-30"),
                 relation("10000002", "S0001", "2026-04-01"), relation("10000004", "S0002", "2026-03-30"),
                 relation("10000005", "S0003", "2026-04-03")]
    return staff_rows, relations
