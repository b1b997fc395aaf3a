"""The same DW and mart build on DuckDB and on PostgreSQL (SQL transpiled by SQLGlot) gives identical numbers."""
import uuid

import pytest

from brokercrm.datacenter.pipelines.dm import LEVELS, MATERIALISED
from brokercrm.datacenter.pipelines.portable import PostgresTarget
from brokercrm.datacenter.tests.ods_factory import build, mart, rich_brokerage
from brokercrm.datacenter.warehouse import connect

PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


@pytest.fixture
def postgres():
    import psycopg

    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:  # PostgreSQL is a required part of the test set-up (.ci/run starts it)
        pytest.fail(f"PostgreSQL not reachable at {PG_DSN}: {exc}")
    target = PostgresTarget(conn, prefix=f"t{uuid.uuid4().hex[:12]}_")
    target.create_layers()
    try:
        yield target
    finally:
        target.drop_layers()
        conn.close()


def test_marts_on_postgres_equal_duckdb_to_the_cent(postgres):
    """Every materialised mart and the on-demand customer days agree row for row, value for value."""
    duck = connect(":memory:")
    for con in (duck, postgres):
        staff_rows, relations = rich_brokerage(con)
        build(con, staff_rows=staff_rows, relations=relations)
    tables = [*MATERIALISED, ("customer", "day")]
    for level, grain in tables:
        on_duckdb, on_postgres = mart(duck, level, grain), mart(postgres, level, grain)
        assert on_duckdb, (level, grain)
        assert on_postgres == on_duckdb, (level, grain)
    assert {level for level, _ in tables} == set(LEVELS)
