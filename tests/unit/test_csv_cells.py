"""CSV cells a spreadsheet would run as formulas: guarded on export, read back on import."""

from __future__ import annotations

import pytest

from domain.register.columns import csv_safe, from_csv_cell


@pytest.mark.parametrize("value, written", [
    ("=1+2", "'=1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("+cmd", "'+cmd"),
    ("\tx", "'\tx"),
    ("'=kept as typed", "''=kept as typed"),
    ("+84912345678", "+84912345678"),  # a phone, left alone
    ("-5", "-5"),
    ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("34/2 Trần Phú", "34/2 Trần Phú"),
    ("'quoted", "'quoted"),
    ("", ""),
])
def test_guarded_then_read_back_unchanged(value, written):
    assert csv_safe(value) == written
    assert from_csv_cell(written) == value


def test_a_typed_apostrophe_before_a_formula_is_taken_off():
    assert from_csv_cell("'=A1") == "=A1"
    assert from_csv_cell("'0912345678") == "'0912345678"  # not formula-like: untouched
