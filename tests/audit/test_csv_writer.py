"""The one CSV writer: spreadsheet formulas arrive as text, numbers stay numbers."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from audit.csv_writer import CsvWriter, csv_bytes, safe_cell

FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("x")', "-", "+"]
NOT_FORMULAS = ["Docetaxel", "1+2", " =1", "", "'=1", "N+", "a=b"]
NUMBERS = ["-1.5", "+3", "-30", "-0.5e3", "-.5", "+1E-2"]


@pytest.mark.parametrize("text", FORMULAS)
def test_it_marks_a_formula_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", NOT_FORMULAS + NUMBERS)
def test_it_leaves_text_that_is_no_formula_and_plain_numbers_alone(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-1, Decimal("-1.5"), -2.25, None, True, dt.date(2026, 1, 5)])
def test_it_leaves_values_that_are_not_text_alone(value):
    assert safe_cell(value) is value


def test_a_streamed_line_and_a_file_agree_and_read_back():
    rows = [["=1+2", -1, "-1.5", "a,b", 'say "hi"'], ["@x", None, "", "\tTab", "ok"]]
    writer = CsvWriter()
    text = "".join(writer.line(r) for r in rows)
    assert text == writer.text(rows) == csv_bytes(rows).decode()
    assert list(csv.reader(io.StringIO(text))) == [
        ["'=1+2", "-1", "-1.5", "a,b", 'say "hi"'],
        ["'@x", "", "", "'\tTab", "ok"],
    ]
