"""Strategies on every kind of segment: the preview serves exactly the segment's members, with blocked reasons."""
import csv
import datetime as dt

import pytest
from django.core.management import call_command

from brokercrm.analytics.models import BuiltPeriod
from brokercrm.analytics.tests.factories import MembershipFactory, default_config
from brokercrm.core.errors import DomainError
from brokercrm.customers.models import CustomerTag, SavedFilter, Tag
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.servicing import contents
from brokercrm.servicing.models import OptOut, OutboxMessage, ServiceTask
from brokercrm.servicing.services.strategies import strategy_create, strategy_preview_rows, strategy_run

pytestmark = pytest.mark.django_db
PERIOD = "2026-03"


@pytest.fixture
def segmented(org_world):
    """March memberships: 3 diamond (one in branch 0002), 2 gold; groups, clusters and RFM cells set per customer."""
    default_config()
    b1, b2 = org_world["branches"]
    rows = [("80000001", b1, "diamond", ";silent;", 1, (5, 5, 5)), ("80000002", b1, "diamond", "", 2, (5, 4, 3)),
            ("80000003", b2, "diamond", ";potential;", 2, (1, 1, 1)), ("80000004", b1, "gold", ";silent;", 1, (5, 5, 1)),
            ("80000005", b1, "gold", "", 3, (0, 0, 0))]
    customers = {}
    for no, branch, tier, groups, cluster, (r, f, m) in rows:
        customer = CustomerFactory(customer_no=no, branch=branch, mobile=f"139{no}", email=f"{no}@example.com",
                                   open_date=dt.date(2024, 1, 2))
        MembershipFactory(customer=customer, period=PERIOD, tier=tier, groups=groups, cluster=cluster, rfm_r=r, rfm_f=f, rfm_m=m)
        customers[no] = customer
    BuiltPeriod.objects.create(period=PERIOD, customers=len(rows))
    relate(customers["80000001"], org_world["staff"]["broker"], start=dt.date(2024, 1, 2))
    return org_world | {"customers": customers}


def _export_members(tmp_path, column: str, value: str) -> list[str]:
    out = tmp_path / "segments.csv"
    call_command("export", "segments", "--period", PERIOD, "--out", str(out))
    with out.open(encoding="utf-8") as f:
        return [r["customer_no"] for r in csv.DictReader(f) if value in r[column].split(";")]


def _preview(tmp_path, segment: str, *, content="wealth_report", channel="email") -> list[dict]:
    out = tmp_path / "preview.csv"
    call_command("servicing", "strategy-preview", "--segment", segment, "--period", PERIOD, "--content", content,
                 "--channel", channel, "--out", str(out))
    with out.open(encoding="utf-8") as f:
        assert f.readline() == "customer_no,staff_no,channel,blocked_reason,reasons\n"
    with out.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("segment,column,value", [("tier:diamond", "tier", "diamond"), ("group:silent", "groups", "silent"),
                                                  ("cluster:2", "cluster", "2")])
def test_preview_membership_equals_the_segment_export(segmented, tmp_path, segment, column, value):
    """For a tier, a behaviour group and a cluster, the preview lists exactly the customers of the segment export."""
    rows = _preview(tmp_path, segment)
    assert [r["customer_no"] for r in rows] == _export_members(tmp_path, column, value)


def test_preview_columns_staff_and_branch_narrowing(segmented, tmp_path):
    """diamond@0001: the two branch-0001 diamonds, the one held by S0003 with its staff_no, the other with none."""
    rows = _preview(tmp_path, "tier:diamond@0001")
    assert rows == [{"customer_no": "80000001", "staff_no": "S0003", "channel": "email", "blocked_reason": "", "reasons": ""},
                    {"customer_no": "80000002", "staff_no": "", "channel": "email", "blocked_reason": "", "reasons": ""}]


def test_rfm_cells_tags_and_saved_groups(segmented):
    """rfm:55* picks R=5, F=5; a tag and a saved customer group select their customers today."""
    assert [r.customer_no for r in strategy_preview_rows(segment="rfm:55*", period=PERIOD, content="customer_care", channel="visit")] == [
        "80000001", "80000004"]
    tag = Tag.objects.create(name="重点关注")
    CustomerTag.objects.create(customer=segmented["customers"]["80000005"], tag=tag)
    assert [r.customer_no for r in strategy_preview_rows(segment="tag:重点关注", period=PERIOD, content="customer_care",
                                                         channel="visit")] == ["80000005"]
    SavedFilter.objects.create(owner=segmented["users"]["head_office"], name="北京客户", query="branch=0002")
    assert [r.customer_no for r in strategy_preview_rows(segment="customer_group:北京客户", period=PERIOD, content="customer_care",
                                                         channel="visit")] == ["80000003"]


def test_blocked_reasons_opted_out_no_contact_and_unsuitable(segmented, monkeypatch):
    """Opted out of SMS, no mobile, and refused by a registered suitability rule: each blocked with its reason; the rule
    is asked once for the whole batch and its reason codes ride on the unsuitable row."""
    customers = segmented["customers"]
    OptOut.objects.create(customer=customers["80000001"], channel="sms")
    customers["80000002"].mobile = ""
    customers["80000002"].save()
    monkeypatch.setattr(contents, "_suitability_checks", [])
    asked = []

    def check(request):
        asked.append(request)
        refused = customers["80000003"].id
        return {refused: ("risk_above_tolerance",)} if request.kind == "portfolio_advice" and refused in request.customer_ids else {}

    contents.register_suitability(check)
    rows = strategy_preview_rows(segment="tier:diamond", period=PERIOD, content="portfolio_advice", channel="sms")
    assert [(r.customer_no, r.blocked_reason, r.reasons) for r in rows] == [
        ("80000001", "opted_out", ()), ("80000002", "no_contact", ()), ("80000003", "unsuitable_content", ("risk_above_tolerance",))]
    assert len(asked) == 1 and asked[0].customer_ids == frozenset(customers[n].id for n in ("80000001", "80000002", "80000003"))


def test_unknown_tier_and_unbuilt_month_are_refused(segmented):
    """A mistyped tier names the known tiers; a month without segments names the months that have them."""
    with pytest.raises(DomainError, match="unknown tier 'diamant'"):
        strategy_preview_rows(segment="tier:diamant", period=PERIOD, content="wealth_report", channel="email")
    with pytest.raises(DomainError, match=r"no segments for 2026-04 \(months with segments: 2026-03\)"):
        strategy_preview_rows(segment="tier:diamond", period="2026-04", content="wealth_report", channel="email")


def test_running_serves_the_preview_and_call_centre_tasks_join_the_queue(segmented):
    """A call-centre strategy on gold creates queue tasks without staff; an SMS one sends to the served rows only."""
    call = strategy_create(actor=None, name="黄金客户季度电话", segment="tier:gold", content="customer_care", channel="call",
                           frequency="quarterly", owner="call_centre")
    assert strategy_run(actor=None, strategy=call, period=dt.date(2026, 3, 20)).tasks == 2
    assert set(ServiceTask.objects.filter(strategy=call).values_list("call_centre", "staff", "kind")) == {(True, None, "strategy")}
    OptOut.objects.create(customer=segmented["customers"]["80000002"], channel="sms")
    sms = strategy_create(actor=None, name="钻石问候", segment="tier:diamond", content="customer_care", channel="sms",
                          frequency="monthly", owner="service_staff", body="{name}您好")
    run = strategy_run(actor=None, strategy=sms, period=dt.date(2026, 3, 20))
    assert (run.messages, run.skipped) == (2, 1)
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == ["13980000001", "13980000003"]


def test_export_tasks_writes_the_exact_columns(segmented, tmp_path):
    """`brokercrm export tasks` lists tasks due in the range with their source and assignee."""
    call = strategy_create(actor=None, name="电话回访", segment="tier:gold", content="customer_care", channel="call",
                           frequency="once", owner="service_staff")
    strategy_run(actor=None, strategy=call, period=dt.date(2026, 3, 20))
    out = tmp_path / "tasks.csv"
    call_command("export", "tasks", "--from", "2026-04-01", "--to", "2026-04-30", "--out", str(out))
    assert out.read_text(encoding="utf-8") == (
        "customer_no,kind,source,staff_no,due_date,status\n"
        f"80000004,strategy,strategy:{call.pk},,2026-04-03,open\n"
        f"80000005,strategy,strategy:{call.pk},,2026-04-03,open\n")


def test_the_strategy_page_previews_then_activates_and_edits_the_template(client, segmented):
    """Created on the page a strategy starts inactive; its page previews the diamond customers; head office activates it
    and edits its message template."""
    client.force_login(segmented["users"]["head_office"])
    response = client.post("/service/strategies/", {"name": "钻石客户月度理财报告", "segment": "tier:diamond", "content": "wealth_report",
                                                    "channel": "email", "frequency": "monthly", "owner": "service_staff",
                                                    "subject": "", "body": ""})
    from brokercrm.servicing.models import Strategy

    strategy = Strategy.objects.get()
    assert response.url == f"/service/strategies/{strategy.pk}/" and not strategy.active
    page = client.get(response.url).content.decode()
    assert "preview-table" in page and "80000001" in page and "80000004" not in page
    client.post(response.url, {"active": "1"})
    client.post(response.url, {"action": "text", "subject": "{period} 理财报告", "body": "{name}您好，附件为您的理财报告。"})
    strategy.refresh_from_db()
    assert (strategy.active, strategy.subject, strategy.body) == (True, "{period} 理财报告", "{name}您好，附件为您的理财报告。")
