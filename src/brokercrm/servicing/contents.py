"""What a strategy sends: content kinds are pluggable so that apps above servicing (research, products) add theirs.

`register_content(kind, renderer)` makes a kind render each customer's own message; a kind without a renderer sends
the strategy's text. `register_suitability(check)` adds a rule "may this content go to these customers": one call per
preview or run with the whole batch of customers (no query per customer), answering the reason codes of each customer
it refuses; a refused customer is blocked as `unsuitable_content` with those reasons (preview and run alike). Both are
re-exported by servicing/facade.py; apps register in their AppConfig.ready().
"""
import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol

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
    the run's day, its frequency, its text (subject, body: the admins' template, placeholders per kind) and the product
it recommends (MARKET.CODE, product recommendations only)."""

    kind: str
    customer: CustomerContact
    period: str
    day: dt.date
    subject: str
    body: str
    frequency: str = "monthly"
    product: str = ""


class Renderer(Protocol):
    def __call__(self, request: ContentRequest) -> RenderedContent | None: ...


@dataclass(frozen=True)
class SuitabilityRequest:
    """What a suitability check is asked: may content `kind` (recommending `product`, MARKET.CODE or '') go on `day` to
    each of these customers?"""

    kind: str
    customer_ids: frozenset[int]
    day: dt.date
    product: str = ""


# A check answers {customer_id: reason codes} for the customers it refuses (the others are left out or map to ()).
SuitabilityCheck = Callable[[SuitabilityRequest], dict[int, tuple[str, ...]]]

_renderers: dict[str, Renderer] = {}
_suitability_checks: list[SuitabilityCheck] = []
_reason_labels: dict[str, object] = {}


def register_content(kind: str, renderer: Renderer) -> None:
    """The renderer of a content kind (the last registration wins); it returns None when the customer has no data."""
    _renderers[kind] = renderer


def register_suitability(check: SuitabilityCheck, labels: dict[str, object] | None = None) -> None:
    """check(SuitabilityRequest) → {customer_id: reason codes} of the customers the content may not go to; `labels`
    names its reason codes for pages (translatable)."""
    if check not in _suitability_checks:
        _suitability_checks.append(check)
    _reason_labels.update(labels or {})


def reason_label(code: str):
    """The name users see of a suitability reason code (the code itself when no check named it)."""
    return _reason_labels.get(code, code)


def content_unsuitable(kind: str, customer_ids: Iterable[int], *, day: dt.date, product: str = "") -> dict[int, tuple[str, ...]]:
    """The customers some check refuses, each with every check's reasons (in the checks' order, once each)."""
    request = SuitabilityRequest(kind, frozenset(customer_ids), day, product)
    refused: dict[int, tuple[str, ...]] = {}
    for check in _suitability_checks:
        for customer_id, reasons in check(request).items():
            if reasons and customer_id in request.customer_ids:
                refused[customer_id] = tuple(dict.fromkeys(refused.get(customer_id, ()) + tuple(reasons)))
    return refused


def strategy_text(request: ContentRequest) -> RenderedContent:
    """The strategy's own text with {name} and {customer_no} filled in (kinds without a renderer)."""
    c = request.customer
    text = request.body.replace("{name}", c.name).replace("{customer_no}", c.customer_no)
    return RenderedContent(subject=request.subject, text=text)


def content_render(request: ContentRequest) -> RenderedContent | None:
    return _renderers.get(request.kind, strategy_text)(request)
