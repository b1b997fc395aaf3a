"""Apache Spark as the warehouse engine (BROKERCRM_WAREHOUSE_ENGINE=spark): the same DW, mart and alert SQL, transpiled.

The DuckDB warehouse stays the one of record: ingest validates a day and writes the ODS there, and publish,
exports and the readers read it. With the Spark engine, the DW, mart and alert steps run their SQL (written once in
DuckDB's dialect, portable.py) on Spark through SQLGlot: each step hands its inputs to Spark as Parquet
(`spark/in/<schema>/<table>/`), Spark writes its tables as Parquet (`spark/tables/<schema>.db/<table>/`), and
`spark_land` copies them into the warehouse in one transaction. That function is the only seam between the
engines: publish and everything after it never know which engine built the tables.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

import duckdb
import sqlglot
from django.conf import settings
from sqlglot import exp

from brokercrm.core.errors import DomainError
from brokercrm.datacenter.pipelines import changes
from brokercrm.datacenter.pipelines.dm import MATERIALISED, build_marts, mart_table
from brokercrm.datacenter.pipelines.dw import FACTS, DwBuild, build_dw
from brokercrm.datacenter.pipelines.portable import LAYERS, DuckDBTarget, Target, literal

ENGINES = ("duckdb", "spark")
_session = None


def warehouse_engine() -> str:
    """The configured engine, checked: a typo must not silently fall back to DuckDB."""
    name = settings.BROKERCRM_WAREHOUSE_ENGINE or "duckdb"
    if name not in ENGINES:
        raise DomainError(f"BROKERCRM_WAREHOUSE_ENGINE={name!r}: expected one of {', '.join(ENGINES)}",
                          field="BROKERCRM_WAREHOUSE_ENGINE")
    return name


def spark_dir() -> Path:
    return Path(settings.WAREHOUSE_PATH).parent / "spark"


def spark_session():
    """One Spark session per process (its JVM starts once), small and quiet: UI off, in-memory catalog."""
    global _session
    if _session is not None:
        return _session
    from pyspark.sql import SparkSession  # pyspark starts a JVM: only a process that runs the Spark engine loads it

    root = spark_dir()
    # The catalog lives in memory: tables a previous process left on disk are orphans, and in the way of new ones.
    shutil.rmtree(root / "tables", ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    builder = (SparkSession.builder.master(settings.BROKERCRM_SPARK_MASTER).appName("brokercrm")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", settings.BROKERCRM_SPARK_DRIVER_MEMORY)
               .config("spark.sql.shuffle.partitions", str(settings.BROKERCRM_SPARK_SHUFFLE_PARTITIONS))
               .config("spark.sql.catalogImplementation", "in-memory")
               .config("spark.sql.warehouse.dir", str(root / "tables"))
               .config("spark.sql.legacy.createHiveTableByDefault", "false")
               .config("spark.sql.legacy.allowNonEmptyLocationInCTAS", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
               .config("spark.sql.ansi.enabled", "false")
               .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={root}"))
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    for layer in LAYERS:
        _session.sql(f"CREATE DATABASE IF NOT EXISTS {layer}")
    return _session


class SparkTarget(Target):
    """A Spark session; statements parsed as DuckDB SQL and written as Spark SQL by SQLGlot.

    Views are remembered with their DuckDB text, so `spark_land` can create the same views in the warehouse.
    Spark has no multi-statement transactions: a step's writes become visible to the web only when
    `spark_land` commits them to the warehouse, which is all-or-nothing.
    """

    dialect = "spark"

    def __init__(self, spark):
        self.spark = spark
        self.views: dict[str, str] = {}

    @staticmethod
    def translate(sql: str) -> list[str]:
        return [tree.sql(dialect="spark") for tree in sqlglot.parse(sql, read="duckdb") if tree is not None]

    def execute(self, sql: str) -> None:
        for statement in self.translate(sql):
            self.spark.sql(statement)

    def fetchall(self, sql: str) -> list[tuple]:
        statements = self.translate(sql)
        for statement in statements[:-1]:
            self.spark.sql(statement)
        return [tuple(row) for row in self.spark.sql(statements[-1]).collect()]

    def table_exists(self, schema: str, table: str) -> bool:
        return self.relation_kind(schema, table) is not None

    def relation_kind(self, schema: str, name: str) -> str | None:
        for table in self.spark.catalog.listTables(schema):
            if table.name == name and not table.isTemporary:
                return "VIEW" if table.tableType == "VIEW" else "BASE TABLE"
        return None

    def replace_view(self, view: str, select_sql: str) -> None:
        super().replace_view(view, select_sql)
        self.views[view] = select_sql

    def drop_relation(self, schema: str, name: str) -> None:
        super().drop_relation(schema, name)
        self.views.pop(f"{schema}.{name}", None)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def relations(self, schema: str) -> list[str]:
        return sorted(f"{schema}.{t.name}" for t in self.spark.catalog.listTables(schema) if not t.isTemporary)


def spark_hand_over(con: duckdb.DuckDBPyConnection, target: SparkTarget, relations: Iterable[str]) -> None:
    """Give Spark the warehouse relations a step reads, as Parquet written by DuckDB (a view is materialised)."""
    for relation in relations:
        schema, name = relation.split(".")
        path = spark_dir() / "in" / schema / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        con.execute(f"COPY (SELECT * FROM {relation}) TO {literal(str(path / 'part-0.parquet'))} (FORMAT parquet)")
        target.drop_relation(schema, name)
        target.spark.sql(f"CREATE TABLE {schema}.{name} USING parquet LOCATION '{path}'")


def warehouse_relations(con: duckdb.DuckDBPyConnection, schema: str, *, skip: Iterable[str] = ()) -> list[str]:
    """The tables and views of one warehouse schema (schema.name), minus `skip`."""
    names = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1",
                        [schema]).fetchall()
    return [f"{schema}.{n}" for (n,) in names if f"{schema}.{n}" not in set(skip)]


def spark_land(con: duckdb.DuckDBPyConnection, target: SparkTarget, schema: str) -> list[str]:
    """The seam: Spark's tables of `schema` (Parquet) copied into the warehouse, its views re-created there, at once.

    Whatever the warehouse had in `schema` and Spark did not build stays. Timestamps come back as written (UTC).
    """
    landed = []
    duck = DuckDBTarget(con)
    with duck.transaction():
        for relation in target.relations(schema):
            if relation in target.views:
                continue
            path = spark_dir() / "tables" / f"{schema}.db" / relation.split(".")[1]
            files = literal(str(path / "*.parquet"))
            columns = con.execute(f"DESCRIBE SELECT * FROM read_parquet({files})").fetchall()
            select = ", ".join(f'CAST("{c[0]}" AS TIMESTAMP) AS "{c[0]}"' if c[1] == "TIMESTAMP WITH TIME ZONE"
                               else f'"{c[0]}"' for c in columns)
            duck.drop_relation(schema, relation.split(".")[1])
            con.execute(f"CREATE TABLE {relation} AS SELECT {select} FROM read_parquet({files})")
            landed.append(relation)
        for view, select_sql in target.views.items():
            if view.startswith(f"{schema}."):
                duck.replace_view(view, select_sql)
                landed.append(view)
    return landed


def referenced(sql: str) -> list[str]:
    """The warehouse relations (layer.name) a DuckDB-dialect query reads."""
    found = set()
    for tree in sqlglot.parse(sql, read="duckdb"):
        for node in tree.find_all(exp.Table) if tree is not None else ():
            if node.db in LAYERS:
                found.add(f"{node.db}.{node.name}")
    return sorted(found)


def spark_fetch(con: duckdb.DuckDBPyConnection, queries: list[str]) -> list[list[tuple[Any, ...]]]:
    """Run read-only warehouse queries on Spark, their inputs handed over first; the rows of each."""
    target = SparkTarget(spark_session())
    spark_hand_over(con, target, sorted({r for q in queries for r in referenced(q)}))
    return [target.fetchall(q) for q in queries]


def spark_build_dw(con: duckdb.DuckDBPyConnection, *, dates: Iterable | None = None) -> DwBuild:
    """build_dw on Spark from the warehouse's ODS and CRM, every fact rebuilt (Spark tables take no row DELETE)."""
    target = SparkTarget(spark_session())
    spark_hand_over(con, target, [*warehouse_relations(con, "ods", skip=("ods.quarantine",)),
                                  *warehouse_relations(con, "crm")])
    built = build_dw(target, dates=dates, full=True)
    spark_land(con, target, "dw")
    changes.mark_everything(DuckDBTarget(con))  # every month of the marts and the lake changed (changes.py)
    return built


def spark_build_marts(con: duckdb.DuckDBPyConnection, *, effective_assets: Decimal) -> dict[str, int]:
    """build_marts on Spark from the warehouse's DW (the views over ODS facts, which no mart reads, stay behind)."""
    target = SparkTarget(spark_session())
    spark_hand_over(con, target, warehouse_relations(con, "dw", skip={f"dw.{f.table}" for f in FACTS if f.view}))
    rows = build_marts(target, effective_assets=effective_assets)
    spark_land(con, target, "dm")
    duck = DuckDBTarget(con)
    with duck.transaction():  # every mart month is new for the lake; nothing is left for the marts to do
        changes.mark_everything(duck, marts=False, lake_tables=[mart_table(level, grain) for level, grain in MATERIALISED])
        con.execute("DELETE FROM dw.mart_todo")
    return rows
