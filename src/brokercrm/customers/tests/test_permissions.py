"""Role checks live in the services, so the page, the API and the CLI refuse (or allow) the same actors alike."""
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from brokercrm.core.models import AuditEntry
from brokercrm.customers import prospect_services, services
from brokercrm.customers.models import CustomerTag, Prospect
from brokercrm.org import services as org_services
from brokercrm.org.models import Staff

pytestmark = pytest.mark.django_db

STAFF_CSV = b"staff_no,name,category,level,branch_code,team,hire_date,leave_date\nS0100,New,account_manager,manager,0001,,2024-01-02,\n"


@pytest.mark.parametrize("who, service", [
    ("compliance", lambda w: services.customer_tag_add(actor=w["users"]["compliance"], customers=[w["customers"]["c1"]], tag_name="x")),
    ("compliance", lambda w: services.customer_custom_fields_set(actor=w["users"]["compliance"], customer=w["customers"]["c1"], values={})),
    ("compliance", lambda w: prospect_services.prospect_create(actor=w["users"]["compliance"], name="P", branch=w["branches"][0],
                                                                mobile="13800000000")),
    ("compliance", lambda w: services.customer_unmask(actor=w["users"]["compliance"], customer=w["customers"]["c1"], field="mobile")),
    ("broker", lambda w: org_services.staff_import(actor=w["users"]["broker"], data=STAFF_CSV, file_name="staff.csv")),
    ("compliance", lambda w: org_services.staff_leave(actor=w["users"]["compliance"], staff=w["staff"]["broker"],
                                                      leave_date=dt.date(2025, 1, 1))),
])
def test_services_refuse_a_role_outside_their_set(book, who, service):
    """Given a role outside the service's named set, the service itself raises PermissionDenied and changes nothing."""
    audited = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        service(book)
    assert (CustomerTag.objects.count(), Prospect.objects.count(), Staff.objects.filter(staff_no="S0100").count()) == (0, 0, 0)
    assert AuditEntry.objects.count() == audited


@pytest.mark.parametrize("who, method, url, data", [
    ("compliance", "post", "/customers/1001/tags/", {"tag": "x"}),
    ("compliance", "post", "/customers/1001/fields/", {"submitted": "1"}),
    ("compliance", "post", "/customers/prospects/new/", {"name": "P", "mobile": "13800000000", "branch": "0001"}),
    ("compliance", "post", "/customers/1001/unmask/mobile/", {}),
])
def test_pages_answer_403_when_the_service_refuses(client, book, who, method, url, data):
    """The page calls the service; its PermissionDenied is Django's 403 page (no per-view role check needed)."""
    client.force_login(book["users"][who])
    assert getattr(client, method)(url, data).status_code == 403
    assert (CustomerTag.objects.count(), Prospect.objects.count()) == (0, 0)


@pytest.mark.parametrize("who, method, url, data", [
    ("compliance", "post", "/api/customers/1001/tags", {"tag": "x"}),
    ("compliance", "patch", "/api/customers/1001/custom-fields", {}),
    ("compliance", "post", "/api/prospects", {"name": "P", "branch_code": "0001", "mobile": "13800000000"}),
])
def test_api_answers_403_when_the_service_refuses(client, book, who, method, url, data):
    """The API calls the same service; config/api.py maps its PermissionDenied to a 403 JSON answer once for every app."""
    client.force_login(book["users"][who])
    response = getattr(client, method)(url, data, content_type="application/json")
    assert response.status_code == 403 and "detail" in response.json()
    assert (CustomerTag.objects.count(), Prospect.objects.count()) == (0, 0)


def test_the_cli_acts_as_the_system_which_the_services_allow(book, tmp_path):
    """The CLI has no user: it calls the same services with actor=None (the system), which every role set lets through."""
    path = tmp_path / "staff.csv"
    path.write_bytes(STAFF_CSV)
    call_command("staff", "import", str(path), stdout=io.StringIO())
    services.customer_tag_add(actor=None, customers=[book["customers"]["c1"]], tag_name="vip")

    assert Staff.objects.filter(staff_no="S0100").exists() and CustomerTag.objects.count() == 1
