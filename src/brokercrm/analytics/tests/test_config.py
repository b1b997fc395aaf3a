"""Segment definitions: YAML export/import (all or nothing, problems with line and field), settings and pins."""
from decimal import Decimal

import pytest

from brokercrm.analytics.models import BehaviourGroup, Membership, SegmentSettings, Tier, TierPin
from brokercrm.analytics.services import segment_settings_update, tier_pin_create, tier_pin_end, tier_save
from brokercrm.analytics.tests.factories import default_config
from brokercrm.analytics.yamlio import segment_config_export, segment_config_import
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory

GOOD = """version: 1
settings:
  downgrade_months: 2
  rfm_window_months: 6
tiers:
  - code: vip
    name: 贵宾
    min_avg_daily_assets: 2000000.50
  - code: base
    name: 基础
    min_avg_daily_assets: 0
groups:
  - code: busy
    name: 活跃
    rule: active_days >= 10
"""


def test_export_then_import_gives_back_the_same_definitions(db):
    """The shipped defaults survive a round trip through YAML unchanged."""
    default_config()
    text = segment_config_export()
    before = list(Tier.objects.values_list("code", "name", "min_avg_daily_assets")), list(BehaviourGroup.objects.values_list("code", "rule"))
    segment_config_import(actor=None, data=text.encode(), file_name="segments.yaml")
    after = list(Tier.objects.values_list("code", "name", "min_avg_daily_assets")), list(BehaviourGroup.objects.values_list("code", "rule"))
    assert after == before
    assert "钻石" in text and "min_avg_daily_assets: '5000000.00'" in text


def test_import_replaces_tiers_groups_and_settings_exactly(db):
    """Amounts are read from their text (2000000.50 exactly); unnamed settings keep their values."""
    default_config()
    assert segment_config_import(actor=None, data=GOOD.encode(), file_name="s.yaml") == {"tiers": 2, "groups": 1}
    assert list(Tier.objects.values_list("code", "min_avg_daily_assets")) == [("vip", Decimal("2000000.50")), ("base", Decimal("0.00"))]
    assert list(BehaviourGroup.objects.values_list("code", "rule")) == [("busy", "active_days >= 10")]
    current = SegmentSettings.objects.get()
    assert (current.downgrade_months, current.rfm_window_months, current.cluster_count) == (2, 6, 5)
    assert AuditEntry.objects.filter(action="import", object_type="analytics.segmentconfig").count() == 1


def test_a_bad_file_lists_every_problem_with_line_and_field_and_changes_nothing(db):
    """A bad rule, a duplicate code and a bad amount are each reported with their line; the defaults stay."""
    default_config()
    bad = GOOD.replace("min_avg_daily_assets: 0", "min_avg_daily_assets: lots").replace(
        "rule: active_days >= 10", "rule: active_days >=> 10").replace("code: base", "code: vip")
    with pytest.raises(InputRejected) as exc:
        segment_config_import(actor=None, data=bad.encode(), file_name="s.yaml")
    assert [str(p) for p in exc.value.problems] == [
        "s.yaml:9:tiers[2].code: duplicate code vip (first at line 6)",
        "s.yaml:11:tiers[2].min_avg_daily_assets: 'lots' is not an amount",
        "s.yaml:15:groups[1].rule: line 1, column 15: syntax error: invalid syntax",
    ]
    assert Tier.objects.count() == 4 and BehaviourGroup.objects.count() == 6


def test_settings_are_checked(db):
    """Out-of-range settings name the field and are not stored."""
    default_config()
    with pytest.raises(DomainError) as exc:
        segment_settings_update(actor=None, cluster_count=1)
    assert exc.value.field == "cluster_count"
    assert SegmentSettings.objects.get().cluster_count == 5


def test_tiers_need_distinct_thresholds(db):
    """Two tiers cannot start at the same amount."""
    default_config()
    with pytest.raises(DomainError, match="already starts at 1000000.00"):
        tier_save(actor=None, code="platinum", name="铂金", min_avg_daily_assets="1000000")


def test_a_pin_needs_a_reason_and_may_not_overlap_another(db):
    """Pins carry a reason; overlapping months are refused; ending sets the last month."""
    default_config()
    customer = CustomerFactory()
    gold = Tier.objects.get(code="gold")
    with pytest.raises(DomainError) as exc:
        tier_pin_create(actor=None, customer=customer, tier=gold, from_period="2026-01", reason=" ")
    assert exc.value.field == "reason"
    pin = tier_pin_create(actor=None, customer=customer, tier=gold, from_period="2026-01", reason="VIP by board decision")
    with pytest.raises(DomainError, match="overlaps"):
        tier_pin_create(actor=None, customer=customer, tier=gold, from_period="2026-05", reason="again")
    tier_pin_end(actor=None, pin=pin, until_period="2026-03")
    assert TierPin.objects.get().until_period == "2026-03"
    tier_pin_create(actor=None, customer=customer, tier=gold, from_period="2026-04", reason="renewed")
    assert AuditEntry.objects.filter(object_type="analytics.tierpin").count() == 3


def test_a_pin_holds_the_tier_in_the_job(settings, tmp_path, db):
    """Pinned gold for 2026-02…2026-03 on a regular customer: gold in those months, regular again after 3 months below."""
    from brokercrm.analytics.jobs import segments_build
    from brokercrm.analytics.tests.snapshot_factory import SnapshotFactory

    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path
    default_config()
    customer = CustomerFactory(customer_no="P1")
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    snap = SnapshotFactory()
    snap.assets("P1", months, [500] * 6)
    snap.publish(tmp_path)
    tier_pin_create(actor=None, customer=customer, tier=Tier.objects.get(code="gold"), from_period="2026-02",
                    until_period="2026-03", reason="retention offer")
    segments_build(full=True)
    tiers = list(Membership.objects.order_by("period").values_list("tier", "pinned"))
    assert tiers == [("regular", False), ("gold", True), ("gold", True), ("regular", False), ("regular", False), ("regular", False)]
