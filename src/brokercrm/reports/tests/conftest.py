import pytest
from django.core.cache import cache as django_cache

from brokercrm.datacenter.pipelines.publish import publish_marts
from brokercrm.datacenter.tests.ods_factory import build, rich_brokerage
from brokercrm.datacenter.warehouse import connect


@pytest.fixture
def published(tmp_path, settings, db):
    """The data center's rich brokerage loaded into a warehouse file and published where the reader looks."""
    con = connect(tmp_path / "warehouse.duckdb")
    staff_rows, relations = rich_brokerage(con)
    build(con, staff_rows=staff_rows, relations=relations)
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    publish_marts(con, settings.WAREHOUSE_SNAPSHOT_DIR)
    yield con
    con.close()


@pytest.fixture
def cache():
    """An empty Django cache (dashboards cache their widgets)."""
    django_cache.clear()
    yield django_cache
    django_cache.clear()
