"""营销活动效果: a campaign's participants' trading, commission and net inflow over its period equal the sums of the same
customers' rows of the customer indicator export; a broker sees only their own participants; page and API."""
import csv
from decimal import Decimal

import pytest

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.tests.ods_factory import d
from brokercrm.objects.models import ObjectType
from brokercrm.objects.services import record_create
from brokercrm.org.tests.factories import BranchFactory, StaffFactory, user_for
from brokercrm.reports.campaign_effect import EFFECT_MEASURES, campaign_effect

PARTICIPANTS = ("10000001", "10000002", "10000004")


@pytest.fixture
def campaign(published):
    """Campaign HD00001 of branch 0102 for March–April 2026 with three participants; broker S0002 serves 10000004 only."""
    b1, b2 = BranchFactory(code="0101"), BranchFactory(code="0102")
    staff = StaffFactory(staff_no="S0002", branch=b2)
    customers = {no: CustomerFactory(customer_no=no, branch=b2 if no == "10000004" else b1) for no in PARTICIPANTS}
    relate(customers["10000004"], staff)
    record_create(actor=user_for("head_office"), object_type=ObjectType.objects.get(code="campaign"),
                  raw={"name": "春季两融推广", "branch": "0102", "starts_on": "2026-03-01", "ends_on": "2026-04-30",
                       "budget": "8000.00", "participants": ";".join(PARTICIPANTS)})
    return user_for("broker", staff=staff)


def _export_sums(published, tmp_path) -> dict[str, dict[str, Decimal]]:
    """The customer export by month for March–April, summed per participant."""
    out = tmp_path / "customers.csv"
    export_indicators(published, level="customer", grain="month", date_from=d("2026-03-01"), date_to=d("2026-04-30"), out=out)
    sums: dict[str, dict[str, Decimal]] = {}
    for row in csv.DictReader(out.open(encoding="utf-8")):
        if row["key"] in PARTICIPANTS:
            mine = sums.setdefault(row["key"], {m: Decimal(0) for m in EFFECT_MEASURES})
            for m in EFFECT_MEASURES:
                mine[m] += Decimal(row[m] or 0)
    return sums


def test_the_effect_equals_the_participants_rows_of_the_customer_export(campaign, published, tmp_path):
    """Per participant and in total, trade amount, trades, commission, net commission and net inflow over the campaign's
    period are the export's monthly rows of the same customers added up."""
    effect = campaign_effect(user=user_for("head_office"), number="HD00001")
    expected = _export_sums(published, tmp_path)
    got = {row[0]: dict(zip(EFFECT_MEASURES, row[1:])) for row in effect.rows}
    assert set(got) <= set(PARTICIPANTS)
    for no in PARTICIPANTS:
        assert {m: Decimal(got.get(no, {}).get(m, 0)) for m in EFFECT_MEASURES} == expected.get(no, {m: 0 for m in EFFECT_MEASURES})
    totals = dict(zip(EFFECT_MEASURES, effect.totals))
    assert {m: Decimal(totals[m]) for m in EFFECT_MEASURES} == {m: sum(e[m] for e in expected.values()) for m in EFFECT_MEASURES}
    assert totals["trade_amount"] == Decimal("36345.67")  # 12,345.67 + 20,000.00 + 3,000.00 + 999.99 + 0.01


def test_a_broker_sees_only_their_participants_on_the_page_and_the_api(campaign, client):
    """The broker's effect lists 10000004 only (1,000.00 traded on 2026-04-01, 9,999.99 brought in); the API answers the same with decimals
    as strings; a campaign number that does not exist is a 404."""
    client.force_login(campaign)
    page = client.get("/reports/campaigns/HD00001/").content.decode()
    assert 'data-customer="10000004"' in page and 'data-customer="10000001"' not in page
    answer = client.get("/api/reports/campaigns/HD00001").json()
    assert answer["rows"] == [["10000004", "1000.00", 2, "5.00", "4.95", "9999.99"]]
    assert answer["totals"] == ["1000.00", 2, "5.00", "4.95", "9999.99"]
    assert client.get("/api/reports/campaigns/HD99999").status_code == 404
    assert "HD00001" in client.get("/reports/campaigns/").content.decode()
