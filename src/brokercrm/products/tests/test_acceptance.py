"""Acceptance: the staff's product-sales bonus equals the product sales in the deliveries (buys of risk-rated products
sold off the exchange, market OF, attributed by the development relation in force on the trade date), computed independently from the files."""
import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal as D

import pytest
from django.core.management import call_command

from brokercrm.org.models import Staff
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path, settings):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    root = tmp_path / "delivery"
    simulate(out=root, start=dt.date(2026, 3, 2), days=6, customers=150, staff=12, branches=2, seed=5)
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("etl", "run", "--source", str(root), **quiet)
    call_command("staff", "import", str(root / "staff.csv"), **quiet)
    call_command("relations", "import", str(root / "relations.csv"), **quiet)
    return root


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_product_sales_bonus_is_half_a_percent_of_the_delivered_product_sales(loaded, tmp_path):
    """Every account manager's product_bonus = round(Σ attributed product buys × 0.5%, 2), nothing typed in."""
    days = sorted(p for p in loaded.iterdir() if p.name.startswith("2026-"))
    risky = {(r["market"], r["security_code"]) for d in days for r in _rows(d / "securities.csv") if r["risk_level"] and r["market"] == "OF"}
    relations = [r for r in _rows(loaded / "relations.csv") if r["relation_type"] == "development"]
    sales: dict[str, D] = defaultdict(D)
    for d in days:
        for t in _rows(d / "deliveries.csv"):
            if t["side"] != "B" or (t["market"], t["security_code"]) not in risky:
                continue
            holder = next((r["staff_no"] for r in relations if r["customer_no"] == t["customer_no"] and r["start_date"] <= t["trade_date"]
                           and (not r["end_date"] or t["trade_date"] < r["end_date"])), None)
            if holder:
                sales[holder] += D(t["amount"])

    call_command("payroll", "run", "--period", "2026-03", stdout=io.StringIO())
    call_command("payroll", "export", "--period", "2026-03", "--out", str(tmp_path / "pay.csv"), stdout=io.StringIO())
    pay = {(r["staff_no"], r["item_code"]): r["amount"] for r in _rows(tmp_path / "pay.csv")}

    managers = list(Staff.objects.filter(category__code="account_manager").values_list("staff_no", flat=True))
    assert managers and any(sales[s] for s in managers)
    for staff_no in managers:
        expected = (sales[staff_no] * D("0.005")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert pay.get((staff_no, "product_bonus"), "0.00") == f"{expected:.2f}", staff_no
