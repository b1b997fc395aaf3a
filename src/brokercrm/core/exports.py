"""The one writer of CSV and Excel exports: no text cell ever reaches a spreadsheet as a formula.

A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel, WPS and
LibreOffice show it as text (a name, tag or custom field typed as `=HYPERLINK(…)` stays a name); in a workbook
every text is also written as a string cell, never parsed. Numbers (int, Decimal, float) are numbers, negative ones
too. The interface files (relations, alerts, segments, payroll, calendar) hold codes, dates and numbers, which begin
with a letter or digit, so they come out byte for byte as their specifications say.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576  # an Excel sheet's rows, the header included

Cell = str | int | Decimal | float | dt.date | None


def neutralise(text: str) -> str:
    """The text as a spreadsheet shows it literally: a leading `'` before anything a spreadsheet would evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Cell) -> str:
    """The CSV text of a cell: numbers as written (a Decimal keeps its scale), dates ISO, texts neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"an export cell is text, a number or a date, not {type(value).__name__}")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[list[Cell]]) -> Iterator[str]:
    """The CSV records, header first: RFC 4180 quoting, `\\n` line ends."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def write_csv(rows: Iterable[list[Cell]], columns: list[str], out: Path) -> int:
    """Write `out` the way the interface reads (UTF-8 without BOM, `\\n`), through a temporary file renamed onto it
    so a reader never sees half a file; returns the number of data rows."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    count = -1
    try:
        with open(partial, "w", encoding="utf-8", newline="") as fh:
            for count, line in enumerate(csv_lines(columns, rows)):
                fh.write(line)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return count


def csv_response(rows: Iterable[list[Cell]], columns: list[str], *, filename: str) -> StreamingHttpResponse:
    """A download streamed row by row (a list within scope may be large)."""
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class XlsxSheet:
    """A worksheet that writes text as string cells (neutralised) and numbers as number cells."""

    def __init__(self, book: XlsxBook, worksheet):
        self._book, self._ws = book, worksheet

    def write(self, row: int, col: int, value: Cell, fmt=None) -> None:
        if value is None or value == "":
            if fmt is not None:
                self._ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            self._ws.write_string(row, col, neutralise(value), fmt)
        elif isinstance(value, Decimal):
            # xlsxwriter stores IEEE doubles: amounts to the cent are exact up to 2^53 cents; shown with their scale.
            self._ws.write_number(row, col, float(value), fmt or self._book.decimal_format(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._ws.write_number(row, col, value, fmt)
        elif isinstance(value, dt.date):
            self._ws.write_string(row, col, value.isoformat(), fmt)
        else:
            raise TypeError(f"an export cell is text, a number or a date, not {type(value).__name__}")

    def write_row(self, row: int, col: int, values: Iterable[Cell], fmt=None) -> None:
        for offset, value in enumerate(values):
            self.write(row, col + offset, value, fmt)

    def freeze_header(self, widths: list[int]) -> None:
        """Keep the first row in view while scrolling and give each column a width (in characters)."""
        self._ws.freeze_panes(1, 0)
        for col, width in enumerate(widths):
            self._ws.set_column(col, col, width)


class XlsxBook:
    """An .xlsx workbook in memory whose strings are never turned into formulas, numbers or links."""

    def __init__(self, *, constant_memory: bool = False):
        self._buffer = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._buffer, {
            "in_memory": True, "constant_memory": constant_memory, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False})
        self._decimal_formats: dict[int, Any] = {}

    def add_format(self, properties: dict):
        return self._book.add_format(properties)

    def add_sheet(self, name: str) -> XlsxSheet:
        return XlsxSheet(self, self._book.add_worksheet(name))

    def decimal_format(self, value: Decimal):
        places = max(0, -int(value.as_tuple().exponent))
        if places not in self._decimal_formats:
            self._decimal_formats[places] = self._book.add_format({"num_format": "0." + "0" * places if places else "0"})
        return self._decimal_formats[places]

    def close(self) -> bytes:
        self._book.close()
        return self._buffer.getvalue()


def write_xlsx(sheets: Iterable[tuple[str, list[str], Iterable[list[Cell]]]]) -> tuple[bytes, int]:
    """A workbook of (sheet name, header, rows) tables, the header bold, written in constant memory; the bytes and the
    number of data rows. More rows than a sheet holds is a DomainError, before anything is sent."""
    book = XlsxBook(constant_memory=True)
    bold = book.add_format({"bold": True})
    total = 0
    for name, header, rows in sheets:
        sheet = book.add_sheet(name)
        sheet.write_row(0, 0, header, bold)
        for count, row in enumerate(rows, start=1):
            if count >= XLSX_MAX_ROWS:
                raise DomainError(_("more rows than an Excel sheet holds; narrow the filter or export CSV"))
            sheet.write_row(count, 0, row)
            total += 1
    return book.close(), total


def xlsx_response(data: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
