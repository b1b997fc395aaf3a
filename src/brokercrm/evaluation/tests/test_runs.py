"""Evaluation runs with the database: hand-computed scores and rankings, drill-down in scope, YAML import errors."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.http import Http404

from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.tests.snapshot import write_snapshot
from brokercrm.evaluation import selectors, services
from brokercrm.evaluation.models import Scheme, SchemeItem
from brokercrm.research.models import ResearchDelivery, ResearchPush
from brokercrm.research.tests.factories import text_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def test_scores_and_rankings_in_team_branch_and_company(month):
    """AM-MONTHLY 2026-03: S0003 48+24+8+8 = 88.00, S0005 48+10 = 58.00, S0004 20+4+4 = 28.00, ranked per group."""
    run = services.evaluation_run(actor=month["users"]["head_office"], scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    scores = {s.staff.staff_no: (s.total, s.rank_team, s.rank_branch, s.rank_company) for s in run.scores.all()}
    assert scores == {"S0003": (D("88.00"), 1, 1, 1), "S0005": (D("58.00"), None, 1, 2), "S0004": (D("28.00"), 2, 2, 3)}
    lines = {ln.indicator: ln.points for ln in run.scores.get(staff__staff_no="S0003").lines.all()}
    assert lines == {"net_commission": D("48.00"), "avg_daily_assets": D("24.00"), "effective_new_customers": D("8.00"),
                     "customer_count": D("8.00"), "visits": D("0.00")}
    assert run.note == ""  # no visit was recorded: visits scores 0.00


def test_a_rerun_replaces_the_scores_and_a_wrong_period_kind_is_refused(month):
    """Running the month twice keeps one run; a quarterly scheme refuses a month naming the period field."""
    ho = month["users"]["head_office"]
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    services.evaluation_run(actor=ho, scheme=scheme, period=MONTH)
    run = services.evaluation_run(actor=ho, scheme=scheme, period=MONTH)
    assert scheme.runs.count() == 1 and run.scores.count() == 3
    with pytest.raises(DomainError) as exc:
        services.evaluation_run(actor=ho, scheme=Scheme.objects.get(code="AM-QUARTERLY"), period=MONTH)
    assert exc.value.field == "period"


def test_quarterly_scheme_aggregates_the_months(month, snapshot_dir):
    """AM-QUARTERLY 2026-Q1 with only March published: S0003 50 × 35,000 ÷ 60,000 = 29.17 + 20 × 2 ÷ 15 = 2.67 → 31.84."""
    run = services.evaluation_run(actor=month["users"]["head_office"], scheme=Scheme.objects.get(code="AM-QUARTERLY"), period="2026-Q1")
    assert run.scores.get(staff__staff_no="S0003").total == D("31.84")


def test_work_indicators_come_from_the_service_module(month, monkeypatch):
    """The servicing facade's visits_done feeds visits: 10 of 20 visits → 10 × 0.5 = 5.00 points."""
    from brokercrm.servicing import facade as servicing

    monkeypatch.setattr(servicing, "work_indicators",
                        lambda staff_nos, date_from, date_to: {n: {"visits_done": 10, "service_tasks_done": 3} for n in staff_nos})
    run = services.evaluation_run(actor=month["users"]["head_office"], scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    score = run.scores.get(staff__staff_no="S0003")
    assert score.lines.get(indicator="visits").points == D("5.00") and score.total == D("93.00")
    assert run.note == ""


def test_scores_are_scoped_a_broker_sees_own_and_another_is_404(month):
    """A broker lists only their own score; the branch manager sees branch 0001's two."""
    run = services.evaluation_run(actor=month["users"]["head_office"], scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)
    assert [s.staff.staff_no for s in selectors.score_list(user=month["users"]["broker"], run=run)] == ["S0003"]
    assert [s.staff.staff_no for s in selectors.score_list(user=month["users"]["branch_manager"], run=run)] == ["S0003", "S0004"]
    with pytest.raises(Http404):
        selectors.score_get(user=month["users"]["broker"], run=run, staff_no="S0005")


def test_drill_down_to_customers_and_their_trades(month, snapshot_dir):
    """Net commission → the broker's customers (largest first) → the customer's trades in the relation's days."""
    b1 = month["branches"][0]
    c1 = CustomerFactory(customer_no="10000001", name="甲", branch=b1)
    c2 = CustomerFactory(customer_no="10000002", name="乙", branch=b1)
    relate(c1, month["staff"]["broker"])
    relate(c2, month["staff"]["broker"], start=dt.date(2026, 3, 16))
    broker = month["users"]["broker"]
    staff, rows, _ = selectors.drill_customers(user=broker, staff_no="S0003", period=MONTH, indicator="net_commission")
    assert [(r.customer_no, r.value, r.whole_period) for r in rows] == [("10000001", D("30000.00"), True), ("10000002", D("5000.00"), False)]
    trade = dict(customer_no="10000002", market="SH", security_code="600519", side="B", quantity=100, price=1500, amount=150000,
                 handling_fee=D("5.12"), regulatory_fee=D("3.00"), channel="app")
    write_snapshot(snapshot_dir, {"dw.fact_trades": [
        {**trade, "trade_date": dt.date(2026, 3, 13), "serial_no": "A1", "commission": D("40.00"), "staff_no": None},  # before the relation
        {**trade, "trade_date": dt.date(2026, 3, 16), "serial_no": "A2", "commission": D("45.00"), "staff_no": "S0003"},
        {**trade, "trade_date": dt.date(2026, 3, 31), "serial_no": "A3", "commission": D("45.00"), "staff_no": "S0003"},
        {**trade, "trade_date": dt.date(2026, 4, 1), "serial_no": "A4", "commission": D("45.00"), "staff_no": "S0003"}]})
    _, customer, drill = selectors.drill_trades(user=broker, staff_no="S0003", period=MONTH, customer_no="10000002")
    assert [t["serial_no"] for t in drill.rows] == ["A2", "A3"]
    assert (drill.commission, drill.net_commission) == (D("90.00"), D("73.76"))
    with pytest.raises(Http404):
        selectors.drill_trades(user=month["users"]["other_broker"], staff_no="S0003", period=MONTH, customer_no="10000002")


def test_scheme_yaml_round_trips_and_bad_files_name_line_and_field(month):
    """Export → import gives the same YAML; a bad indicator and a bad formula are reported by line and nothing changes."""
    ho = month["users"]["head_office"]
    text = services.schemes_export()
    assert services.schemes_import(actor=ho, data=text.encode(), file_name="schemes.yaml") == 6  # the four monthly-or-longer schemes, AM-DAILY and AM-WEEKLY
    assert services.schemes_export() == text
    bad = text.replace("indicator: avg_daily_assets", "indicator: profit", 1).replace(
        "if(actual >= target, weight, weight * ratio * 0.5)", "if(actual >= target, weight, weight * ratoi)")
    with pytest.raises(InputRejected) as exc:
        services.schemes_import(actor=ho, data=bad.encode(), file_name="schemes.yaml")
    messages = [str(p) for p in exc.value.problems]
    assert any(m.startswith("schemes.yaml:") and ":indicator: unknown indicator 'profit'" in m for m in messages)
    assert any(":formula: column 39: unknown name 'ratoi'" in m for m in messages)
    assert services.schemes_export() == text


def test_an_item_edit_with_a_bad_formula_is_refused_with_its_column(month):
    """Saving `actual * * 2` as a scoring formula is refused on the formula field with its column."""
    item = SchemeItem.objects.get(scheme__code="AM-MONTHLY", indicator="net_commission")
    with pytest.raises(DomainError) as exc:
        services.scheme_item_update(actor=month["users"]["head_office"], item=item, target=D(20000), weight=D(40),
                                    mode="formula", formula="actual * * 2")
    assert exc.value.field == "formula" and exc.value.message.startswith("column ")
    item.refresh_from_db()
    assert item.mode == "capped"


def test_cli_runs_every_active_monthly_scheme_and_a_bad_yaml_exits_non_zero(month, tmp_path):
    """`evaluation run --scheme all --period 2026-03` runs the three monthly schemes; a bad import prints FILE:LINE:FIELD and exits 1."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("evaluation", "run", "--scheme", "all", "--period", MONTH, stdout=out)
    assert [line.split(":")[0] for line in out.getvalue().splitlines() if not line.startswith("note")] == [
        "AM-MONTHLY 2026-03", "EB-MONTHLY 2026-03", "TL-MONTHLY 2026-03"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: brokercrm-schemes/v1\nschemes:\n  - code: X\n    name: x\n    category: nobody\n    items: []\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("evaluation", "schemes-import", str(bad), stdout=out, stderr=io.StringIO())
    assert exc.value.code == 1
    assert f"{bad}:3:category: unknown staff category 'nobody'" in out.getvalue()


def test_a_scheme_formula_stored_before_the_checks_stops_the_run_naming_scheme_and_item(month):
    """A scoring formula stored earlier with a zero divisor is refused when the scheme runs: scheme and item named, no run stored."""
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    SchemeItem.objects.filter(scheme=scheme, indicator="net_commission").update(mode="formula", formula="actual / 0")

    with pytest.raises(DomainError) as exc:
        services.evaluation_run(actor=month["users"]["head_office"], scheme=scheme, period=MONTH)

    assert (exc.value.field, exc.value.message) == ("formula", "scheme AM-MONTHLY, item net_commission: column 10: division by zero: the divisor is 0")
    assert not scheme.runs.exists()


def test_a_score_too_large_for_a_score_line_stops_the_run_naming_scheme_and_staff(month):
    """A checked formula giving 10^8 points or more is an evaluation error naming the scheme and the staff member."""
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    SchemeItem.objects.filter(scheme=scheme, indicator="net_commission").update(mode="formula", formula="weight * 10000000")

    with pytest.raises(DomainError) as exc:
        services.evaluation_run(actor=month["users"]["head_office"], scheme=scheme, period=MONTH)

    assert exc.value.message.startswith("scheme AM-MONTHLY, staff S00")
    assert exc.value.message.endswith("are too large for a score (below 100,000,000 expected)")


def test_research_pushes_are_service_work_a_scheme_scores(month):
    """资讯推送次数 counts research deliveries by sent date per responsible staff: S0003 has 3 in March (1 in April is
    outside), S0004 has 1; with research_pushes weighted 8 to a target of 4: S0003 88.00 + 8 × 3 ÷ 4 = 94.00 and S0004
    28.00 + 8 × 1 ÷ 4 = 30.00, S0005 (none) stays 58.00."""
    report = text_report("白酒行业需求稳健。", title="白酒行业点评", audience="clients")
    push = ResearchPush.objects.create(report=report, channel="email")
    staff = month["staff"]
    for n, (holder, sent_on) in enumerate([("broker", dt.date(2026, 3, 2)), ("broker", dt.date(2026, 3, 16)),
                                           ("broker", dt.date(2026, 3, 31)), ("broker", dt.date(2026, 4, 1)),
                                           ("colleague", dt.date(2026, 3, 20))]):
        customer = CustomerFactory(customer_no=f"90{n:02d}", branch=staff[holder].branch)
        ResearchDelivery.objects.create(push=push, report=report, customer=customer, staff=staff[holder], matched_on="SH600519",
                                        token=f"token-{n}", sent_on=sent_on)
    scheme = Scheme.objects.get(code="AM-MONTHLY")
    SchemeItem.objects.create(scheme=scheme, order=9, indicator="research_pushes", weight=D(8), target=D(4), mode="linear")

    run = services.evaluation_run(actor=month["users"]["head_office"], scheme=scheme, period=MONTH)

    scores = {s.staff.staff_no: s.total for s in run.scores.all()}
    assert scores == {"S0003": D("94.00"), "S0004": D("30.00"), "S0005": D("58.00")}
    assert run.scores.get(staff__staff_no="S0003").lines.get(indicator="research_pushes").actual == D("3")
