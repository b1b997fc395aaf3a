"""Process definitions are data: checked before use, loaded as new versions without code change, running instances unaffected."""
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from brokercrm.core.errors import InputRejected
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.platform.workflow import registry, selectors, services
from brokercrm.platform.workflow.models import ProcessDefinition, ProcessInstance
from brokercrm.relations import applications

PROCESSES = Path(applications.__file__).parent / "processes"
ADD = (PROCESSES / "relation_add.bpmn").read_text(encoding="utf-8")

# relation_add with a second approval by head office after the branch manager's.
TWO_STEP_ADD = ADD.replace(
    '<bpmn:flowNodeRef>branch_manager_approves</bpmn:flowNodeRef>\n      </bpmn:lane>',
    '<bpmn:flowNodeRef>branch_manager_approves</bpmn:flowNodeRef>\n      </bpmn:lane>\n'
    '      <bpmn:lane id="head_office" name="Head office">\n'
    '        <bpmn:extensionElements><brokercrm:candidates role="head_office"/></bpmn:extensionElements>\n'
    '        <bpmn:flowNodeRef>head_office_approves</bpmn:flowNodeRef>\n      </bpmn:lane>',
).replace(
    'sourceRef="decision" targetRef="relation_takes_effect">',
    'sourceRef="decision" targetRef="head_office_approves">',
).replace(
    '<bpmn:serviceTask id="relation_takes_effect"',
    '<bpmn:userTask id="head_office_approves" name="Head office approves"/>\n'
    '    <bpmn:sequenceFlow id="to_ho_decision" sourceRef="head_office_approves" targetRef="ho_decision"/>\n'
    '    <bpmn:exclusiveGateway id="ho_decision" name="Approved by head office?"/>\n'
    '    <bpmn:sequenceFlow id="ho_approved" sourceRef="ho_decision" targetRef="relation_takes_effect"><bpmn:conditionExpression>approved</bpmn:conditionExpression></bpmn:sequenceFlow>\n'
    '    <bpmn:sequenceFlow id="ho_rejected" sourceRef="ho_decision" targetRef="notify_rejected"><bpmn:conditionExpression>not approved</bpmn:conditionExpression></bpmn:sequenceFlow>\n'
    '    <bpmn:serviceTask id="relation_takes_effect"',
)


def _problems(text: str, name: str = "bad.bpmn") -> list[str]:
    with pytest.raises(InputRejected) as exc:
        services.definition_parse(data=text.encode("utf-8"), file_name=name)
    return [str(p) for p in exc.value.problems]


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_every_shipped_definition_is_valid():
    """The four relation processes pass the checks, with their approval steps and handlers."""
    summary = {}
    for path in sorted(PROCESSES.glob("*.bpmn")):
        parsed = services.definition_parse(data=path.read_bytes(), file_name=path.name)
        summary[parsed.key] = ([a.bpmn_id for a in parsed.approvals], sorted(h.handler for h in parsed.handlers))
    notify = ["workflow.notify_completed", "workflow.notify_rejected"]
    assert summary == {
        "relation_add": (["branch_manager_approves"], ["relations.add", *notify]),
        "relation_bulk_transfer": (["branch_manager_approves", "head_office_approves"], ["relations.bulk_transfer", *notify]),
        "relation_terminate": (["branch_manager_approves"], ["relations.terminate", *notify]),
        "relation_transfer": (["current_manager_approves", "receiving_manager_approves", "head_office_approves"],
                              ["relations.transfer", *notify]),
    }


def test_malformed_xml_and_non_bpmn_files_are_refused_with_their_line():
    """Broken XML names its line; XML that is not BPMN says so."""
    assert _problems(ADD.replace("</bpmn:process>", "</bpmn:proces>")) == [
        f"bad.bpmn:{_line(ADD, '</bpmn:process>')}:: not well-formed XML: Opening and ending tag mismatch: process line 5 and proces, line 31, column 17"]
    assert _problems('<?xml version="1.0"?>\n<process/>') == ["bad.bpmn:2:: not a BPMN 2.0 file (the root element must be bpmn:definitions)"]


def test_engine_rules_are_checked_with_line_and_element():
    """Unknown handlers, unknown roles or fields, script tasks, tasks outside lanes and unsafe conditions are all reported."""
    bad = (ADD.replace('implementation="relations.add"', 'implementation="relations.give_away"')
           .replace('branchOf="staff_no"', 'branchOf="manager_no"')
           .replace("<bpmn:conditionExpression>approved</bpmn:conditionExpression>",
                    "<bpmn:conditionExpression>__import__('os').system('true')</bpmn:conditionExpression>")
           .replace('<bpmn:endEvent id="effective" name="In effect"/>',
                    '<bpmn:endEvent id="effective" name="In effect"/>\n    <bpmn:scriptTask id="calc"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'))

    assert _problems(bad) == [
        f"bad.bpmn:{_line(bad, 'scriptTask id=')}:calc: scriptTask is not allowed in an approval process (use serviceTask with a registered handler)",
        f"bad.bpmn:{_line(bad, 'branchOf=')}:branch_manager: branchOf 'manager_no' is not a field of this process "
        "(known: customer_name, customer_no, reason, relation_type, staff_name, staff_no, start_date)",
        f"bad.bpmn:{_line(bad, 'relations.give_away')}:relation_takes_effect: unknown handler 'relations.give_away' in implementation "
        f"(registered: {', '.join(sorted(registry.handler_names()))})",
        f"bad.bpmn:{_line(bad, '__import__')}:approved_flow: condition '__import__('os').system('true')': column 1: unknown function "
        "'__import__('os').system' (known: if, min, max, round, abs, coalesce, tier)",
    ]
    outside = ADD.replace('<bpmn:flowNodeRef>branch_manager_approves</bpmn:flowNodeRef>', "").replace(
        'role="branch_manager"', 'role="branch_manager"')
    assert _problems(outside) == [
        f"bad.bpmn:{_line(outside, 'userTask id=')}:branch_manager_approves: user task is not in a lane with "
        "<brokercrm:candidates role=…/>; nobody could act on it"]
    assert _problems(ADD.replace('role="branch_manager"', 'role="chairman"'))[0].endswith(
        "branch_manager: unknown candidate role 'chairman' (expected one of admin, branch_manager, broker, compliance, head_office, service_agent)")
    assert _problems(ADD.replace("not approved", "not aproved"))[0].endswith(
        "rejected_flow: condition 'not aproved': column 5: unknown name 'aproved' (known: approved, customer_name, customer_no, reason, "
        "relation_type, staff_name, staff_no, start_date)")


def test_schema_violations_are_refused():
    """A file that breaks the BPMN 2.0 schema is refused before Spiff sees it."""
    bad = ADD.replace('<bpmn:endEvent id="rejected" name="Rejected"/>', '<bpmn:approval id="rejected" name="Rejected"/>')
    problems = _problems(bad)
    assert len(problems) == 1 and problems[0].startswith(f"bad.bpmn:{_line(bad, 'bpmn:approval ')}:: does not follow the BPMN 2.0 schema")


def test_a_broken_flow_is_refused_naming_the_element():
    """A flow to an element that does not exist is reported by the engine's parser with the element's line."""
    bad = ADD.replace('targetRef="rejected"/>', 'targetRef="nowhere"/>')
    line = _line(bad, 'serviceTask id="notify_rejected"')
    assert _problems(bad) == [f"bad.bpmn:{line}:notify_rejected: When looking for a task spec, we found two "
                              "items, perhaps a form has the same ID? (nowhere)."]


@pytest.mark.django_db
def test_a_refused_definition_changes_nothing(org_world):
    """Loading a bad file stores no version and keeps the active one."""
    services.definition_active("relation_add")
    with pytest.raises(InputRejected):
        services.definition_load(actor=org_world["users"]["admin"], data=ADD.replace('relations.add"', 'nope"').encode(), file_name="x.bpmn")
    assert list(ProcessDefinition.objects.values_list("key", "version", "is_active")) == [("relation_add", 1, True)]


@pytest.mark.django_db
def test_a_new_version_changes_new_applications_without_code_and_running_ones_finish_as_they_started(world):
    """Version 2 adds a head-office approval: new applications need it, the one started under version 1 does not."""
    u, s = world["users"], world["staff"]
    b1 = world["branches"][0]
    old = applications.relation_add_apply(actor=u["broker"], customer=CustomerFactory(customer_no="10000002", branch=b1),
                                          staff=s["broker"], relation_type="development", start_date=dt.date(2024, 5, 6))

    definition, changed = services.definition_load(actor=u["admin"], data=TWO_STEP_ADD.encode(), file_name="relation_add_v2.bpmn")
    again, unchanged = services.definition_load(actor=u["admin"], data=TWO_STEP_ADD.encode(), file_name="relation_add_v2.bpmn")
    new = applications.relation_add_apply(actor=u["broker"], customer=CustomerFactory(customer_no="10000003", branch=b1),
                                          staff=s["broker"], relation_type="development", start_date=dt.date(2024, 5, 6))

    assert (definition.version, changed, again.pk, unchanged) == (2, True, definition.pk, False)
    assert list(ProcessDefinition.objects.filter(key="relation_add").values_list("version", "is_active")) == [(2, True), (1, False)]
    for task in selectors.inbox_tasks(user=u["branch_manager"]):
        services.task_decide(actor=u["branch_manager"], task=task, approved=True)
    old, new = ProcessInstance.objects.get(pk=old.id), ProcessInstance.objects.get(pk=new.id)
    assert (old.definition.version, old.status, new.definition.version, new.status) == (1, "completed", 2, "running")
    services.task_decide(actor=u["head_office"], task=selectors.inbox_tasks(user=u["head_office"]).get(), approved=True)
    new.refresh_from_db()
    assert new.status == "completed"


@pytest.mark.django_db
def test_workflow_command_checks_loads_lists_and_exports(org_world, tmp_path):
    """`brokercrm workflow check|load|list|export` work on files; a bad file exits 1 with FILE:LINE:ELEMENT lines."""
    good = tmp_path / "relation_add.bpmn"
    good.write_text(TWO_STEP_ADD, encoding="utf-8")
    bad = tmp_path / "bad.bpmn"
    bad.write_text(ADD.replace('relations.add"', 'relations.nope"'), encoding="utf-8")
    out = io.StringIO()

    call_command("workflow", "check", str(good), stdout=out)
    call_command("workflow", "load", str(good), stdout=out)
    call_command("workflow", "list", stdout=out)
    call_command("workflow", "export", "relation_add", "--out", str(tmp_path / "exported.bpmn"), stdout=out)
    with pytest.raises(SystemExit) as exc:
        call_command("workflow", "load", str(bad), stdout=out, stderr=io.StringIO())

    lines = out.getvalue().splitlines()
    assert lines[:2] == [f"{good}: process relation_add is valid (2 approval step(s), 3 handler step(s))", "relation_add: loaded as version 1"]
    listed = [line.split()[:3] for line in lines[2:-2]]
    assert len(listed) == len(registry.kinds()) and [entry for entry in listed if entry[1].startswith("relation_")] == [
        ["*", "relation_add", "v1"], ["*", "relation_bulk_transfer", "v1"], ["*", "relation_terminate", "v1"], ["*", "relation_transfer", "v1"]]
    assert lines[-2] == f"relation_add v1 written to {tmp_path / 'exported.bpmn'}"
    assert (tmp_path / "exported.bpmn").read_text(encoding="utf-8") == TWO_STEP_ADD
    assert exc.value.code == 1 and lines[-1].startswith(f"{bad}:{_line(ADD, 'relations.add')}:relation_takes_effect: unknown handler 'relations.nope'")


@pytest.mark.django_db
def test_a_definition_failing_on_its_data_refuses_the_application_cleanly(world):
    """A condition on a variable the data does not carry yet stops the application with a clear message and stores nothing."""
    from brokercrm.core.errors import DomainError
    from brokercrm.platform.workflow.models import ProcessInstance

    early = ADD.replace('targetRef="branch_manager_approves"/>', 'targetRef="early"/>\n'
                        '    <bpmn:exclusiveGateway id="early"/>\n'
                        '    <bpmn:sequenceFlow id="early_yes" sourceRef="early" targetRef="branch_manager_approves">'
                        '<bpmn:conditionExpression>approved</bpmn:conditionExpression></bpmn:sequenceFlow>', 1)
    services.definition_load(actor=world["users"]["admin"], data=early.encode(), file_name="early.bpmn")

    with pytest.raises(DomainError, match="process relation_add v1 cannot go on: .*approved"):
        applications.relation_add_apply(actor=world["users"]["broker"], customer=CustomerFactory(customer_no="10000002", branch=world["branches"][0]),
                                        staff=world["staff"]["broker"], relation_type="development", start_date=dt.date(2024, 5, 6))
    assert ProcessInstance.objects.count() == 0
