"""The frozen dataclasses customers' facade hands to other apps."""
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerRef:
    """A customer as other apps see it: identity, branch, status and dates (no personal data)."""

    id: int
    customer_no: str
    name: str
    branch_id: int
    branch_code: str
    branch_name: str
    status: str
    open_date: dt.date
    close_date: dt.date | None
    risk_level: str
    risk_assessed_on: dt.date | None = None  # the questionnaire's date (适当性 问卷), for the products' suitability

    def __str__(self) -> str:
        return f"{self.customer_no} {self.name}"


@dataclass(frozen=True)
class CustomerContact:
    """What a message or a service task needs of a customer: who, how to reach them (unmasked: for sending only)."""

    id: int
    customer_no: str
    name: str
    mobile: str
    email: str
