"""Import files: a field over the configured size or a NUL character is refused with FILE:LINE:COLUMN, never a 500."""
import pytest
from django.utils import translation

from brokercrm.core.csvfiles import nul_problem, read_rows

COLUMNS = ["staff_no", "name"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_field_over_the_limit_is_refused_with_its_line_and_column(settings):
    """Given a 131,072-character name (Python's own csv limit, which used to escape as a 500), the row is refused by name."""
    settings.IMPORT_FIELD_MAX_CHARS = 4096
    data = ("staff_no,name\nS0001,甲\nS0002," + "x" * 131_072 + "\nS0003,丙\n").encode()

    rows, problems = read_rows(data, file="staff.csv", columns=COLUMNS)

    assert [str(p) for p in problems] == ["staff.csv:3:name: field too long (131072 characters, at most 4096)"]
    assert [(r.line, r.values["staff_no"]) for r in rows] == [(2, "S0001"), (4, "S0003")]


def test_the_limit_is_the_configured_one(settings):
    """A field of exactly the limit passes; one character more is refused."""
    settings.IMPORT_FIELD_MAX_CHARS = 10
    data = b"staff_no,name\nS0001,0123456789\nS0002,0123456789A\n"

    rows, problems = read_rows(data, file="staff.csv", columns=COLUMNS)

    assert [str(p) for p in problems] == ["staff.csv:3:name: field too long (11 characters, at most 10)"]
    assert [r.values["name"] for r in rows] == ["0123456789"]


def test_a_nul_character_is_refused_with_its_line_and_column():
    """A NUL inside a field names the field; a multi-line quoted record is reported at its first line."""
    data = b'staff_no,name\n"S00\n01",x\nS0002,a\x00b\n'

    rows, problems = read_rows(data, file="staff.csv", columns=COLUMNS)

    assert [str(p) for p in problems] == ["staff.csv:4:name: NUL character (\\0) is not allowed"]
    assert [(r.line, r.values["staff_no"]) for r in rows] == [(2, "S00\n01")]


def test_a_bad_header_field_refuses_the_whole_file(settings):
    """A header with an over-long field is the only problem reported: without a header no row can be read."""
    settings.IMPORT_FIELD_MAX_CHARS = 8
    rows, problems = read_rows(b"staff_no,name_of_the_staff_member\nS0001,x\n", file="staff.csv", columns=COLUMNS)

    assert (rows, [str(p) for p in problems]) == ([], ["staff.csv:1:2: field too long (24 characters, at most 8)"])


@pytest.mark.parametrize("text,where", [("a: 1\nb: x\x00y\n", (2, "5")), ("\x00", (1, "1")), ("a: 1\n", None)])
def test_nul_problem_names_line_and_character(text, where):
    """The first NUL of a text import is placed by line and character column."""
    problem = nul_problem(text, file="f.yaml")
    assert (None if problem is None else (problem.line, problem.column)) == where
