"""Reading import files by the conventions of source-interface.md, problems as FILE:LINE:COLUMN."""
import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from brokercrm.core.errors import Problem


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str | None]


def read_rows(data: bytes, *, file: str, columns: list[str]) -> tuple[list[CsvRow], list[Problem]]:
    """Rows of a UTF-8 CSV with exactly `columns` as header; empty fields are None."""
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        return [], [Problem("file starts with a byte-order mark; UTF-8 without BOM expected", file=file, line=1)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [Problem("not valid UTF-8", file=file, line=line)]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return [], [Problem("file is empty; a header row is required", file=file, line=1)]
    if header != columns:
        return [], [Problem(f"header must be exactly: {','.join(columns)}", file=file, line=1)]
    rows: list[CsvRow] = []
    for record in reader:
        line = reader.line_num
        if not record:
            continue
        if len(record) != len(columns):
            problems.append(Problem(f"expected {len(columns)} fields, found {len(record)}", file=file, line=line))
            continue
        rows.append(CsvRow(line, {c: (v if v != "" else None) for c, v in zip(columns, record)}))
    return rows, problems


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


def write_rows(path: Path, columns: list[str], rows: Iterator[list[str]]) -> int:
    """Write a CSV the way the interface reads: UTF-8 without BOM, `\\n`, RFC 4180 quoting."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
