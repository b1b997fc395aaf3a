"""Errors a user can cause: each carries a message fit to show and the place it is about."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input: file/line/column for files, field for forms and API bodies."""

    message: str
    file: str = ""
    line: int | None = None
    column: str = ""
    field: str = ""

    def __str__(self) -> str:
        if self.file:
            return f"{self.file}:{self.line if self.line is not None else ''}:{self.column}: {self.message}"
        if self.field:
            return f"{self.field}: {self.message}"
        return self.message


class DomainError(Exception):
    """A rule of the business refused the action; nothing was changed."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class InputRejected(DomainError):
    """An input (file, form, body) had problems; every one is listed and nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RateLimited(DomainError):
    """The user did this too often in the recent period; nothing was done (429 on the API)."""
