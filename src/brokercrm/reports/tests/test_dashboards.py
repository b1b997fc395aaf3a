"""Role dashboards on the home page: widgets are saved reports whose numbers equal the indicator exports."""
import csv
import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.pipelines.publish import publish_marts
from brokercrm.datacenter.tests.ods_factory import d
from brokercrm.org.tests.factories import BranchFactory, StaffFactory, TeamFactory, category, user_for
from brokercrm.reports import dashboards
from brokercrm.reports.dashboards import dashboard, widget_key
from brokercrm.reports.selectors import report_query


def _export(con, tmp_path, level) -> dict[str, dict[str, str]]:
    out = tmp_path / f"{level}.csv"
    export_indicators(con, level=level, grain="month", date_from=d("2026-04-01"), date_to=d("2026-04-30"), out=out)
    return {r["key"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}


def _cell(value) -> str:
    return "" if value is None else format(value, "f") if not isinstance(value, int) else str(value)


@pytest.fixture
def broker(published):
    """S0002, who holds customers 10000001 and 10000004 (attributed to S0002 in April in the rich brokerage)."""
    branch = BranchFactory(code="0102")
    staff = StaffFactory(staff_no="S0002", branch=branch)
    for no in ("10000001", "10000004"):
        relate(CustomerFactory(customer_no=no, branch=branch), staff)
    return user_for("broker", staff=staff)


def test_head_office_branch_widget_equals_the_branch_export(published, tmp_path, cache):
    """营业部业绩月报 on head office's home: each branch's April numbers are the branch export's."""
    today, widgets = dashboard(user_for("head_office"))
    assert today == d("2026-04-30") or today.month == 4
    table = next(w.table for w in widgets if w.report.name == "营业部业绩月报")
    exported = _export(published, tmp_path, "branch")
    measures = ["net_commission", "commission", "trade_amount", "avg_daily_assets", "net_inflow", "customer_count"]
    for row in table.rows:
        values = dict(zip(table.columns, row))
        assert {m: _cell(values[m]) for m in measures} == {m: exported[values["branch_code"]][m] for m in measures}


def test_broker_overview_equals_their_staff_export_row(published, tmp_path, broker, cache):
    """A broker's 业绩概览 (this month) equals the staff export row of their staff_no."""
    _, widgets = dashboard(broker)
    table = next(w.table for w in widgets if w.report.name == "业绩概览")
    [row] = table.rows
    values = dict(zip(table.columns, row))
    mine = _export(published, tmp_path, "staff")["S0002"]
    for m in ("customer_count", "end_assets", "avg_daily_assets", "net_commission", "net_inflow"):
        assert _cell(values[m]) == mine[m], m


def test_a_brokers_overview_keeps_the_facts_of_a_customer_no_longer_theirs(published, tmp_path, cache):
    """S0002 now holds only 10000004 (10000001 has left them): their 业绩概览 still equals the staff export row, which
    counts 10000001's April facts attributed to S0002; a query in their scope does not."""
    branch = BranchFactory(code="0102")
    staff = StaffFactory(staff_no="S0002", branch=branch)
    relate(CustomerFactory(customer_no="10000004", branch=branch), staff)
    CustomerFactory(customer_no="10000001", branch=branch)
    broker = user_for("broker", staff=staff)
    _, widgets = dashboard(broker)
    values = dict(zip(*(lambda t: (t.columns, t.rows[0]))(next(w.table for w in widgets if w.report.name == "业绩概览"))))
    mine = _export(published, tmp_path, "staff")["S0002"]
    for m in ("end_assets", "avg_daily_assets", "net_commission", "net_inflow"):
        assert _cell(values[m]) == mine[m], m
    scoped = report_query(user=broker, measures=["avg_daily_assets"], by=[], date_from=d("2026-04-01"),
                          date_to=d("2026-04-30"), where='staff_no == "S0002"')
    assert _cell(scoped.rows[0][0]) != mine["avg_daily_assets"]


def test_home_page_shows_the_role_dashboard(client, published, broker, cache):
    """The home page is the dashboard: the broker's widgets by name, the KPI numbers formatted with separators."""
    client.force_login(broker)
    page = client.get("/").content.decode()
    assert 'data-report="业绩概览"' in page and 'data-report="客户资金流入排行"' in page
    assert "11,500.26" in page  # April's average daily assets of S0002


def test_dashboard_cache_follows_the_snapshot(published, cache, settings, broker):
    """Results are cached under the snapshot's name: a new publish reads afresh."""
    first = dashboard(broker)[1][0].table
    publish_marts(published, settings.WAREHOUSE_SNAPSHOT_DIR)
    second = dashboard(broker)[1][0].table
    assert first.snapshot != second.snapshot and first.rows == second.rows


def test_a_widget_computed_in_one_process_is_read_by_another(published, cache, broker):
    """The cache is shared by the processes (files under the data directory): a widget computed here, as the worker
    does after a publish, is what a separate Python process (a web worker) reads, table and snapshot alike."""
    today, widgets = dashboard(broker)
    key = widget_key(broker, widgets[0].report, today=today)
    code = ("import django; django.setup(); from django.core.cache import cache; t = cache.get(%r); "
            "print(t.snapshot, len(t.rows), t.rows[0][0])" % key)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == [widgets[0].table.snapshot, str(len(widgets[0].table.rows)), str(widgets[0].table.rows[0][0])]


def test_a_team_leader_sees_the_team_dashboard_and_the_teams_numbers(published, tmp_path, cache):
    """A broker leading a team (S0002 with S0001) gets the team leader's widgets; the overview sums the team's staff
    export rows."""
    branch = BranchFactory(code="0102")
    team = TeamFactory(branch=branch)
    leader = StaffFactory(staff_no="S0002", branch=branch, team=team, category=category("team_leader"), level=None)
    member = StaffFactory(staff_no="S0001", branch=branch, team=team)
    for no, staff in (("10000001", leader), ("10000004", leader), ("10000002", member)):
        relate(CustomerFactory(customer_no=no, branch=branch), staff)
    _, widgets = dashboard(user_for("broker", staff=leader))
    assert "员工业绩排名" in [w.report.name for w in widgets]
    values = dict(zip(*(lambda t: (t.columns, t.rows[0]))(next(w.table for w in widgets if w.report.name == "业绩概览"))))
    staff = _export(published, tmp_path, "staff")
    for m in ("customer_count", "end_assets", "net_commission"):
        assert values[m] == sum(type(values[m])(staff[no][m]) for no in ("S0001", "S0002")), m


def test_the_scheduler_pass_computes_a_new_snapshots_dashboards_once(published, cache, monkeypatch):
    """After a publish the scheduler's pass queues the dashboards' computing once (the worker runs it; immediate in
    tests): head office's home then reads every widget from the cache, and the next pass queues nothing."""
    head_office = user_for("head_office")
    first, second = io.StringIO(), io.StringIO()

    call_command("scheduler", "--once", stdout=first)
    call_command("scheduler", "--once", stdout=second)

    def refuse(**kwargs):
        raise AssertionError("a widget was computed on view")

    monkeypatch.setattr(dashboards, "report_table", refuse)
    _, widgets = dashboard(head_office)
    assert widgets and all(w.table is not None for w in widgets)
    assert "dashboards: dashboards of snapshot-" in first.getvalue() and "dashboards" not in second.getvalue()
