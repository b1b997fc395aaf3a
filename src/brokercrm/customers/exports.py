"""CSV and Excel files of the customer and prospect lists, masked, streamed in chunks (a list within scope may be large)."""
import csv
import io
from typing import Iterable, Iterator

from django.utils.translation import gettext as _

from brokercrm.core.errors import DomainError
from brokercrm.core.masking import mask_id_no, mask_mobile
from brokercrm.core.money import format_money
from brokercrm.customers.selectors import tags_by_customer
from brokercrm.platform.facade import custom_field_cells

CUSTOMER_COLUMNS = ["customer_no", "name", "branch_code", "status", "risk_level", "open_date", "close_date", "id_no", "mobile",
                    "period", "end_assets", "avg_daily_assets", "tags"]
PROSPECT_COLUMNS = ["id", "name", "mobile", "id_no", "branch_code", "staff_no", "source", "status", "converted_customer_no",
                    "created_at"]
CHUNK = 2000


def _chunks(qs) -> Iterator[list]:
    """Keyset pages over the queryset's order, so memory stays flat whatever the list's size."""
    batch = []
    for obj in qs.iterator(chunk_size=CHUNK):
        batch.append(obj)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def customer_header(defs) -> list[str]:
    return CUSTOMER_COLUMNS + [d.key for d in defs]


def customer_rows(qs, defs) -> Iterator[list[str]]:
    for batch in _chunks(qs):
        tags = tags_by_customer(c.pk for c in batch)
        for c in batch:
            figures = getattr(c, "figures", None)
            yield [c.customer_no, c.name, c.branch.code, c.status, c.risk_level, c.open_date.isoformat(),
                   c.close_date.isoformat() if c.close_date else "", mask_id_no(c.id_no), mask_mobile(c.mobile),
                   figures.period if figures else "", format_money(figures.end_assets) if figures else "",
                   format_money(figures.avg_daily_assets) if figures else "", ";".join(tags.get(c.pk, []))] \
                + custom_field_cells(defs, c.custom_fields)


def prospect_header(defs) -> list[str]:
    return PROSPECT_COLUMNS + [d.key for d in defs]


def prospect_rows(qs, defs) -> Iterator[list[str]]:
    for p in qs.iterator(chunk_size=CHUNK):
        yield [str(p.pk), p.name, mask_mobile(p.mobile), mask_id_no(p.id_no), p.branch.code, p.staff.staff_no if p.staff else "",
               p.source, p.status, p.converted_customer.customer_no if p.converted_customer else "",
               p.created_at.strftime("%Y-%m-%d %H:%M")] + custom_field_cells(defs, p.custom_fields)


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(header: list[str], rows: Iterable[list[str]], *, sheet: str) -> tuple[bytes, int]:
    """An .xlsx of the rows (text cells, money kept exact as text), written in constant memory."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "constant_memory": True})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, header, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        if count > 1_048_575:
            raise DomainError(_("more rows than an Excel sheet holds; narrow the filter or export CSV"))
        ws.write_row(count, 0, row)
    book.close()
    return out.getvalue(), count
