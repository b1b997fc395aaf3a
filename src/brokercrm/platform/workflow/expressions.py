"""A definition's expressions are data: conditions in the formula language, timers ISO 8601 literals.

SpiffWorkflow evaluates expressions with Python's eval and runs scripts with exec unless its script engine
is replaced. The engine here is the only one the workflow services give Spiff: a condition is compiled and
interpreted by `brokercrm.platform.formula` over the process data, a timer is read by `timer_value`, and a
script is refused. So even a definition stored (or a process started) before its checks existed runs no code.
"""
import ast
import datetime as dt
import re
from decimal import Decimal
from typing import Iterator, Mapping

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from brokercrm.platform.formula import ANY, BOOL, FormulaError, compile_formula

TIMER_TAGS = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}
# A timer longer than this is a typo (and past it Python's timedelta overflows).
MAX_TIMER_DAYS = 100 * 366
_DURATION = re.compile(r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
                       r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?")
_DAYS = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440, "seconds": 1 / 86400}


class ExpressionError(Exception):
    """An expression outside what the engine evaluates; the message says what is wrong."""


class _AnyVariable(Mapping):
    """The names of a process whose fields are not registered: any plain name, of any type."""

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and "." not in name

    def __getitem__(self, name):
        if name not in self:
            raise KeyError(name)
        return ANY

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def condition_problem(text: str, variables: set[str] | None) -> str:
    """'' when the condition is a formula-language condition over the variables (any when None), else what is wrong."""
    names = _AnyVariable() if variables is None else {name: ANY for name in variables}
    try:
        formula = compile_formula(text, names)
    except FormulaError as exc:
        return f"condition '{text.strip()}': column {exc.column}: {exc.message}"
    if formula.result_type not in (BOOL, ANY):
        return f"condition '{text.strip()}' must be true or false, not a {formula.result_type}"
    return ""


def _literal(text: str) -> str:
    """The text of a timer: an ISO 8601 value, bare or in quotes (Spiff's form), nothing computed."""
    text = text.strip()
    if text[:1] in ("'", '"'):
        try:
            node = ast.parse(text, mode="eval").body
        except (SyntaxError, RecursionError, MemoryError):
            node = None
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            raise ExpressionError(f"timer '{text}' is not a quoted ISO 8601 value")
        return node.value.strip()
    return text


def _duration(value: str) -> None:
    match = _DURATION.fullmatch(value.upper())
    if match is None:
        raise ExpressionError(f"'{value}' is not an ISO 8601 duration in whole units (e.g. P3D, PT4H, P1DT12H)")
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    if "weeks" in parts and parts.keys() & {"years", "months", "days"}:
        raise ExpressionError(f"'{value}': weeks (W) cannot be combined with years, months or days")
    if sum(n * _DAYS[unit] for unit, n in parts.items()) > MAX_TIMER_DAYS:
        raise ExpressionError(f"'{value}' is longer than {MAX_TIMER_DAYS // 366} years")


def _date(value: str) -> None:
    if re.match(r"\d{4}-?W", value.upper()):  # Spiff reads only some week-date forms Python accepts: keep to calendar dates
        raise ExpressionError(f"'{value}': write the date as year-month-day, not as a week date")
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise ExpressionError(f"'{value}' is not an ISO 8601 date and time (e.g. 2026-03-31T18:00:00+08:00)") from None


def _cycle(value: str) -> None:
    parts = value.upper().split("/")
    if not (2 <= len(parts) <= 3 and re.fullmatch(r"R\d{0,6}", parts[0])):
        raise ExpressionError(f"'{value}' is not an ISO 8601 repetition (e.g. R3/PT1H or R/2026-03-31T18:00:00/P1D)")
    durations = 0
    for part in parts[1:]:
        if part.startswith("P"):
            _duration(part)
            durations += 1
        else:
            _date(part)
    if durations != 1:
        raise ExpressionError(f"'{value}': a repetition needs exactly one duration")


def timer_value(kind: str, text: str) -> str:
    """The ISO 8601 value of a timer of this kind (duration, date or cycle), checked here; ExpressionError otherwise."""
    value = _literal(text)
    {"duration": _duration, "date": _date, "cycle": _cycle}[kind](value)
    return value


def _timer_kind(definition: TimerEventDefinition) -> str:
    name = type(definition).__name__
    return "duration" if name.startswith("Duration") else "cycle" if name.startswith("Cycle") else "date"


def _timers(task_spec) -> dict[str, str]:
    """The timer expressions of a task's event definition (or of the definitions of a multiple event): text → kind."""
    event = getattr(task_spec, "event_definition", None)
    events = [event, *getattr(event, "event_definitions", [])]
    return {e.expression: _timer_kind(e) for e in events if isinstance(e, TimerEventDefinition)}


def _plain(value):
    """Process data as the formula language takes it: numbers as Decimal."""
    if isinstance(value, float):
        return Decimal(str(value))
    return value


class FormulaEnvironment(BasePythonScriptEngineEnvironment):
    """Expressions are formula-language conditions over the process data; scripts and service calls are refused."""

    def evaluate(self, expression, context, external_context=None):
        values = {name: _plain(v) for name, v in {**(external_context or {}), **context}.items() if isinstance(name, str)}
        try:
            return compile_formula(expression, {name: ANY for name in values}).evaluate(values)
        except FormulaError as exc:
            raise ExpressionError(f"'{expression}': column {exc.column}: {exc.message}") from None
        except TypeError as exc:  # untyped data: e.g. a text compared with a number
            raise ExpressionError(f"'{expression}': {exc}") from None

    def execute(self, script, context, external_context=None):
        raise ExpressionError("scripts are not run: what happens on a transition is a registered handler (serviceTask)")

    def call_service(self, context, **kwargs):
        raise ExpressionError("service calls are not made: a serviceTask names a registered handler")


class FormulaScriptEngine(PythonScriptEngine):
    """Spiff's script engine with the formula environment; a timer's expression is read as an ISO 8601 literal."""

    def __init__(self):
        super().__init__(environment=FormulaEnvironment())

    def evaluate(self, task, expression, external_context=None):
        kind = _timers(task.task_spec).get(expression)
        if kind is None:
            return super().evaluate(task, expression, external_context)
        try:
            return timer_value(kind, expression)
        except ExpressionError as exc:
            raise WorkflowTaskException(f"timer {task.task_spec.bpmn_id}: {exc}", task=task) from None


ENGINE = FormulaScriptEngine()
