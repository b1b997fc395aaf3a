"""TOTP two-factor login (django-otp): enrolment on the two-factor page, the code step of login, required roles."""
import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from brokercrm.org import access

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def _code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    """The code an authenticator app shows now for the device's key (optionally for a neighbouring 30 s step)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=step_offset):06d}"


def _enrol(client: Client, user) -> TOTPDevice:
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/accounts/two-factor/", {"code": _code(device)})
    device.refresh_from_db()
    return device


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(org_world):
    """Given head office on the two-factor page, when he scans the QR (an inline SVG data: image) and posts the current
    code, then the device is confirmed and the page says two-factor login is on."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(org_world["users"]["head_office"])

    page = client.get("/accounts/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=org_world["users"]["head_office"])
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg' in page and device.confirmed is False

    wrong = client.post("/accounts/two-factor/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert "The code is not valid" in wrong.content.decode()
    response = client.post("/accounts/two-factor/", {"code": _code(device)}, follow=True)

    device.refresh_from_db()
    assert device.confirmed is True
    assert 'data-testid="two-factor-on"' in response.content.decode()


def test_once_enrolled_login_asks_for_the_code_after_the_password(org_world):
    """Given an enrolled admin, when he gives the right password, then no session is his yet and he is sent to the
    code step; a wrong code keeps him out; the current code logs him in, verified."""
    admin = org_world["users"]["admin"]
    enrolling = Client()
    enrolling.force_login(admin)
    device = _enrol(enrolling, admin)
    client = Client()

    password = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD, "next": "/org/"})
    assert password.status_code == 302 and password["Location"] == "/accounts/login/code/?next=%2Forg%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/org/").status_code == 302

    client.post("/accounts/login/code/", {"code": _code(device, step_offset=-5), "next": "/org/"})
    assert "_auth_user_id" not in client.session
    # The wrong code made the device wait a second before the next try; the owner waits that out.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    # The enrolment used the current 30 s step's code, which is never accepted twice: the app's next code is.
    response = client.post("/accounts/login/code/", {"code": _code(device, step_offset=1), "next": "/org/"})

    assert response.status_code == 302 and response["Location"] == "/org/"
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.session["otp_device_id"] == device.persistent_id


def test_the_code_step_without_a_password_goes_back_to_login(org_world):
    """The code step answers only after the password step: otherwise it redirects to the login page."""
    response = Client().get("/accounts/login/code/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


@override_settings(BROKERCRM_REQUIRE_2FA_ROLES=frozenset({"admin", "head_office"}))
def test_a_required_role_uses_no_page_before_enrolling_and_tokens_are_not_affected(org_world):
    """Given 2FA required for admin and head office, when head office (not enrolled) opens a page, then he is sent to
    the two-factor page; a broker is not; head office's API token still works; after enrolling the pages open."""
    ho = org_world["users"]["head_office"]
    client = Client()
    client.force_login(ho)
    broker = Client()
    broker.force_login(org_world["users"]["broker"])
    token = access.api_token_create(user=ho)

    assert client.get("/org/")["Location"] == "/accounts/two-factor/"
    assert client.get("/api/staff").status_code == 403
    assert broker.get("/org/staff/S0003/").status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/staff").status_code == 200

    _enrol(client, ho)

    assert client.get("/org/").status_code == 200


def test_reset_2fa_removes_the_device_so_login_asks_for_the_password_only(org_world):
    """Given an enrolled admin who lost his phone, when `brokercrm users reset-2fa --username admin` runs, then the
    device is gone (audited) and the password alone logs him in."""
    import io

    from django.core.management import call_command

    admin = org_world["users"]["admin"]
    enrolling = Client()
    enrolling.force_login(admin)
    _enrol(enrolling, admin)

    call_command("users", "reset-2fa", "--username", "admin", stdout=io.StringIO())

    client = Client()
    response = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert response.status_code == 302 and response["Location"] == "/"


@override_settings(BROKERCRM_REQUIRE_2FA_ROLES=frozenset({"admin", "headoffice"}))
def test_an_unknown_role_in_the_2fa_setting_fails_the_system_check():
    """A misspelt role would silently require nothing: the system check names it."""
    from brokercrm.org.checks import require_2fa_roles_are_known

    errors = require_2fa_roles_are_known(None)

    assert [e.id for e in errors] == ["brokercrm.E201"]
    assert errors[0].msg.startswith("BROKERCRM_REQUIRE_2FA_ROLES names unknown role(s) headoffice (expected some of admin, ")
