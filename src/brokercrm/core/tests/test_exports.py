"""The export writer: a text a spreadsheet would evaluate gets a leading `'`, is a string cell, never a formula;
numbers, negative ones included, stay numbers; codes and dates are written exactly as given."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from brokercrm.core.exports import XlsxBook, csv_cell, csv_lines, write_csv, write_xlsx

PLANTED = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-12.50", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", PLANTED)
def test_a_text_a_spreadsheet_would_evaluate_gets_a_leading_quote(text):
    """Given a text starting with =, +, -, @, tab or CR, when written to CSV, then it is the same text after a `'`."""
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "written"), [
    (Decimal("-12.50"), "-12.50"), (Decimal("0.00"), "0.00"), (-3, "-3"), (Decimal("1E+2"), "100"), (None, ""),
    (dt.date(2026, 3, 2), "2026-03-02"), ("1001", "1001"), ("张三", "张三"), ("a=b", "a=b"), ("", "")])
def test_numbers_dates_and_ordinary_texts_are_written_as_they_are(value, written):
    """A Decimal -12.50 is a number (not neutralised, its scale kept); a code, a date or a name stays as it is."""
    assert csv_cell(value) == written


def test_a_csv_file_keeps_the_interface_format(tmp_path):
    """Given rows of codes, dates and amounts, the file is UTF-8 without BOM, `\\n`-terminated, RFC 4180-quoted,
    written in place of the old file with no partial file left behind."""
    out = tmp_path / "pay.csv"
    out.write_text("old\n")

    count = write_csv([["S0001", "BASE", Decimal("8000.00")], ["S0002", "FINE", Decimal("-12.50")],
                       ["S0003", 'a,"b"', None]], ["staff_no", "item_code", "amount"], out)

    assert count == 3
    assert out.read_bytes() == b'staff_no,item_code,amount\nS0001,BASE,8000.00\nS0002,FINE,-12.50\nS0003,"a,""b""",\n'
    assert [p.name for p in tmp_path.iterdir()] == ["pay.csv"]


def test_csv_lines_neutralise_a_planted_name_and_keep_a_negative_amount():
    """A name `=1+1` is written `'=1+1`; the amount -12.50 beside it is written -12.50."""
    assert list(csv_lines(["name", "amount"], [["=1+1", Decimal("-12.50")]])) == ["name,amount\n", "'=1+1,-12.50\n"]


def test_a_workbook_holds_planted_formulas_as_strings_and_numbers_as_numbers():
    """Given planted texts and numbers, when written to .xlsx and opened with openpyxl, then every planted text is a
    string cell with a leading `'` and no cell is a formula; Decimal, int and float are number cells."""
    rows = [[text, Decimal("-12.50"), 7, 1.5] for text in PLANTED]

    data, count = write_xlsx([("sheet", ["text", "amount", "count", "ratio"], rows)])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert count == len(PLANTED)
    # a carriage return is stored as the OOXML escape _x000D_, which openpyxl reads back undecoded
    assert [row[0] for row in cells] == [("'" + text.replace("\r", "_x000D_"), "s") for text in PLANTED]
    assert {tuple(row[1:]) for row in cells} == {((-12.5, "n"), (7, "n"), (1.5, "n"))}
    assert sheet["B2"].number_format == "0.00"


def test_a_workbook_sheet_writes_a_formatted_number_and_leaves_an_empty_cell_empty():
    """A sheet of an XlsxBook: a Decimal in the given money format, None and "" as no value."""
    book = XlsxBook()
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_sheet("s")
    sheet.write_row(0, 0, [Decimal("1234.50"), None, "", "@x"], money)

    cells = openpyxl.load_workbook(io.BytesIO(book.close())).active
    assert (cells["A1"].value, cells["A1"].number_format, cells["B1"].value, cells["C1"].value) == (1234.5, "#,##0.00", None, None)
    assert (cells["D1"].value, cells["D1"].data_type) == ("'@x", "s")
