"""Inserts, updates and reads of many rows at once, in batches every database accepts (SQLite's variable limit included)."""
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

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


def _constant(model: type[models.Model], same: dict[str, Any]) -> tuple:
    """The values of the columns every row shares, prepared for the database once."""
    return tuple(model._meta.get_field(c).get_db_prep_save(v, connection) for c, v in same.items())


def insert_rows(model: type[models.Model], columns: list[str], rows: list[tuple], *, same: dict[str, Any] | None = None) -> None:
    """INSERT rows into model's table with one executemany per batch. Faster than bulk_create for many plain rows: no
    model instances are built. Values go as given (dates, Decimals, strings; JSON prepared); `same` names columns with
    one value for every row (timestamps, an empty JSON), prepared for the database once."""
    if not rows:
        return
    same = same or {}
    fields, constant, quote = [model._meta.get_field(c) for c in columns], _constant(model, same), connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in [*columns, *same])
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * (len(columns) + len(same)))})"
    rows = _prepared(fields, rows)
    _executemany(sql, [row + constant for row in rows] if constant else rows)


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


def update_rows(model: type[models.Model], columns: list[str], rows: list[tuple], *, same: dict[str, Any] | None = None) -> None:
    """UPDATE rows of model's table by primary key with one executemany per batch: each row is the columns' new values
    followed by the primary key; `same` as for insert_rows. Unlike bulk_update, no CASE WHEN per column over every row
    of a batch."""
    if not rows:
        return
    same = same or {}
    fields, constant, quote = [model._meta.get_field(c) for c in columns], _constant(model, same), connection.ops.quote_name
    assignments = ", ".join(f"{quote(model._meta.get_field(c).column)} = %s" for c in [*columns, *same])
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    _executemany(sql, [(*row[:-1], *constant, row[-1]) for row in _prepared(fields + [model._meta.pk], rows)])


def rows_where_in(model: type[models.Model], columns: list[str], key: str, keys: Sequence) -> list[tuple]:
    """The columns of model's rows whose `key` column is one of keys, as the driver returns them (text, integers, dates;
    not for decimals or JSON): a plain IN list per batch, without the ORM's preparation of every value."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for batch in batches(list(keys)):
            cursor.execute(f"SELECT {names} FROM {quote(model._meta.db_table)} "
                           f"WHERE {quote(model._meta.get_field(key).column)} IN ({', '.join(['%s'] * len(batch))})", list(batch))
            found += cursor.fetchall()
    return found


def delete_where_in(model: type[models.Model], key: str, keys: Sequence) -> None:
    """DELETE model's rows whose `key` column is one of keys, a plain IN list per batch (for rows nothing else refers to)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for batch in batches(list(keys)):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} "
                           f"WHERE {quote(model._meta.get_field(key).column)} IN ({', '.join(['%s'] * len(batch))})", list(batch))
