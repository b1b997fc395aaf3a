"""API tokens: a name, an expiry, a last-used time; listed and revoked by page and CLI; expired or revoked → 401."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.org import access
from brokercrm.org.models import ApiToken

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@override_settings(BROKERCRM_API_TOKEN_DAYS=30)
def test_a_token_expires_after_the_configured_days_and_stores_only_its_hash(org_world):
    """Given BROKERCRM_API_TOKEN_DAYS=30, when a token is made, then it expires 30 days after its creation, the database
    keeps its SHA-256 and prefix only, and its creation is audited with the name."""
    key = access.api_token_create(user=org_world["users"]["broker"], name="call centre")

    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == pytest.approx(dt.timedelta(days=30), abs=dt.timedelta(seconds=1))
    assert (token.name, token.prefix, len(token.key_hash)) == ("call centre", key[:8], 64)
    assert key not in token.key_hash
    entry = AuditEntry.objects.get(object_type="org.apitoken")
    assert (entry.action, entry.changes["name"]) == ("create", [None, "call centre"])


def test_an_expired_token_answers_401_and_a_live_one_records_its_use(org_world):
    """Given two tokens, one past its expiry, when both call the API, then the expired one answers 401 and the live one
    200 with its last-used time set."""
    live = access.api_token_create(user=org_world["users"]["broker"], days=1)
    expired = access.api_token_create(user=org_world["users"]["broker"], days=1)
    ApiToken.objects.filter(prefix=expired[:8]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert _bearer(expired).get("/api/staff").status_code == 401
    assert _bearer(live).get("/api/staff").status_code == 200
    assert ApiToken.objects.get(prefix=live[:8]).last_used_at is not None
    assert ApiToken.objects.get(prefix=expired[:8]).last_used_at is None


def test_a_revoked_token_answers_401_and_the_revocation_is_audited(org_world):
    """Given a working token, when its owner revokes it, then it answers 401 and the audit log has the revocation."""
    user = org_world["users"]["broker"]
    key = access.api_token_create(user=user)
    assert _bearer(key).get("/api/staff").status_code == 200

    access.api_token_revoke(token=ApiToken.objects.get(), actor=user)

    assert _bearer(key).get("/api/staff").status_code == 401
    entry = AuditEntry.objects.filter(object_type="org.apitoken", action="update").get()
    assert entry.actor_label == "broker" and list(entry.changes) == ["revoked_at"]


def test_a_user_cannot_make_or_revoke_another_users_token(org_world):
    """Given a broker, when he makes a token for a colleague or revokes one of the colleague's, then both are refused."""
    from django.core.exceptions import PermissionDenied

    broker, other = org_world["users"]["broker"], org_world["users"]["other_broker"]
    access.api_token_create(user=other)

    with pytest.raises(PermissionDenied):
        access.api_token_create(user=other, actor=broker)
    with pytest.raises(PermissionDenied):
        access.api_token_revoke(token=ApiToken.objects.get(), actor=broker)


def test_token_days_outside_the_range_are_refused(org_world):
    """A token must live 1 to 3650 days."""
    with pytest.raises(DomainError, match="days must be between 1 and 3650"):
        access.api_token_create(user=org_world["users"]["broker"], days=0)


def test_cli_makes_a_named_token_lists_and_revokes_it(org_world):
    """`brokercrm api-token broker --days 7 --name OA` prints the token alone on the last line; --list shows it active
    with its name; --revoke ID ends it (401) and --list then shows it revoked."""
    out = io.StringIO()
    call_command("api-token", "broker", "--days", "7", "--name", "OA", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert key[:8] == token.prefix and token.expires_at - token.created_at == pytest.approx(dt.timedelta(days=7), abs=dt.timedelta(seconds=1))

    listed = io.StringIO()
    call_command("api-token", "broker", "--list", stdout=listed)
    lines = listed.getvalue().strip().splitlines()
    assert lines[0] == "id\tprefix\tname\tcreated\tlast_used\texpires\tstatus"
    assert lines[1].split("\t")[:3] + lines[1].split("\t")[-1:] == [str(token.id), token.prefix, "OA", "active"]

    call_command("api-token", "broker", "--revoke", str(token.id), stdout=io.StringIO())
    after = io.StringIO()
    call_command("api-token", "broker", "--list", stdout=after)

    assert after.getvalue().strip().splitlines()[1].endswith("\trevoked")
    assert _bearer(key).get("/api/staff").status_code == 401


def test_cli_refuses_to_revoke_another_users_token(org_world):
    """--revoke names a token of the user given; another user's token id is an error and nothing changes."""
    access.api_token_create(user=org_world["users"]["other_broker"])

    with pytest.raises(CommandError, match=f"broker has no token {ApiToken.objects.get().id}"):
        call_command("api-token", "broker", "--revoke", str(ApiToken.objects.get().id))
    assert ApiToken.objects.get().revoked_at is None


def test_the_page_creates_a_token_shown_once_lists_and_revokes_it(org_world):
    """Given a broker on the API tokens page, when he creates a token named "portal" for 10 days, then the answer shows
    the key once and the list shows it active; after revoking it from the page it is listed revoked and answers 401."""
    client = Client()
    client.force_login(org_world["users"]["broker"])

    created = client.post("/accounts/api-tokens/", {"name": "portal", "days": "10"})
    token = ApiToken.objects.get()
    body = created.content.decode()
    key = body.split('data-testid="new-token-key">')[1].split("<")[0]
    assert key[:8] == token.prefix and token.name == "portal"
    assert key not in client.get("/accounts/api-tokens/").content.decode()

    client.post(f"/accounts/api-tokens/{token.id}/revoke/")

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _bearer(key).get("/api/staff").status_code == 401


def test_the_page_lists_my_tokens_and_an_admin_sees_everyones(org_world):
    """A broker sees his own tokens only, and another user's token id answers 404; an admin sees both users' tokens."""
    access.api_token_create(user=org_world["users"]["broker"], name="mine")
    access.api_token_create(user=org_world["users"]["other_broker"], name="theirs")
    theirs = ApiToken.objects.get(name="theirs")
    broker, admin = Client(), Client()
    broker.force_login(org_world["users"]["broker"])
    admin.force_login(org_world["users"]["admin"])

    broker_page = broker.get("/accounts/api-tokens/").content.decode()
    admin_page = admin.get("/accounts/api-tokens/").content.decode()

    assert "mine" in broker_page and "theirs" not in broker_page
    assert "mine" in admin_page and "theirs" in admin_page
    assert broker.post(f"/accounts/api-tokens/{theirs.id}/revoke/").status_code == 404
