"""The permission matrix: every role × every organisation object type, by page and by API."""
import pytest
from django.test import Client

from brokercrm.org import selectors
from brokercrm.org.access import api_token_create

pytestmark = pytest.mark.django_db

# role → staff_nos they may see (org_world: S0001 manager, S0002 leader, S0003/S0004 team members in 0001, S0005 in 0002, S0006 agent in 0001)
VISIBLE_STAFF = {
    "admin": {"S0001", "S0002", "S0003", "S0004", "S0005", "S0006"},
    "head_office": {"S0001", "S0002", "S0003", "S0004", "S0005", "S0006"},
    "compliance": {"S0001", "S0002", "S0003", "S0004", "S0005", "S0006"},
    "branch_manager": {"S0001", "S0002", "S0003", "S0004", "S0006"},
    "team_leader": {"S0002", "S0003", "S0004"},
    "broker": {"S0003"},
    "other_broker": {"S0005"},
    "service_agent": {"S0006"},
}
VISIBLE_BRANCHES = {
    "admin": {"0001", "0002"}, "head_office": {"0001", "0002"}, "compliance": {"0001", "0002"},
    "branch_manager": {"0001"}, "team_leader": {"0001"}, "broker": {"0001"}, "other_broker": {"0002"}, "service_agent": {"0001"},
}
ALL_STAFF = VISIBLE_STAFF["admin"]


@pytest.mark.parametrize("who", sorted(VISIBLE_STAFF))
def test_staff_selector_returns_exactly_the_scope(org_world, who):
    """staff_list narrows to the reporting subtree: all, branch, team, or self."""
    user = org_world["users"][who]
    assert set(selectors.staff_list(user=user).values_list("staff_no", flat=True)) == VISIBLE_STAFF[who]


@pytest.mark.parametrize("who", sorted(VISIBLE_STAFF))
def test_staff_pages_answer_404_outside_scope(org_world, who):
    """A staff detail URL outside the user's scope answers 404 (never 403), inside it 200."""
    client = Client()
    client.force_login(org_world["users"][who])
    for staff_no in sorted(ALL_STAFF):
        status = client.get(f"/org/staff/{staff_no}/").status_code
        assert status == (200 if staff_no in VISIBLE_STAFF[who] else 404), (who, staff_no, status)


@pytest.mark.parametrize("who", sorted(VISIBLE_STAFF))
def test_api_lists_and_details_follow_the_same_scope(org_world, who):
    """GET /api/staff, /api/staff/{no}, /api/branches and /api/teams with a bearer token show only the scope."""
    token = api_token_create(user=org_world["users"][who])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    listed = {s["staff_no"] for s in client.get("/api/staff").json()}
    branches = {b["code"] for b in client.get("/api/branches").json()}
    details = {no: client.get(f"/api/staff/{no}").status_code for no in sorted(ALL_STAFF)}
    branch_details = {code: client.get(f"/api/branches/{code}").status_code for code in ("0001", "0002")}

    assert listed == VISIBLE_STAFF[who]
    assert branches == VISIBLE_BRANCHES[who]
    assert details == {no: 200 if no in VISIBLE_STAFF[who] else 404 for no in sorted(ALL_STAFF)}
    assert branch_details == {c: 200 if c in VISIBLE_BRANCHES[who] else 404 for c in ("0001", "0002")}
    teams = {t["code"] for t in client.get("/api/teams").json()}
    assert teams == ({"T01"} if who not in {"other_broker", "service_agent"} else set())


@pytest.mark.parametrize("who,allowed", [("admin", True), ("head_office", True), ("branch_manager", True),
                                         ("broker", False), ("compliance", False), ("service_agent", False)])
def test_only_org_editors_may_open_the_staff_edit_page(org_world, who, allowed):
    """Editing is for admin, head office and branch managers; compliance is read-only."""
    client = Client()
    client.force_login(org_world["users"][who])
    own = org_world["users"][who].staff
    target = own.staff_no if own else "S0003"
    assert client.get(f"/org/staff/{target}/edit/").status_code == (200 if allowed else 403)


@pytest.mark.parametrize("who,allowed", [("admin", True), ("compliance", True), ("head_office", False), ("branch_manager", False), ("broker", False)])
def test_audit_log_is_for_compliance_and_admin(org_world, who, allowed):
    """Only compliance and system admins browse the audit log."""
    client = Client()
    client.force_login(org_world["users"][who])
    assert client.get("/audit/").status_code == (200 if allowed else 403)


def test_api_without_credentials_answers_401_in_json(org_world):
    """An anonymous API call gets a JSON 401, not a login redirect."""
    response = Client().get("/api/staff")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}


def test_pages_redirect_anonymous_users_to_login(db):
    """Every page needs a login."""
    response = Client().get("/org/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
