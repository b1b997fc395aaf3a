"""The error bodies every API answer shares, as config/api.py's exception handlers write them, for the OpenAPI document."""
from ninja import Schema


class ErrorOut(Schema):
    """401, 403, 404 and 429: what went wrong, in one sentence."""

    detail: str


class ProblemOut(Schema):
    """One refused input: the field (or file column) it is about, the line for file rows, and the message."""

    field: str | None
    line: int | None = None
    message: str


class InvalidInputOut(ErrorOut):
    """400: the request was refused whole, every problem listed."""

    errors: list[ProblemOut]


class RefusedOut(ErrorOut):
    """422: a business rule refused the request as a whole (e.g. an unsuitable recommendation); `reasons` are its codes."""

    reasons: list[str]


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The 4xx answers of an endpoint: 401 always (every endpoint needs a login), plus the codes given (400 and 429
    carry the problems list, 422 the refusal's reason codes)."""
    return {code: InvalidInputOut if code in (400, 429) else RefusedOut if code == 422 else ErrorOut for code in sorted({401, *codes})}
