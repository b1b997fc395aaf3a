"""The delivery validator: each rule of source-interface.md reported at the right FILE:LINE:COLUMN."""
import hashlib
import json
import shutil

import pytest
from django.core.management import call_command

from brokercrm.datacenter.tests.delivery_factory import build_delivery
from brokercrm.datacenter.validation import validate_delivery, validate_delivery_report


@pytest.fixture
def d(tmp_path):
    return build_delivery(tmp_path / "delivery")


def found(d, path=None) -> list[str]:
    return [str(p) for p in validate_delivery(path or d.root)]


def set_manifest(d, day, **changes):
    path = d.day_dir(day) / "manifest.json"
    tree = json.loads(path.read_text())
    tree.update(changes)
    path.write_text(json.dumps(tree))


# --- whole delivery, context -------------------------------------------------------------------

def test_valid_delivery_has_no_problems(d):
    """The factory's three days pass every rule; the report counts days and data rows."""
    report = validate_delivery_report(d.root)
    assert (report.problems, report.days, report.rows) == ((), 3, 48)


def test_single_day_folder_uses_earlier_folders_as_context(d):
    """Day 2 alone: day 1's customers and securities are known, its cash and positions continue."""
    report = validate_delivery_report(d.day_dir(1))
    assert (report.problems, report.days, report.rows) == ((), 1, 15)


def test_single_day_folder_reports_its_own_problems_against_the_previous_folder(d):
    """A day-1 cash changed: checking day 2 alone reports day 2's continuity from day 1's file."""
    d.edit(0, "assets", 4, "cash_balance", "2400.00")
    d.edit(0, "assets", 4, "total_assets", "2400.00")
    assert found(d, d.day_dir(1)) == [
        "2026-03-03/assets.csv:4:cash_balance: cash_balance 2500.00 differs from the previous day's 2400.00"
        " + cash flows 0.00 + trade settlements 0.00 = 2400.00",
    ]


def test_first_day_alone_is_the_opening_snapshot(d):
    """The first folder has no earlier one: continuity is not checked, references are its own."""
    assert found(d, d.day_dir(0)) == []


def test_not_a_directory_is_reported(tmp_path):
    """A path that does not exist is one problem naming it."""
    assert found(None, tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}::: no such directory"]


# --- manifest ------------------------------------------------------------------------------------

def test_missing_manifest_refuses_the_day(d):
    """No manifest.json: the day is incomplete."""
    (d.day_dir(1) / "manifest.json").unlink()
    assert found(d) == ["2026-03-03/manifest.json::: manifest.json is missing: the day is incomplete and is refused"]


def test_manifest_naming_another_date(d):
    """The manifest's business_date must be the folder's."""
    set_manifest(d, 1, business_date="2026-03-04")
    assert found(d) == [
        "2026-03-03/manifest.json::business_date: business_date is '2026-03-04', but the folder is 2026-03-03"]


def test_manifest_of_another_interface_version(d):
    """The manifest's interface must be v1."""
    set_manifest(d, 1, interface="v2")
    assert found(d) == ["2026-03-03/manifest.json::interface: interface is 'v2'; expected 'v1'"]


def test_manifest_that_is_not_json(d):
    """A manifest that does not parse is reported with its line."""
    (d.day_dir(1) / "manifest.json").write_text('{"interface": "v1",\n oops}')
    assert found(d) == [
        "2026-03-03/manifest.json:2:: manifest.json is not valid JSON: Expecting property name enclosed in "
        "double quotes (column 2)"]


def test_manifest_row_count_differs(d):
    """rows in the manifest must equal the file's data records."""
    path = d.day_dir(1) / "manifest.json"
    tree = json.loads(path.read_text())
    tree["files"]["deliveries.csv"]["rows"] = 4
    path.write_text(json.dumps(tree))
    assert found(d) == ["2026-03-03/deliveries.csv::: manifest.json says 4 rows; the file has 3"]


def test_manifest_sha256_differs(d):
    """A file changed after the manifest was written: its sha256 no longer matches."""
    old = hashlib.sha256(d.path(1, "deliveries").read_bytes()).hexdigest()
    d.edit(1, "deliveries", 2, "channel", "web", refresh=False)
    new = hashlib.sha256(d.path(1, "deliveries").read_bytes()).hexdigest()
    assert found(d) == [f"2026-03-03/deliveries.csv::: sha256 is {new}; manifest.json says {old}"]


def test_file_listed_in_manifest_but_missing(d):
    """Every listed file is present, and every file is delivered even with no rows."""
    d.path(1, "securities").unlink()
    assert found(d) == [
        "2026-03-03/securities.csv::: file is missing: every file is delivered, even with no rows (expected securities.csv)",
        "2026-03-03/securities.csv::: listed in manifest.json but missing from the folder",
    ]


def test_file_present_but_not_listed(d):
    """Every file of the folder is listed in the manifest."""
    (d.day_dir(1) / "notes.csv").write_text("x\n")
    assert found(d) == ["2026-03-03/notes.csv::: notes.csv is in the folder but not listed in manifest.json"]


# --- encoding and structure ---------------------------------------------------------------------

def test_byte_order_mark(d):
    """UTF-8 without BOM."""
    d.write_file(1, "cash_flows", b"\xef\xbb\xbf" + d.path(1, "cash_flows").read_bytes())
    assert found(d) == [
        "2026-03-03/cash_flows.csv:1:: the file starts with a UTF-8 byte order mark (BOM); expected UTF-8 without BOM"]


def test_invalid_utf8_names_the_line(d):
    """A byte that is not UTF-8 is reported on its line; the file is not read further."""
    data = d.path(1, "branches").read_bytes() + b"0301,\xb1\xb1\xbe\xa9,x,2020-01-02\n"
    d.write_file(1, "branches", data)
    assert found(d) == ["2026-03-03/branches.csv:2:: byte 0xb1 is not valid utf-8: the file must be utf-8 text"]


def test_crlf_line_ends(d):
    """Lines end with LF only."""
    d.write_file(1, "cash_flows", d.path(1, "cash_flows").read_bytes().replace(b"\n", b"\r\n"))
    assert found(d) == [f"2026-03-03/cash_flows.csv:{n}:: line ends with CR LF; lines must end with LF only" for n in (1, 2, 3)]


def test_header_in_another_order(d):
    """The header is exactly the columns in order."""
    d.set_line(1, "assets", 1, "biz_date,customer_no,market_value,cash_balance,total_assets")
    assert found(d) == [
        "2026-03-03/assets.csv:1:cash_balance: header column 3 is 'market_value'; expected 'cash_balance' (the header "
        "must be exactly: biz_date,customer_no,cash_balance,market_value,total_assets)"]


def test_empty_file_without_header(d):
    """Even a file with no rows has its header."""
    d.write_file(1, "branches", b"")
    assert found(d) == [
        "2026-03-03/branches.csv::: file is empty; expected the header line: branch_code,branch_name,city,opened_on"]


def test_field_count_per_line(d):
    """Every line has as many fields as the header."""
    d.set_line(1, "cash_flows", 3, "2026-03-03,F00002,10000004,bank_in,20000.00")
    assert found(d) == [
        "2026-03-03/assets.csv:5:cash_balance: cash_balance 11705.00 differs from the previous day's 0.00 + "
        "cash flows 0.00 + trade settlements -8295.00 = -8295.00",
        "2026-03-03/cash_flows.csv:3:: line has 5 fields; expected 6",
    ]


def test_malformed_quoting(d):
    """A quoted field is closed, inner quotes doubled."""
    line = d.lines(0, "customers")[1].replace('"上海市浦东新区, 世纪大道100号"', '"上海市"浦东"')
    d.set_line(0, "customers", 2, line)
    assert found(d)[:2] == [
        "2026-03-02/assets.csv:2:customer_no: customer_no 10000001 is not in customers.csv of this or an earlier day",
        "2026-03-02/customers.csv:2:: malformed quoting: a quoted field is enclosed in double quotes, inner quotes doubled",
    ]


def test_empty_line(d):
    """A blank line is not a record."""
    lines = d.lines(1, "cash_flows")
    d.write_file(1, "cash_flows", "\n".join(lines[:2] + [""] + lines[2:]).encode())
    assert found(d) == ["2026-03-03/cash_flows.csv:3:: empty line; expected 6 fields"]


# --- types, enums, NULL-ability ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("table", "line", "column", "value", "message"),
    [
        ("customers", 2, "birth_date", "1999-02-30", "birth_date '1999-02-30' is not a valid date in the format YYYY-MM-DD"),
        ("customers", 2, "risk_assessed_on", "2026/03/03", "risk_assessed_on '2026/03/03' is not a valid date in the format YYYY-MM-DD"),
        ("securities", 2, "security_type", "warrant", "security_type 'warrant' is not one of: stock, fund, bond, repo, wealth"),
        ("customers", 2, "gender", "X", "gender 'X' is not one of: M, F"),
        ("customers", 2, "name", "", "name is empty; a value is required"),
        ("positions", 2, "cost_amount", "3735.001", "cost_amount '3735.001' is not an amount of money (digits with at most 2 decimals)"),
        ("positions", 2, "cost_amount", "1e3", "cost_amount '1e3' is not an amount of money (digits with at most 2 decimals)"),
        ("positions", 2, "close_price", "4.1500", "close_price '4.1500' is not a price (digits with at most 3 decimals)"),
        ("security_transfers", 2, "quantity", "200.0", "quantity '200.0' is not an integer"),
    ],
)
def test_types_enums_and_required_fields(d, table, line, column, value, message):
    """A value that does not parse as its column's type is reported on its line and column."""
    day = {"securities": 0, "security_transfers": 2}.get(table, 1)
    d.edit(day, table, line, column, value)
    assert f"{d.rel(day, table)}:{line}:{column}: {message}" in found(d)


def test_nullable_fields_may_be_empty(d):
    """gender, birth_date, mobile, email, address, close_date, risk fields may be empty."""
    d.edit(0, "customers", 2, "gender", "")
    d.edit(0, "customers", 2, "risk_level", "")
    assert found(d) == []


# --- keys and references -------------------------------------------------------------------------

def test_duplicate_key(d):
    """(trade_date, serial_no) is unique within the day."""
    d.edit(1, "deliveries", 4, "serial_no", "T00003")
    assert found(d) == [
        "2026-03-03/deliveries.csv:4:serial_no: duplicate key (trade_date, serial_no) = (2026-03-03, T00003): first on line 3"]


def test_reference_to_unknown_branch(d):
    """A customer's branch_code exists in this or an earlier branches.csv."""
    d.edit(1, "customers", 2, "branch_code", "0999")
    assert found(d) == [
        "2026-03-03/customers.csv:2:branch_code: branch_code 0999 is not in branches.csv of this or an earlier day"]


def test_reference_to_unknown_security(d):
    """(market, security_code) exists in this or an earlier securities.csv; continuity then fails too."""
    d.edit(2, "security_transfers", 2, "security_code", "688888")
    assert found(d) == [
        "2026-03-04/positions.csv::quantity: no row for customer_no 10000002, SH 688888: expected quantity 200 = the "
        "previous day's 0 + bought 0 − sold 0 + transferred in 200 − transferred out 0",
        "2026-03-04/positions.csv:5:quantity: quantity 200 differs from the previous day's 0 + bought 0 − sold 0 + "
        "transferred in 0 − transferred out 0 = 0",
        "2026-03-04/security_transfers.csv:2:security_code: market, security_code SH, 688888 is not in securities.csv "
        "of this or an earlier day",
    ]


# --- row rules -----------------------------------------------------------------------------------

def test_business_date_equals_folder_date(d):
    """Every date of the day's facts is the folder's business date."""
    d.edit(1, "cash_flows", 2, "biz_date", "2026-03-02")
    assert found(d) == [
        "2026-03-03/cash_flows.csv:2:biz_date: biz_date 2026-03-02 differs from the folder's business date 2026-03-03"]


def test_transfer_value_positive(d):
    """A security transfer's value is > 0."""
    d.edit(2, "security_transfers", 2, "value", "0.00")
    assert found(d) == ["2026-03-04/security_transfers.csv:2:value: value 0.00 must be greater than 0"]


def test_amount_is_quantity_times_price(d):
    """amount = round_half_up(quantity × price, 2); the settlement then differs too."""
    d.edit(1, "deliveries", 4, "amount", "8290.01")
    assert found(d) == [
        "2026-03-03/deliveries.csv:4:amount: amount 8290.01 differs from quantity × price = 2000 × 4.145 = 8290.00 "
        "(rounded half-up to 0.01)",
        "2026-03-03/deliveries.csv:4:settle_amount: settle_amount -8295.00 differs from -(amount + commission + "
        "stamp_tax + transfer_fee + other_fee) = -8295.01 for side B",
    ]


def test_settle_amount_formula(d):
    """A sell settles amount minus every cost; the cash then no longer continues."""
    d.edit(1, "deliveries", 3, "settle_amount", "56140.74")
    assert found(d) == [
        "2026-03-03/assets.csv:3:cash_balance: cash_balance 556140.73 differs from the previous day's 500000.00 + "
        "cash flows 0.00 + trade settlements 56140.74 = 556140.74",
        "2026-03-03/deliveries.csv:3:settle_amount: settle_amount 56140.74 differs from amount - commission - "
        "stamp_tax - transfer_fee - other_fee = 56140.73 for side S",
    ]


@pytest.mark.parametrize(
    ("fee", "value", "rule"),
    [("handling_fee", "1.93", "0.00341% of amount 56175.00 = 1.92 (the fee rule for stocks"),
     ("regulatory_fee", "1.13", "0.002% of amount 56175.00 = 1.12 (the fee rule for stocks")],
)
def test_stock_fee_rules(d, fee, value, rule):
    """Stock fees equal the rates of the interface, rounded half-up per trade."""
    d.edit(1, "deliveries", 3, fee, value)
    assert found(d) == [f"2026-03-03/deliveries.csv:3:{fee}: {fee} {value} differs from {rule}, rounded half-up to 0.01)"]


def test_stamp_tax_only_on_stock_sells(d):
    """A fund sell pays no stamp tax (settlement and cash made consistent, so only the fee rule fails)."""
    d.edit(2, "deliveries", 4, "stamp_tax", "1.00")
    d.edit(2, "deliveries", 4, "settle_amount", "2050.00")
    d.edit(2, "assets", 2, "cash_balance", "88553.91")
    d.edit(2, "assets", 2, "total_assets", "400397.41")
    assert found(d) == [
        "2026-03-04/deliveries.csv:4:stamp_tax: stamp_tax 1.00 must be 0: stamp tax is charged on stock sells only "
        "(this is a sell of a fund)"]


def test_commission_covers_handling_and_regulatory_fees(d):
    """handling_fee + regulatory_fee <= commission."""
    d.edit(1, "deliveries", 4, "commission", "0.40")
    d.edit(1, "deliveries", 4, "settle_amount", "-8290.40")
    d.edit(1, "assets", 5, "cash_balance", "11709.60")
    d.edit(1, "assets", 5, "total_assets", "20009.60")
    d.edit(2, "assets", 5, "cash_balance", "11709.60")
    d.edit(2, "assets", 5, "total_assets", "19931.60")
    assert found(d) == [
        "2026-03-03/deliveries.csv:4:commission: commission 0.40 is below handling_fee + regulatory_fee 0.45"]


def test_cash_flow_sign_by_type(d):
    """A fee takes money out of the account: its amount is < 0."""
    d.edit(2, "cash_flows", 4, "amount", "10.00")
    d.edit(2, "assets", 3, "cash_balance", "722624.11")
    d.edit(2, "assets", 3, "total_assets", "1022400.11")
    assert found(d) == ["2026-03-04/cash_flows.csv:4:amount: amount 10.00 must be less than 0 for flow_type fee"]


def test_position_market_value(d):
    """market_value = round_half_up(quantity × close_price, 2)."""
    d.edit(2, "positions", 2, "market_value", "10012.01")
    d.edit(2, "assets", 2, "market_value", "311843.51")
    d.edit(2, "assets", 2, "total_assets", "400398.42")
    assert found(d) == [
        "2026-03-04/positions.csv:2:market_value: market_value 10012.01 differs from quantity × close_price = "
        "100 × 100.120 = 10012.00 (rounded half-up to 0.01)"]


def test_total_assets(d):
    """total_assets = cash_balance + market_value."""
    d.edit(2, "assets", 3, "total_assets", "1022380.12")
    assert found(d) == [
        "2026-03-04/assets.csv:3:total_assets: total_assets 1022380.12 differs from cash_balance + market_value = "
        "722604.11 + 299776.00 = 1022380.11"]


def test_assets_market_value_is_the_sum_of_positions(d):
    """An assets row's market_value is the sum of the customer's positions."""
    d.edit(2, "assets", 5, "market_value", "8223.00")
    d.edit(2, "assets", 5, "total_assets", "19928.00")
    assert found(d) == [
        "2026-03-04/assets.csv:5:market_value: market_value 8223.00 differs from the sum of market_value in "
        "positions.csv for this customer, 8222.00"]


def test_cash_continuity_from_day_to_day(d):
    """cash(d) = cash(previous day) + flows + settlements, checked on every day after the first."""
    d.edit(1, "assets", 4, "cash_balance", "2600.00")
    d.edit(1, "assets", 4, "total_assets", "2600.00")
    assert found(d) == [
        "2026-03-03/assets.csv:4:cash_balance: cash_balance 2600.00 differs from the previous day's 2500.00 + "
        "cash flows 0.00 + trade settlements 0.00 = 2500.00",
        "2026-03-04/assets.csv:4:cash_balance: cash_balance 0.00 differs from the previous day's 2600.00 + "
        "cash flows -2500.00 + trade settlements 0.00 = 100.00",
    ]


def test_position_continuity_from_day_to_day(d):
    """quantity(d) = previous + buys − sells + transfers in − out; a missing row is reported on the file."""
    lines = d.lines(1, "positions")
    d.write_file(1, "positions", "\n".join(lines[:4] + lines[5:]).encode())
    d.edit(1, "assets", 5, "market_value", "0.00")
    d.edit(1, "assets", 5, "total_assets", "11705.00")
    assert found(d) == [
        "2026-03-03/positions.csv::quantity: no row for customer_no 10000004, SH 510300: expected quantity 2000 = "
        "the previous day's 0 + bought 2000 − sold 0 + transferred in 0 − transferred out 0",
        "2026-03-04/positions.csv:6:quantity: quantity 2000 differs from the previous day's 0 + bought 0 − sold 0 + "
        "transferred in 0 − transferred out 0 = 0",
    ]


def test_assets_row_for_every_open_customer(d):
    """A customer open on the day (open_date <= d <= close_date) has an assets row."""
    lines = d.lines(1, "assets")
    d.write_file(1, "assets", "\n".join(lines[:3] + lines[4:]).encode())
    assert found(d) == [
        "2026-03-03/assets.csv::customer_no: no row for customer_no 10000003, open on 2026-03-03 (open_date 2022-07-01)",
        "2026-03-04/assets.csv:4:cash_balance: cash_balance 0.00 differs from the previous day's 0.00 + "
        "cash flows -2500.00 + trade settlements 0.00 = -2500.00",
    ]


def test_no_assets_row_for_a_customer_not_open(d):
    """A customer closed before the day has no assets row."""
    d.edit(2, "customers", 2, "close_date", "2026-03-03")
    assert found(d) == [
        "2026-03-04/assets.csv:4:customer_no: customer_no 10000003 is not open on 2026-03-04 (open_date 2022-07-01, "
        "close_date 2026-03-03): no row is expected"]


def test_close_date_is_a_trading_day(d):
    """open_date and close_date are XSHG trading days."""
    d.edit(2, "customers", 2, "close_date", "2026-03-07")
    assert found(d) == ["2026-03-04/customers.csv:2:close_date: close_date 2026-03-07 is not an XSHG trading day"]


def test_new_account_opens_on_its_first_delivery(d):
    """A customer first delivered on day d (not the first day) has open_date = d."""
    d.edit(1, "customers", 2, "open_date", "2026-03-02")
    assert found(d) == [
        "2026-03-03/customers.csv:2:open_date: customer_no 10000004 is delivered for the first time on 2026-03-03, "
        "so its open_date must be 2026-03-03, not 2026-03-02"]


def test_open_date_after_the_business_date(d):
    """No account opens after the day that delivers it; its assets row is then unexpected too."""
    d.edit(1, "customers", 2, "open_date", "2026-03-04")
    assert found(d) == [
        "2026-03-03/assets.csv:5:customer_no: customer_no 10000004 is not open on 2026-03-03 (open_date 2026-03-04): "
        "no row is expected",
        "2026-03-03/customers.csv:2:open_date: open_date 2026-03-04 is after the business date 2026-03-03",
    ]


def test_folder_date_must_be_a_trading_day(d):
    """A folder named after a Saturday is refused as a whole."""
    shutil.move(d.day_dir(2), d.root / "2026-03-07")
    assert "2026-03-07::: 2026-03-07 is not an XSHG trading day; the day is refused" in found(d)


def test_missing_trading_day_between_folders(d):
    """Folders skip no trading day: continuity would be meaningless."""
    shutil.rmtree(d.day_dir(1))
    assert found(d)[0] == "2026-03-04::: trading day 2026-03-03 is missing: the previous delivered day is 2026-03-02"


# --- listing cap and command ---------------------------------------------------------------------

def test_listing_is_capped_per_rule_and_file(d):
    """A garbage file lists 50 problems of a kind, then one line telling how many more."""
    header = d.lines(2, "security_transfers")[0]
    d.write_file(2, "security_transfers", ("\n".join([header] + ["garbage"] * 120) + "\n").encode())
    problems = [p for p in found(d) if p.startswith("2026-03-04/security_transfers.csv")]
    assert problems[0] == "2026-03-04/security_transfers.csv:2:: line has 1 fields; expected 8"
    assert problems[49] == "2026-03-04/security_transfers.csv:51:: line has 1 fields; expected 8"
    assert problems[50:] == ["2026-03-04/security_transfers.csv::: 70 more problems of this kind (fields) are not listed"]


def test_command_prints_ok_for_a_clean_delivery(d, capsys):
    """`brokercrm validate DIR` prints the summary and exits 0."""
    call_command("validate", str(d.root))
    assert capsys.readouterr().out == "OK: 3 days, 48 rows checked\n"


def test_command_prints_problems_and_exits_1(d, capsys):
    """Each problem on its own line on stdout, a summary on stderr, exit code 1."""
    d.edit(2, "assets", 3, "total_assets", "1022380.12")
    with pytest.raises(SystemExit) as exit_info:
        call_command("validate", str(d.root))
    out, err = capsys.readouterr()
    assert exit_info.value.code == 1
    assert out == ("2026-03-04/assets.csv:3:total_assets: total_assets 1022380.12 differs from cash_balance + "
                   "market_value = 722604.11 + 299776.00 = 1022380.11\n")
    assert err == "FAILED: 1 problem lines in 3 days (48 rows checked)\n"
