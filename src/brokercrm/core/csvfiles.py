"""Reading import files by the conventions of source-interface.md, problems as FILE:LINE:COLUMN."""
import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from brokercrm.core.errors import Problem

# Python's reader stops at its own field limit (131,072) with an error naming neither the field nor its size. Lifted
# (the whole file is in memory anyway), so the configured IMPORT_FIELD_MAX_CHARS is what refuses, with the place.
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str | None]


def read_rows(data: bytes, *, file: str, columns: list[str]) -> tuple[list[CsvRow], list[Problem]]:
    """Rows of a UTF-8 CSV with exactly `columns` as header; empty fields are None."""
    if data.startswith(b"\xef\xbb\xbf"):
        return [], [Problem("file starts with a byte-order mark; UTF-8 without BOM expected", file=file, line=1)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [Problem("not valid UTF-8", file=file, line=line)]
    records, problems = read_records(text, file=file)
    if not records:
        return [], problems or [Problem("file is empty; a header row is required", file=file, line=1)]
    header = records[0][1]
    if header != columns:
        return [], [Problem(f"header must be exactly: {','.join(columns)}", file=file, line=1)]
    rows: list[CsvRow] = []
    for line, record in records[1:]:
        if not record:
            continue
        if len(record) != len(columns):
            problems.append(Problem(f"expected {len(columns)} fields, found {len(record)}", file=file, line=line))
            continue
        rows.append(CsvRow(line, {c: (v if v != "" else None) for c, v in zip(columns, record)}))
    return rows, problems


def read_records(text: str, *, file: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """(line, fields) of every CSV record, the header first; a record with a field over the configured size or holding
    a NUL character is left out and reported, the column named by the header; a bad header leaves out everything."""
    limit = settings.IMPORT_FIELD_MAX_CHARS
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    start = 1
    for record in reader:
        names = records[0][1] if records else []
        bad = []
        for index, value in enumerate(record):
            column = names[index] if index < len(names) else str(index + 1)
            if len(value) > limit:
                bad.append(Problem(_("field too long (%(n)d characters, at most %(m)d)") % {"n": len(value), "m": limit},
                                   file=file, line=start, column=column))
            elif "\0" in value:
                bad.append(Problem(_("NUL character (\\0) is not allowed"), file=file, line=start, column=column))
        problems.extend(bad)
        if bad and not records:
            return [], problems
        if not bad:
            records.append((start, record))
        start = reader.line_num + 1
    return records, problems


def nul_problem(text: str, *, file: str) -> Problem | None:
    """The first NUL character of a text import (never valid in CSV or YAML), at its line and character column."""
    at = text.find("\0")
    if at < 0:
        return None
    line_start = text.rfind("\n", 0, at) + 1
    return Problem(_("NUL character (\\0) is not allowed"), file=file, line=text.count("\n", 0, at) + 1, column=str(at - line_start + 1))


def parse_date(value: str | None, *, required: bool, problem: callable) -> dt.date | None:
    """A YYYY-MM-DD date; reports through `problem(message)` and returns None when bad."""
    if value is None:
        if required:
            problem("is required")
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        problem(f"'{value}' is not a date (YYYY-MM-DD)")
        return None
