import pytest
from django.test import Client

from brokercrm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_edit_through_the_page_shows_in_the_audit_log_with_before_and_after(org_world):
    """A branch manager edits a staff member's name; compliance then sees the change with old and new values."""
    bm = _client(org_world["users"]["branch_manager"])
    form = {"name": "张三（高级）", "category": org_world["staff"]["broker"].category_id,
            "level": org_world["staff"]["broker"].level_id, "branch": org_world["branches"][0].id,
            "team": org_world["team"].id, "hire_date": "2020-01-02", "leave_date": ""}

    response = bm.post("/org/staff/S0003/edit/", form)

    assert response.status_code == 302 and response["Location"] == "/org/staff/S0003/"
    page = _client(org_world["users"]["compliance"]).get("/audit/?object_type=org.staff").content.decode()
    assert "张三" in page and "张三（高级）" in page and "bm" in page
    assert AuditEntry.objects.get(action="update").changes == {"name": ["张三", "张三（高级）"]}


def test_staff_form_errors_name_the_field_and_change_nothing(org_world):
    """A leave date before the hire date is shown next to the field; nothing is saved."""
    admin = _client(org_world["users"]["admin"])

    response = admin.post("/org/staff/S0003/leave/", {"leave_date": "2019-01-01"})

    assert response.status_code == 200
    assert 'data-field-error="leave_date"' in response.content.decode()
    org_world["staff"]["broker"].refresh_from_db()
    assert org_world["staff"]["broker"].leave_date is None


def test_staff_create_page_creates_a_member(org_world):
    """Head office creates a staff member from the form."""
    ho = _client(org_world["users"]["head_office"])
    cat = org_world["staff"]["other"].category
    response = ho.post("/org/staff/new/", {"staff_no": "S0200", "name": "新人", "category": cat.id,
                                           "level": org_world["staff"]["other"].level_id, "branch": org_world["branches"][1].id,
                                           "team": "", "hire_date": "2026-01-05", "leave_date": ""})
    assert response.status_code == 302 and response["Location"] == "/org/staff/S0200/"


def test_staff_import_page_lists_problems_and_imports_nothing(org_world):
    """The UI upload reports each bad row as FILE:LINE:COLUMN and stores nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = _client(org_world["users"]["admin"])
    upload = SimpleUploadedFile("staff.csv", "staff_no,name,category,level,branch_code,team,hire_date,leave_date\n"
                                             "S0300,甲,account_manager,manager,0001,,2024-01-02,\n"
                                             "S0301,乙,account_manager,manager,0001,,yesterday,\n".encode())

    response = admin.post("/org/staff/import/", {"file": upload})

    assert "staff.csv:3:hire_date: &#x27;yesterday&#x27; is not a date (YYYY-MM-DD)" in response.content.decode()
    assert not org_world["staff"]["broker"].__class__.objects.filter(staff_no="S0300").exists()


def test_org_tree_shows_only_the_branch_of_a_branch_manager(org_world):
    """The org tree of a branch manager holds their branch and its team, not other branches."""
    page = _client(org_world["users"]["branch_manager"]).get("/org/").content.decode()
    assert "上海浦东新区营业部" in page and "北京金融街营业部" not in page
    assert "李团队长" in page


def test_pages_are_in_simplified_chinese_by_default_and_english_on_request(org_world):
    """The UI speaks Simplified Chinese unless the user switches to English."""
    client = _client(org_world["users"]["admin"])
    assert "员工编号" in client.get("/org/staff/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/org/staff/"})
    assert "Staff no." in client.get("/org/staff/").content.decode()


def test_openapi_document_lists_the_organisation_endpoints(db):
    """The OpenAPI description is served without login for the other systems' developers."""
    doc = Client().get("/api/openapi.json").json()
    assert {"/api/branches", "/api/teams", "/api/staff", "/api/staff/{staff_no}"} <= set(doc["paths"])


def test_repeated_failed_logins_lock_the_account(org_world, settings):
    """After the configured number of failures the correct password is refused too."""
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "broker", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "broker", "password": "secret-pass-123"})

    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
