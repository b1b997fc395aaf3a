"""Values read once per page request: a read-only (GET/HEAD) request keeps what a memoised function answered for as
long as it runs; outside such a request (writes, commands, jobs, the worker) every call reads afresh."""
import functools
from contextvars import ContextVar
from typing import Callable, TypeVar

T = TypeVar("T")

# Set by RequestMemoMiddleware for the duration of one GET or HEAD request; None otherwise.
_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


def request_memoised(fn: Callable[[], T]) -> Callable[[], T]:
    """fn (no arguments) answered once per read-only request: a page that asks six times runs one query."""

    @functools.wraps(fn)
    def wrapper() -> T:
        memo = _memo.get()
        if memo is None:
            return fn()
        if fn not in memo:
            memo[fn] = fn()
        return memo[fn]

    return wrapper


class RequestMemoMiddleware:
    """Opens the memo of a GET or HEAD request (a write may change what it memoises, so it reads afresh)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
