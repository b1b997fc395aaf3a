"""Tier months across the year end: the months come from the marts, which count the calendar's trading days."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from brokercrm.analytics.jobs import segments_build
from brokercrm.analytics.models import Membership
from brokercrm.analytics.tests.factories import default_config
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db


def test_tier_months_run_across_the_year_end_over_the_imported_trading_days(tmp_path, settings):
    """A delivery 2026-12-21 … 2027-01-15 with 2027 imported (1 and 8 January closed): memberships for 2026-12 and
    2027-01, January's average daily assets equal to the mart's over its 9 trading days, and hysteresis carries the
    December tier into January."""
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    closures = tmp_path / "closures-2027.csv"
    closures.write_text("date,reason\n2027-01-01,元旦\n2027-01-08,测试休市\n", encoding="utf-8")
    simulate(out=tmp_path / "d", start=dt.date(2026, 12, 21), days=18, customers=60, staff=6, branches=2, seed=5,
             closures=(closures,))
    default_config()
    call_command("calendar", "import", str(closures), stdout=io.StringIO())
    call_command("etl", "run", "--source", str(tmp_path / "d"), stdout=io.StringIO(), stderr=io.StringIO())
    segments_build(dates=[], full=True)

    call_command("export", "indicators", "--level", "customer", "--grain", "month", "--from", "2027-01-01",
                 "--to", "2027-01-31", "--out", str(tmp_path / "jan.csv"), stdout=io.StringIO())
    january = {r["key"]: Decimal(r["avg_daily_assets"]) for r in csv.DictReader(open(tmp_path / "jan.csv", encoding="utf-8"))}
    members = {(m.customer.customer_no, m.period): m for m in Membership.objects.select_related("customer")}
    assert sorted({period for _, period in members}) == ["2026-12", "2027-01"]
    assert {no: members[(no, "2027-01")].avg_daily_assets for no in january} == january
    assert all(members[(no, "2027-01")].previous_tier == members[(no, "2026-12")].tier
               for no, period in members if period == "2027-01" and (no, "2026-12") in members)
