"""Rows of the customer and prospect lists for export, masked, read in chunks (a list within scope may be large);
written by core.exports."""
from typing import Iterator

from brokercrm.core.masking import mask_id_no, mask_mobile
from brokercrm.core.money import to_money
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


def _money(value):
    return None if value is None else to_money(value)


def customer_rows(qs, defs) -> Iterator[list]:
    for batch in _chunks(qs):
        tags = tags_by_customer(c.pk for c in batch)
        for c in batch:
            figures = getattr(c, "figures", None)
            yield [c.customer_no, c.name, c.branch.code, c.status, c.risk_level, c.open_date.isoformat(),
                   c.close_date.isoformat() if c.close_date else "", mask_id_no(c.id_no), mask_mobile(c.mobile),
                   figures.period if figures else "", _money(figures.end_assets) if figures else None,
                   _money(figures.avg_daily_assets) if figures else None, ";".join(tags.get(c.pk, []))] \
                + custom_field_cells(defs, c.custom_fields)


def prospect_header(defs) -> list[str]:
    return PROSPECT_COLUMNS + [d.key for d in defs]


def prospect_rows(qs, defs) -> Iterator[list]:
    for p in qs.iterator(chunk_size=CHUNK):
        yield [str(p.pk), p.name, mask_mobile(p.mobile), mask_id_no(p.id_no), p.branch.code, p.staff.staff_no if p.staff else "",
               p.source, p.status, p.converted_customer.customer_no if p.converted_customer else "",
               p.created_at.strftime("%Y-%m-%d %H:%M")] + custom_field_cells(defs, p.custom_fields)
