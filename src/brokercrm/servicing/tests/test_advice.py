"""Portfolio and operation advice: nothing is sent before compliance approves through the BPMN process; then each
customer gets the model portfolio of their risk level against their allocation, or the note on a security they hold."""
import contextlib
import datetime as dt

import pytest

from brokercrm.core.errors import DomainError
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.platform.facade import pending_task_id, task_decide_by_id
from brokercrm.servicing import advice as advice_module
from brokercrm.servicing.advice import advice_submit, model_portfolio_set
from brokercrm.servicing.models import Advice, OutboxMessage
from brokercrm.servicing.services.strategies import strategy_create, strategy_run
from brokercrm.servicing.tests.test_wealth import _warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def advised(org_world, monkeypatch):
    con = _warehouse()
    monkeypatch.setattr(advice_module, "warehouse_read", lambda: contextlib.nullcontext(con))
    CustomerFactory(customer_no="W", name="钱多多", mobile="13800000009", branch=org_world["branches"][0], open_date=dt.date(2020, 1, 2))
    CustomerFactory(customer_no="X", name="无持仓", mobile="13800000010", branch=org_world["branches"][0], open_date=dt.date(2020, 1, 2))
    return org_world


def _strategy(content: str):
    return strategy_create(actor=None, name=content, segment="all", content=content, channel="sms", frequency="monthly",
                           owner="service_staff")


def _run(strategy) -> int:
    return strategy_run(actor=None, strategy=strategy, period=dt.date(2026, 3, 31)).messages


def _decide(advised, advice, approved: bool) -> None:
    task_id = pending_task_id(key="advice_approval", business_key=f"advice:{advice.pk}")
    task_decide_by_id(actor=advised["users"]["compliance"], task_id=task_id, approved=approved, comment="合规意见")


def test_portfolio_advice_waits_for_compliance_then_shows_the_moves(advised):
    """Before approval no message goes out; compliance approves in the workflow; W (C3, 126,000: stock 100,000, cash
    26,000) is told to reduce stock by 62,200.00 and add 37,800.00 bonds per the C3 model (cash 15, bond 30, fund 25, stock 30)."""
    strategy = _strategy("portfolio_advice")
    advice = advice_submit(actor=advised["users"]["head_office"], kind="portfolio_advice", title="二季度资产配置建议",
                           note="市场波动加大，建议按风险等级均衡配置。")
    assert _run(strategy) == 0 and advice.status == "in_review"

    _decide(advised, advice, True)

    assert Advice.objects.get().status == "approved"
    assert _run(strategy) == 1
    text = OutboxMessage.objects.get().body_text
    assert "股票：当前 79.4%，建议 30%，减配 62,200.00 元" in text and "债券：当前 0.0%，建议 30%，增配 37,800.00 元" in text


def test_operation_advice_goes_only_to_holders_after_approval(advised):
    """A rejected note reaches nobody; an approved one on SH.600036 reaches W, who holds it, and not X."""
    strategy = _strategy("operation_advice")
    head_office = advised["users"]["head_office"]
    _decide(advised, advice_submit(actor=head_office, kind="operation_advice", title="减持建议", note="x", security="SH.600036"), False)
    assert Advice.objects.get().status == "rejected" and _run(strategy) == 0
    _decide(advised, advice_submit(actor=head_office, kind="operation_advice", title="招商银行持有建议", note="估值合理，建议继续持有。",
                                   security="sh.600036"), True)
    assert _run(strategy) == 1
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["13800000009"]


def test_model_portfolios_are_editable_and_checked(advised):
    """Weights must add up to 100 over known classes; a valid change is stored."""
    with pytest.raises(DomainError, match="adding up to 100"):
        model_portfolio_set(actor=None, risk_level="C3", weights={"cash": 50, "stock": 60})
    assert model_portfolio_set(actor=None, risk_level="C3", weights={"cash": 20, "stock": 80}).weights == {
        "cash": 20, "bond": 0, "fund": 0, "stock": 80}


def test_head_office_submits_advice_on_the_page_and_compliance_only_reads_it(client, advised):
    """Head office sends an advice to compliance from the page; compliance sees the list but may not post."""
    client.force_login(advised["users"]["head_office"])
    client.post("/service/advice/", {"action": "advice", "kind": "portfolio_advice", "title": "月度配置建议", "note": "均衡配置"})
    assert Advice.objects.get().status == "in_review"
    client.force_login(advised["users"]["compliance"])
    assert "月度配置建议" in client.get("/service/advice/").content.decode()
    assert client.post("/service/advice/", {"action": "portfolio", "risk_level": "C1", "cash": 100, "bond": 0, "fund": 0,
                                            "stock": 0}).status_code == 403
