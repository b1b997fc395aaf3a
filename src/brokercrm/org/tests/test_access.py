"""Access ends with employment: login, open sessions and API tokens of a departed staff member's user."""
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brokercrm.core.models import AuditEntry
from brokercrm.org import access, services
from brokercrm.org.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # the factories' password
ENDED = "Your access has ended with your employment. Ask your branch manager if this is wrong."


def _english_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    return client


def _leave(org_world, who: str, day: dt.date) -> None:
    services.staff_leave(actor=org_world["users"]["admin"], staff=org_world["staff"][who], leave_date=day)


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def test_a_departed_brokers_login_is_refused_with_a_clear_message_whatever_the_password(org_world):
    """Given the broker's leave date is today, when he logs in with the right and with a wrong password, then both
    answers show the same access-ended message, no session starts, and each refusal is audited."""
    _leave(org_world, "broker", timezone.localdate())
    client = _english_client()

    right = client.post("/accounts/login/", {"username": "broker", "password": PASSWORD})
    wrong = client.post("/accounts/login/", {"username": "broker", "password": "not-the-password"})

    assert right.status_code == wrong.status_code == 200
    assert ENDED in right.content.decode() and ENDED in wrong.content.decode()
    assert "didn't match" not in right.content.decode() + wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_refused", object_type="org.user", actor_label="system").count() == 2


def test_recording_a_leave_date_of_today_deactivates_the_user_and_audits_it(org_world):
    """Given a broker with a user, when the staff page's service records today as his leave date, then the user is
    inactive and the audit log has the deactivation by the admin who recorded it."""
    _leave(org_world, "broker", timezone.localdate())

    user = User.objects.get(username="broker")
    entry = AuditEntry.objects.get(object_type="org.user", object_id=str(user.pk), action="update")
    assert user.is_active is False
    assert (entry.actor_label, entry.changes) == ("admin", {"is_active": [True, False]})
    assert entry.note == f"leave date {timezone.localdate()} reached (leave date recorded)"


def test_a_leave_date_recorded_by_staff_import_ends_access(org_world):
    """Given staff.csv sets broker S0003's leave date to today, when imported, then his user is inactive."""
    today = timezone.localdate().isoformat()
    data = ("staff_no,name,category,level,branch_code,team,hire_date,leave_date\n"
            f"S0003,张三,account_manager,manager,0001,T01,2020-01-02,{today}\n").encode()

    services.staff_import(actor=None, data=data, file_name="staff.csv")

    assert User.objects.get(username="broker").is_active is False


def test_a_future_leave_date_ends_the_open_session_when_the_day_arrives(org_world, monkeypatch):
    """Given a broker logged in whose leave date is tomorrow, when a page is asked today it answers, and when it is
    asked tomorrow he is logged out to the login page with the message, deactivated and audited."""
    _leave(org_world, "broker", _tomorrow())
    client = _english_client()
    client.force_login(org_world["users"]["broker"])
    assert client.get("/").status_code == 200

    tomorrow = _tomorrow()
    monkeypatch.setattr(timezone, "localdate", lambda: tomorrow)
    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/"
    assert ENDED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(username="broker").is_active is False
    assert AuditEntry.objects.get(object_type="org.user", action="update").note == f"leave date {tomorrow} reached (session)"


def test_a_departed_brokers_token_answers_401(org_world, monkeypatch):
    """Given a broker's API token that works and a leave date of tomorrow, when tomorrow arrives, then the token answers
    401 and the user is deactivated."""
    token = access.api_token_create(user=org_world["users"]["broker"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    _leave(org_world, "broker", _tomorrow())
    assert client.get("/api/staff").status_code == 200

    tomorrow = _tomorrow()
    monkeypatch.setattr(timezone, "localdate", lambda: tomorrow)

    assert client.get("/api/staff").status_code == 401
    assert User.objects.get(username="broker").is_active is False


def test_a_departed_brokers_session_on_the_api_answers_401(org_world):
    """Given a broker logged in whose leave date is recorded as today, when his session calls the API, then 401."""
    client = Client()
    client.force_login(org_world["users"]["broker"])
    _leave(org_world, "broker", timezone.localdate())

    assert client.get("/api/staff").status_code == 401


def test_colleagues_keep_their_access(org_world):
    """Given the broker has left, when his colleague logs in, then the colleague gets in."""
    _leave(org_world, "broker", timezone.localdate())
    colleague = User.objects.create_user(username="zhao", password=PASSWORD, staff=org_world["staff"]["colleague"], role="broker")

    response = Client().post("/accounts/login/", {"username": colleague.username, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
