"""Daily and weekly evaluation: periods YYYY-MM-DD and YYYY-Www scored from the day marts, recomputed here by hand."""
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from brokercrm.core.errors import DomainError
from brokercrm.evaluation import services
from brokercrm.evaluation.indicators import parse_period
from brokercrm.evaluation.models import EvaluationRun, Scheme
from brokercrm.evaluation.tests.snapshot import publish

pytestmark = pytest.mark.django_db

DAYS = [
    {"key": "S0003", "period": "2026-03-02", "net_commission": D("1200.00"), "trade_count": 10, "new_customers": 1,
     "customer_count": 100},
    {"key": "S0003", "period": "2026-03-03", "net_commission": D("4000.00"), "trade_count": 100, "new_customers": 2,
     "effective_new_customers": 1, "customer_count": 102},
    {"key": "S0004", "period": "2026-03-02", "net_commission": D("500.00"), "trade_count": 30},
]


@pytest.fixture
def days(org_world, snapshot_dir, monkeypatch):
    """Two trading days of day marts; every staff member did 1 visit and 3 service tasks in any period asked."""
    from brokercrm.servicing import facade as servicing

    publish(snapshot_dir, months={}, staff_days=DAYS)
    monkeypatch.setattr(servicing, "work_indicators",
                        lambda staff_nos, date_from, date_to: {n: {"visits_done": 1, "service_tasks_done": 3} for n in staff_nos})
    return org_world


def test_day_and_week_periods_parse_and_bad_ones_are_refused():
    """2026-03-02 is a day, 2026-W10 the ISO week Monday 2 to Sunday 8 March; 2026-02-30 and 2026-W54 name the field."""
    day, week = parse_period("2026-03-02"), parse_period("2026-W10")
    assert (day.kind, day.start.isoformat(), day.end) == ("day", "2026-03-02", day.start)
    assert (week.kind, week.start.isoformat(), week.end.isoformat()) == ("week", "2026-03-02", "2026-03-08")
    for bad in ("2026-02-30", "2026-W54"):
        with pytest.raises(DomainError) as exc:
            parse_period(bad, field="period")
        assert exc.value.field == "period"


def _hand_score(values, visits, tasks, targets):
    """The shipped scheme's items: capped ratios × weights, each rounded half-up to 0.01."""
    def points(weight, actual, target, cap):
        return (D(weight) * min(D(actual) / D(target), D(cap))).quantize(D("0.01"))
    return sum([points(40, values.get("net_commission", 0), targets[0], "1.5"),
                points(15, values.get("trade_count", 0), targets[1], "1"),
                points(10, values.get("new_customers", 0), targets[2], "1"),
                points(15, values.get("effective_new_customers", 0), targets[3], "1"),
                points(10, visits, targets[4], "1"), points(10, tasks, targets[5], "1")], D(0))


def test_daily_scores_recomputed_by_hand_from_the_day_indicators(days):
    """AM-DAILY on 2026-03-02: S0003 48 + 7.5 + 10 + 0 + 5 + 10 = 80.50, S0004 20 + 15 + 5 + 10 = 50.00, S0005 (no
    day row) 15.00; ranked in team, branch and company."""
    run = services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-DAILY"), period="2026-03-02")
    scores = {s.staff.staff_no: (s.total, s.rank_team, s.rank_branch, s.rank_company) for s in run.scores.all()}
    targets = (1000, 20, 1, 1, 2, 3)
    assert scores["S0003"][0] == _hand_score(DAYS[0], 1, 3, targets) == D("80.50")
    assert scores["S0004"][0] == _hand_score(DAYS[2], 1, 3, targets) == D("50.00")
    assert scores == {"S0003": (D("80.50"), 1, 1, 1), "S0004": (D("50.00"), 2, 2, 2), "S0005": (D("15.00"), None, 1, 3)}


def test_weekly_scores_sum_the_days_of_the_iso_week(days):
    """AM-WEEKLY 2026-W10: S0003's two days summed (net commission 5,200, 110 trades, 3 new, 1 effective) → 70.60;
    customer_count is the last day's 102."""
    run = services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-WEEKLY"), period="2026-W10")
    week = {k: DAYS[0].get(k, 0) + DAYS[1].get(k, 0) for k in ("net_commission", "trade_count", "new_customers",
                                                                  "effective_new_customers")}
    score = run.scores.get(staff__staff_no="S0003")
    assert score.total == _hand_score(week, 1, 3, (5000, 100, 5, 3, 10, 15)) == D("70.60")
    assert run.scores.get(staff__staff_no="S0004").total == _hand_score(DAYS[2], 1, 3, (5000, 100, 5, 3, 10, 15))
    from brokercrm.evaluation.marts import staff_indicators
    assert staff_indicators(parse_period("2026-W10"), ["S0003"]).values["S0003"]["customer_count"] == 102


def test_cli_runs_every_active_scheme_of_the_period_kind(days):
    """`evaluation run --scheme all --period 2026-W10` runs the weekly scheme only; a day period the daily one."""
    out = StringIO()
    call_command("evaluation", "run", "--scheme", "all", "--period", "2026-W10", stdout=out)
    assert set(EvaluationRun.objects.values_list("scheme__code", flat=True)) == {"AM-WEEKLY"}
    call_command("evaluation", "run", "--scheme", "all", "--period", "2026-03-03", stdout=out)
    assert set(EvaluationRun.objects.values_list("scheme__code", "period")) == {("AM-WEEKLY", "2026-W10"), ("AM-DAILY", "2026-03-03")}
    assert "AM-DAILY 2026-03-03: 3 staff scored" in out.getvalue()


def test_a_daily_score_page_offers_no_customer_drill(days, client):
    """A daily score's lines are not linked to the customer drill-down (no customer day mart), and asking for it is a 404."""
    from django.urls import reverse

    run = services.evaluation_run(actor=None, scheme=Scheme.objects.get(code="AM-DAILY"), period="2026-03-02")
    client.force_login(days["users"]["head_office"])
    page = client.get(reverse("evaluation:score", args=[run.pk, "S0003"])).content.decode()
    assert "/evaluation/drill/" not in page
    assert client.get(reverse("evaluation:drill", args=["S0003", "2026-03-02", "net_commission"])).status_code == 404
