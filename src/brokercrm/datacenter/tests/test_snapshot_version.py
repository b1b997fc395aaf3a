"""The key of what the published snapshot alone decides (the 360° page's trading side) changes with every publish."""
from brokercrm.datacenter.semantic import snapshot_version


def publish(directory, number: int, content: bytes) -> None:
    """What a publish leaves behind: a snapshot manifest and the CURRENT pointer naming it."""
    (directory / f"snapshot-{number}.json").write_bytes(content)
    (directory / "CURRENT").write_text(f"snapshot-{number}.json\n", encoding="utf-8")


def test_the_version_is_none_before_a_publish_and_changes_with_each_one(tmp_path, settings):
    """Given no snapshot, there is no version (nothing is cached); one publish gives a version that stays while it stands;
    the next publish, and a snapshot rewritten under the same name (a fresh directory reusing snapshot-1), give new ones."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path
    assert snapshot_version() is None

    publish(tmp_path, 1, b"first")
    first = snapshot_version()
    assert first is not None and snapshot_version() == first

    publish(tmp_path, 2, b"second")
    second = snapshot_version()
    publish(tmp_path, 1, b"rewritten")
    assert len({first, second, snapshot_version()}) == 3
