"""BPMN 2.0 definitions read and checked for SpiffWorkflow: approval tasks with candidates, handler tasks.

A definition may hold user tasks, gateways, service tasks and events. A user task's lane carries its
candidates as data (`<brokercrm:candidates role="branch_manager" branchOf="staff_no"/>`); a service task
names a registered event handler in its `implementation` attribute. Script tasks are refused: what happens
on a transition is code we wrote and reviewed, not code stored in a definition. Its only expressions are
conditions in the formula language and ISO 8601 timer values (see expressions.py, which also runs them).
"""
import hashlib
import json
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask, UserTask
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from brokercrm.core.errors import InputRejected, Problem
from brokercrm.platform.workflow.expressions import ENGINE, TIMER_TAGS, ExpressionError, condition_problem, timer_value

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BROKERCRM_NS = "https://brokercrm.org/bpmn"
NS = {"bpmn": BPMN_NS, "brokercrm": BROKERCRM_NS}
# Variables every approval process knows besides its kind's data: the decision of the last approval.
DECISION_VARIABLES = {"approved"}
# Spiff migrates states of these serializer versions by eval()-ing their timer expressions.
EVAL_MIGRATIONS = ("1.0", "1.1")
# Elements whose expressions Spiff would evaluate and the engine does not offer: refused wherever they appear.
UNSUPPORTED_EXPRESSIONS = ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "correlationPropertyRetrievalExpression",
                           "assignment", "transformation", "script")


class ApprovalTask(UserTask):
    """A user task whose candidates (a role, optionally in the branch of a staff member in the data) come from its lane."""

    def __init__(self, wf_spec, bpmn_id, candidate_role: str = "", branch_of: str = "", **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.candidate_role = candidate_role
        self.branch_of = branch_of


class HandlerTask(ServiceTask):
    """A service task that names an event handler; the engine runs the handler just before the task completes."""

    def __init__(self, wf_spec, bpmn_id, handler: str = "", **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler

    def _run_hook(self, task) -> bool:
        return True  # the handler already ran (will_complete_task); True tells Spiff the task is done


def _lane_of(node) -> etree._Element | None:
    lanes = node.getroottree().getroot().xpath(
        ".//bpmn:lane[bpmn:flowNodeRef[normalize-space(text())=$id]]", namespaces=NS, id=node.get("id"))
    return lanes[0] if lanes else None


class ApprovalTaskParser(TaskParser):
    def create_task(self):
        lane = _lane_of(self.node)
        rule = lane.find("bpmn:extensionElements/brokercrm:candidates", NS) if lane is not None else None
        role = rule.get("role", "") if rule is not None else ""
        branch_of = rule.get("branchOf", "") if rule is not None else ""
        return self.spec_class(self.spec, self.bpmn_id, candidate_role=role, branch_of=branch_of, **self.bpmn_attributes)


class HandlerTaskParser(TaskParser):
    def create_task(self):
        return self.spec_class(self.spec, self.bpmn_id, handler=self.node.get("implementation", ""), **self.bpmn_attributes)


class ApprovalTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct.update(candidate_role=spec.candidate_role, branch_of=spec.branch_of)
        return dct


class HandlerTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct["handler"] = spec.handler
        return dct


class Parser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        f"{{{BPMN_NS}}}userTask": (ApprovalTaskParser, ApprovalTask),
        f"{{{BPMN_NS}}}serviceTask": (HandlerTaskParser, HandlerTask),
    }


_validator: BpmnValidator | None = None


def _xsd() -> BpmnValidator:
    global _validator
    if _validator is None:
        _validator = BpmnValidator()
    return _validator


def serializer() -> BpmnWorkflowSerializer:
    config = dict(DEFAULT_CONFIG)
    config[ApprovalTask] = ApprovalTaskConverter
    config[HandlerTask] = HandlerTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def new_workflow(spec: BpmnProcessSpec) -> BpmnWorkflow:
    """A process of this spec whose expressions only the formula engine evaluates."""
    return BpmnWorkflow(spec, script_engine=ENGINE)


def restore_workflow(state: str) -> BpmnWorkflow:
    """A stored process, run by the formula engine (the state carries its spec, expressions included)."""
    s = serializer()
    dct = json.loads(state, cls=s.json_decoder_cls)
    if dct.get(s.VERSION_KEY) in EVAL_MIGRATIONS:
        raise ExpressionError(f"the stored process state has serializer version {dct[s.VERSION_KEY]}, "
                              "whose migration would evaluate its timers as Python")
    s.migrate(dct)
    workflow = s.from_dict(dct)
    workflow.script_engine = ENGINE
    return workflow


@dataclass(frozen=True)
class StepInfo:
    bpmn_id: str
    name: str
    lane: str = ""
    role: str = ""
    branch_of: str = ""
    handler: str = ""


@dataclass
class ParsedDefinition:
    key: str
    name: str
    spec: BpmnProcessSpec
    checksum: str
    approvals: list[StepInfo] = field(default_factory=list)
    handlers: list[StepInfo] = field(default_factory=list)


def _element_id(node) -> str:
    """The id of the flow element an expression belongs to (a sequence flow, an event), not of its inner definition."""
    element = node.getparent()
    while element is not None and (not element.get("id") or element.tag.endswith("EventDefinition")):
        element = element.getparent()
    return element.get("id") if element is not None else ""


def parse_definition(data: bytes, *, file_name: str, roles: set[str], handlers: set[str],
                     variables_for=lambda key: None) -> ParsedDefinition:
    """Parse and check one BPMN file; every problem is reported with its line and element id, nothing is kept."""

    def problem(message: str, line: int | None = None, element: str = "") -> Problem:
        return Problem(message, file=file_name, line=line, column=element)

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputRejected([problem(f"not well-formed XML: {exc.msg}", exc.lineno)]) from exc
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise InputRejected([problem("not a BPMN 2.0 file (the root element must be bpmn:definitions)", root.sourceline)])
    try:
        _xsd().validate(root, file_name)
    except ValidationException as exc:
        raise InputRejected([problem(f"does not follow the BPMN 2.0 schema: {exc}", exc.line_number or None)]) from exc

    processes = [p for p in root.iterfind("bpmn:process", NS) if p.get("isExecutable", "false") == "true"]
    if len(processes) != 1:
        raise InputRejected([problem(f"expected exactly one executable process (isExecutable=\"true\"), found {len(processes)}", root.sourceline)])
    process = processes[0]
    key = process.get("id")
    variables = variables_for(key)
    known = None if variables is None else set(variables) | DECISION_VARIABLES
    problems: list[Problem] = []
    for tag in ("scriptTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"):
        for node in process.iter(f"{{{BPMN_NS}}}{tag}"):
            problems.append(problem(f"{tag} is not allowed in an approval process (use serviceTask with a registered handler)",
                                    node.sourceline, node.get("id")))
    approvals, handler_steps = [], []
    for node in process.iter(f"{{{BPMN_NS}}}userTask"):
        lane = _lane_of(node)
        rule = lane.find("bpmn:extensionElements/brokercrm:candidates", NS) if lane is not None else None
        if rule is None:
            problems.append(problem("user task is not in a lane with <brokercrm:candidates role=…/>; nobody could act on it",
                                    node.sourceline, node.get("id")))
            continue
        role, branch_of = rule.get("role", ""), rule.get("branchOf", "")
        if role not in roles:
            problems.append(problem(f"unknown candidate role '{role}' (expected one of {', '.join(sorted(roles))})", rule.sourceline, lane.get("id")))
        if branch_of and variables is not None and branch_of not in variables:
            problems.append(problem(f"branchOf '{branch_of}' is not a field of this process (known: {', '.join(sorted(variables))})",
                                    rule.sourceline, lane.get("id")))
        approvals.append(StepInfo(node.get("id"), node.get("name") or node.get("id"), lane.get("name") or lane.get("id"), role, branch_of))
    for node in process.iter(f"{{{BPMN_NS}}}serviceTask"):
        name = node.get("implementation", "")
        if name not in handlers:
            problems.append(problem(f"unknown handler '{name}' in implementation (registered: {', '.join(sorted(handlers))})",
                                    node.sourceline, node.get("id")))
        handler_steps.append(StepInfo(node.get("id"), node.get("name") or node.get("id"), handler=name))
    if next(process.iter(f"{{{BPMN_NS}}}userTask"), None) is None:
        problems.append(problem("the process has no user task: nothing to approve", process.sourceline, key))
    for tag in ("conditionExpression", "condition"):  # a sequence flow's, a conditional event's (inside its definition)
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            error = condition_problem(node.text or "", known)
            if error:
                problems.append(problem(error, node.sourceline, _element_id(node)))
    for tag, kind in TIMER_TAGS.items():
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            try:
                timer_value(kind, node.text or "")
            except ExpressionError as exc:
                problems.append(problem(f"{tag}: {exc}", node.sourceline, _element_id(node)))
    for tag in UNSUPPORTED_EXPRESSIONS:
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if tag != "script" or node.getparent().tag != f"{{{BPMN_NS}}}scriptTask":  # a script task is refused above
                problems.append(problem(f"{tag} is not allowed: the engine evaluates only conditions and timer values",
                                        node.sourceline, _element_id(node)))
    if problems:
        raise InputRejected(problems)

    parser = Parser()
    try:
        parser.add_bpmn_xml(root, file_name)
        spec = parser.get_spec(key)
    except ValidationException as exc:
        element = getattr(exc, "id", "")
        line = exc.line_number or next((n.sourceline for n in root.iter() if element and n.get("id") == element), None)
        raise InputRejected([problem(str(exc).strip(), line, element)]) from exc
    return ParsedDefinition(key=key, name=process.get("name") or key, spec=spec, checksum=hashlib.sha256(data).hexdigest(),
                            approvals=approvals, handlers=handler_steps)
