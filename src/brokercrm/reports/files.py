"""A report's answer as a file: CSV as the interface files are (codes as header, UTF-8 without BOM, `\\n`), or an
Excel workbook for people (Chinese column names, frozen bold header, money with 2 decimals, rates with 6)."""
from __future__ import annotations

from pathlib import Path

from brokercrm.core.exports import XlsxBook, csv_lines, write_csv

FORMATS = ("csv", "xlsx")


def xlsx_bytes(titles: list[str], rows, *, sheet: str = "报表") -> bytes:
    book = XlsxBook()
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    ws = book.add_sheet(sheet[:31])
    ws.write_row(0, 0, titles, header)
    for number, row in enumerate(rows, start=1):
        ws.write_row(number, 0, row)
    ws.freeze_header([max(10, len(t) * 2 + 2) for t in titles])
    return book.close()


def csv_bytes(columns: list[str], rows) -> bytes:
    return "".join(csv_lines(list(columns), rows)).encode("utf-8")


def write_table(columns, titles, rows, out: Path, fmt: str) -> int:
    """Write `out` (CSV through core.exports' writer, renamed into place; XLSX whole); returns the data rows."""
    rows = list(rows)
    if fmt == "csv":
        return write_csv(rows, list(columns), out)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(xlsx_bytes(list(titles), rows))
    return len(rows)
