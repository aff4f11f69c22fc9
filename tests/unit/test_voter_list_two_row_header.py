"""Two header rows as Mẫu lists lay them out: a sex or birth header merged over "Nam" | "Nữ"
(domain/elections/voter_list_rows.py `map_header`, `read_row`)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.elections.voter_list_rows import map_header, read_row

BIRTH_SPLIT = (["STT", "Họ và tên", "Ngày, tháng, năm sinh", "", "Số CCCD"],
               ["", "", "Nam", "Nữ", ""])
SEX_SPLIT = (["STT", "Họ và tên", "Năm sinh", "Giới tính", ""],
             ["", "", "", "Nam", "Nữ"])
ID = "052080000101"


def read(header, second, cells, mapping=None):
    mapped = map_header(header, mapping, second)
    record, reasons = read_row(3, mapped.names, mapped.fields, cells, commune="binh dinh",
                               today=date(2026, 12, 2), split=mapped.split)
    return mapped, record, [r.code for r in reasons]


class TestDetected:
    def test_birth_written_under_the_persons_sex(self):
        mapped, rec, reasons = read(*BIRTH_SPLIT, ["1", "Nguyễn Văn An", "17/05/1985", "", ID])
        assert mapped.rows == 2 and mapped.missing == []
        assert mapped.names == ["STT", "Họ và tên", "Ngày, tháng, năm sinh / Nam",
                                "Ngày, tháng, năm sinh / Nữ", "Số CCCD"]
        assert mapped.columns["Ngày, tháng, năm sinh / Nữ"] == "sex+birth_date"
        assert (rec["sex"], rec["birth_date"], reasons) == ("male", date(1985, 5, 17), [])
        _, rec, reasons = read(*BIRTH_SPLIT, ["2", "Trần Thị Lan", "", "1975", ""])
        assert (rec["sex"], rec["birth_date"], rec["birth_year"]) == ("female", None, 1975)
        # The cells stay exactly as imported, under the two rows' names.
        assert rec["cells"]["Ngày, tháng, năm sinh / Nữ"] == "1975"

    def test_an_x_under_a_sex_header_and_the_birth_of_its_own_column(self):
        for cells, sex in ((["1", "Nguyễn Văn An", "1985", "x", ""], "male"),
                           (["2", "Trần Thị Lan", "1975", "", "X"], "female")):
            mapped, rec, reasons = read(*SEX_SPLIT, cells)
            assert (rec["sex"], rec["birth_year"], reasons) == (sex, int(cells[2]), [])
        assert mapped.names[3:] == ["Giới tính / Nam", "Giới tính / Nữ"]

    def test_the_birth_under_a_sex_header_when_there_is_no_birth_column(self):
        header, second = ["Họ và tên", "Giới tính", ""], ["", "Nữ", "Nam"]  # Nữ first
        mapped, rec, reasons = read(header, second, ["Trần Thị Lan", "20/11/1975", ""])
        assert mapped.missing == [] and reasons == []
        assert (rec["sex"], rec["birth_date"]) == ("female", date(1975, 11, 20))
        _, rec, reasons = read(header, second, ["Nguyễn Văn An", "", "x"])
        assert (rec["sex"], rec["birth_year"], reasons) == ("male", None, [])

    def test_a_header_mapped_by_the_caller(self):
        header, second = ["Tên", "Sinh", ""], ["", "Nam", "Nữ"]
        mapped, rec, _ = read(header, second, ["Nguyễn Văn An", "1985", ""],
                              {"Tên": "full_name", "Sinh": "birth_date"})
        assert mapped.rows == 2 and (rec["sex"], rec["birth_year"]) == ("male", 1985)

    def test_another_merged_groups_sub_headers_name_their_columns(self):
        header = ["Họ và tên", "Ngày sinh", "", "Nơi cư trú", ""]
        second = ["", "Nam", "Nữ", "Thường trú", "Tạm trú"]
        mapped, rec, _ = read(header, second, ["Nguyễn Văn An", "1985", "", "34 Trần Phú", ""])
        assert mapped.names[3:] == ["Nơi cư trú / Thường trú", "Nơi cư trú / Tạm trú"]
        assert mapped.fields[3] == "address" and rec["address"] == "34 Trần Phú"

    def test_a_sex_column_of_its_own_wins(self):
        header = ["Họ và tên", "Giới tính", "Ngày sinh", ""]
        second = ["", "", "Nam", "Nữ"]
        _, rec, _ = read(header, second, ["Trần Thị Lan", "Nữ", "1975", ""])
        assert rec["sex"] == "female" and rec["birth_year"] == 1975


class TestRowReasons:
    @pytest.mark.parametrize(("header", "cells", "code"), [
        (BIRTH_SPLIT, ["1", "Nguyễn Văn An", "1985", "1985", ""], "voter_sex_both"),
        (BIRTH_SPLIT, ["1", "Nguyễn Văn An", "", "", ""], "voter_sex_none"),
        (SEX_SPLIT, ["1", "Nguyễn Văn An", "1985", "x", "x"], "voter_sex_both"),
        (SEX_SPLIT, ["1", "Nguyễn Văn An", "1985", "", ""], "voter_sex_none"),
    ])
    def test_both_or_neither(self, header, cells, code):
        mapped = map_header(header[0], None, header[1])
        record, reasons = read_row(3, mapped.names, mapped.fields, cells, commune="",
                                   split=mapped.split)
        assert [r.code for r in reasons] == [code] and record["sex"] is None
        assert reasons[0].line == 3 and reasons[0].column == "sex"
        assert mapped.split[0].label in reasons[0].message  # names the column
        assert "Nam" in reasons[0].message and "Nữ" in reasons[0].message

    def test_a_birth_split_marked_under_both_reads_no_birth(self):
        _, rec, _ = read(*BIRTH_SPLIT, ["1", "Nguyễn Văn An", "1985", "1986", ""])
        assert rec["birth_year"] is None and rec["birth_date"] is None


class TestNotASecondHeader:
    @pytest.mark.parametrize(("header", "second"), [
        # The first data row: a name under "Họ và tên".
        (["Họ và tên", "Giới tính", "", "Năm sinh"], ["Lê Văn Nam", "Nam", "Nữ", "1980"]),
        # Nam | Nữ under a header that is neither the sex nor the birth.
        (["Họ và tên", "Năm sinh", "Ghi chú", ""], ["", "", "Nam", "Nữ"]),
        # The second cell is not blank: two headers of their own.
        (["Họ và tên", "Giới tính", "Năm sinh"], ["", "Nam", "Nữ"]),
        # Only one of the two.
        (["Họ và tên", "Năm sinh", "Giới tính", ""], ["", "", "Nam", ""]),
    ])
    def test_a_one_row_header(self, header, second):
        mapped = map_header(header, None, second)
        assert mapped.rows == 1 and mapped.split == []
        assert mapped.names == [h or f"Cột {i + 1}" for i, h in enumerate(header)]

    def test_no_second_row_reads_as_before(self):
        assert map_header(BIRTH_SPLIT[0]).rows == 1
