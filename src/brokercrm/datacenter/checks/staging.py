"""Load one delivered file into DuckDB: physical lines, RFC 4180 fields, then typed columns.

Every line keeps its 1-based physical number (header = 1). Tables made, per ODS table t:
`vd_raw_t(line, raw)` and `vd_t(line, <ODS columns typed>, <column>__s as delivered)`. The
structural rules (BOM, encoding, line ends, header, field count, quoting) and the type rules
(types, enums, NULL-ability) are recorded as problems here.
"""
from __future__ import annotations

import csv
import re

import duckdb

from brokercrm.datacenter.checks.files import FileInfo
from brokercrm.datacenter.checks.sql import human_format, ident, lit, raw
from brokercrm.datacenter.sources.config import SQL_TYPES, ODS_COLUMNS, ColumnSpec, SourceConfig, TableSpec

MONEY_RE = r"-?[0-9]{1,16}(\.[0-9]{1,2})?"
PRICE_RE = r"-?[0-9]{1,15}(\.[0-9]{1,3})?"
INT_RE = r"-?[0-9]{1,18}"


def typed_expr(col: ColumnSpec, config: SourceConfig) -> str:
    """SQL turning the delivered text into the ODS value, NULL when it does not parse."""
    s = raw(col.ods)
    if col.type == "str":
        return s
    if col.type == "enum":
        pairs = col.mapping or tuple((v, v) for v in col.values)
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in pairs)
        return f"CASE {s} {whens} END"
    if col.type == "money":
        return f"CASE WHEN regexp_full_match({s}, '{MONEY_RE}') THEN CAST({s} AS DECIMAL(18,2)) END"
    if col.type == "price":
        return f"CASE WHEN regexp_full_match({s}, '{PRICE_RE}') THEN CAST({s} AS DECIMAL(18,3)) END"
    if col.type == "int":
        return f"CASE WHEN regexp_full_match({s}, '{INT_RE}') THEN CAST({s} AS BIGINT) END"
    fmt = config.date_format_of(col)
    if fmt == "%Y-%m-%d":
        return f"CASE WHEN regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({s} AS DATE) END"
    parsed = f"try_strptime({s}, {lit(fmt)})"
    return f"CASE WHEN strftime({parsed}, {lit(fmt)}) = {s} THEN CAST({parsed} AS DATE) END"


def type_message(col: ColumnSpec, config: SourceConfig) -> str:
    """SQL text of the message for a value that does not parse as the column's type."""
    head = f"{lit(col.source + ' ')} || {lit(chr(39))} || {raw(col.ods)} || {lit(chr(39))}"
    if col.type == "enum":
        allowed = ", ".join(k for k, _ in col.mapping) if col.mapping else ", ".join(col.values)
        return f"{head} || {lit(' is not one of: ' + allowed)}"
    what = {
        "money": " is not an amount of money (digits with at most 2 decimals)",
        "price": " is not a price (digits with at most 3 decimals)",
        "int": " is not an integer",
        "date": f" is not a valid date in the format {human_format(config.date_format_of(col))}",
    }[col.type]
    return f"{head} || {lit(what)}"


def create_empty(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    """An empty staged table, so rules over a missing or unreadable file still compile."""
    cols = ", ".join(
        f"{ident(c)} {SQL_TYPES[t]}, {raw(c)} VARCHAR" for c, t in ODS_COLUMNS[spec.name]
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE vd_raw_{spec.name} (line INTEGER, raw VARCHAR)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE vd_{spec.name} (line INTEGER, {cols})")


def stage_table(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, info: FileInfo, config: SourceConfig, *, sink: str,
    found: list[tuple[str, str, str, str]],
) -> bool:
    """Stage one file, its whole-file problems recorded in `sink` and its line problems added to `found` (for one
    record_many of the day: a statement costs more than a small scan); False when it cannot be read."""
    t = spec.name
    if not info.exists:
        create_empty(con, spec)
        con.execute(
            f"INSERT INTO {sink} VALUES (?, ?, NULL, '', ?, 'file_missing')",
            [t, info.rel, f"file is missing: every file is delivered, even with no rows (expected {info.name})"],
        )
        return False
    if info.encoding_error:
        create_empty(con, spec)
        con.execute(
            f"INSERT INTO {sink} VALUES (?, ?, ?, '', ?, 'encoding')",
            [t, info.rel, info.encoding_error_line, f"{info.encoding_error}: the file must be {config.encoding} text"],
        )
        return False
    # A final line break ends the last record; it does not start an empty one.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE vd_raw_{t} AS SELECT line, raw FROM ("
        "SELECT CAST(generate_subscripts(s, 1) AS INTEGER) AS line, unnest(s) AS raw, len(s) AS last "
        "FROM (SELECT string_split(content, chr(10)) AS s FROM read_text(?))) WHERE NOT (raw = '' AND line = last)",
        [str(info.text_path)],
    )
    if info.bom and config.encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        con.execute(f"UPDATE vd_raw_{t} SET raw = raw[2:] WHERE line = 1 AND starts_with(raw, chr(65279))")
        con.execute(
            f"INSERT INTO {sink} VALUES (?, ?, 1, '', ?, 'bom')",
            [t, info.rel, "the file starts with a UTF-8 byte order mark (BOM); expected UTF-8 without BOM"],
        )
    found.append((f"SELECT line, '' AS col, 'line ends with CR LF; lines must end with LF only' AS message "
                  f"FROM vd_raw_{t} WHERE suffix(raw, chr(13))", t, info.rel, "line_end"))
    header_row = con.execute(f"SELECT raw FROM vd_raw_{t} WHERE line = 1").fetchone()
    if header_row is None:
        create_empty(con, spec)
        con.execute(
            f"INSERT INTO {sink} VALUES (?, ?, NULL, '', ?, 'header')",
            [t, info.rel, f"file is empty; expected the header line: {config.delimiter.join(spec.header)}"],
        )
        return False
    header_problem = check_header(header_row[0].removesuffix("\r"), spec, config)
    if header_problem:
        column, message = header_problem
        create_empty(con, spec)
        con.execute(f"INSERT INTO {sink} VALUES (?, ?, 1, ?, ?, 'header')", [t, info.rel, column, message])
        return False
    found.append(structure_problems(spec, info, config))
    create_typed(con, spec, config)
    found += type_problems(spec, info, config)
    return True


def check_header(line: str, spec: TableSpec, config: SourceConfig) -> tuple[str, str] | None:
    """(column, message) when the header is not exactly the configured columns in order."""
    got = next(csv.reader([line], delimiter=config.delimiter), [])
    expected = list(spec.header)
    if got == expected:
        return None
    everything = config.delimiter.join(expected)
    for index, name in enumerate(expected):
        if index >= len(got):
            return name, f"header has {len(got)} columns; expected {len(expected)}: {everything}"
        if got[index] != name:
            return name, f"header column {index + 1} is {got[index]!r}; expected {name!r} (the header must be exactly: {everything})"
    return "", f"header has {len(got)} columns; expected {len(expected)}: {everything}"


def data_lines(spec: TableSpec, config: SourceConfig) -> str:
    """SQL of the data lines of vd_raw_<table>: line, r (a final CR cut off) and `plain`: no quote, not empty and
    exactly one delimiter fewer than the columns, i.e. a line a plain split reads whole (nearly every line)."""
    d = lit(config.delimiter)
    return f"""SELECT line, r, r <> '' AND NOT contains(r, '"')
                 AND strlen(r) - strlen(replace(r, {d}, '')) = {len(spec.columns) - 1} * strlen({d}) AS plain
               FROM (SELECT line, CASE WHEN suffix(raw, chr(13)) THEN raw[:-2] ELSE raw END AS r
                     FROM vd_raw_{spec.name} WHERE line > 1)"""


def fields_expr(config: SourceConfig) -> str:
    """RFC 4180 fields of `r`: a plain split when the line has no quote, a checked regular expression otherwise."""
    d = config.delimiter
    rd = re.escape(d)
    field = f'"(?:[^"]|"")*"|[^{rd}"]*'
    full = f"(?:{field})(?:{rd}(?:{field}))*"
    extract = f"{rd}({field})"
    return f"""CASE WHEN NOT contains(r, '"') THEN string_split(r, {lit(d)})
               WHEN regexp_full_match(r, {lit(full)}) THEN list_transform(
                 regexp_extract_all({lit(d)} || r, {lit(extract)}, 1),
                 x -> CASE WHEN starts_with(x, '"') THEN replace(x[2:-2], '""', '"') ELSE x END)
          END"""


def structure_problems(spec: TableSpec, info: FileInfo, config: SourceConfig) -> tuple[str, str, str, str]:
    """Empty lines, malformed quoting and wrong field counts; only the lines that are not plain are split to tell."""
    n = len(spec.columns)
    return (
        f"""SELECT line, '' AS col, CASE
              WHEN empty THEN {lit(f'empty line; expected {n} fields')}
              WHEN f IS NULL THEN {lit('malformed quoting: a quoted field is enclosed in double quotes, inner quotes doubled')}
              ELSE 'line has ' || len(f) || {lit(f' fields; expected {n}')} END AS message
            FROM (SELECT line, r = '' AS empty, {fields_expr(config)} AS f FROM ({data_lines(spec, config)}) WHERE NOT plain)
            WHERE empty OR f IS NULL OR len(f) <> {n}""",
        spec.name, info.rel, "fields",
    )


def create_typed(con: duckdb.DuckDBPyConnection, spec: TableSpec, config: SourceConfig) -> None:
    """vd_<table>: the lines with the right number of fields, typed, each field also kept as delivered (split and
    typed in one statement: the lists of fields are never stored)."""
    n = len(spec.columns)
    fields = ", ".join(
        f"NULLIF(f[{i + 1}], '') AS {raw(c.ods)}" for i, c in enumerate(spec.columns) if c.ods
    )
    typed = ", ".join(f"{typed_expr(c, config)} AS {ident(c.ods)}" for c in spec.columns if c.ods)
    raws = ", ".join(raw(c.ods) for c in spec.columns if c.ods)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE vd_{spec.name} AS
        SELECT line, {typed}, {raws}
        FROM (SELECT line, {fields} FROM (SELECT line, r, {fields_expr(config)} AS f FROM ({data_lines(spec, config)}))
              WHERE r <> '' AND len(f) = {n})"""
    )


def type_problems(spec: TableSpec, info: FileInfo, config: SourceConfig) -> list[tuple[str, str, str, str]]:
    """Empty required values and values that do not parse as their column's type."""
    items = []
    for col in spec.columns:
        if col.ods is None:
            continue
        conditions = []
        if not col.nullable:
            conditions.append(f"WHEN {raw(col.ods)} IS NULL THEN {lit(col.source + ' is empty; a value is required')}")
        if col.type != "str":
            conditions.append(f"WHEN {ident(col.ods)} IS NULL AND {raw(col.ods)} IS NOT NULL THEN {type_message(col, config)}")
        if conditions:
            select = (f"SELECT line, {lit(col.source)} AS col, CASE {' '.join(conditions)} END AS message "
                      f"FROM vd_{spec.name} WHERE message IS NOT NULL")
            items.append((select, spec.name, info.rel, f"type:{col.source}"))
    return items
