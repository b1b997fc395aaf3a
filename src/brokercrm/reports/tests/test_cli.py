"""`brokercrm report query|run|export|import`: the contract's columns and format, equal to the exports."""
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from brokercrm.datacenter.exports import export_indicators
from brokercrm.datacenter.tests.ods_factory import d
from brokercrm.reports.models import DashboardWidget, Report

MEASURES = ("avg_daily_assets,end_assets,net_inflow,trade_amount,trade_count,active_days,commission,net_commission,"
            "commission_rate,customer_count,new_customers,effective_new_customers")


def _zero(values) -> bool:
    return all(v in ("", "0", "0.00") for v in values)


def test_query_by_staff_and_month_equals_the_staff_export(published, tmp_path):
    """Columns D…, M… in order; every row equals the staff export's (key, period) row; the export's other rows are zero;
    UTF-8 without BOM, `\\n` line ends, sorted by staff then month with UNATTRIBUTED last."""
    out = tmp_path / "q.csv"
    call_command("report", "query", "--measures", MEASURES, "--by", "staff_no,month", "--from", "2026-03-01",
                 "--to", "2026-04-30", "--out", str(out), stdout=io.StringIO())
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["staff_no", "month", *MEASURES.split(",")]
    export = tmp_path / "staff.csv"
    export_indicators(published, level="staff", grain="month", date_from=d("2026-03-01"), date_to=d("2026-04-30"), out=export)
    exported = {(r[1], r[2]): r[3:] for r in list(csv.reader(export.open(encoding="utf-8")))[1:]}
    queried = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert all(exported[k] == v for k, v in queried.items())
    assert all(_zero(v) for k, v in exported.items() if k not in queried)
    keys = [r[0] for r in rows[1:]]
    assert keys[-1] == "UNATTRIBUTED" and keys == sorted(k for k in keys if k != "UNATTRIBUTED") + ["UNATTRIBUTED"] * keys.count("UNATTRIBUTED")


def test_query_xlsx_has_chinese_headers_and_numbers(published, tmp_path):
    """--format xlsx: the same rows, Chinese column names, the header frozen (end assets beside net commission lists
    0102, which did not trade in March)."""
    out = tmp_path / "q.xlsx"
    call_command("report", "query", "--measures", "net_commission,end_assets", "--by", "branch_code", "--from",
                 "2026-03-01", "--to", "2026-03-31", "--format", "xlsx", "--out", str(out), stdout=io.StringIO())
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == ["营业部", "净佣金", "期末资产"]
    assert sheet.freeze_panes == "A2"
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)] == [("0101", 9.18), ("0102", 0)]


def test_query_refusals_name_parameter_and_value(published, tmp_path):
    """An unknown measure or a bad filter stops the command with the parameter and the value in the message."""
    with pytest.raises(CommandError, match="measures: unknown measure 'profit'"):
        call_command("report", "query", "--measures", "profit", "--from", "2026-03-01", "--to", "2026-03-31",
                     "--out", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="where: column"):
        call_command("report", "query", "--measures", "commission", "--from", "2026-03-01", "--to", "2026-03-31",
                     "--where", "branch_code ==", "--out", str(tmp_path / "x.csv"))


def test_shipped_reports_run_and_round_trip(published, tmp_path):
    """The shipped reports are data; `report run` runs one with its comparisons; export then import changes nothing."""
    assert Report.objects.filter(shipped=True).count() >= 8
    assert DashboardWidget.objects.filter(role="head_office").exists()
    out = tmp_path / "branch.csv"
    call_command("report", "run", "营业部业绩月报", "--period", "2026-04", "--out", str(out), stdout=io.StringIO())
    header, *rows = list(csv.reader(out.open(encoding="utf-8")))
    assert header[:3] == ["branch_code", "net_commission", "commission"]
    assert "net_commission_previous" in header and "net_commission_last_year_growth" in header
    assert [r[0] for r in rows] == ["0102", "0101", "0103"]  # sorted by net commission, descending
    before = {r.name: (r.measures, r.dimensions, r.comparisons, r.sort) for r in Report.objects.all()}
    yaml_file = tmp_path / "reports.yaml"
    call_command("report", "export", str(yaml_file), stdout=io.StringIO())
    Report.objects.filter(name="营业部业绩月报").update(measures=["commission"])
    call_command("report", "import", str(yaml_file), stdout=io.StringIO())
    assert {r.name: (r.measures, r.dimensions, r.comparisons, r.sort) for r in Report.objects.all()} == before


def test_import_refuses_a_bad_file_whole(published, tmp_path):
    """A file with an unknown measure names file, line and field; nothing is stored."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: brokercrm-reports/v1\nreports:\n  - name: 新报表\n    measures: [profit]\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("report", "import", str(bad), stdout=(buffer := io.StringIO()), stderr=io.StringIO())
    assert "bad.yaml:4:measures: unknown measure 'profit'" in buffer.getvalue()
    assert not Report.objects.filter(name="新报表").exists()
