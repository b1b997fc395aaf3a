"""A memoised value is read once per GET request, afresh in every other request and outside requests."""
from django.http import HttpResponse
from django.test import RequestFactory

from brokercrm.core.request_memo import RequestMemoMiddleware, request_memoised


def counting():
    calls = []

    @request_memoised
    def latest() -> int:
        calls.append(1)
        return len(calls)

    return latest, calls


def test_a_get_request_reads_the_value_once_and_the_next_request_reads_it_again():
    """Given a memoised function asked three times by a view, a GET request runs it once; a second GET once more."""
    latest, calls = counting()
    middleware = RequestMemoMiddleware(lambda request: HttpResponse(f"{latest()} {latest()} {latest()}"))

    first = middleware(RequestFactory().get("/customers/"))
    second = middleware(RequestFactory().get("/customers/"))

    assert (first.content, second.content, len(calls)) == (b"1 1 1", b"2 2 2", 2)


def test_a_post_request_and_code_outside_a_request_read_it_every_time():
    """A write may change what is memoised (a load, a relation), so a POST and a command read on every call."""
    latest, calls = counting()
    middleware = RequestMemoMiddleware(lambda request: HttpResponse(f"{latest()} {latest()}"))

    posted = middleware(RequestFactory().post("/customers/"))

    assert (posted.content, latest(), len(calls)) == (b"1 2", 3, 3)
