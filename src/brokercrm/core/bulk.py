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


# Values whose form in the database depends on the backend (SQLite keeps dates and decimals as text, aware datetimes
# as naive UTC); the rest (numbers, text, booleans, JSON via insert_rows) go to the driver as they are.
_ADAPTED = (models.DateField, models.TimeField, models.DecimalField, models.UUIDField)


def insert_instances(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """INSERT unsaved instances through insert_rows, each field's value as save() would store it (auto_now stamps
    included); no primary key is set on them. For tens of thousands of rows, where bulk_create spends most of its time
    compiling SQL value by value."""
    if not instances:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapted = {f.attname for f in fields if isinstance(f, _ADAPTED)}
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) if f.attname in adapted else f.pre_save(obj, add=True)
                  for f in fields) for obj in instances]
    insert_rows(model, [f.attname for f in fields], rows)
