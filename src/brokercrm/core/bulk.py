"""Inserts and reads of many rows at once, in batches every database accepts (SQLite's variable limit included)."""
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection, models

BATCH = 5000
T = TypeVar("T")


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (for `__in` lookups and bulk writes)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """INSERT rows into model's table with one executemany per batch; JSON fields go through their own preparation
    (Jsonb on PostgreSQL). Faster than bulk_create for many plain rows: no model instances are built."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    prepare = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    if prepare:
        rows = [tuple(fields[i].get_db_prep_save(v, connection) if i in prepare else v for i, v in enumerate(row)) for row in rows]
    with connection.cursor() as cursor:
        for batch in batches(rows):
            cursor.executemany(sql, batch)
