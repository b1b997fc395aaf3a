"""Segment pages at head-office, branch and broker scope: each sees only the customers in their scope."""
import pytest
from django.urls import reverse

from brokercrm.analytics.jobs import segments_build
from brokercrm.analytics.tests.factories import default_config
from brokercrm.analytics.tests.snapshot_factory import SnapshotFactory
from brokercrm.customers.tests.factories import CustomerFactory, relate

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
YEAR = [f"2025-{m:02d}" for m in range(5, 13)] + MONTHS  # silent needs twelve months of history


@pytest.fixture
def segmented(settings, tmp_path, org_world):
    """Branch 0001: C1 (diamond → gold in April), C2 (silent); branch 0002: C3 (silver, active contributor).

    C2 is held by broker S0003 through a development relation.
    """
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    default_config()
    b1, b2 = org_world["branches"]
    c1 = CustomerFactory(customer_no="C1", branch=b1)
    c2 = CustomerFactory(customer_no="C2", branch=b1)
    CustomerFactory(customer_no="C3", branch=b2)
    relate(c2, org_world["staff"]["broker"])
    snap = SnapshotFactory()
    snap.assets("C1", MONTHS, [6_000_000, 4_000_000, 4_000_000, 4_000_000])
    snap.assets("C2", YEAR, [50] * len(YEAR))
    for period in MONTHS:
        snap.month("C3", period, avg_daily_assets=200_000, end_assets=200_000, active_days=6, net_commission=800)
    snap.publish(settings.WAREHOUSE_SNAPSHOT_DIR)
    segments_build(dates=[])
    return org_world | {"customers": (c1, c2)}


def _tier_counts(response) -> dict[str, int]:
    return {r.code: r.customers for r in response.context["overview"]["tiers"]}


def test_head_office_sees_the_whole_company_mix(client, segmented):
    """Head office: 3 customers in April — gold 1, silver 1, regular 1; net commission all from C3."""
    client.force_login(segmented["users"]["head_office"])
    response = client.get(reverse("analytics:overview"), {"period": "2026-04"})
    assert response.status_code == 200
    assert _tier_counts(response) == {"diamond": 0, "gold": 1, "silver": 1, "regular": 1}
    overview = response.context["overview"]
    assert str(overview["assets"]) == "4200050.00"
    silver = next(r for r in overview["tiers"] if r.code == "silver")
    assert (str(silver.assets_share), str(silver.commission_share), str(silver.customer_share)) == ("4.8", "100.0", "33.3")
    assert {r.code: r.customers for r in overview["groups"]}["silent"] == 1


def test_a_branch_manager_sees_only_their_branchs_mix(client, segmented):
    """The manager of 0001 sees C1 and C2 only, and another branch's code answers 404."""
    client.force_login(segmented["users"]["branch_manager"])
    response = client.get(reverse("analytics:overview"), {"period": "2026-04"})
    assert _tier_counts(response) == {"diamond": 0, "gold": 1, "silver": 0, "regular": 1}
    assert client.get(reverse("analytics:overview"), {"period": "2026-04", "branch": "0002"}).status_code == 404


def test_a_broker_sees_only_the_customers_they_hold(client, segmented):
    """Broker S0003 holds C2 only: one regular customer, and the segment list shows just C2."""
    client.force_login(segmented["users"]["broker"])
    response = client.get(reverse("analytics:overview"), {"period": "2026-04"})
    assert _tier_counts(response) == {"diamond": 0, "gold": 0, "silver": 0, "regular": 1}
    listed = client.get(reverse("analytics:customers"), {"period": "2026-04"})
    assert [r["m"].customer.customer_no for r in listed.context["rows"]] == ["C2"]


def test_the_migration_matrix_counts_moves_from_the_previous_month(client, segmented):
    """April at head office: diamond → gold 1, silver → silver 1, regular → regular 1."""
    client.force_login(segmented["users"]["head_office"])
    matrix = client.get(reverse("analytics:migration"), {"period": "2026-04"}).context["matrix"]
    cells = {r["code"]: r["cells"] for r in matrix["rows"]}
    assert cells == {"diamond": [0, 1, 0, 0], "gold": [0, 0, 0, 0], "silver": [0, 0, 1, 0], "regular": [0, 0, 0, 1], "": [0, 0, 0, 0]}
    assert (matrix["upgraded"], matrix["downgraded"], matrix["unchanged"]) == (0, 1, 2)
    first = client.get(reverse("analytics:migration"), {"period": "2026-01"}).context["matrix"]
    assert next(r for r in first["rows"] if r["code"] == "")["total"] == 2  # C1 and C3 are new; C2 was there in 2025


def test_the_segment_list_links_to_the_customer_page(client, segmented):
    """Head office lists the silent group: C2, linked to its 360° page."""
    client.force_login(segmented["users"]["head_office"])
    response = client.get(reverse("analytics:customers"), {"period": "2026-04", "group": "silent"})
    assert [r["m"].customer.customer_no for r in response.context["rows"]] == ["C2"]
    assert 'href="/customers/C2/"' in response.content.decode()


def test_a_month_without_segments_is_404_and_service_agents_have_no_access(client, segmented):
    """Unknown months answer 404; the service agent role is refused."""
    client.force_login(segmented["users"]["head_office"])
    assert client.get(reverse("analytics:overview"), {"period": "2030-01"}).status_code == 404
    client.force_login(segmented["users"]["service_agent"])
    assert client.get(reverse("analytics:overview")).status_code == 403


def test_segment_history_partial_renders_for_the_360_page(segmented):
    """analytics/_segment_history.html takes `customer` and lists its months, newest first, with the tier."""
    from django.template.loader import render_to_string

    html = render_to_string("analytics/_segment_history.html", {"customer": segmented["customers"][0]})
    assert html.index('data-period="2026-04"') < html.index('data-period="2026-01"')
    assert "黄金" in html or "Gold" in html


def test_the_api_answers_within_the_callers_scope(client, segmented):
    """The branch manager's overview counts 2 customers; another branch's customer history is 404."""
    client.force_login(segmented["users"]["branch_manager"])
    overview = client.get("/api/segments/overview", {"period": "2026-04"}).json()
    assert overview["customers"] == 2
    assert {r["code"]: r["customers"] for r in overview["tiers"]} == {"diamond": 0, "gold": 1, "silver": 0, "regular": 1}
    history = client.get("/api/segments/customers/C1").json()
    assert [(h["period"], h["tier"]) for h in history] == [("2026-04", "gold"), ("2026-03", "diamond"), ("2026-02", "diamond"),
                                                          ("2026-01", "diamond")]
    assert client.get("/api/segments/customers/C3").status_code == 404


def test_the_360_page_shows_the_segment_history_panel(client, segmented):
    """The customers app's 360° page includes this app's panel: C1's months with gold in April."""
    client.force_login(segmented["users"]["head_office"])
    html = client.get("/customers/C1/").content.decode()
    panel = html[html.index('data-testid="segment-history"'):]
    assert 'data-period="2026-04"' in panel and 'data-period="2026-01"' in panel


def test_the_customer_list_filters_by_the_latest_tier_and_group(segmented):
    """The registered list filters select customers by their April tier and group."""
    from brokercrm.analytics.hooks import _in_segment
    from brokercrm.customers.models import Customer

    assert list(Customer.objects.filter(_in_segment(tier="{}")("gold")).values_list("customer_no", flat=True)) == ["C1"]
    silent = _in_segment(groups__contains=";{};")("silent")
    assert list(Customer.objects.filter(silent).values_list("customer_no", flat=True)) == ["C2"]


def test_head_office_edits_a_rule_and_a_bad_one_is_shown_with_its_column(client, segmented):
    """The group form refuses `active_days >=> 5` naming the column; a good rule is saved; brokers may not edit."""
    from brokercrm.analytics.models import BehaviourGroup

    client.force_login(segmented["users"]["head_office"])
    url = reverse("analytics:group_edit", args=["active_contributor"])
    form = {"code": "active_contributor", "name": "高活跃高贡献", "name_en": "", "description": "", "order": 10, "active": "on"}
    response = client.post(url, form | {"rule": "active_days >=> 5"})
    assert response.status_code == 200
    assert "line 1, column 15: syntax error" in response.context["form"].errors["rule"][0]
    assert client.post(url, form | {"rule": "active_days >= 8"}).status_code == 302
    assert BehaviourGroup.objects.get(code="active_contributor").rule == "active_days >= 8"
    client.force_login(segmented["users"]["broker"])
    assert client.post(url, form | {"rule": "active_days >= 1"}).status_code == 403


def test_a_branch_manager_pins_only_customers_of_their_branch(client, segmented):
    """C1 (own branch) can be pinned; C3 (other branch) is answered as unknown and nothing is stored."""
    from brokercrm.analytics.models import Tier, TierPin

    client.force_login(segmented["users"]["branch_manager"])
    gold = Tier.objects.get(code="gold").pk
    pin = {"tier": gold, "from_period": "2026-05", "reason": "key account"}
    response = client.post(reverse("analytics:pins"), pin | {"customer_no": "C3"})
    assert list(response.context["form"].errors) == ["customer_no"]
    assert client.post(reverse("analytics:pins"), pin | {"customer_no": "C1"}).status_code == 302
    assert list(TierPin.objects.values_list("customer__customer_no", "from_period")) == [("C1", "2026-05")]


def test_the_segment_list_runs_a_constant_number_of_queries(client, segmented, django_assert_max_num_queries):
    """Listing a month's customers costs the same few queries whatever the number of rows."""
    client.force_login(segmented["users"]["head_office"])
    client.get(reverse("analytics:customers"), {"period": "2026-04"})
    with django_assert_max_num_queries(14):
        response = client.get(reverse("analytics:customers"), {"period": "2026-04"})
    assert len(response.context["rows"]) == 3
