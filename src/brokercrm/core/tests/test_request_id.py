"""Item 8: every response carries X-Request-ID, and every log line of that request carries the same id."""
import json
import logging

import pytest
from django.conf import settings
from django.test import override_settings

from brokercrm.core.logging import JsonFormatter, RequestIdFilter, current_request_id
from brokercrm.org.tests.factories import UserFactory


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="brokercrm.core.tests.urls_failing")
def test_a_server_error_is_logged_with_the_request_id_of_the_response(client, caplog):
    """Given a view that raises, when it is requested, the 500's X-Request-ID is on the logged error, in the data dir's log too."""
    client.raise_request_exception = False
    client.force_login(UserFactory())

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/failing/")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].request_id == request_id and errors[0].exc_info[0] is RuntimeError
    log_file = (settings.DATA_DIR / "logs" / "brokercrm.log").read_text()
    assert f"ERROR [{request_id}] django.request Internal Server Error: /failing/" in log_file


@pytest.mark.django_db
def test_an_error_answer_without_exception_is_logged_with_its_request_id(client, org_world, caplog):
    """A 404 is logged by Django after the middleware returned; its log line still names the response's request id."""
    client.force_login(org_world["users"]["broker"])

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/customers/99999999/")

    assert response.status_code == 404
    assert [r.request_id for r in caplog.records if r.name == "django.request"] == [response["X-Request-ID"]]


def test_every_response_gets_its_own_request_id(client):
    """Two requests, two distinct 32-hex ids; outside a request the log id is '-'."""
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second
    assert current_request_id.get() == "-"


def test_log_lines_are_json_when_asked():
    """BROKERCRM_LOG_FORMAT=json writes one JSON object per line with the request id."""
    record = logging.LogRecord("brokercrm.test", logging.WARNING, __file__, 1, "客户 %s 导入失败", ("1001",), None)
    token = current_request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)

    line = json.loads(JsonFormatter().format(record))

    assert {k: line[k] for k in ("level", "logger", "request_id", "message")} == {
        "level": "WARNING", "logger": "brokercrm.test", "request_id": "abc123", "message": "客户 1001 导入失败"}
