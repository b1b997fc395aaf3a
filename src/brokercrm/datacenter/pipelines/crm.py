"""CRM layer of the warehouse: staff and development relations (开发关系) copied from the app database.

The app database is their home; the warehouse keeps a copy so the marts can attribute facts to
staff. `ingest_crm` replaces both tables when their content differs and says whether it did, so
the caller rebuilds DW attribution and marts only when needed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Sequence

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines.portable import Target, as_target

STAFF_COLUMNS = ("staff_no", "name", "category", "branch_code", "hire_date", "leave_date")
RELATION_COLUMNS = ("customer_no", "staff_no", "start_date", "end_date")

DDL = {
    "staff": "CREATE TABLE IF NOT EXISTS crm.staff (staff_no VARCHAR, name VARCHAR, category VARCHAR, "
             "branch_code VARCHAR, hire_date DATE, leave_date DATE)",
    "development_relations": "CREATE TABLE IF NOT EXISTS crm.development_relations (customer_no VARCHAR, "
                             "staff_no VARCHAR, start_date DATE, end_date DATE)",
    "ingest_state": "CREATE TABLE IF NOT EXISTS crm.ingest_state (digest VARCHAR, ingested_at TIMESTAMP)",
}


@dataclass(frozen=True)
class StaffRow:
    """A staff member as the marts need them; employed on hire_date ≤ d < leave_date."""

    staff_no: str
    name: str
    category: str
    branch_code: str
    hire_date: dt.date
    leave_date: dt.date | None = None


@dataclass(frozen=True)
class RelationRow:
    """A development relation (开发关系) in force on [start_date, end_date); end_date None = open."""

    customer_no: str
    staff_no: str
    start_date: dt.date
    end_date: dt.date | None = None


def ensure_crm_tables(con) -> None:
    """Create the (empty) CRM tables when no import has happened yet."""
    target = as_target(con)
    for ddl in DDL.values():
        target.execute(ddl)


def crm_digest(con) -> str:
    """The digest of the CRM content last ingested ("" before the first ingest)."""
    target = as_target(con)
    ensure_crm_tables(target)
    return target.scalar("SELECT max(digest) FROM crm.ingest_state") or ""


def ingest_crm(con, *, staff: Sequence[StaffRow], development_relations: Sequence[RelationRow]) -> bool:
    """Replace crm.staff and crm.development_relations; True when their content changed."""
    target: Target = as_target(con)
    staff_rows = sorted((s.staff_no, s.name, s.category, s.branch_code, s.hire_date, s.leave_date) for s in staff)
    # (customer_no, start_date, staff_no) is unique, so the sort never compares an end_date (maybe None).
    relation_rows = sorted((r.customer_no, r.start_date, r.staff_no, r.end_date) for r in development_relations)
    _check_relations(relation_rows)
    digest = _digest(staff_rows, relation_rows)
    if digest == crm_digest(target):
        return False
    with target.transaction():
        for table in ("staff", "development_relations", "ingest_state"):
            target.execute(f"DROP TABLE IF EXISTS crm.{table}")
            target.execute(DDL[table])
        target.insert_rows("crm.staff", STAFF_COLUMNS, staff_rows)
        target.insert_rows("crm.development_relations", ("customer_no", "start_date", "staff_no", "end_date"),
                           relation_rows)
        target.execute(f"INSERT INTO crm.ingest_state VALUES ('{digest}', CURRENT_TIMESTAMP)")
    return True


def _digest(*tables: list[tuple]) -> str:
    h = hashlib.sha256()
    for rows in tables:
        h.update(b"\x1e" + "\n".join(map(repr, rows)).encode())
    return h.hexdigest()


def _check_relations(rows: list[tuple]) -> None:
    """At most one development relation per customer on any day, each with start < end (rows sorted)."""
    previous = None
    for customer_no, start, staff_no, end in rows:
        if end is not None and end <= start:
            raise DomainError(f"development relation {customer_no}/{staff_no} ends on or before it starts")
        if previous is not None and previous[0] == customer_no and (previous[3] is None or start < previous[3]):
            raise DomainError(f"customer {customer_no} has overlapping development relations "
                              f"({previous[2]} from {previous[1]}, {staff_no} from {start})")
        previous = (customer_no, start, staff_no, end)
