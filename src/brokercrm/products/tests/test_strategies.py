"""Strategies that recommend a product ask the suitability engine for the whole batch: unsuitable customers are skipped
with their reason codes (preview CSV, page, the run's audit entry) and never sent anything."""
import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.products.selectors import customer_ids_unsuitable
from brokercrm.servicing.models import OutboxMessage
from brokercrm.servicing.services.strategies import strategy_create, strategy_preview_rows, strategy_run

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 31)


@pytest.fixture
def audience(shelf):
    """Beside the shelf's C3 (1001) and C5 (2001): a C1 (1002), a C4 whose questionnaire of 2023-01-02 expired (1003) and
    one never assessed (1004)."""
    b1 = shelf["branches"][0]
    shelf["customers"] |= {
        "c1": CustomerFactory(customer_no="1002", branch=b1, risk_level="C1", risk_assessed_on=dt.date(2025, 6, 30)),
        "stale": CustomerFactory(customer_no="1003", branch=b1, risk_level="C4", risk_assessed_on=dt.date(2023, 1, 2)),
        "none": CustomerFactory(customer_no="1004", branch=b1, risk_level="", risk_assessed_on=None)}
    return shelf


EXPECTED = {"1001": ("unsuitable_content", ("risk_above_tolerance",)), "1002": ("unsuitable_content", ("risk_above_tolerance",)),
            "1003": ("unsuitable_content", ("questionnaire_expired",)), "1004": ("unsuitable_content", ("no_questionnaire",)),
            "2001": ("", ())}


def test_the_preview_blocks_each_unsuitable_customer_with_the_engines_reasons(audience, tmp_path):
    """Recommending the R4 fund: C3 and C1 are above tolerance, the C4's questionnaire expired, 1004 has none; only the
    C5 is served. The CLI writes the reason codes and sums them up."""
    rows = strategy_preview_rows(segment="all", period="2026-03", content="product_recommendation", channel="sms", day=DAY,
                                 product="OF.000004")
    out = io.StringIO()
    call_command("servicing", "strategy-preview", "--segment", "all", "--period", "2026-03", "--content", "product_recommendation",
                 "--channel", "sms", "--product", "OF.000004", "--out", str(tmp_path / "p.csv"), stdout=out)
    with open(tmp_path / "p.csv", encoding="utf-8") as fh:
        written = {r["customer_no"]: (r["blocked_reason"], r["reasons"]) for r in csv.DictReader(fh)}

    assert {r.customer_no: (r.blocked_reason, r.reasons) for r in rows} == EXPECTED
    assert written == {no: (blocked, ";".join(reasons)) for no, (blocked, reasons) in EXPECTED.items()}
    assert out.getvalue().strip().endswith("5 customers, 1 served, 4 blocked (unsuitable: no_questionnaire 1, "
                                           "questionnaire_expired 1, risk_above_tolerance 2)")


def test_running_sends_only_to_the_suitable_and_audits_the_skipped_with_their_reasons(audience):
    """The run queues one SMS (to 2001, naming the product) and its audit entry keeps the four skipped customers' codes."""
    strategy = strategy_create(actor=None, name="R4 基金推荐", segment="all", content="product_recommendation", channel="sms",
                               frequency="once", owner="service_staff", product="of.000004")

    result = strategy_run(actor=None, strategy=strategy, period=DAY)

    assert (result.messages, result.unsuitable) == (1, 4)
    sms = OutboxMessage.objects.get()
    assert sms.customer_id == audience["customers"]["other"].id and "科技成长混合（OF.000004）" in sms.body_text
    entry = AuditEntry.objects.filter(object_type="servicing.strategy", object_id=str(strategy.pk)).latest("id")
    assert entry.changes["unsuitable"][1] == {no: list(reasons) for no, (blocked, reasons) in EXPECTED.items() if blocked}
    assert entry.note.endswith("1 messages, 4 unsuitable")


def test_the_check_costs_the_same_queries_for_any_batch(audience):
    """One query for the product, one for the customers, one for their assets, whether 2 customers or 5 are asked."""
    ids = [c.id for c in audience["customers"].values()]
    with CaptureQueriesContext(connection) as two:
        customer_ids_unsuitable(product_key="OF.000004", customer_ids=frozenset(ids[:2]), on=DAY)
    with CaptureQueriesContext(connection) as five:
        assert len(customer_ids_unsuitable(product_key="OF.000004", customer_ids=frozenset(ids), on=DAY)) == 4
    assert len(two) == len(five) == 3


def test_a_product_recommendation_needs_a_product_on_the_shelf(audience):
    """No product, a malformed one or one not on the shelf is refused naming the product field."""
    with pytest.raises(DomainError) as exc:
        strategy_create(actor=None, name="x", segment="all", content="product_recommendation", channel="sms", frequency="once",
                        owner="service_staff", product="000004")
    assert exc.value.field == "product"
    with pytest.raises(DomainError, match="产品库中没有产品 OF.999999") as exc:
        strategy_preview_rows(segment="all", period="2026-03", content="product_recommendation", channel="sms", day=DAY,
                              product="OF.999999")
    assert exc.value.field == "product"


def test_the_strategy_page_shows_the_reasons_in_chinese(audience, client):
    """Head office sees the preview with 产品风险等级高于客户风险承受能力 beside the blocked rows."""
    strategy = strategy_create(actor=None, name="R4 基金推荐", segment="all", content="product_recommendation", channel="sms",
                               frequency="once", owner="service_staff", product="OF.000004")
    client.force_login(audience["users"]["head_office"])
    page = client.get(reverse("servicing:strategy_detail", args=[strategy.pk])).content.decode()
    assert "OF.000004" in page and 'data-testid="preview-unsuitable"' in page
    assert "产品风险等级高于客户风险承受能力" in page and "无风险测评问卷" in page
