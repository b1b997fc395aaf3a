import pytest

import brokercrm.site.jobgraph  # noqa: F401  (the load graph holds the servicing steps: loaded before a test hides the facade)


@pytest.fixture
def snapshot_dir(tmp_path, settings):
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    return settings.WAREHOUSE_SNAPSHOT_DIR
