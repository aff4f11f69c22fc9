"""Reading spreadsheets as Excel writes them: CSV (UTF-8, BOM or not, comma or semicolon)
and XLSX, row by row, without loading the whole file."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from domain.imports.errors import FileNotSpreadsheet, FileNotUtf8, FileUtf16
from domain.register.columns import from_csv_cell

XLSX_MAGIC = b"PK\x03\x04"


def _sniff_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(head) > 3 and head[1:2] == b"\x00" and head[3:4] == b"\x00"
    ):
        raise FileUtf16(loc=("body", "file"))
    if b"\x00" in head:
        raise FileNotSpreadsheet(loc=("body", "file"))
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The cut may split a character at the very end; only an error before it counts.
        if exc.start < len(head) - 4:
            raise FileNotUtf8(loc=("body", "file")) from exc
    return "utf-8-sig"


def csv_rows(stream: BinaryIO) -> Iterator[list[str]]:
    """Rows of a CSV file; the separator is guessed from the header line (`;` or `,`)."""
    head = stream.read(65536)
    stream.seek(0)
    encoding = _sniff_text(head)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    first_line = head.split(b"\n", 1)[0]
    delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
    reader = csv.reader(text, delimiter=delimiter)
    try:
        for row in reader:
            yield [from_csv_cell(cell) for cell in row]
    except UnicodeDecodeError as exc:
        raise FileNotUtf8(loc=("body", "file")) from exc
    except csv.Error as exc:
        raise FileNotSpreadsheet(loc=("body", "file")) from exc


def xlsx_rows(stream: BinaryIO) -> Iterator[list[str]]:
    """Rows of the first sheet, as text ('' for empty cells), in read-only mode."""
    from datetime import date, datetime

    import openpyxl

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileNotSpreadsheet(loc=("body", "file")) from exc
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            out = []
            for cell in row:
                if cell is None:
                    out.append("")
                elif isinstance(cell, datetime | date):
                    out.append(cell.strftime("%d/%m/%Y"))
                elif isinstance(cell, float) and cell.is_integer():
                    out.append(str(int(cell)))
                else:
                    out.append(str(cell))
            yield out
    finally:
        book.close()


def rows(stream: BinaryIO) -> Iterator[list[str]]:
    head = stream.read(4)
    stream.seek(0)
    if head == XLSX_MAGIC:
        return xlsx_rows(stream)
    return csv_rows(stream)
