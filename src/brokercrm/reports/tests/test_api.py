"""GET /api/reports/query and the saved reports through the API: scoped, decimals as strings, refusals named."""
from decimal import Decimal

import pytest

from brokercrm.analytics.models import BehaviourGroup, Membership, Tier
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.org.tests.factories import BranchFactory, StaffFactory, user_for
from brokercrm.reports.catalogue import ASSET_BANDS
from brokercrm.reports.models import Report


@pytest.fixture
def broker(published):
    """A broker of branch 0102 holding customer 10000004 (of the rich brokerage) through a development relation."""
    branch = BranchFactory(code="0102")
    staff = StaffFactory(staff_no="S0002", branch=branch)
    relate(CustomerFactory(customer_no="10000004", branch=branch), staff)
    CustomerFactory(customer_no="10000001", branch=BranchFactory(code="0101"))
    return user_for("broker", staff=staff)


def test_query_answers_columns_and_rows_with_decimal_strings(client, published, broker):
    """Head office sees every branch with facts of the measures asked (0102 has assets but no March trade: it comes
    with an asset measure); amounts come as strings with their scale, counts as numbers."""
    client.force_login(user_for("head_office"))
    march = {"by": "branch_code,month", "from": "2026-03-01", "to": "2026-03-31"}
    answer = client.get("/api/reports/query", {"measures": "net_commission,trade_count", **march})
    assert answer.status_code == 200
    assert answer.json() == {"columns": ["branch_code", "month", "net_commission", "trade_count"],
                             "rows": [["0101", "2026-03", "9.18", 3]]}
    with_assets = client.get("/api/reports/query", {"measures": "net_commission,trade_count,end_assets", **march})
    assert [r[:4] for r in with_assets.json()["rows"]] == [["0101", "2026-03", "9.18", 3], ["0102", "2026-03", "0.00", 0]]


def test_a_brokers_query_counts_only_their_customers(client, published, broker):
    """The broker's rows are only customer 10000004's, whatever the grouping."""
    client.force_login(broker)
    by_customer = client.get("/api/reports/query", {"measures": "trade_amount", "by": "customer_no",
                                                    "from": "2026-03-01", "to": "2026-04-30"}).json()
    assert by_customer["rows"] == [["10000004", "1000.00"]]
    by_branch = client.get("/api/reports/query", {"measures": "trade_amount", "by": "branch_code",
                                                  "from": "2026-03-01", "to": "2026-04-30"}).json()
    assert by_branch["rows"] == [["0102", "1000.00"]]


@pytest.mark.parametrize("params, field, text", [
    ({"measures": "profit"}, "measures", "'profit'"),
    ({"measures": "commission", "by": "colour"}, "by", "'colour'"),
    ({"measures": "commission", "where": "branch_code =="}, "where", "column"),
    ({"measures": "commission", "from": "2026-13-01"}, "from", "2026-13-01"),
    ({"measures": "commission", "from": "2026-04-01", "to": "2026-03-01"}, "from", "2026-04-01"),
])
def test_refusals_are_400_naming_the_parameter_and_value(client, published, params, field, text):
    """Unknown measure or dimension, a bad filter (with its column) or a bad period: 400, the parameter named."""
    client.force_login(user_for("head_office"))
    answer = client.get("/api/reports/query", {"from": "2026-03-01", "to": "2026-03-31", **params})
    assert answer.status_code == 400
    [problem] = answer.json()["errors"]
    assert problem["field"] == field and text in problem["message"] + answer.json()["detail"]


def test_saved_reports_are_listed_and_run(client, published, broker):
    """The shipped reports are listed; running one for a month gives its table within the caller's scope."""
    client.force_login(broker)
    listed = client.get("/api/reports").json()
    assert {"营业部业绩月报", "回访完成率"} <= {r["name"] for r in listed}
    report = Report.objects.get(name="营业部业绩月报")
    answer = client.get(f"/api/reports/{report.pk}/run", {"period": "2026-04"})
    assert answer.status_code == 200
    assert [r[0] for r in answer.json()["rows"]] == ["0102"]
    assert client.get(f"/api/reports/{report.pk}/run", {"period": "April"}).status_code == 400


def test_tier_dimension_groups_by_the_customers_current_tier(client, published):
    """`by=tier` groups by each customer's tier of the latest segmented month (analytics); customers without one last."""
    gold = Tier.objects.create(code="gold-test", name="黄金测试", min_avg_daily_assets="987654.00")
    customer = CustomerFactory(customer_no="10000004")
    Membership.objects.create(customer=customer, period="2026-04", tier=gold.code, qualified_tier=gold.code,
                              avg_daily_assets_cents=0, end_assets_cents=0, net_commission_cents=0)
    client.force_login(user_for("head_office"))
    rows = client.get("/api/reports/query", {"measures": "trade_amount,end_assets", "by": "tier", "from": "2026-04-01",
                                             "to": "2026-04-30"}).json()["rows"]
    assert [r[:2] for r in rows] == [["黄金测试", "1000.00"], [None, "0.00"]]


def test_profile_dimension_and_a_filter_on_an_attribute(client, published):
    """`by=customer_type` sums to the total; a filter naming `tier` (not grouped by) keeps only that tier's facts."""
    gold = Tier.objects.create(code="gold-test", name="黄金测试", min_avg_daily_assets="987654.00")
    Membership.objects.create(customer=CustomerFactory(customer_no="10000004"), period="2026-04", tier=gold.code,
                              qualified_tier=gold.code, avg_daily_assets_cents=0, end_assets_cents=0, net_commission_cents=0)
    client.force_login(user_for("head_office"))
    span = {"from": "2026-03-01", "to": "2026-04-30"}
    total = client.get("/api/reports/query", {"measures": "trade_amount", **span}).json()["rows"]
    by_type = client.get("/api/reports/query", {"measures": "trade_amount", "by": "customer_type", **span}).json()["rows"]
    assert sum(float(r[1]) for r in by_type) == float(total[0][0])
    gold_only = client.get("/api/reports/query", {"measures": "trade_amount", "where": 'tier == "黄金测试"', **span}).json()
    assert gold_only["rows"] == [["1000.00"]]


def test_behaviour_group_and_asset_band_dimensions(client, published):
    """`by=behaviour_group` groups by the customer's analytics groups of the fact's month (names shown); `by=asset_band`
    splits the end assets by the configured bands, adding up to the total, bands in their own order."""
    BehaviourGroup.objects.create(code="active-test", name="活跃测试", rule="true")
    Membership.objects.create(customer=CustomerFactory(customer_no="10000004"), period="2026-04", tier="none",
                              qualified_tier="none", groups=";active-test;", avg_daily_assets_cents=0,
                              end_assets_cents=0, net_commission_cents=0)
    client.force_login(user_for("head_office"))
    april = {"from": "2026-04-01", "to": "2026-04-30"}
    grouped = client.get("/api/reports/query", {"measures": "trade_amount", "by": "behaviour_group", **april}).json()
    assert grouped["rows"] == [["活跃测试", "1000.00"]]
    total = client.get("/api/reports/query", {"measures": "end_assets", **april}).json()["rows"][0][0]
    banded = client.get("/api/reports/query", {"measures": "end_assets", "by": "asset_band", **april}).json()["rows"]
    order = [label for _, label in ASSET_BANDS]
    assert sum(Decimal(r[1]) for r in banded) == Decimal(total)
    assert [r[0] for r in banded] == sorted((r[0] for r in banded), key=order.index)
