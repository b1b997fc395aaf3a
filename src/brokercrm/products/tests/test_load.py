"""End to end: a load puts every delivered security with a risk level on the shelf; product sales and a recommendation's
conversion come from the delivered buys, and the sales equal an independent sum over the delivery files."""
import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command

from brokercrm.customers.models import Customer
from brokercrm.datacenter.tests.delivery_factory import write_manifest
from brokercrm.products.models import Product, Recommendation
from brokercrm.products.sales import product_sales
from brokercrm.products.services import recommendation_conversions_refresh
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db


def _lower_tolerance_of_a_buyer(root) -> None:
    """The simulated broker sells only what suits: on the first day with a buy of an R2+ OF product, that customer's
    tolerance is delivered as C1 (a new version in force from that day), so the sale is a breach."""
    risk = {(r["market"], r["security_code"]): r["risk_level"] for r in _rows(root, "securities.csv") if r["market"] == "OF"}
    for day in sorted(p for p in root.iterdir() if p.name.startswith("2026-")):
        buy = next((t for t in csv.DictReader(open(day / "deliveries.csv", encoding="utf-8"))
                    if t["side"] == "B" and risk.get((t["market"], t["security_code"]), "R1") > "R1"), None)
        if buy is None:
            continue
        versions = {r["customer_no"]: r for r in _rows(root, "customers.csv") if r["customer_no"] == buy["customer_no"]}
        with open(day / "customers.csv", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            columns, rows = reader.fieldnames, [r for r in reader if r["customer_no"] != buy["customer_no"]]
        rows.append({**versions[buy["customer_no"]], "risk_level": "C1", "risk_assessed_on": day.name})
        with open(day / "customers.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        write_manifest(day, day.name)
        return


@pytest.fixture
def loaded(tmp_path, settings):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    root = tmp_path / "delivery"
    simulate(out=root, start=dt.date(2026, 3, 2), days=5, customers=80, staff=6, branches=2, seed=11)
    _lower_tolerance_of_a_buyer(root)
    call_command("etl", "run", "--source", str(root), stdout=io.StringIO(), stderr=io.StringIO())
    return root


def _rows(root, name):
    for day in sorted(p for p in root.iterdir() if p.name.startswith("2026-")):
        yield from csv.DictReader(open(day / name, encoding="utf-8"))


def test_the_shelf_sales_and_conversions_come_from_the_deliveries(loaded):
    """Products = securities with a risk level; Σ product sales per customer = Σ buys of those sold off the exchange (OF)
    in the files; a recommendation made before a buy converts on that buy's date."""
    risky = {(r["market"], r["security_code"]) for r in _rows(loaded, "securities.csv") if r["risk_level"]}
    sold = {key for key in risky if key[0] == "OF"}
    expected: dict[str, list] = defaultdict(lambda: [Decimal(0), 0])
    for t in _rows(loaded, "deliveries.csv"):
        if t["side"] == "B" and (t["market"], t["security_code"]) in sold:
            expected[t["customer_no"]][0] += Decimal(t["amount"])
            expected[t["customer_no"]][1] += 1

    sales = product_sales(level="customer", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    staff_sales = product_sales(level="staff", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))

    assert set(Product.objects.values_list("market", "security_code")) == risky
    assert expected, "the simulated world buys some products"
    assert {k: (s.product_sales_amount, s.product_sales_count) for k, s in sales.items()} == {k: tuple(v) for k, v in expected.items()}
    assert sum(s.product_sales_amount for s in staff_sales.values()) == sum(v[0] for v in expected.values())

    buy = next(t for t in _rows(loaded, "deliveries.csv") if t["side"] == "B" and (t["market"], t["security_code"]) in risky
               and t["trade_date"] > "2026-03-02")
    product = Product.objects.get(market=buy["market"], security_code=buy["security_code"])
    customer = Customer.objects.get(customer_no=buy["customer_no"])
    rec = Recommendation.objects.create(product=product, customer=customer, channel="sms", biz_date=dt.date(2026, 3, 2))

    assert recommendation_conversions_refresh() >= 1
    rec.refresh_from_db()
    first_buy = min(t["trade_date"] for t in _rows(loaded, "deliveries.csv") if t["side"] == "B" and t["customer_no"] == buy["customer_no"]
                    and (t["market"], t["security_code"]) == (buy["market"], buy["security_code"]))
    assert rec.converted_on == dt.date.fromisoformat(first_buy)


def test_a_sale_above_tolerance_or_without_a_valid_questionnaire_raises_a_suitability_breach(loaded, tmp_path):
    """suitability_breach alerts = the (customer, day) pairs with a buy of a risk-rated OF product whose R is above the C in
    force that day, or with a missing or over-730-day-old questionnaire, computed independently from the files; listed by
    `brokercrm export alerts`."""
    from brokercrm.servicing.models import Alert

    risk = {(r["market"], r["security_code"]): r["risk_level"] for r in _rows(loaded, "securities.csv")
            if r["risk_level"] and r["market"] == "OF"}
    version: dict[str, dict] = {}
    expected = set()
    for day in sorted(p for p in loaded.iterdir() if p.name.startswith("2026-")):
        version |= {r["customer_no"]: r for r in csv.DictReader(open(day / "customers.csv", encoding="utf-8"))}
        for t in csv.DictReader(open(day / "deliveries.csv", encoding="utf-8")):
            level = risk.get((t["market"], t["security_code"]))
            if t["side"] != "B" or level is None:
                continue
            c = version[t["customer_no"]]
            trade_date = dt.date.fromisoformat(t["trade_date"])
            if (not c["risk_level"] or not c["risk_assessed_on"] or (trade_date - dt.date.fromisoformat(c["risk_assessed_on"])).days > 730
                    or int(level[1]) > int(c["risk_level"][1])):
                expected.add((t["customer_no"], trade_date))

    raised = set(Alert.objects.filter(rule="suitability_breach").values_list("customer__customer_no", "biz_date"))
    call_command("export", "alerts", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(tmp_path / "alerts.csv"),
                 stdout=io.StringIO())
    exported = {(r["customer_no"], dt.date.fromisoformat(r["biz_date"])) for r in csv.DictReader(open(tmp_path / "alerts.csv", encoding="utf-8"))
                if r["rule"] == "suitability_breach"}

    assert expected, "the simulated world sells some products unsuitably"
    assert raised == expected == exported
