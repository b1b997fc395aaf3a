"""Relation and workflow pages through the test client: apply, inbox, decide, history include, staff book, bulk preview."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from brokercrm.customers.tests.factories import CustomerFactory, relate
from brokercrm.platform.workflow.models import ProcessInstance
from brokercrm.relations.models import Relation

pytestmark = pytest.mark.django_db


def _client(world, name: str) -> Client:
    c = Client()
    c.force_login(world["users"][name])
    return c


def test_broker_applies_manager_approves_from_the_inbox_and_the_customer_joins_the_broker(world):
    """The add form starts an application; the manager's inbox and badge count it; approving from the detail page makes it effective."""
    CustomerFactory(customer_no="10000002", name="客户乙", branch=world["branches"][0])
    broker, bm = _client(world, "broker"), _client(world, "branch_manager")

    r = broker.post("/relations/apply/", {"customer_no": "10000002", "staff_no": "S0003", "relation_type": "development",
                                          "start_date": "2024-05-06", "reason": "walk-in"})
    instance = ProcessInstance.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/workflow/instances/{instance.pk}/"

    assert b'data-testid="inbox-badge">1<' in bm.get("/workflow/badge/").content
    assert broker.get("/workflow/badge/").content == b""
    inbox = bm.get("/workflow/").content.decode()
    assert 'data-testid="inbox-total">1<' in inbox and "10000002 客户乙 → S0003 张三" in inbox
    assert 'data-testid="decision-form"' in bm.get(f"/workflow/instances/{instance.pk}/").content.decode()
    assert 'data-testid="decision-form"' not in broker.get(f"/workflow/instances/{instance.pk}/").content.decode()

    task = instance.tasks.get()
    r = bm.post(f"/workflow/tasks/{task.pk}/decide/", {"decision": "approve", "comment": "ok"})
    assert r.status_code == 302 and r["Location"] == "/workflow/"
    assert list(Relation.objects.filter(customer__customer_no="10000002").values_list("staff__staff_no", "start_date")) == [
        ("S0003", dt.date(2024, 5, 6))]
    history = broker.get(f"/workflow/instances/{instance.pk}/").content.decode()
    assert "walk-in" in history and "ok" in history and 'data-testid="instance-status"' in history


def test_apply_form_errors_name_the_field_and_store_nothing(world):
    """An unknown or out-of-branch customer and an overlapping development relation are form errors on their fields."""
    CustomerFactory(customer_no="20000001", branch=world["branches"][1])
    broker = _client(world, "broker")

    unknown = broker.post("/relations/apply/", {"customer_no": "20000001", "staff_no": "S0003", "relation_type": "development",
                                                "start_date": "2024-05-06"}).content.decode()
    overlap = _client(world, "team_leader").post("/relations/apply/", {"customer_no": "10000001", "staff_no": "S0004",
                                                                       "relation_type": "development", "start_date": "2024-05-06"}).content.decode()

    assert 'data-field-error="customer_no">No such number in your scope.<' in unknown
    assert 'data-field-error="start_date">customer 10000001 already has a development relation with S0003 from 2024-01-02 to …' in overlap
    assert ProcessInstance.objects.count() == 0


def test_customer_history_and_staff_book_at_a_past_date(world):
    """After a transfer the customer's history shows both relations; each staff book holds the customer on its own dates only."""
    relation = Relation.objects.get()
    relation.end_date = dt.date(2024, 6, 3)
    relation.save()
    relate(world["customer"], world["staff"]["colleague"], start=dt.date(2024, 6, 3))
    bm = _client(world, "branch_manager")

    history = bm.get("/relations/customer/10000001/").content.decode()
    assert history.count("S0003 张三") == 1 and history.count("S0004 赵四") == 1 and "2024-06-03" in history
    book_before = bm.get("/relations/staff/S0003/?book_date=2024-06-02").content.decode()
    book_after = bm.get("/relations/staff/S0003/?book_date=2024-06-03").content.decode()
    assert "10000001 客户甲" in book_before and "10000001 客户甲" not in book_after
    assert "10000001 客户甲" in bm.get("/relations/staff/S0004/?book_date=2024-06-03").content.decode()
    assert _client(world, "other_broker").get("/relations/customer/10000001/").status_code == 404


def test_bulk_transfer_page_previews_then_applies(world):
    """The bulk form lists every customer to move before applying; applying opens one approval."""
    relate(CustomerFactory(customer_no="10000002", name="客户乙", branch=world["branches"][0]), world["staff"]["broker"], start=dt.date(2024, 2, 1))
    ho = _client(world, "head_office")
    form = {"from_staff_no": "S0003", "to_staff_no": "S0004", "effective_date": "2024-07-01", "include_service": "on", "reason": "leaves"}

    preview = ho.post("/relations/bulk-transfer/", {**form, "action": "preview"}).content.decode()
    assert "10000001 客户甲" in preview and "10000002 客户乙" in preview and ProcessInstance.objects.count() == 0
    r = ho.post("/relations/bulk-transfer/", {**form, "action": "apply"})

    instance = ProcessInstance.objects.get()
    assert r.status_code == 302 and (instance.key, instance.payload["count"], instance.tasks.count()) == ("relation_bulk_transfer", 2, 1)
    assert "10000002 客户乙" in _client(world, "branch_manager").get(f"/workflow/instances/{instance.pk}/").content.decode()


def test_definitions_page_is_for_admins_and_shows_why_a_file_is_refused(world):
    """Admins see the loaded versions and a refused upload's problems; other roles are forbidden."""
    admin = _client(world, "admin")
    page = admin.get("/workflow/definitions/").content.decode()
    assert "relation_transfer" in page and "relation_bulk_transfer" in page
    bad = SimpleUploadedFile("bad.bpmn", b"<bpmn:definitions", content_type="application/xml")
    refused = admin.post("/workflow/definitions/", {"file": bad}).content.decode()
    assert 'data-testid="problems"' in refused and "bad.bpmn:1::" in refused
    assert _client(world, "branch_manager").get("/workflow/definitions/").status_code == 403


def test_applicant_withdraws_and_reads_the_outcome_notification(world):
    """The applicant withdraws a pending application (anyone else: 403); a decided one leaves a notification until read."""
    broker, bm = _client(world, "broker"), _client(world, "branch_manager")
    form = {"customer_no": "10000001", "staff_no": "S0003", "relation_type": "service", "start_date": "2024-05-06"}
    broker.post("/relations/apply/", form)
    first = ProcessInstance.objects.get()
    assert bm.post(f"/workflow/instances/{first.pk}/withdraw/").status_code == 403
    broker.post(f"/workflow/instances/{first.pk}/withdraw/")
    first.refresh_from_db()
    assert (first.status, bm.get("/workflow/badge/").content) == ("withdrawn", b"")

    broker.post("/relations/apply/", form)
    second = ProcessInstance.objects.exclude(pk=first.pk).get()
    bm.post(f"/workflow/tasks/{second.tasks.get().pk}/decide/", {"decision": "reject", "comment": "already served by S0004"})
    assert 'data-testid="notifications"' in broker.get("/workflow/").content.decode()
    broker.post("/workflow/notifications/read/")
    assert 'data-testid="notifications"' not in broker.get("/workflow/").content.decode()


def test_the_360_page_shows_relation_history_through_the_scoped_panel_only(world):
    """Customer 10000001 is developed by S0003 (branch 0001) and served by S0005 (branch 0002). On its 360° page the broker
    sees their own relation and not S0005's, S0005's broker only their own, and the branch manager (whose branch owns the
    account) both; the page keeps no unscoped history of its own."""
    relate(world["customer"], world["staff"]["other"], "service", start=dt.date(2024, 2, 1))

    pages = {who: _client(world, who).get("/customers/10000001/").content.decode()
             for who in ("broker", "other_broker", "branch_manager")}

    assert ("S0003 张三" in pages["broker"], "S0005 钱五" in pages["broker"]) == (True, False)
    assert ("S0003 张三" in pages["other_broker"], "S0005 钱五" in pages["other_broker"]) == (False, True)
    assert ("S0003 张三" in pages["branch_manager"], "S0005 钱五" in pages["branch_manager"]) == (True, True)
    assert all(page.count('data-testid="relation-history"') == 1 and 'data-testid="relations"' not in page for page in pages.values())
