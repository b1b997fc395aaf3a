"""A report's answer as a file: CSV as the interface files are (codes as header, UTF-8 without BOM, `\\n`), or an
Excel workbook for people (Chinese column names, frozen bold header, money with 2 decimals, rates with 6)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string

from brokercrm.core.exports import XlsxBook, csv_lines, write_csv
from brokercrm.core.money import to_money
from brokercrm.reports.catalogue import measure_entry

FORMATS = ("csv", "xlsx")


def display(column: str, value) -> str:
    """A cell as people read it: money with thousands separators, rates and growth in %, counts grouped."""
    if value is None:
        return "—"
    if column.endswith("_growth"):
        return f"{value:+,.2f}%"
    base = column.removesuffix("_previous").removesuffix("_last_year")
    entry = measure_entry(base)
    kind = entry.kind if entry else ""
    if kind == "money":
        return f"{to_money(value):,.2f}"
    if kind == "score":
        return f"{Decimal(value):.2f}"
    if kind == "rate":
        return f"{Decimal(value) * 100:,.4f}%"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def xlsx_bytes(titles: list[str], rows, *, sheet: str = "报表") -> bytes:
    book = XlsxBook()
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    ws = book.add_sheet(sheet[:31])
    ws.write_row(0, 0, titles, header)
    for number, row in enumerate(rows, start=1):
        ws.write_row(number, 0, row)
    ws.freeze_header([max(10, len(t) * 2 + 2) for t in titles])
    return book.close()


def pdf_bytes(title: str, period: str, snapshot: str, columns, titles, rows, *, dimensions: int) -> bytes:
    """An A4 landscape PDF of the table (CJK fonts, header repeated on each page), numbers formatted as on screen."""
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads its font stack on import; only PDF downloads need it

    shown = [[display(c, v) for c, v in zip(columns, row)] for row in rows]
    html = render_to_string("reports/table_pdf.html", {"title": title, "period": period, "snapshot": snapshot,
                                                       "titles": titles, "rows": shown, "dims": dimensions})
    return HTML(string=html).write_pdf()


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
