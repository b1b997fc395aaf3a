"""The API as other systems see it: an OpenAPI document that is valid and says which 4xx each operation answers, and a
schemathesis run over every operation, as a broker and as an admin, that finds no server error and no schema violation."""
import datetime as dt
import inspect
import json
import sys
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from ninja import Schema
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from brokercrm.core import api_errors, paging
from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.org.access import api_token_create
from brokercrm.servicing.tests.factories import AlertFactory, ServiceTaskFactory
from config import api as api_module

pytestmark = pytest.mark.django_db

# Bounded so the whole run stays within a few minutes on a loaded CI machine; derandomized so a failure reproduces.
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _document() -> dict:
    """The document as /api/openapi.json serves it (JSON: dates and decimals of defaults as strings)."""
    return json.loads(json.dumps(api_module.api.get_openapi_schema(), default=str))


def _schema_classes() -> list[type[Schema]]:
    """Every ninja Schema the API's modules define (the routers' modules, the shared error and paging bodies)."""
    modules = [m for name, m in sys.modules.items() if name.startswith("brokercrm.") and name.endswith(".api")] + [api_errors, paging]
    return [obj for m in modules for obj in vars(m).values()
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj is not Schema and obj.__module__ == m.__name__]


def test_openapi_document_is_valid_openapi_3():
    """Given the API, when its document is checked against the OpenAPI 3 specification, then it passes."""
    doc = _document()
    validate(doc)
    assert doc["openapi"].startswith("3.")


def test_every_schema_has_its_own_component_name():
    """Given the Schema classes of all API modules, then no two share a name and each is one component of the document."""
    classes = _schema_classes()
    clashes = [name for name, n in Counter(c.__name__ for c in classes).items() if n > 1]
    assert clashes == []
    components = {name for name, s in _document()["components"]["schemas"].items() if s.get("type") == "object"}
    assert components == {c.__name__ for c in classes}


def test_every_operation_declares_the_4xx_it_can_answer():
    """Every operation declares 401 (login); with a path parameter 404; with a body, a non-text parameter or a required query
    400; a write 403;
    and each 4xx body is the shared error schema the exception handlers write (400 and 429 with the problems list, 422 with
    the refusal's reason codes)."""
    missing = []
    for path, operations in _document()["paths"].items():
        for method, op in operations.items():
            params = op.get("parameters", [])
            expected = {"401"}
            if any(p["in"] == "path" for p in params):
                expected.add("404")
            typed = [p for p in params if p["schema"].get("type") != "string" or (p["in"] == "query" and p.get("required"))]
            if "requestBody" in op or typed:
                expected.add("400")
            if method != "get":
                expected.add("403")
            declared = {code for code in op["responses"] if code.startswith("4")}
            if not expected <= declared:
                missing.append(f"{method.upper()} {path}: {sorted(expected - declared)}")
            for code in declared:
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                shared = "InvalidInputOut" if code in ("400", "429") else "RefusedOut" if code == "422" else "ErrorOut"
                assert ref == f"#/components/schemas/{shared}", (path, code)
    assert missing == []


@pytest.fixture
def fuzz_world(org_world):
    """org_world, five customers over both branches with relations, an open task and an open alert of the broker, and tokens."""
    b1, b2 = org_world["branches"]
    s, users = org_world["staff"], org_world["users"]
    customers = [CustomerFactory(customer_no=no, branch=branch, open_date=dt.date(2024, 1, 2))
                 for no, branch in (("1001", b1), ("1002", b1), ("1003", b1), ("2001", b2), ("2002", b2))]
    for customer, staff in zip(customers, (s["broker"], s["broker"], s["colleague"], s["other"], s["other"])):
        relate(customer, staff, start=dt.date(2024, 1, 2))
    ServiceTaskFactory(customer=customers[0], staff=s["broker"])
    AlertFactory(customer=customers[0], staff=s["broker"])
    org_world["tokens"] = {who: api_token_create(user=users[who], actor=users["admin"]) for who in ("broker", "admin")}
    return org_world


@pytest.fixture
def wsgi_app():
    """The WSGI application as the test client runs it: requests keep the test's connection (and its transaction) open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.parametrize("who", ["broker", "admin"])
def test_fuzzing_every_operation_finds_no_server_error_and_no_schema_violation(fuzz_world, wsgi_app, who):
    """Given a small brokerage and a token, when schemathesis sends valid and invalid requests to every operation, then no
    answer is a 5xx, every status code is declared, and every body matches its declared schema."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {fuzz_world['tokens'][who]}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; the failures are reported together
                failures.append(f"{operation.label} [{mode}]: {exc}")
    assert failures == [], "\n\n".join(failures)
