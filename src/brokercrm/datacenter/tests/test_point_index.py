"""The point-read index: the 360° page's reads of one customer answer the same from it as from the lake, and a publish
gives a new index (the older one deleted)."""
import datetime as dt
from decimal import Decimal

from brokercrm.datacenter import point_index
from brokercrm.datacenter.pipelines.publish import current_snapshot
from brokercrm.datacenter.reader import customer_trading
from brokercrm.datacenter.tests.snapshot import write_snapshot

D1, D2 = dt.date(2026, 3, 2), dt.date(2026, 3, 3)


def tables(end_assets: str) -> dict[str, list[dict]]:
    """Two customers; 1001 held positions on two days (only the later one is shown), sold out of 600519 on the second."""
    month = {"period": "2026-03", "period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 3, 31), "trading_days": 2,
             "avg_daily_assets": Decimal("150.00"), "net_inflow": Decimal("5000.00"), "trade_amount": Decimal("16000.00"),
             "trade_count": 1, "active_days": 1, "commission": Decimal("8.00"), "net_commission": Decimal("7.29"),
             "commission_rate": Decimal("0.000500")}
    position = {"market": "SZ", "security_code": "000001", "quantity": 2000, "cost_amount": Decimal("19000.00"),
                "close_price": Decimal("10.0000"), "market_value": Decimal("20000.00")}
    return {
        "dm.customer_month": [month | {"key": "1001", "end_assets": Decimal(end_assets)}, month | {"key": "1002", "end_assets": Decimal("7.00")}],
        "dw.fact_assets": [{"biz_date": day, "customer_no": no, "cash_balance": Decimal("1000.00"), "market_value": Decimal("99000.00"),
                            "total_assets": Decimal("100000.00")} for day in (D1, D2) for no in ("1001", "1002")],
        "dw.fact_positions": [position | {"biz_date": D1, "customer_no": "1001", "market": "SH", "security_code": "600519"},
                              position | {"biz_date": D1, "customer_no": "1001"}, position | {"biz_date": D2, "customer_no": "1001"},
                              position | {"biz_date": D1, "customer_no": "1002"}],
        "dw.fact_trades": [{"trade_date": D2, "serial_no": f"T{i}", "customer_no": "1001", "market": "SH", "security_code": "600519",
                            "side": "S", "quantity": 10, "price": Decimal("1600.0000"), "amount": Decimal("16000.00"),
                            "commission": Decimal("8.00"), "channel": "app"} for i in range(3)],
        "dw.fact_cash_flows": [{"biz_date": D1, "serial_no": "F1", "customer_no": "1001", "flow_type": "bank_in",
                                "amount": Decimal("5000.00"), "bank_code": "ICBC"}],
        "dw.fact_security_transfers": [{"biz_date": D1, "serial_no": "X1", "customer_no": "1002", "market": "SZ",
                                        "security_code": "000001", "direction": "in", "quantity": 100, "value": Decimal("1000.00")}],
    }


def test_a_customers_rows_read_from_the_index_equal_those_read_from_the_lake(settings, tmp_path):
    """Given a published snapshot, when the 360° page's rows of each customer are read from the lake and then (after the
    index is built) from the index, then both answers are equal, to the latest positions day and the newest-first facts."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    settings.DATA_DIR = tmp_path
    write_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, tables("101000.00"))
    settings.WAREHOUSE_POINT_INDEX = "off"
    from_lake = {no: customer_trading(no, recent=2) for no in ("1001", "1002", "9999")}

    settings.WAREHOUSE_POINT_INDEX = "inline"
    snapshot = current_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR)
    assert point_index.build(snapshot) == point_index.index_path(snapshot)
    from_index = {no: customer_trading(no, recent=2) for no in ("1001", "1002", "9999")}

    assert from_index == from_lake
    assert from_index["1001"].positions_date == D2 and [p["security_code"] for p in from_index["1001"].positions] == ["000001"]
    assert len(from_index["1001"].trades) == 2 and from_index["9999"].months == ()


def test_a_new_publish_reads_its_own_index_and_the_older_one_is_deleted(settings, tmp_path):
    """Given a snapshot whose index the first read built, when a new snapshot is published, then the next read builds
    the new snapshot's index, answers the new figures and leaves no index of the older snapshot behind."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    settings.DATA_DIR = tmp_path
    settings.WAREHOUSE_POINT_INDEX = "inline"
    write_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, tables("101000.00"))
    first = point_index.index_path(current_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR))
    assert customer_trading("1001").months[0]["end_assets"] == Decimal("101000.00")  # from the lake, while the index builds
    assert first.exists()

    write_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, tables("202000.00"))
    customer_trading("1001")  # notices the new snapshot: its index is built
    second = point_index.index_path(current_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR))

    assert customer_trading("1001").months[0]["end_assets"] == Decimal("202000.00")
    assert second != first and second.exists() and not first.exists()
    assert sorted(p.name for p in point_index.directory().iterdir() if p.suffix == ".duckdb") == [second.name]


def test_a_snapshot_above_the_row_limit_gets_no_index_and_is_read_from_the_lake(settings, tmp_path):
    """Given a snapshot with more trading rows than WAREHOUSE_POINT_INDEX_MAX_ROWS, when the 360° page reads a customer,
    then no index is built (its copy would grow with the warehouse) and the rows come from the lake, the same as below
    the limit."""
    settings.WAREHOUSE_SNAPSHOT_DIR = tmp_path / "published"
    settings.DATA_DIR = tmp_path
    settings.WAREHOUSE_POINT_INDEX = "inline"
    write_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR, tables("101000.00"))
    snapshot = current_snapshot(settings.WAREHOUSE_SNAPSHOT_DIR)
    assert point_index.indexed_rows(snapshot) == 2 + 4 + 4 + 3 + 1 + 1
    settings.WAREHOUSE_POINT_INDEX_MAX_ROWS = 14

    trading = customer_trading("1001")

    assert trading.months[0]["end_assets"] == Decimal("101000.00") and len(trading.trades) == 3
    assert not point_index.index_path(snapshot).exists()
