"""What a strategy sends: content kinds are pluggable so that apps above servicing (research, products) add theirs.

`register_content(kind, renderer)` makes a kind render each customer's own message; a kind without a renderer sends
the strategy's text. `register_suitability(check)` adds a rule "may this content go to this customer" — a customer
any check refuses is blocked with the reason `unsuitable content` (preview and run alike). Both are re-exported by
servicing/facade.py; apps register in their AppConfig.ready().
"""
import datetime as dt
from dataclasses import dataclass
from typing import Callable, Protocol

from brokercrm.customers.facade import CustomerContact


@dataclass(frozen=True)
class RenderedContent:
    """One customer's message: subject, text (the SMS or the e-mail's plain part), HTML and attachments."""

    subject: str
    text: str
    html: str = ""
    attachments: tuple[tuple[str, str, bytes], ...] = ()


@dataclass(frozen=True)
class ContentRequest:
    """What a renderer is asked: the content kind, the customer, the strategy's month (YYYY-MM, the segments' month),
    the run's day, its frequency and its text (subject, body: the admins' template, placeholders per kind)."""

    kind: str
    customer: CustomerContact
    period: str
    day: dt.date
    subject: str
    body: str
    frequency: str = "monthly"


class Renderer(Protocol):
    def __call__(self, request: ContentRequest) -> RenderedContent | None: ...


_renderers: dict[str, Renderer] = {}
_suitability_checks: list[Callable[[str, int], bool]] = []


def register_content(kind: str, renderer: Renderer) -> None:
    """The renderer of a content kind (the last registration wins); it returns None when the customer has no data."""
    _renderers[kind] = renderer


def register_suitability(check: Callable[[str, int], bool]) -> None:
    """check(kind, customer_id) → True when the content may go to the customer."""
    if check not in _suitability_checks:
        _suitability_checks.append(check)


def content_suitable(kind: str, customer_id: int) -> bool:
    return all(check(kind, customer_id) for check in _suitability_checks)


def strategy_text(request: ContentRequest) -> RenderedContent:
    """The strategy's own text with {name} and {customer_no} filled in (kinds without a renderer)."""
    c = request.customer
    text = request.body.replace("{name}", c.name).replace("{customer_no}", c.customer_no)
    return RenderedContent(subject=request.subject, text=text)


def content_render(request: ContentRequest) -> RenderedContent | None:
    return _renderers.get(request.kind, strategy_text)(request)
