"""`brokercrm export segments --period YYYY-MM --out FILE` and `brokercrm segments …`."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brokercrm.analytics.exports import SEGMENTS_SUBCOMMAND
from brokercrm.analytics.tests.factories import default_config
from brokercrm.analytics.tests.snapshot_factory import SnapshotFactory
from brokercrm.customers.tests.factories import CustomerFactory
from brokercrm.datacenter.management.commands import export as export_command


@pytest.fixture
def built(settings, tmp_path, db, monkeypatch):
    """Two customers over two months; the export command offered the segments subcommand (the lead's one line)."""
    monkeypatch.setitem(export_command.SUBCOMMANDS, "segments", SEGMENTS_SUBCOMMAND)
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    default_config()
    for no in ("20000002", "20000001"):
        CustomerFactory(customer_no=no)
    snap = SnapshotFactory()
    snap.customer("20000001", status="closed")
    for period in ("2026-02", "2026-03"):
        snap.month("20000001", period, avg_daily_assets=10, end_assets=10)
        snap.month("20000002", period, avg_daily_assets=1_500_000, end_assets=1_500_000, active_days=8, net_commission=900)
    snap.publish(settings.WAREHOUSE_SNAPSHOT_DIR)
    call_command("segments", "build")
    return tmp_path


def test_export_segments_writes_the_exact_columns_sorted_by_customer(built):
    """Header, then one row per customer: groups ;-separated, RFM 0 for no trade, clusters numbered by assets."""
    out = built / "segments.csv"
    call_command("export", "segments", "--period", "2026-03", "--out", str(out))
    assert out.read_bytes().decode("utf-8") == (
        "customer_no,period,tier,groups,rfm_r,rfm_f,rfm_m,cluster\n"
        "20000001,2026-03,regular,lost,0,0,0,1\n"  # two months of history: not silent before twelve
        "20000002,2026-03,gold,active_contributor,5,5,5,2\n")


def test_export_of_a_month_without_segments_says_which_months_exist(built):
    """An unknown month is refused with the months that have segments; a malformed one with the format."""
    with pytest.raises(CommandError, match=r"no segments for that month \(months with segments: 2026-02, 2026-03\)"):
        call_command("export", "segments", "--period", "2026-04", "--out", str(built / "x.csv"))
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export", "segments", "--period", "2026-3", "--out", str(built / "x.csv"))
    assert not (built / "x.csv").exists()


def test_config_export_and_import_commands_round_trip(built):
    """`segments config-export` writes YAML that `segments config-import` accepts, recomputing the segments."""
    path = built / "segments.yaml"
    call_command("segments", "config-export", "--out", str(path))
    path.write_text(path.read_text(encoding="utf-8").replace("1000000.00", "2000000.00"), encoding="utf-8")
    call_command("segments", "config-import", str(path))
    out = built / "after.csv"
    call_command("export", "segments", "--period", "2026-03", "--out", str(out))
    assert "20000002,2026-03,silver,active_contributor" in out.read_text(encoding="utf-8")
