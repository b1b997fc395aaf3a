"""User administration: create, link to staff, change role and branch, deactivate, reset the password, unlock after a
lockout, API tokens with expiry and revocation; the last admin is protected; every change audited."""
import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from brokercrm.core.errors import DomainError
from brokercrm.core.models import AuditEntry
from brokercrm.org import access, admin_services, selectors
from brokercrm.org.models import ApiToken, StaffCategory, User

pytestmark = pytest.mark.django_db


def test_the_last_admin_cannot_be_deactivated_or_demoted(org_world):
    """With one admin, deactivating or demoting them is refused naming the user; with a second admin it is allowed."""
    admin = org_world["users"]["admin"]
    with pytest.raises(DomainError) as exc:
        admin_services.user_active_set(actor=admin, user=admin, active=False)
    assert exc.value.field == "user"
    with pytest.raises(DomainError):
        admin_services.user_update(actor=admin, user=admin, role="head_office")

    second = User.objects.create(username="admin2", role="admin", is_superuser=True)
    admin_services.user_active_set(actor=admin, user=second, active=False)
    with pytest.raises(DomainError):
        admin_services.user_active_set(actor=admin, user=admin, active=False)
    admin_services.user_active_set(actor=admin, user=second, active=True)
    admin_services.user_update(actor=admin, user=admin, role="head_office")
    assert User.objects.get(pk=admin.pk).role == "head_office"


def test_the_users_page_creates_a_user_linked_to_staff(client, org_world):
    """The admin creates a broker user for staff S0004 through the page; the user is linked, its branch taken from the
    staff member, and the creation audited."""
    client.force_login(org_world["users"]["admin"])
    response = client.post(reverse("org:users"), {"username": "zhaosi", "role": "broker", "staff_no": "S0004",
                                                  "password": "Long-enough-pass-42"})

    user = User.objects.get(username="zhaosi")
    assert response.status_code == 302
    assert (user.staff.staff_no, user.branch.code, user.check_password("Long-enough-pass-42")) == ("S0004", "0001", True)
    assert AuditEntry.objects.filter(object_type="org.user", object_id=str(user.pk), action="create").exists()


def test_changing_a_users_role_and_branch_is_audited(client, org_world):
    """A broker made branch manager of branch 0002: role and branch change, the audit row holds both."""
    admin, other = org_world["users"]["admin"], org_world["users"]["other_broker"]
    admin_services.user_update(actor=admin, user=other, role="branch_manager", staff_no="S0005", branch_code="0002")

    entry = AuditEntry.objects.filter(object_type="org.user", object_id=str(other.pk)).latest("id")
    assert entry.changes["role"] == ["broker", "branch_manager"]


def test_a_deactivated_user_can_no_longer_log_in(client, org_world):
    """Deactivated through the page, the broker's login fails."""
    client.force_login(org_world["users"]["admin"])
    client.post(reverse("org:user_detail", args=[org_world["users"]["broker"].pk]), {"action": "deactivate"})
    client.logout()

    response = client.post(reverse("login"), {"username": "broker", "password": "secret-pass-123"})
    assert (response.status_code, User.objects.get(username="broker").is_active) == (200, False)


def test_password_reset_gives_a_new_password_and_audits_without_it(org_world):
    """A reset with no password given makes a random one the user logs in with; the audit row holds no password."""
    broker = org_world["users"]["broker"]
    password = admin_services.user_password_reset(actor=org_world["users"]["admin"], user=broker)

    assert User.objects.get(pk=broker.pk).check_password(password)
    assert password not in str(AuditEntry.objects.get(note="password reset").changes)


def test_unlock_after_lockout(client, org_world, settings):
    """Five wrong passwords lock the broker out; the admin unlocks and the right password works again."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "broker", "password": "wrong"})
    broker = org_world["users"]["broker"]
    assert selectors.user_locked(user=broker)

    admin_services.user_unlock(actor=org_world["users"]["admin"], user=broker)

    assert not selectors.user_locked(user=broker) and AccessAttempt.objects.filter(username="broker").count() == 0
    response = client.post(reverse("login"), {"username": "broker", "password": "secret-pass-123"})
    assert response.status_code == 302


def test_a_token_made_by_the_admin_works_until_revoked_then_answers_401(client, org_world):
    """The admin creates a token for the broker on the user page; the API accepts it; revoked, it answers 401."""
    broker = org_world["users"]["broker"]
    client.force_login(org_world["users"]["admin"])
    response = client.post(reverse("org:user_detail", args=[broker.pk]), {"action": "token", "name": "门户", "days": "30"})
    key = response.context["new_key"]
    api = client.__class__()
    assert api.get("/api/customers", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200

    token = ApiToken.objects.get(user=broker)
    client.post(reverse("api_token_revoke", args=[token.pk]))

    assert api.get("/api/customers", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert AuditEntry.objects.filter(object_type="org.apitoken", object_id=str(token.pk)).count() == 2


def test_an_expired_token_answers_401(client, org_world):
    """A token past its expiry is refused."""
    key = access.api_token_create(user=org_world["users"]["broker"], actor=org_world["users"]["admin"], days=1)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    assert client.get("/api/customers", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_non_admins_get_403_on_the_administration_pages(client, org_world):
    """Head office and compliance answer 403 on users, roles, menus, categories and layouts."""
    for name in ("head_office", "compliance", "branch_manager"):
        client.force_login(org_world["users"][name])
        for url in (reverse("org:users"), reverse("org:roles"), reverse("org:menus"), reverse("org:categories"),
                    reverse("customers:layouts")):
            assert client.get(url).status_code == 403, (name, url)


def test_the_administration_pages_render_for_the_admin(client, org_world):
    """Each administration page answers 200 for the admin, in Chinese."""
    client.force_login(org_world["users"]["admin"])
    for url, text in [(reverse("org:users"), "新建用户"), (reverse("org:roles"), "新建角色"),
                      (reverse("org:role_edit", args=["broker"]), "明文显示"), (reverse("org:menus"), "添加菜单项"),
                      (reverse("org:categories"), "人员类别和级别"), (reverse("customers:layouts"), "页面布局"),
                      (reverse("org:user_detail", args=[org_world["users"]["broker"].pk]), "登录锁定解除")]:
        response = client.get(url)
        assert (response.status_code, text in response.content.decode()) == (200, True), url


def test_a_shipped_category_keeps_its_code_but_names_and_levels_change(org_world):
    """Renaming the account-manager category works; changing its code is refused (the scope and pay read it); a new
    level is added and audited."""
    admin = org_world["users"]["admin"]
    category = StaffCategory.objects.get(code="account_manager")
    admin_services.staff_category_save(actor=admin, category=category, code="account_manager", name="客户经理（理财）", order=0)
    with pytest.raises(DomainError) as exc:
        admin_services.staff_category_save(actor=admin, category=category, code="am", name="x")
    level = admin_services.staff_level_save(actor=admin, category=category, code="chief", name="首席客户经理", order=9)

    assert (StaffCategory.objects.get(pk=category.pk).name, exc.value.field, level.category.code) == ("客户经理（理财）", "code", "account_manager")
    assert AuditEntry.objects.filter(object_type__in=["org.staffcategory", "org.stafflevel"]).count() == 2
