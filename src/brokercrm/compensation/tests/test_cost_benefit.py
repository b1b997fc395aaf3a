"""Cost–benefit: income equals the staff indicators, cost the payroll's gross plus customer cost; levels add up."""
from decimal import Decimal as D

import pytest
from django.urls import reverse

from brokercrm.compensation import costbenefit, services
from brokercrm.compensation.models import Payslip
from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.evaluation import facade as evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    ho = org_world["users"]["head_office"]
    services.pay_input_set(actor=ho, period=MONTH, staff=org_world["staff"]["broker"], name="customer_cost", value=D("1200"))
    services.payroll_run_calculate(actor=ho, period=MONTH)
    return org_world


def test_cost_benefit_equals_the_payroll_and_the_indicators(paid):
    """Each staff row's pay is their payslip's gross, income their net commission in the staff marts, S0003's cost adds
    the 1,200 customer cost; the branch rows are the sums of the staff rows; the year equals the month here."""
    ho = paid["users"]["head_office"]
    rows = {r.key: r for r in costbenefit.cost_benefit(user=ho, period=MONTH, level="staff")}
    indicators = evaluation.staff_indicators(evaluation.parse_period(MONTH)).values
    for slip in Payslip.objects.filter(run__period=MONTH).select_related("staff"):
        row = rows[slip.staff.staff_no]
        assert row.pay == slip.gross
        assert row.income == (indicators.get(slip.staff.staff_no, {}).get("net_commission") or D("0.00"))
    s3 = rows["S0003"]
    assert s3.customer_cost == D("1200.00") and s3.cost == s3.pay + D("1200.00") and s3.contribution == s3.income - s3.cost
    assert s3.roi == (s3.contribution / s3.cost).quantize(D("0.0001"))
    branches = {r.key: r for r in costbenefit.cost_benefit(user=ho, period=MONTH, level="branch")}
    assert branches["0001"].cost == sum((r.cost for r in rows.values() if r.key in ("S0001", "S0002", "S0003", "S0004", "S0006")), D(0))
    assert [(r.key, r.income, r.cost) for r in costbenefit.cost_benefit(user=ho, period=MONTH[:4], level="branch")] == \
           [(r.key, r.income, r.cost) for r in branches.values()]


def test_the_page_is_scoped_and_draws_the_trend(paid, client):
    """The manager of 0001 sees their branch's staff only, with the chart's data; a broker is refused."""
    client.force_login(paid["users"]["branch_manager"])
    page = client.get(reverse("compensation:cost_benefit"), {"period": MONTH}).content.decode()
    assert "S0003" in page and "S0005" not in page and 'data-chart="cost_benefit"' in page and "cost-benefit-data" in page
    client.force_login(paid["users"]["broker"])
    assert client.get(reverse("compensation:cost_benefit"), {"period": MONTH}).status_code == 403
