"""Role checks live in the services, so a page, the API and a direct call (what the CLI makes) refuse a wrong role
alike; the CLI acts as the system and may. Role sets are written once, in org/roles.py."""
import ast
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from brokercrm.compensation import services as payroll
from brokercrm.compensation.models import PayrollRun
from brokercrm.compensation.tests.world import MONTH, publish_month
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.evaluation import services as evaluation
from brokercrm.evaluation.models import Scheme
from brokercrm.servicing.models import OptOut
from brokercrm.servicing.services.outbox import opt_out_set

pytestmark = pytest.mark.django_db

UPPER_APPS = ("analytics", "servicing", "evaluation", "compensation")


@pytest.fixture
def month(org_world, snapshot_dir):
    publish_month(snapshot_dir)
    return org_world


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _run_evaluation_by_page(world, user):
    return _client(user).post("/evaluation/runs/new/", {"scheme": "AM-MONTHLY", "period": MONTH}).status_code


def _run_evaluation_directly(world, user):
    evaluation.evaluation_run(actor=user, scheme=Scheme.objects.get(code="AM-MONTHLY"), period=MONTH)


def _run_payroll_by_page(world, user):
    return _client(user).post("/compensation/runs/calculate/", {"period": MONTH}).status_code


def _run_payroll_directly(world, user):
    payroll.payroll_run_calculate(actor=user, period=MONTH)


def _opt_out_by_api(world, user):
    payload = {"customer_no": "10000001", "channel": "sms", "opted_out": True}
    return _client(user).post("/api/service/opt-outs", payload, content_type="application/json").status_code


def _opt_out_directly(world, user):
    customer = CustomerFactory._meta.model.objects.get(customer_no="10000001")
    opt_out_set(actor=user, customer=customer, channel="sms", opted_out=True)


@pytest.mark.parametrize("refused_role, act, surface", [
    ("broker", _run_evaluation_by_page, "page"),
    ("broker", _run_evaluation_directly, "service"),
    ("branch_manager", _run_payroll_by_page, "page"),
    ("branch_manager", _run_payroll_directly, "service"),
    ("compliance", _opt_out_by_api, "api"),
    ("compliance", _opt_out_directly, "service"),
])
def test_a_wrong_role_is_refused_on_every_surface_and_nothing_changes(month, refused_role, act, surface):
    """Evaluation runs and payroll runs are head office's, opt-out changes a service worker's: others get 403 / PermissionDenied."""
    customer = CustomerFactory(customer_no="10000001", branch=month["branches"][0])
    relate(customer, month["staff"]["broker"])
    user = month["users"][refused_role]
    if surface == "service":
        with pytest.raises(PermissionDenied):
            act(month, user)
    else:
        assert act(month, user) == 403
    assert not Scheme.objects.get(code="AM-MONTHLY").runs.exists()
    assert not PayrollRun.objects.exists() and not OptOut.objects.exists()


def test_the_cli_acts_as_the_system_and_may(month):
    """`brokercrm payroll run` and `evaluation run` carry no user: the same services let the system through."""
    out = io.StringIO()
    call_command("evaluation", "run", "--scheme", "AM-MONTHLY", "--period", MONTH, stdout=out)
    call_command("payroll", "run", "--period", MONTH, stdout=out)
    assert "AM-MONTHLY 2026-03: 3 staff scored" in out.getvalue()
    assert PayrollRun.objects.get(period=MONTH).status == PayrollRun.Status.DRAFT


def test_role_sets_are_written_only_in_org_roles():
    """No module of the upper apps builds a set of roles itself (menus, views and services name org/roles.py's sets)."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for app in UPPER_APPS:
        for path in (root / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.Set, ast.List, ast.Tuple)) and any(
                        isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "Role" for e in node.elts):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []
