"""The segments job: memberships from the published snapshot, history kept, rerun-safe."""
from decimal import Decimal

import pytest

from brokercrm.analytics.jobs import segments_build
from brokercrm.analytics.models import BuiltPeriod, ClusterProfile, Membership
from brokercrm.analytics.tests.factories import default_config
from brokercrm.analytics.tests.snapshot_factory import SnapshotFactory
from brokercrm.customers.tests.factories import CustomerFactory

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]


@pytest.fixture
def published(settings, tmp_path, org_world):
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    default_config()
    b1, b2 = org_world["branches"]
    snap = SnapshotFactory()
    for no, branch in (("C1", b1), ("C2", b1), ("C3", b2)):
        CustomerFactory(customer_no=no, branch=branch)
    snap.assets("C1", MONTHS, [6_000_000, 4_000_000, 4_000_000, 4_000_000])
    snap.assets("C2", MONTHS, [50, 50, 50, 50])
    for period in MONTHS:
        snap.month("C3", period, avg_daily_assets=200_000, end_assets=200_000, active_days=6, net_commission=800)
    snap.publish(settings.WAREHOUSE_SNAPSHOT_DIR)
    return snap


def test_the_job_writes_a_membership_for_every_customer_month(published):
    """Three customers × four months, tiers after hysteresis, groups by rule, one cluster profile set per month."""
    counts = segments_build(dates=[])
    assert counts["analytics.membership"] == 12
    rows = {(m.customer.customer_no, m.period): m for m in Membership.objects.select_related("customer")}
    assert [rows[("C1", p)].tier for p in MONTHS] == ["diamond", "diamond", "diamond", "gold"]
    assert rows[("C1", "2026-04")].previous_tier == "diamond"
    assert rows[("C1", "2026-04")].qualified_tier == "gold"
    assert rows[("C2", "2026-04")].group_codes == []  # four months of history: not silent before twelve
    assert rows[("C3", "2026-04")].group_codes == ["active_contributor"]
    assert rows[("C3", "2026-04")].avg_daily_assets == Decimal("200000.00")
    assert rows[("C3", "2026-04")].net_commission == Decimal("800.00")
    assert (rows[("C3", "2026-04")].rfm_r, rows[("C1", "2026-04")].rfm_r) == (5, 0)
    assert sorted(BuiltPeriod.objects.values_list("period", flat=True)) == MONTHS
    assert sum(ClusterProfile.objects.filter(period="2026-04").values_list("size", flat=True)) == 3


def test_a_rerun_gives_the_same_rows(published):
    """Running twice leaves exactly the rows of one run."""
    segments_build(dates=[])
    first = sorted(Membership.objects.values_list("customer__customer_no", "period", "tier", "groups", "rfm_r", "rfm_f",
                                                   "rfm_m", "cluster"))
    segments_build(dates=[], full=True)
    again = sorted(Membership.objects.values_list("customer__customer_no", "period", "tier", "groups", "rfm_r", "rfm_f",
                                                   "rfm_m", "cluster"))
    assert again == first and len(again) == 12
