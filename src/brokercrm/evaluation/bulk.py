"""Fast inserts of many rows (score and payslip lines): one executemany, values prepared by the fields that need it."""
from django.db import connection, models


def insert_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """INSERT rows into model's table; JSON fields go through their own preparation (Jsonb on PostgreSQL)."""
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
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start:start + 5000])
