"""End to end: a load through `etl run` feeds the customer base, the figures, the 360 page and prospect conversion."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.management import call_command

from brokercrm.datacenter.facade import snapshot_version
from brokercrm.customers.models import CustomerFigures, Prospect
from brokercrm.customers.prospect_services import prospect_create
from brokercrm.org.roles import Role
from brokercrm.org.tests.factories import BranchFactory, user_for
from brokercrm.simulator.facade import simulate

pytestmark = pytest.mark.django_db
COLUMNS = ("avg_daily_assets", "end_assets", "net_inflow", "trade_amount", "trade_count", "active_days", "commission",
           "net_commission", "commission_rate")


@pytest.fixture
def delivery(tmp_path, settings):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse" / "warehouse.duckdb"
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "warehouse" / "published"
    root = tmp_path / "delivery"
    simulate(out=root, start=dt.date(2026, 3, 2), days=4, customers=60, staff=8, branches=2, seed=7)
    return root


def test_the_360_page_equals_the_indicator_export_and_a_prospect_converts_on_load(delivery, tmp_path, client):
    """After `etl run` the 360 page's month row equals the customer indicator export, the list figures equal its end assets,
    and a prospect entered with a delivered customer's mobile is converted to that account; the page's trading side is
    kept in the snapshot cache and shown from it, unchanged, on the next view."""
    first_day = sorted(p for p in delivery.iterdir() if p.name.startswith("2026-"))[0]
    customers = list(csv.DictReader(open(first_day / "customers.csv", encoding="utf-8")))
    target = next(r for r in customers if r["mobile"])
    branch = BranchFactory(code=target["branch_code"])
    prospect = prospect_create(actor=None, name="潜客", branch=branch, mobile=target["mobile"])

    call_command("etl", "run", "--source", str(delivery), stdout=io.StringIO(), stderr=io.StringIO())
    out = tmp_path / "customer.csv"
    call_command("export", "indicators", "--level", "customer", "--grain", "month", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--out", str(out), stdout=io.StringIO())
    exported = {r["key"]: r for r in csv.DictReader(open(out, encoding="utf-8"))}

    prospect.refresh_from_db()
    assert (prospect.status, prospect.converted_customer.customer_no, prospect.converted_on) == (
        Prospect.Status.CONVERTED, target["customer_no"], dt.date(2026, 3, 2))
    figures = {f.customer.customer_no: f for f in CustomerFigures.objects.select_related("customer")}
    assert set(figures) == set(exported)
    assert all(figures[k].end_assets == Decimal(r["end_assets"]) and figures[k].period == "2026-03" for k, r in exported.items())

    client.force_login(user_for(Role.ADMIN, username="admin"))
    busiest = max(exported.values(), key=lambda r: int(r["trade_count"]))
    html = client.get(f"/customers/{busiest['key']}/").content.decode()
    row = html.split('data-period="2026-03"')[1].split("</tr>")[0]
    cells = [cell.rsplit(">", 1)[-1] for cell in row.split("</td>")[1:-1]]
    assert cells == [busiest[c] for c in COLUMNS]

    # The trading side is now kept for this snapshot: the next view shows it from the cache, unchanged.
    key = f"customers:360-trading:{snapshot_version()}:{busiest['key']}:zh-hans"
    kept = caches["snapshot"].get(key)
    again = client.get(f"/customers/{busiest['key']}/").content.decode()
    assert kept is not None and kept in html and kept in again
