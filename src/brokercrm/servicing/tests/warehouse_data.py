"""Hand-made warehouse days for the alert rules: ODS rows through the data center's own DW build."""
import datetime as dt
from decimal import Decimal

import duckdb

from brokercrm.datacenter.pipelines.crm import ingest_crm
from brokercrm.datacenter.pipelines.dw import build_dw
from brokercrm.datacenter.tests.ods_factory import OdsFactory, d, money

DAYS = ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06")


def new_warehouse(*days: str) -> tuple[duckdb.DuckDBPyConnection, OdsFactory]:
    con = duckdb.connect(":memory:")
    for schema in ("ods", "crm", "dw", "dm"):
        con.execute(f"CREATE SCHEMA {schema}")
    return con, OdsFactory(con).day(*(days or DAYS))


def security(f: OdsFactory, market: str, code: str, risk: str, *, on: str = DAYS[0]) -> None:
    f._add("securities", d(on), market=market, security_code=code, security_name=f"证券{code}", security_type="stock",
           industry=None, risk_level=risk)


def position(f: OdsFactory, on: str, customer: str, market: str, code: str, value) -> None:
    value = money(value)
    f._add("positions", d(on), biz_date=d(on), customer_no=customer, market=market, security_code=code, quantity=100,
           cost_amount=value, close_price=(value / 100).quantize(Decimal("0.001")), market_value=value)


def customer(f: OdsFactory, no: str, *, risk_level: str = "C3", assessed: str | None = "2025-06-01", close_date: str | None = None,
             open_date: str | None = None) -> None:
    """A customer delivered on the first day (or, when opened later, on its open date)."""
    f.customer(no, on=open_date or DAYS[0], branch="0001", open_date=open_date or "2020-01-02", close_date=close_date, risk_level=risk_level)
    f.rows["customers"][-1]["risk_assessed_on"] = d(assessed) if assessed else None


def build(con, f: OdsFactory) -> None:
    f.branch("0001", on=DAYS[0])
    f.save()
    ingest_crm(con, staff=[], development_relations=[])
    build_dw(con)


def dates(*texts: str) -> list[dt.date]:
    return [d(t) for t in texts]
