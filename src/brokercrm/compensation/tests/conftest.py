import pytest


@pytest.fixture
def snapshot_dir(tmp_path, settings):
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    return settings.WAREHOUSE_SNAPSHOT_DIR
