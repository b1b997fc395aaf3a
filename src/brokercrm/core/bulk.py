"""Inserts, updates and reads of many rows at once, in batches every database accepts (SQLite's variable limit included)."""
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection, models

BATCH = 5000
T = TypeVar("T")


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (for `__in` lookups and bulk writes)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _prepared(fields: list[models.Field], rows: list[tuple]) -> list[tuple]:
    """Rows with their JSON values prepared for the database (Jsonb on PostgreSQL); other values go as given."""
    prepare = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
    if not prepare:
        return rows
    return [tuple(fields[i].get_db_prep_save(v, connection) if i in prepare else v for i, v in enumerate(row)) for row in rows]


def _executemany(sql: str, rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        for batch in batches(rows):
            cursor.executemany(sql, batch)


def insert_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """INSERT rows into model's table with one executemany per batch. Faster than bulk_create for many plain rows: no
    model instances are built. Values go as given (dates, Decimals, strings); pass timestamps through db_value."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    _executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})", _prepared(fields, rows))


def update_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """UPDATE rows of model's table by primary key with one executemany per batch: each row is the columns' new values
    followed by the primary key. Unlike bulk_update, no CASE WHEN per column over every row of a batch."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    _executemany(sql, _prepared(fields + [model._meta.pk], rows))


def db_value(model: type[models.Model], column: str, value):
    """One value as the database takes it (e.g. an aware datetime: naive UTC text on SQLite), for raw rows."""
    return model._meta.get_field(column).get_db_prep_save(value, connection)
