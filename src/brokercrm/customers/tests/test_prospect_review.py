"""No oracle in duplicate detection: a prospect matching someone outside the user's scope is saved and queued for review."""
import pytest
from django.core.exceptions import PermissionDenied

from brokercrm.core.errors import InputRejected
from brokercrm.core.models import AuditEntry
from brokercrm.customers import prospect_services as services
from brokercrm.customers.models import Prospect
from brokercrm.customers.prospect_selectors import prospect_list
from brokercrm.customers.tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db

REASON_10031 = "same mobile or ID number as, outside the scope of the user who entered it: customer 10031 (0002)"


def test_a_customer_outside_scope_queues_the_prospect_for_review_silently(book):
    """Given customer 10031 of branch 0002 (not the broker's), when the broker enters a prospect with its mobile,
    then it is saved like any other, waiting for review with the reason kept for reviewers."""
    broker, b1 = book["users"]["broker"], book["branches"][0]

    p = services.prospect_create(actor=broker, name="李四", branch=b1, mobile="137 0000 5678", staff=book["staff"]["broker"])

    p.refresh_from_db()
    assert (p.status, p.review_pending, p.review_reason) == ("new", True, REASON_10031)
    assert list(prospect_list(user=broker)) == [p]
    assert AuditEntry.objects.get(object_type="customers.prospect", action="create").changes["review_pending"] == [None, True]


def test_a_customer_in_scope_is_still_refused_and_a_plain_prospect_is_not_queued(book):
    """Given the broker's own customer 1001, when the broker enters its ID number, then it is refused as before;
    a prospect matching nobody is saved without review."""
    broker, b1 = book["users"]["broker"], book["branches"][0]
    with pytest.raises(InputRejected) as exc:
        services.prospect_create(actor=broker, name="张三丰", branch=b1, id_no="310101199001011234")
    assert [(pr.field, pr.message) for pr in exc.value.problems] == [
        ("id_no", "this person already holds an account: search the customer base instead")]

    p = services.prospect_create(actor=broker, name="新人", branch=b1, mobile="13500004321")
    assert (p.review_pending, p.review_reason) == (False, "")


def test_a_prospect_outside_scope_queues_it_one_in_scope_does_not(book):
    """Given a prospect of branch 0002 and one the broker entered, when the broker enters each one's mobile again,
    then only the first match queues the new prospect for review."""
    broker, b1, b2 = book["users"]["broker"], book["branches"][0], book["branches"][1]
    theirs = ProspectFactory(branch=b2, mobile="13500001111", mobile_last4="1111")
    ProspectFactory(branch=b1, mobile="13500002222", mobile_last4="2222", created_by=broker)

    queued = services.prospect_create(actor=broker, name="甲", branch=b1, mobile="13500001111")
    plain = services.prospect_create(actor=broker, name="乙", branch=b1, mobile="13500002222")

    assert (queued.review_pending, queued.review_reason) == (
        True, f"same mobile or ID number as, outside the scope of the user who entered it: prospect P{theirs.pk} (0002)")
    assert plain.review_pending is False


def test_the_page_says_saved_and_shows_the_broker_nothing_the_branch_manager_reviews_and_clears(client, book):
    """Given the broker saves a prospect with customer 10031's mobile through the page, then the answer is the normal
    'saved' and the broker's pages show no review; the branch manager finds it under 待复核, reads the reason and clears it."""
    client.force_login(book["users"]["broker"])
    response = client.post("/customers/prospects/new/", {"name": "李四", "mobile": "13700005678", "branch": "0001"}, follow=True)
    p = Prospect.objects.get(name="李四")
    assert response.redirect_chain == [(f"/customers/prospects/{p.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["潜在客户已保存。"]
    assert p.review_pending is True
    assert "10031" not in response.content.decode() and "prospect-review" not in response.content.decode()
    assert "review-pending" not in client.get("/customers/prospects/").content.decode()
    assert client.get("/customers/prospects/", {"review": "1"}).status_code == 403

    client.force_login(book["users"]["branch_manager"])
    listed = client.get("/customers/prospects/", {"review": "1"})
    assert [r.pk for r in listed.context["page"]] == [p.pk]
    assert REASON_10031 in client.get(f"/customers/prospects/{p.pk}/").content.decode()
    assert client.post(f"/customers/prospects/{p.pk}/review-clear/").status_code == 302
    p.refresh_from_db()
    assert p.review_pending is False
    assert list(client.get("/customers/prospects/", {"review": "1"}).context["page"]) == []
    cleared = AuditEntry.objects.get(object_type="customers.prospect", action="update")
    assert (cleared.actor_label, cleared.changes, cleared.note) == ("bm", {"review_pending": [True, False]}, "review cleared")


def test_the_api_answers_201_like_any_create(client, book):
    """Given the broker creates a prospect with customer 10031's ID number through the API, then the answer is a plain
    201 with nothing about the match, and the prospect waits for review."""
    client.force_login(book["users"]["broker"])
    response = client.post("/api/prospects", {"name": "李四", "branch_code": "0001", "id_no": "110101198505051111"},
                           content_type="application/json")
    body = response.json()
    assert response.status_code == 201 and set(body) == {"id", "name", "mobile", "id_no", "branch_code", "staff_no", "source",
                                                          "status", "converted_customer_no", "merged_into", "custom_fields"}
    assert Prospect.objects.get(pk=body["id"]).review_pending is True


def test_the_import_saves_matches_outside_scope_for_review(book):
    """Given an import by the broker with one line matching customer 10031 and one matching nobody, then both are saved
    and only the first waits for review."""
    data = ("name,mobile,id_type,id_no,email,branch_code,staff_no,source\n"
            "李四,13700005678,,,,0001,S0003,\n"
            "新人,13500004321,,,,0001,S0003,\n").encode()

    result = services.prospect_import(actor=book["users"]["broker"], data=data, file_name="prospects.csv")

    assert result.created == 2
    assert dict(Prospect.objects.values_list("name", "review_pending")) == {"李四": True, "新人": False}
    assert Prospect.objects.get(name="李四").review_reason == REASON_10031


def test_only_reviewers_of_the_branch_clear_a_review(book):
    """Given a prospect of branch 0002 waiting for review, then the broker and the branch manager of 0001 may not clear it;
    head office may."""
    p = ProspectFactory(branch=book["branches"][1], review_pending=True, review_reason="x")
    for who in ("broker", "branch_manager"):
        with pytest.raises(PermissionDenied):
            services.prospect_review_clear(actor=book["users"][who], prospect=p)
    assert services.prospect_review_clear(actor=book["users"]["head_office"], prospect=p).review_pending is False
