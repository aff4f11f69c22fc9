"""Voter lists with two header rows, as commune offices lay out form Mẫu lists: the birth
written under "Nam" or "Nữ" of a merged "Ngày, tháng, năm sinh", or an "x" under a merged
"Giới tính", in CSV and in XLSX (real merged cells); rows marked under both or neither kept
with their reason."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from tests.api.test_ops import assert_problem
from tests.api.test_voter_lists import (
    HOME,
    ID_A,
    ID_B,
    all_rows,
    counts,
    csv_bytes,
    imported,
    post_list,
    reasons,
    w,  # noqa: F401 - the fixture
)

TOP = ["STT", "Họ và tên", "Ngày, tháng, năm sinh", "", "Số CCCD", "Nơi thường trú"]
SUB = ["", "", "Nam", "Nữ", "", ""]
ROWS = [["1", "Nguyễn Thị Ánh", "", "17/05/1985", ID_A, HOME],
        ["2", "Trần Văn Bình", "01/02/1990", "", ID_B, HOME],
        ["3", "Lê Văn Cường", "1970", "1970", "", HOME],  # both
        ["4", "Phạm Thị Dung", "", "", "", HOME]]  # neither


def xlsx(top, sub, rows, merge: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(top)
    sheet.append(sub)
    for cells in rows:
        sheet.append(cells)
    for where in merge:
        sheet.merge_cells(where)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check(job, rows):
    assert job["status"] == "completed_with_errors" and job["total_rows"] == 4
    assert reasons(job) == {5: {"voter_sex_both"}, 6: {"voter_sex_none"}}
    by_line = {e["line"]: e for e in job["errors"]}
    assert "Ngày, tháng, năm sinh" in by_line[5]["message"]
    assert [r["line"] for r in rows] == [3, 4, 5, 6]  # the data starts on the third line
    got = [(r["full_name"], r["sex"], r["birth_date"], r["birth_year"]) for r in rows]
    assert got == [("Nguyễn Thị Ánh", "female", "1985-05-17", 1985),
                   ("Trần Văn Bình", "male", "1990-02-01", 1990),
                   ("Lê Văn Cường", None, None, None), ("Phạm Thị Dung", None, None, None)]


class TestTwoHeaderRows:
    async def test_a_csv_with_the_birth_under_nam_or_nu(self, client, w):  # noqa: F811
        content = csv_bytes([SUB, *ROWS], header=TOP)
        job = await imported(client, w["officer"], content, w["area"])
        rows = await all_rows(client, w["officer"], job["voter_list_id"])
        _check(job, rows)
        assert rows[0]["cells"]["Ngày, tháng, năm sinh / Nữ"] == "17/05/1985"
        version = (await client.get(f"/api/v1/voter-lists/{job['voter_list_id']}",
                                    headers=w["officer"])).json()
        assert version["header"][2:4] == ["Ngày, tháng, năm sinh / Nam",
                                          "Ngày, tháng, năm sinh / Nữ"]
        assert version["row_count"] == 4

    async def test_an_xlsx_with_merged_cells_and_date_cells(self, client, w):  # noqa: F811
        rows = [[1, "Nguyễn Thị Ánh", None, datetime(1985, 5, 17), ID_A, HOME],
                [2, "Trần Văn Bình", datetime(1990, 2, 1), None, ID_B, HOME],
                [3, "Lê Văn Cường", 1970, 1970, None, HOME],
                [4, "Phạm Thị Dung", None, None, None, HOME]]
        # As offices merge them: the birth over its two columns, the others over two rows.
        content = xlsx(TOP, [None, None, "Nam", "Nữ", None, None], rows,
                       ["C1:D1", "A1:A2", "B1:B2", "E1:E2", "F1:F2"])
        job = await imported(client, w["officer"], content, w["area"],
                             filename="danh-sach.xlsx")
        _check(job, await all_rows(client, w["officer"], job["voter_list_id"]))

    async def test_an_xlsx_with_an_x_under_a_merged_sex_header(self, client, w):  # noqa: F811
        top = ["STT", "Họ và tên", "Năm sinh", "Giới tính", None, "Số CCCD"]
        rows = [[1, "Nguyễn Thị Ánh", 1985, None, "x", ID_A],
                [2, "Trần Văn Bình", 1990, "X", None, ID_B]]
        content = xlsx(top, [None, None, None, "Nam", "Nữ", None], rows,
                       ["D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2"])
        job = await imported(client, w["officer"], content, w["area"],
                             filename="danh-sach.xlsx")
        assert job["status"] == "succeeded" and job["errors"] == []
        got = [(r["sex"], r["birth_year"], r["line"])
               for r in await all_rows(client, w["officer"], job["voter_list_id"])]
        assert got == [("female", 1985, 3), ("male", 1990, 4)]

    @pytest.mark.parametrize("sub", [["", "", "Nam", "", "", ""], ["", "", "", "", "", ""]],
                             ids=["one-of-two", "blank"])
    async def test_without_nam_and_nu_the_file_lacks_its_birth(self, client, session, w,  # noqa: F811
                                                               sub):
        # A first row with a blank under the birth header reads as one header row: the
        # second cell is nobody's column, and the birth is in column "Cột 4".
        top = ["STT", "Họ và tên", "Giới tính", "", "Số CCCD"]
        before = await counts(session)
        resp = await post_list(client, w["officer"], csv_bytes([sub[:5], ["1", "An", "x", "",
                                                                          ""]], header=top),
                               w["area"])
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["code"] == "columns_missing"
        assert await counts(session) == before
