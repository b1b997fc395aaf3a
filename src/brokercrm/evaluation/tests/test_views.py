"""Evaluation pages through the test client: library, run from the page, scoped scores and drill-down."""
import pytest

from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.customers.tests.factories import CustomerFactory, relate

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def test_library_lists_every_indicator_with_its_definition(month, client):
    """The home page shows all 14 indicators, work indicators marked, with their definitions."""
    client.force_login(month["users"]["broker"])
    page = client.get("/evaluation/").content.decode()
    for name in ("avg_daily_assets", "effective_new_customers", "commission_rate", "visits", "service_tasks_done"):
        assert f"<code>{name}</code>" in page
    assert "Σ (commission − handling fee − regulatory fee)" in page


def test_head_office_runs_a_scheme_and_the_broker_follows_score_to_customers(month, client):
    """Head office runs AM-MONTHLY from the page; the broker opens own score, its net commission line, and sees own customer."""
    relate(CustomerFactory(customer_no="10000001", branch=month["branches"][0]), month["staff"]["broker"])
    client.force_login(month["users"]["head_office"])
    response = client.post("/evaluation/runs/new/", {"scheme": "AM-MONTHLY", "period": MONTH})
    run_url = response["Location"]
    assert run_url.startswith("/evaluation/runs/")
    client.force_login(month["users"]["broker"])
    page = client.get(run_url).content.decode()
    assert "S0003" in page and "S0004" not in page
    score = client.get(f"{run_url}S0003/").content.decode()
    assert "88.00" in score and f"/evaluation/drill/S0003/{MONTH}/net_commission/" in score
    drill = client.get(f"/evaluation/drill/S0003/{MONTH}/net_commission/").content.decode()
    assert "10000001" in drill and "30000.00" in drill
    assert client.get(f"{run_url}S0005/").status_code == 404
    assert client.get(f"/evaluation/drill/S0005/{MONTH}/net_commission/").status_code == 404


def test_a_broker_may_not_run_evaluations_or_import_schemes(month, client):
    """Running and importing are head-office actions: 403 for a broker."""
    client.force_login(month["users"]["broker"])
    assert client.post("/evaluation/runs/new/", {"scheme": "AM-MONTHLY", "period": MONTH}).status_code == 403
    assert client.get("/evaluation/schemes/AM-MONTHLY/items/1/").status_code == 403


def test_api_lists_indicators_and_scoped_scores(month, client):
    """The API lists 17 indicators; a broker's score list holds only their own score with its lines."""
    from brokercrm.evaluation.models import Scheme
    from brokercrm.evaluation.services import evaluation_run

    run = evaluation_run(actor=month["users"]["head_office"], scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    client.force_login(month["users"]["broker"])
    indicators = client.get("/api/evaluation/indicators").json()
    assert len(indicators) == 17  # metrics.md 12, work 3 (visits, tasks done, research pushes), product sales 2
    assert {"name": "research_pushes", "name_zh": "资讯推送次数", "source": "work"}.items() <= next(
        i for i in indicators if i["name"] == "research_pushes").items()
    scores = client.get(f"/api/evaluation/runs/{run.pk}/scores").json()
    assert [(s["staff_no"], s["total"], s["rank_company"]) for s in scores] == [("S0003", "88.00", 1)]
    assert scores[0]["lines"][0] == {"indicator": "net_commission", "actual": "35000", "target": "20000.00", "weight": "40.00", "points": "48.00"}


def test_head_office_copies_a_shipped_scheme_for_senior_managers_yearly(month, client):
    """Copying AM-MONTHLY as a yearly scheme for senior account managers keeps its five items."""
    from brokercrm.evaluation.models import Scheme

    client.force_login(month["users"]["head_office"])
    response = client.post("/evaluation/schemes/AM-MONTHLY/copy/", {"code": "AM-SENIOR-Y", "name": "高级客户经理年度考核",
                                                                   "category": "account_manager", "level": "account_manager:senior",
                                                                   "period_kind": "year"})
    assert response["Location"] == "/evaluation/schemes/AM-SENIOR-Y/"
    scheme = Scheme.objects.get(code="AM-SENIOR-Y")
    assert (scheme.period_kind, scheme.level.code, scheme.items.count()) == ("year", "senior", 5)
