"""End to end: a simulated month loaded through the data center; payroll lines equal a hand computation from the indicator export."""
import csv
import datetime as dt
import io
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
    return tmp_path


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_commission_and_opening_bonus_equal_the_indicator_export(loaded):
    """For every account manager: perf_commission = net_commission × tier rate (10/15/20%) and opening_bonus = effective × 200."""
    call_command("export", "indicators", "--level", "staff", "--grain", "month", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--out", str(loaded / "staff.csv"), stdout=io.StringIO())
    indicators = {r["key"]: r for r in _rows(loaded / "staff.csv")}
    call_command("payroll", "run", "--period", "2026-03", stdout=io.StringIO())
    call_command("payroll", "export", "--period", "2026-03", "--out", str(loaded / "pay.csv"), stdout=io.StringIO())
    pay = {(r["staff_no"], r["item_code"]): r["amount"] for r in _rows(loaded / "pay.csv")}
    managers = list(Staff.objects.filter(category__code="account_manager").values_list("staff_no", flat=True))
    assert managers
    checked = 0
    for staff_no in managers:
        net = D(indicators[staff_no]["net_commission"])
        rate = D("0.20") if net >= 50000 else D("0.15") if net >= 20000 else D("0.10")
        expected = (net * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert pay.get((staff_no, "perf_commission"), "0.00") == f"{expected:.2f}", staff_no
        bonus = int(indicators[staff_no]["effective_new_customers"]) * 200
        assert pay.get((staff_no, "opening_bonus"), "0.00") == f"{bonus:.2f}", staff_no
        checked += expected > 0
    assert checked > 0
