"""The alert rules evaluated once over every day of a load equal the same days loaded one load at a time.

Real processes, as in datacenter/tests/test_load_recovery.py: `brokercrm etl run` on the simulator's small world with
every rule's thresholds lowered so that each rule fires within the week, from one template (two days, staff and
relations) into two data directories.
"""
import shutil
from pathlib import Path

import pytest

from brokercrm.datacenter.tests.test_load_recovery import _cli, _ok, delivery, loaded_template  # noqa: F401 (delivery: the same 8-day world)

FIRST_DAYS_TO = "2026-03-03"  # the template holds days 1–2; the loads under test bring days 3–8
LATER_DAYS = ("2026-03-04", "2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10", "2026-03-11")
RULES = {
    "large_withdrawal": {"amount": "20000", "share": "0.2", "share_min_amount": "5000"},
    "large_deposit": {"amount": "20000"},
    "assets_drop": {"percent": "3", "days": "2", "min_assets": "0"},
    "no_trade": {"days": "2", "min_assets": "0"},
    "concentration": {"percent": "40", "min_assets": "0"},
    "account_closing": {},
    "questionnaire_expired": {"valid_days": "60"},
    "suitability_breach": {"valid_days": "60"},
}
SET_RULES = f"""
from brokercrm.servicing.services.alerts import alert_rule_update
for code, parameters in {RULES!r}.items():
    alert_rule_update(actor=None, code=code, enabled=True, parameters=parameters)
"""
DUMP = """
from brokercrm.servicing.models import Alert, ServiceTask
for a in Alert.objects.order_by("biz_date", "customer__customer_no", "rule").select_related("customer", "staff"):
    print("alert", a.customer.customer_no, a.rule, a.biz_date, sorted(a.details.items()), a.staff.staff_no if a.staff else None)
tasks = ServiceTask.objects.exclude(alert=None).select_related("customer", "staff", "alert")
for t in sorted(tasks, key=lambda t: (t.alert.biz_date, t.customer.customer_no, t.alert.rule, t.kind)):
    print("task", t.kind, t.customer.customer_no, t.alert.rule, t.alert.biz_date, t.due_date, t.staff.staff_no if t.staff else None)
for t in ServiceTask.objects.filter(kind="visit_exception").select_related("customer", "staff").order_by("customer__customer_no", "due_date", "title"):
    print("visit", t.customer.customer_no, t.title, t.due_date, t.staff.staff_no if t.staff else None)
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory, delivery) -> Path:
    """Days 1–2 loaded, the lowered thresholds set, staff and development relations imported (alerts are routed)."""
    return loaded_template(tmp_path_factory.mktemp("template"), delivery, through=FIRST_DAYS_TO, setup=SET_RULES)


def test_a_load_of_six_days_raises_the_alerts_six_loads_of_one_day_raise(template, delivery, tmp_path):
    """Given days 1–2 loaded, when days 3–8 come in one load (one query per rule over the six days) and, on a copy, in six
    loads of a day each, then both store the same alerts (customer, rule, day, details, staff), the same follow-up tasks
    and exception visits; every rule fires, state rules on the day their state begins only."""
    batch, daily = tmp_path / "batch", tmp_path / "daily"
    shutil.copytree(template, batch)
    shutil.copytree(template, daily)

    assert _ok(_cli(batch, "etl", "run", "--source", str(delivery), "--from", LATER_DAYS[0])).startswith("loaded 6 day(s)")
    for day in LATER_DAYS:
        assert _ok(_cli(daily, "etl", "run", "--source", str(delivery), "--date", day)).startswith(f"loaded 1 day(s): {day}")

    raised = _ok(_cli(batch, "shell", "-c", DUMP))
    assert raised == _ok(_cli(daily, "shell", "-c", DUMP))
    alerts = [line.split(" ") for line in raised.splitlines() if line.startswith("alert ")]
    assert {a[2] for a in alerts} == set(RULES)
    days = ("2026-03-02", "2026-03-03", *LATER_DAYS)
    state = {(a[1], a[2], a[3]) for a in alerts if a[2] in ("assets_drop", "no_trade", "concentration", "questionnaire_expired")}
    assert state and not {(no, rule, days[days.index(day) + 1]) for no, rule, day in state if day != days[-1]} & state
    assert any(a[-1] != "None" for a in alerts)
