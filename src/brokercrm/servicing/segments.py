"""Segment codes of service strategies (docs/servicing.md "Segment codes"): which customers a strategy serves.

A code is `KIND:VALUE` (or `all`, `new_accounts`), optionally narrowed to branches with `@CODE,CODE`:
`tier:diamond`, `group:silent`, `cluster:3`, `rfm:55*`, `customer_group:NAME`, `tag:NAME`, `tier:gold@0001,0002`.
Analytics segments are read through the analytics facade for the strategy's month; saved groups and tags through
the customers facade as they are today.
"""
import datetime as dt
from dataclasses import dataclass

from brokercrm.analytics.facade import built_periods, segment_member_ids
from brokercrm.core.errors import DomainError
from brokercrm.customers.facade import CustomerContact, customer_contacts_open_on, saved_group_customer_ids, tagged_customer_ids

NEW_ACCOUNT_DAYS = 30
PLAIN = ("all", "new_accounts")
ANALYTICS_KINDS = ("tier", "group", "cluster", "rfm")
KINDS = (*ANALYTICS_KINDS, "customer_group", "tag")


@dataclass(frozen=True)
class SegmentCode:
    kind: str
    value: str
    branches: tuple[str, ...]


def segment_parse(code: str) -> SegmentCode:
    """The parts of a segment code; DomainError with the syntax for a malformed one."""
    text, _, branches = (code or "").strip().partition("@")
    branch_codes = tuple(b.strip() for b in branches.split(",") if b.strip())
    if "@" in code and not branch_codes:
        raise DomainError(f"segment '{code}': name at least one branch code after @", field="segment")
    if text in PLAIN:
        return SegmentCode(text, "", branch_codes)
    kind, sep, value = text.partition(":")
    if not sep or kind not in KINDS or not value.strip():
        raise DomainError(f"segment '{code}' is not known: use all, new_accounts or {', '.join(k + ':…' for k in KINDS)}"
                          f" (optionally @BRANCH,BRANCH)", field="segment")
    if kind == "cluster" and not value.isdigit():
        raise DomainError(f"segment '{code}': a cluster is a number (cluster:3)", field="segment")
    return SegmentCode(kind, value.strip(), branch_codes)


def segment_month(day: dt.date) -> str:
    """The month whose memberships a run on `day` reads: that month once built, else the latest built before it."""
    month = f"{day:%Y-%m}"
    earlier = [p for p in built_periods() if p <= month]
    return max(earlier) if earlier else month


def segment_member_contacts(code: str, *, period: str, day: dt.date) -> list[CustomerContact]:
    """The open accounts on `day` in the segment (analytics segments: the memberships of month `period`)."""
    segment = segment_parse(code)
    ids = None
    if segment.kind in ANALYTICS_KINDS:
        ids = segment_member_ids(period=period, **{segment.kind: int(segment.value) if segment.kind == "cluster" else segment.value})
    elif segment.kind == "customer_group":
        ids = saved_group_customer_ids(name=segment.value)
    elif segment.kind == "tag":
        ids = tagged_customer_ids(name=segment.value)
    opened_after = day - dt.timedelta(days=NEW_ACCOUNT_DAYS) if segment.kind == "new_accounts" else None
    return customer_contacts_open_on(day, opened_after=opened_after, customer_ids=ids, branch_codes=segment.branches)
