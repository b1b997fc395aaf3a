"""A definition's expressions are data: conditions in the formula language, timers ISO 8601 values, nothing run as Python."""
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from brokercrm.core.errors import DomainError, InputRejected
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.platform.workflow import bpmn, selectors, services
from brokercrm.platform.workflow.expressions import ExpressionError, FormulaEnvironment, condition_problem, timer_value
from brokercrm.platform.workflow.models import ProcessDefinition, ProcessInstance, WorkTask
from brokercrm.platform.workflow.tests.test_definitions import ADD, _line, _problems

PWNED = Path("/tmp/brokercrm-test-pwned")
EXPLOIT = f"__import__('os').system('touch {PWNED}')"


def _timer_after_approval(expression: str, tag: str = "timeDuration") -> str:
    """relation_add with a timer between the branch manager's decision and the gateway."""
    return ADD.replace(
        '<bpmn:sequenceFlow id="to_decision" sourceRef="branch_manager_approves" targetRef="decision"/>',
        '<bpmn:sequenceFlow id="to_wait" sourceRef="branch_manager_approves" targetRef="wait"/>\n'
        f'    <bpmn:intermediateCatchEvent id="wait" name="Cooling-off"><bpmn:timerEventDefinition id="wait_timer">'
        f'<bpmn:{tag}>{expression}</bpmn:{tag}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n'
        '    <bpmn:sequenceFlow id="to_decision" sourceRef="wait" targetRef="decision"/>')


@pytest.fixture
def no_marker():
    PWNED.unlink(missing_ok=True)
    yield
    assert not PWNED.exists(), "a definition's expression ran as Python"


@pytest.mark.django_db
def test_workflow_check_and_load_refuse_a_timer_that_is_code(org_world, tmp_path, no_marker):
    """Issue 19: a timer expression `__import__('os').system(…)` passed `workflow check`; now check and load exit 1 naming the event."""
    exploit = tmp_path / "exploit.bpmn"
    exploit.write_text(_timer_after_approval(EXPLOIT), encoding="utf-8")
    out = io.StringIO()

    for command in ("check", "load"):
        with pytest.raises(SystemExit) as exc:
            call_command("workflow", command, str(exploit), stdout=out, stderr=io.StringIO())
        assert exc.value.code == 1

    expected = (f"{exploit}:{_line(exploit.read_text(), 'timeDuration')}:wait: timeDuration: '{EXPLOIT}' is not an ISO 8601 "
                "duration in whole units (e.g. P3D, PT4H, P1DT12H)")
    assert out.getvalue().splitlines() == [expected, expected]
    assert ProcessDefinition.objects.count() == 0


@pytest.mark.parametrize("tag,expression,value", [
    ("timeDuration", "PT4H", "PT4H"),
    ("timeDuration", '"P3D"', "P3D"),
    ("timeDuration", "'P1DT12H'", "P1DT12H"),
    ("timeDate", "2026-03-31T18:00:00+08:00", "2026-03-31T18:00:00+08:00"),
    ("timeCycle", "R3/PT1H", "R3/PT1H"),
    ("timeCycle", "R/2026-03-31T18:00:00/P1D", "R/2026-03-31T18:00:00/P1D"),
])
def test_iso_8601_timer_values_pass_bare_or_quoted(tag, expression, value):
    """Durations, dates and cycles written as ISO 8601 values (Spiff's quoted form too) are accepted as that value."""
    kind = bpmn.TIMER_TAGS[tag]
    assert timer_value(kind, expression) == value
    bpmn.parse_definition(_timer_after_approval(expression, tag).encode(), file_name="t.bpmn", roles={"branch_manager"},
                          handlers={"relations.add", "workflow.notify_completed", "workflow.notify_rejected"})


@pytest.mark.parametrize("tag,expression,message", [
    ("timeDuration", "timedelta(days=1)", "'timedelta(days=1)' is not an ISO 8601 duration in whole units (e.g. P3D, PT4H, P1DT12H)"),
    ("timeDuration", '"P3D" + x', "timer '\"P3D\" + x' is not a quoted ISO 8601 value"),
    ("timeDuration", "P999999999Y", "'P999999999Y' is longer than 100 years"),
    ("timeDuration", "P1W2D", "'P1W2D': weeks (W) cannot be combined with years, months or days"),
    ("timeDate", "datetime.now()", "'datetime.now()' is not an ISO 8601 date and time (e.g. 2026-03-31T18:00:00+08:00)"),
    ("timeDate", "2026-W13-2", "'2026-W13-2': write the date as year-month-day, not as a week date"),
    ("timeCycle", "R3/PT1H/P1D", "'R3/PT1H/P1D': a repetition needs exactly one duration"),
    ("timeCycle", "(3, timedelta(hours=1))", "'(3, timedelta(hours=1))' is not an ISO 8601 repetition (e.g. R3/PT1H or R/2026-03-31T18:00:00/P1D)"),
])
def test_timers_other_than_iso_8601_values_are_refused_naming_the_event(tag, expression, message):
    """Anything but a literal ISO 8601 value is refused with the event's id and line; nothing is evaluated."""
    text = _timer_after_approval(expression, tag)
    assert _problems(text) == [f"bad.bpmn:{_line(text, tag)}:wait: {tag}: {message}"]


def test_expressions_the_engine_does_not_evaluate_are_refused_naming_the_element():
    """Loops and data assignments would make Spiff evaluate expressions: they are refused wherever they appear."""
    text = ADD.replace('<bpmn:userTask id="branch_manager_approves" name="Branch manager approves"/>',
                       '<bpmn:userTask id="branch_manager_approves" name="Branch manager approves">'
                       '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality>'
                       '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>')
    assert _problems(text) == [f"bad.bpmn:{_line(text, 'multiInstance')}:branch_manager_approves: multiInstanceLoopCharacteristics "
                               "is not allowed: the engine evaluates only conditions and timer values"]


@pytest.mark.parametrize("condition,problem", [
    ("approved and relation_type == \"development\"", ""),
    ("not approved or staff_no in (\"S0001\", \"S0002\")", ""),
    ("approved.__class__", "condition 'approved.__class__': column 1: unknown name 'approved.__class__' (known: approved, relation_type, staff_no)"),
    ("[x for x in ()]", "condition '[x for x in ()]': column 1: '[x for x in ()]' is not allowed in a formula"),
    ("1 + 1", "condition '1 + 1' must be true or false, not a number"),
])
def test_conditions_are_formula_language_conditions(condition, problem):
    """A condition is checked by the formula language against the process's variables; it must give true or false."""
    assert condition_problem(condition, {"approved", "relation_type", "staff_no"}) == problem


def test_the_engine_evaluates_conditions_as_formulas_and_runs_no_script():
    """At run time a condition is interpreted over the process data (no eval); a script is refused (no exec)."""
    environment = FormulaEnvironment()
    data = {"approved": True, "relation_type": "development", "amount": 2.5, "count": 3}

    assert environment.evaluate("approved and relation_type == 'development' and amount * count > 7", data) is True
    assert environment.evaluate("not approved", data) is False
    with pytest.raises(ExpressionError, match=r"'missing': column 1: unknown name 'missing'"):
        environment.evaluate("missing", data)
    with pytest.raises(ExpressionError, match=r"unknown function '__import__\('os'\)\.system'"):
        environment.evaluate(EXPLOIT, data)
    with pytest.raises(ExpressionError, match="scripts are not run"):
        environment.execute("approved = False", data)
    assert data["approved"] is True


def _apply(world, customer_no: str):
    from brokercrm.relations import applications

    ref = applications.relation_add_apply(actor=world["users"]["broker"], customer=CustomerFactory(customer_no=customer_no, branch=world["branches"][0]),
                                          staff=world["staff"]["broker"], relation_type="development", start_date=dt.date(2024, 5, 6))
    return ProcessInstance.objects.get(pk=ref.id)


def _store_unchecked(text: str) -> ProcessDefinition:
    """A definition as a version without the expression checks stored it: straight into the table."""
    ProcessDefinition.objects.filter(key="relation_add").update(is_active=False)
    return ProcessDefinition.objects.create(key="relation_add", version=9, name="old", bpmn=text, file_name="old.bpmn",
                                            checksum=hashlib.sha256(text.encode()).hexdigest(), is_active=True)


@pytest.mark.django_db
def test_a_definition_stored_before_the_checks_cannot_start(world, no_marker):
    """A stored definition with a code timer is checked again when used: the application is refused, nothing runs."""
    _store_unchecked(_timer_after_approval(EXPLOIT))

    with pytest.raises(InputRejected) as exc:
        _apply(world, "10000002")

    assert [p.column for p in exc.value.problems] == ["wait"]


@pytest.mark.django_db
def test_a_process_started_before_the_checks_cannot_run_its_code_timer(world, no_marker):
    """A process whose spec (with the code timer) was parsed before the checks existed reaches the timer at the decision:
    the engine refuses the expression as a domain error, the task stays open and no Python runs."""
    text = _timer_after_approval(EXPLOIT)
    definition = _store_unchecked(text)
    parser = bpmn.Parser()  # the unchecked parse an older version kept in its cache
    parser.add_bpmn_str(text.encode(), "old.bpmn")
    services._parsed[definition.checksum] = bpmn.ParsedDefinition("relation_add", "old", parser.get_spec("relation_add"), definition.checksum)
    try:
        instance = _apply(world, "10000002")
        task = selectors.inbox_tasks(user=world["users"]["branch_manager"]).get()

        with pytest.raises(DomainError, match=r"process relation_add v9 cannot go on: timer wait: '__import__.*' is not an ISO 8601 duration"):
            services.task_decide(actor=world["users"]["branch_manager"], task=task, approved=True)
    finally:
        del services._parsed[definition.checksum]

    assert (ProcessInstance.objects.get(pk=instance.id).status, WorkTask.objects.get(pk=task.pk).status) == ("running", "open")


@pytest.mark.django_db
def test_an_iso_timer_is_evaluated_by_the_engine_and_waits(world):
    """A checked timer still works: after the decision the process waits on it, its deadline computed from the ISO value."""
    services.definition_load(actor=world["users"]["admin"], data=_timer_after_approval('"P3D"').encode(), file_name="t.bpmn")
    instance = _apply(world, "10000002")
    task = selectors.inbox_tasks(user=world["users"]["branch_manager"]).get()

    services.task_decide(actor=world["users"]["branch_manager"], task=task, approved=True)

    instance = ProcessInstance.objects.get(pk=instance.id)
    waiting = [t for t in bpmn.restore_workflow(instance.state).get_tasks() if t.task_spec.bpmn_id == "wait"]
    deadline = dt.datetime.fromisoformat(waiting[0].internal_data["event_value"])
    assert instance.status == "running"
    assert dt.timedelta(days=2, hours=23) < deadline - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(days=3)


def test_a_state_whose_migration_would_eval_its_timers_is_refused():
    """Spiff migrates serializer 1.0/1.1 states by eval()-ing timer expressions: such a state is refused before that."""
    with pytest.raises(ExpressionError, match="serializer version 1.1, whose migration would evaluate its timers as Python"):
        bpmn.restore_workflow('{"serializer_version": "1.1", "spec": {}}')
