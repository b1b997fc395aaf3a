"""Exact identity searches (a full mobile or ID number) are audited, masked, and limited per user in a sliding hour."""
import datetime as dt

import pytest
from django.utils import timezone

from brokercrm.core.errors import RateLimited
from brokercrm.core.models import AuditEntry
from brokercrm.customers.identity_searches import identity_query
from brokercrm.customers.selectors import CustomerFilters, customer_search

pytestmark = pytest.mark.django_db


def searches(user) -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.filter(actor=user, action="search").order_by("id").values_list("object_type", "object_repr", "note"))


def fill_the_hour(user, count: int) -> None:
    """The user's searches of the last hour, as audited."""
    AuditEntry.objects.bulk_create([AuditEntry(actor=user, actor_label=user.username, action="search", object_type="customers.customer",
                                               object_repr="138****0000", note="mobile") for _ in range(count)])


@pytest.mark.parametrize("query,expected", [
    ("13812345678", ("mobile", "13812345678")),
    ("+86 138-1234-5678", ("mobile", "13812345678")),
    ("310101199001011234", ("id_no", "310101199001011234")),
    ("31010119850505123x", ("id_no", "31010119850505123X")),
    ("110101850505111", ("id_no", "110101850505111")),
    ("5678", ("", "")),
    ("123x", ("", "")),
    ("1381234", ("", "")),
    ("张三丰", ("", "")),
    ("1001", ("", "")),
])
def test_which_queries_are_exact_identity_searches(query, expected):
    """A full 11-digit mobile (with or without +86) or a full 15/18-character ID number is one; last fours and names are not."""
    assert identity_query(query) == expected


def test_an_exact_search_is_audited_masked_like_the_screens(book):
    """Given the broker, when they search a full mobile and a full ID number, then two audit entries hold them masked."""
    broker = book["users"]["broker"]
    assert list(customer_search(user=broker, filters=CustomerFilters(q="138 1234 5678")).values_list("customer_no", flat=True)) == ["1001"]
    customer_search(user=broker, filters=CustomerFilters(q="110101198505051111"))
    assert searches(broker) == [("customers.customer", "138****5678", "mobile"), ("customers.customer", "110***********1111", "id_no")]
    assert AuditEntry.objects.filter(action="search").values_list("actor_label", flat=True).distinct().get() == "broker"


def test_last_four_searches_are_neither_audited_nor_limited(book):
    """Given a broker who used up the hour, when they search by last four digits, then it answers and nothing is audited."""
    broker = book["users"]["broker"]
    fill_the_hour(broker, 30)
    assert set(customer_search(user=broker, filters=CustomerFilters(q="5678")).values_list("customer_no", flat=True)) == {"1001", "2001"}
    assert AuditEntry.objects.filter(actor=broker, action="search").count() == 30


def test_the_31st_exact_search_in_an_hour_is_refused_an_older_one_does_not_count(book):
    """Given 30 exact searches in the last hour, the 31st is refused with nothing audited; once one is older than an hour, it passes."""
    broker = book["users"]["broker"]
    fill_the_hour(broker, 30)
    with pytest.raises(RateLimited) as exc:
        customer_search(user=broker, filters=CustomerFilters(q="13812345678"))
    assert (exc.value.field, exc.value.message) == ("q", "每小时最多按完整手机号或证件号搜索 30 次, 请稍后再试")
    assert AuditEntry.objects.filter(actor=broker, action="search").count() == 30
    assert customer_search(user=book["users"]["other_broker"], filters=CustomerFilters(q="13812345678")).count() == 0

    AuditEntry.objects.filter(pk=AuditEntry.objects.filter(actor=broker).order_by("id").values("pk")[:1]).update(
        at=timezone.now() - dt.timedelta(hours=1, seconds=1))
    assert customer_search(user=broker, filters=CustomerFilters(q="13812345678")).count() == 1


def test_the_api_answers_429_on_the_31st(client, book, settings):
    """Given the limit set to 2, the API answers two exact searches and refuses the third with 429; last four still answers."""
    settings.BROKERCRM_IDENTITY_SEARCHES_PER_HOUR = 2
    client.force_login(book["users"]["broker"])
    assert [client.get("/api/customers", {"q": "13812345678"}).json()["count"] for _ in range(2)] == [1, 1]
    refused = client.get("/api/customers", {"q": "310101199001011234"})
    assert refused.status_code == 429
    assert refused.json() == {"detail": "每小时最多按完整手机号或证件号搜索 2 次, 请稍后再试",
                              "errors": [{"field": "q", "message": "每小时最多按完整手机号或证件号搜索 2 次, 请稍后再试"}]}
    assert client.get("/api/customers", {"q": "5678"}).json()["count"] == 2
    assert searches(book["users"]["broker"]) == [("customers.customer", "138****5678", "mobile")] * 2


def test_the_list_page_shows_a_form_error_on_the_31st(client, book):
    """Given 30 exact searches in the hour, the list page answers the 31st with an error on the search field and no rows;
    the htmx refresh and the export say the same."""
    broker = book["users"]["broker"]
    fill_the_hour(broker, 30)
    client.force_login(broker)
    message = "每小时最多按完整手机号或证件号搜索 30 次, 请稍后再试"
    page = client.get("/customers/", {"q": "13812345678"})
    assert page.status_code == 200 and page.context["form"].errors == {"q": [message]}
    assert list(page.context["page"]) == []
    rows = client.get("/customers/", {"q": "13812345678"}, headers={"HX-Request": "true"})
    assert message in rows.content.decode() and "1001" not in rows.content.decode()
    export = client.get("/customers/export.csv", {"q": "13812345678"}, follow=True)
    assert export.redirect_chain == [("/customers/?q=13812345678", 302)]
    assert [str(m) for m in export.context["messages"]] == [message]
    assert AuditEntry.objects.filter(actor=broker, action__in=["search", "export"]).count() == 30
