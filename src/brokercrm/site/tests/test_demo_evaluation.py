"""The demo's evaluation part: boards of the last day and week, three months for the level review, a cascaded target."""
import datetime as dt

import pytest
from django.core.management import call_command

from brokercrm.compensation.tests.world import publish_month
from brokercrm.evaluation.models import EvaluationRun, LevelChange, Target
from brokercrm.org.roles import Role
from brokercrm.org.tests.factories import user_for
from brokercrm.site import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot_dir(tmp_path, settings):
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    return settings.WAREHOUSE_SNAPSHOT_DIR


def test_demo_evaluation_fills_the_board_levels_and_targets(org_world, snapshot_dir, monkeypatch):
    """With the demo's logins and March 2026 evaluated, _demo_evaluation runs the day and week schemes and January and
    February (nothing published: low scores), so S0004 (28 in March) and S0005 (58) are proposed for demotion, S0003 (88) not; April's target is cascaded
    to the branches and branch 0001's staff, each level approved and summing to its parent; a second call adds nothing."""
    publish_month(snapshot_dir)
    monkeypatch.setattr(demo, "latest_loaded_date", lambda: dt.date(2026, 3, 31))
    user_for(Role.HEAD_OFFICE, username="headoffice")
    manager = org_world["users"]["branch_manager"]
    manager.username = "branchmgr"
    manager.save()
    call_command("evaluation", "run", "--scheme", "all", "--period", "2026-03")
    lines = demo._demo_evaluation("2026-03")
    runs = set(EvaluationRun.objects.values_list("scheme__code", "period"))
    assert {("AM-DAILY", "2026-03-31"), ("AM-WEEKLY", "2026-W14"), ("AM-MONTHLY", "2026-01"), ("AM-MONTHLY", "2026-02")} <= runs
    assert set(LevelChange.objects.filter(kind="demotion").values_list("staff__staff_no", "status", "effective_from")) == {
        ("S0004", "proposed", dt.date(2026, 4, 1)), ("S0005", "proposed", dt.date(2026, 4, 1))}
    company = Target.objects.get(period="2026-04", scope="company")
    branches = Target.objects.filter(period="2026-04", scope="branch", status="approved")
    assert sum(t.target for t in branches) == company.target
    staff = Target.objects.filter(period="2026-04", scope="staff", status="approved")
    assert staff.exists() and sum(t.target for t in staff) == branches.get(key="0001").target
    assert any(line.startswith("targets 2026-04") for line in lines)
    demo._demo_evaluation("2026-03")
    assert Target.objects.filter(period="2026-04").count() == 1 + branches.count() + staff.count()
    assert LevelChange.objects.count() == 2
