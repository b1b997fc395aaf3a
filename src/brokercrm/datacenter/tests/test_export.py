"""`export indicators`: the CSV of metrics.md byte for byte, clipped periods, and the command around it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.pipelines.dm import GRAINS, LEVELS
from brokercrm.datacenter.tests.ods_factory import build, d, rich_brokerage
from brokercrm.datacenter.warehouse import connect

HEADER = ("level,key,period,avg_daily_assets,end_assets,net_inflow,trade_amount,trade_count,active_days,"
          "commission,net_commission,commission_rate")
COUNTS = ",customer_count,new_customers,effective_new_customers"


def _warehouse(path=":memory:"):
    con = connect(path)
    staff_rows, relations = rich_brokerage(con)
    build(con, staff_rows=staff_rows, relations=relations)
    return con


def _export(con, tmp_path, level, grain, date_from="2026-03-01", date_to="2026-04-30") -> tuple[int, bytes]:
    out = tmp_path / f"{level}_indicators.csv"
    rows = export_indicators(con, level=level, grain=grain, date_from=d(date_from), date_to=d(date_to), out=out)
    return rows, out.read_bytes()


def test_staff_month_csv_is_byte_exact(tmp_path):
    """Header, column order, UNATTRIBUTED last in each period, 2-decimal money, 6-decimal or empty rate, \\n ends."""
    rows, data = _export(_warehouse(), tmp_path, "staff", "month")
    assert rows == 7
    assert data == (HEADER + COUNTS + "\n"
                    "staff,S0001,2026-03,333.33,0.00,0.00,12345.67,1,1,5.00,4.33,0.000405,0,0,0\n"
                    "staff,S0002,2026-03,3666.67,0.00,9999.99,20000.00,1,1,0.01,0.01,0.000001,2,1,0\n"
                    "staff,UNATTRIBUTED,2026-03,238.89,0.00,0.00,3000.00,1,1,5.00,4.84,0.001667,1,0,0\n"
                    "staff,S0001,2026-04,333.35,333.35,0.00,0.00,0,0,0.00,0.00,,1,0,0\n"
                    "staff,S0002,2026-04,11500.26,12000.50,-1000.01,1000.00,2,1,5.00,4.95,0.005000,2,0,0\n"
                    "staff,S0003,2026-04,0.00,0.00,0.00,0.00,0,0,0.00,0.00,,0,0,0\n"
                    "staff,UNATTRIBUTED,2026-04,5000.00,10000.00,5000.00,0.00,0,0,0.00,0.00,,1,1,1\n").encode()


def test_customer_and_branch_month_csv_are_byte_exact(tmp_path):
    """Customer level has no count columns; a branch opened in April first appears in April."""
    con = _warehouse()
    _, customers = _export(con, tmp_path, "customer", "month")
    assert customers == (HEADER + "\n"
                         "customer,10000001,2026-03,666.67,0.00,0.00,32345.67,2,2,5.01,4.34,0.000155\n"
                         "customer,10000002,2026-03,222.22,0.00,0.00,3000.00,1,1,5.00,4.84,0.001667\n"
                         "customer,10000003,2026-03,16.67,0.00,0.00,0.00,0,0,0.00,0.00,\n"
                         "customer,10000004,2026-03,3333.33,0.00,9999.99,0.00,0,0,0.00,0.00,\n"
                         "customer,10000001,2026-04,500.01,0.00,-1000.01,0.00,0,0,0.00,0.00,\n"
                         "customer,10000002,2026-04,333.35,333.35,0.00,0.00,0,0,0.00,0.00,\n"
                         "customer,10000004,2026-04,11000.25,12000.50,0.00,1000.00,2,1,5.00,4.95,0.005000\n"
                         "customer,10000005,2026-04,5000.00,10000.00,5000.00,0.00,0,0,0.00,0.00,\n").encode()
    _, branches = _export(con, tmp_path, "branch", "month")
    assert branches == (HEADER + COUNTS + "\n"
                        "branch,0101,2026-03,888.89,0.00,0.00,35345.67,3,3,10.01,9.18,0.000283,2,0,0\n"
                        "branch,0102,2026-03,3350.00,0.00,9999.99,0.00,0,0,0.00,0.00,,1,1,0\n"
                        "branch,0101,2026-04,333.35,333.35,0.00,0.00,0,0,0.00,0.00,,1,0,0\n"
                        "branch,0102,2026-04,11500.26,12000.50,-1000.01,1000.00,2,1,5.00,4.95,0.005000,2,0,0\n"
                        "branch,0103,2026-04,5000.00,10000.00,5000.00,0.00,0,0,0.00,0.00,,1,1,1\n").encode()


def test_months_cut_by_from_and_to_count_only_their_trading_days_inside(tmp_path):
    """--from 03-30 --to 04-01: March has T = {03-30, 03-31}, April T = {04-01}; employment and new customers clipped too."""
    rows, data = _export(_warehouse(), tmp_path, "staff", "month", "2026-03-30", "2026-04-01")
    assert rows == 5
    assert data == (HEADER + COUNTS + "\n"
                    "staff,S0001,2026-03,0.00,0.00,0.00,0.00,0,0,0.00,0.00,,0,0,0\n"
                    "staff,S0002,2026-03,5500.00,0.00,9999.99,20000.00,1,1,0.01,0.01,0.000001,2,1,0\n"
                    "staff,UNATTRIBUTED,2026-03,166.67,0.00,-500.00,3000.00,1,1,5.00,4.84,0.001667,1,0,0\n"
                    "staff,S0001,2026-04,333.34,333.34,0.00,0.00,0,0,0.00,0.00,,1,0,0\n"
                    "staff,S0002,2026-04,11000.02,11000.02,-1000.01,1000.00,2,1,5.00,4.95,0.005000,2,0,0\n").encode()


def test_mart_and_fact_paths_give_the_same_bytes(tmp_path):
    """Whole periods served by the marts equal the same periods computed from the facts, at every level and grain."""
    con = _warehouse()
    from_marts = {(level, grain): _export(con, tmp_path, level, grain) for level in LEVELS for grain in GRAINS}
    con.execute("DROP TABLE dm.periods")  # no mart can serve any period now
    for (level, grain), expected in from_marts.items():
        assert _export(con, tmp_path, level, grain) == expected, (level, grain)


def test_day_grain_emits_an_unloaded_trading_day_inside_the_range(tmp_path):
    """03-31 is an XSHG trading day between loaded days: it is a period, with zero assets."""
    _, data = _export(_warehouse(), tmp_path, "customer", "day", "2026-03-31", "2026-03-31")
    assert data == (HEADER + "\n"
                    "customer,10000001,2026-03-31,0.00,0.00,0.00,0.00,0,0,0.00,0.00,\n"
                    "customer,10000002,2026-03-31,0.00,0.00,0.00,0.00,0,0,0.00,0.00,\n"
                    "customer,10000004,2026-03-31,0.00,0.00,0.00,0.00,0,0,0.00,0.00,\n").encode()


def test_a_range_without_trading_days_writes_the_header_only(tmp_path):
    """Nothing loaded in 2026-05: zero rows, a header line, no BOM."""
    rows, data = _export(_warehouse(), tmp_path, "branch", "day", "2026-05-01", "2026-05-31")
    assert (rows, data) == (0, (HEADER + COUNTS + "\n").encode())


def test_export_replaces_the_exact_out_path_and_leaves_nothing_else(tmp_path):
    """An existing file at --out is replaced; no temporary file stays behind."""
    out = tmp_path / "custom name.csv"
    out.write_text("old content\n")
    export_indicators(_warehouse(), level="customer", grain="month", date_from=d("2026-04-01"),
                      date_to=d("2026-04-30"), out=out)
    assert out.read_text().startswith(HEADER + "\n")
    assert sorted(os.listdir(tmp_path)) == ["custom name.csv"]


def test_export_command_writes_the_csv_from_the_warehouse(tmp_path, settings, capsys):
    """`export indicators` reads the warehouse read-only and writes the same bytes as the function."""
    path = tmp_path / "warehouse.duckdb"
    _warehouse(path).close()
    settings.WAREHOUSE_PATH = path
    out = tmp_path / "out" / "branch_indicators.csv"
    call_command("export", "indicators", "--level", "branch", "--grain", "month", "--from", "2026-03-01",
                 "--to", "2026-04-30", "--out", str(out))
    assert f"{out}: 5 rows" in capsys.readouterr().out
    assert out.read_bytes().splitlines()[1] == b"branch,0101,2026-03,888.89,0.00,0.00,35345.67,3,3,10.01,9.18,0.000283,2,0,0"


def test_export_command_refuses_a_reversed_range_and_a_missing_warehouse(tmp_path, settings):
    """--from after --to and an absent warehouse end with messages fit to show."""
    settings.WAREHOUSE_PATH = tmp_path / "none.duckdb"
    args = ["export", "indicators", "--level", "staff", "--grain", "day", "--out", str(tmp_path / "x.csv")]
    with pytest.raises(CommandError, match="--from must not be after --to"):
        call_command(*args, "--from", "2026-04-02", "--to", "2026-04-01")
    with pytest.raises(CommandError, match="no warehouse yet"):
        call_command(*args, "--from", "2026-04-01", "--to", "2026-04-02")


def test_export_help_describes_the_indicators_subcommand():
    """`brokercrm export indicators --help` exits 0 and names every option."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-m", "brokercrm.cli", "export", "indicators", "--help"],
                            capture_output=True, text=True, env=env, cwd=Path(__file__).parents[4], timeout=120)
    assert result.returncode == 0, result.stderr
    for option in ("--level", "--grain", "--from", "--to", "--out"):
        assert option in result.stdout
