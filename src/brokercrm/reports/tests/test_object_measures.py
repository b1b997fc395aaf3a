"""Business-object measures in the report layer: objects.<type>.count and objects.<type>.<field>.sum, by branch, staff
and period, in the viewer's scope, named in the catalogue, the API, the builder and `brokercrm report query`."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from brokercrm.datacenter.facade import SemanticError
from brokercrm.objects.models import ObjectType
from brokercrm.objects.services import field_save, record_create
from brokercrm.objects.type_edits import role_object_grants_save
from brokercrm.reports.selectors import report_query

pytestmark = pytest.mark.django_db

H1, H2 = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


@pytest.fixture
def campaigns(org_world):
    """Campaigns of branch 0001 in March (1,000.10) and April (2,000.25) and of branch 0002 in April (500.00)."""
    head_office = org_world["users"]["head_office"]
    campaign = ObjectType.objects.get(code="campaign")
    for name, branch, start, budget in (("春季理财节", "0001", "2026-03-05", "1000.10"), ("两融推广", "0001", "2026-04-02", "2000.25"),
                                        ("基金定投月", "0002", "2026-04-10", "500.00")):
        record_create(actor=head_office, object_type=campaign, raw={"name": name, "branch": branch, "starts_on": start,
                                                                    "ends_on": "2026-06-30", "budget": budget})
    return org_world


def test_count_and_budget_sum_by_branch_and_quarter(campaigns):
    """Hand-computed: 0001 has one campaign in Q1 (1,000.10) and one in Q2 (2,000.25); 0002 one in Q2 (500.00)."""
    result = report_query(user=None, measures=["objects.campaign.count", "objects.campaign.budget.sum"],
                          by=["branch_code", "quarter"], date_from=H1, date_to=H2)
    assert result.columns == ("branch_code", "quarter", "objects.campaign.count", "objects.campaign.budget.sum")
    assert result.rows == (("0001", "2026-Q1", 1, Decimal("1000.10")), ("0001", "2026-Q2", 1, Decimal("2000.25")),
                           ("0002", "2026-Q2", 1, Decimal("500.00")))


def test_the_period_and_the_viewers_scope_cut_the_records(campaigns):
    """April only: 0001's and 0002's April campaigns; the branch manager of 0001 sees only 0001's, by month."""
    april = report_query(user=None, measures=["objects.campaign.budget.sum"], by=["year"], date_from=dt.date(2026, 4, 1),
                         date_to=dt.date(2026, 4, 30))
    assert april.rows == (("2026", Decimal("2500.25")),)
    mine = report_query(user=campaigns["users"]["branch_manager"], measures=["objects.campaign.count"], by=["month"],
                        date_from=H1, date_to=H2)
    assert mine.rows == (("2026-03", 1), ("2026-04", 1))


def test_object_measures_refuse_other_dimensions_filters_and_unreadable_types(campaigns):
    """By customer type, with a filter, or a type brokers were just refused reading: a SemanticError naming the parameter."""
    with pytest.raises(SemanticError) as by:
        report_query(user=None, measures=["objects.campaign.count"], by=["customer_type"], date_from=H1, date_to=H2)
    with pytest.raises(SemanticError) as where:
        report_query(user=None, measures=["objects.campaign.count"], by=[], date_from=H1, date_to=H2, where='branch_code == "0001"')
    role_object_grants_save(actor=campaigns["users"]["admin"], role="broker", grants={"campaign": set()})
    with pytest.raises(SemanticError) as unreadable:
        report_query(user=campaigns["users"]["broker"], measures=["objects.campaign.count"], by=[], date_from=H1, date_to=H2)
    assert (by.value.field, where.value.field, unreadable.value.field) == ("by", "where", "measures")


def test_a_number_field_added_on_the_admin_page_is_a_measure_at_once(campaigns, client):
    """The admin adds 参与人数 (number) to campaign; the catalogue API lists objects.campaign.headcount.sum and the builder
    offers it, with no restart."""
    admin = campaigns["users"]["admin"]
    field_save(actor=admin, object_type=ObjectType.objects.get(code="campaign"),
               field={"key": "headcount", "name_zh": "参与人数", "name_en": "Headcount", "kind": "number"})
    client.force_login(admin)
    names = {m["name"]: m for m in client.get("/api/reports/catalogue").json()["measures"]}
    assert names["objects.campaign.headcount.sum"]["name_zh"] == "营销活动参与人数合计"
    assert names["objects.complaint.count"]["kind"] == "count" and names["objects.campaign.budget.sum"]["kind"] == "money"
    assert 'value="objects.campaign.headcount.sum"' in client.get("/reports/builder/").content.decode()


def test_report_query_command_and_api_answer_object_measures(campaigns, client, tmp_path):
    """`brokercrm report query` writes the campaign count and budget by branch; the API answers the same rows."""
    out = tmp_path / "q.csv"
    call_command("report", "query", "--measures", "objects.campaign.count,objects.campaign.budget.sum", "--by", "branch_code",
                 "--from", "2026-01-01", "--to", "2026-06-30", "--out", str(out), stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows == [["branch_code", "objects.campaign.count", "objects.campaign.budget.sum"], ["0001", "2", "3000.35"],
                    ["0002", "1", "500.00"]]
    client.force_login(campaigns["users"]["head_office"])
    answer = client.get("/api/reports/query", {"measures": "objects.campaign.count,objects.campaign.budget.sum",
                                                "by": "branch_code", "from": "2026-01-01", "to": "2026-06-30"}).json()
    assert answer["rows"] == [["0001", 2, "3000.35"], ["0002", 1, "500.00"]]
