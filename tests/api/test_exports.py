"""Exports: the import's columns, the list's filters and scope, masking per role, the audit."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlmodel import select

from api.routers.register.exports import HOUSEHOLDS_EXAMPLE, RESIDENTS_EXAMPLE
from domain.access import Role
from domain.audit.models import AuditEvent
from domain.clock import today_vn
from domain.register.columns import (
    ADDRESS_COLUMNS,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_EXPORT_COLUMNS,
    RESIDENT_COLUMNS,
    RESIDENT_EXPORT_COLUMNS,
    from_csv_cell,
)
from tests.api.test_ops import assert_problem
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    random_id_number,
)

RESIDENTS = "/api/v1/residents/export"
HOUSEHOLDS = "/api/v1/households/export"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def world(app, session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1, street=tree.street_a,
                                      house_number="34/2")
    head = await make_resident(session, household, head=True, id_number=random_id_number(),
                               phone="+84912345678")
    child = await make_resident(session, household, full_name="Nguyễn Thị Ánh", sex="female",
                                birth_date=None, birth_year=2004)
    other_household = await make_household(session, tree.group_a2)
    other = await make_resident(session, other_household, head=True,
                                full_name="Trần Thị Bình", sex="female",
                                id_number=random_id_number(1980, "female"))

    async def headers(role: Role, units):
        return bearer(app, await make_user(session, role=role, units=units), units)

    return {"tree": tree, "household": household, "head": head, "child": child,
            "other_household": other_household, "other": other,
            "leader": await headers(Role.group_leader, [tree.group_a1]),
            "officer": await headers(Role.ward_officer, [tree.commune_a]),
            "auditor": await headers(Role.auditor, [tree.group_a1]),
            "volunteer": await headers(Role.volunteer, [tree.group_a1])}


def read_csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    assert resp.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))


def read_xlsx(resp) -> list[list]:
    """The sheet's values as openpyxl reads them (dates as datetimes, years as numbers)."""
    assert resp.status_code == 200, resp.text
    book = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True)
    rows = [["" if v is None else v for v in row]
            for row in book.worksheets[0].iter_rows(values_only=True)]
    width = len(rows[0])  # empty cells are not written, so short rows are padded back
    return [row + [""] * (width - len(row)) for row in rows]


def as_text(rows: list[list]) -> list[list[str]]:
    """XLSX values written as the CSV writes them: DD/MM/YYYY, a year as its digits."""
    return [[v.strftime("%d/%m/%Y") if isinstance(v, datetime) else str(v) for v in row]
            for row in rows]


def address(tree, group, *first: str) -> list[str]:
    """The address cells of a row in `group` of `tree`: the full address, then the units."""
    units = [group.name, tree.commune_a.name, tree.province.name]
    return [", ".join([" ".join(first), *units] if first else units), *units]


def names(rows: list[list[str]]) -> set[str]:
    return {row[1] for row in rows[1:]}


@pytest.mark.parametrize(("example", "columns"), [
    (RESIDENTS_EXAMPLE, RESIDENT_EXPORT_COLUMNS), (HOUSEHOLDS_EXAMPLE, HOUSEHOLD_EXPORT_COLUMNS)])
def test_the_documented_examples_have_the_exports_columns(example, columns):
    rows = list(csv.reader(io.StringIO(example, newline="")))
    assert rows[0] == [label for _, label in columns]
    assert [len(r) for r in rows] == [len(columns)] * len(rows)


class TestResidentsExport:
    async def test_csv_has_the_vietnamese_header_and_excel_framing(self, client, world):
        resp = await client.get(RESIDENTS, headers=world["leader"])
        rows = read_csv(resp)
        assert rows[0] == [label for _, label in RESIDENT_EXPORT_COLUMNS]
        # The import's columns first, as an import reads them back.
        assert rows[0][:len(RESIDENT_COLUMNS)] == [label for _, label in RESIDENT_COLUMNS]
        assert resp.headers["content-type"] == "text/csv; charset=utf-8"
        assert resp.headers["content-disposition"] == (
            f'attachment; filename="residents-{today_vn():%Y%m%d}.csv"')
        assert resp.content.count(b"\r\n") == len(rows)
        assert b"\n" not in resp.content.replace(b"\r\n", b"")

    async def test_leader_gets_their_group_only_with_full_values(self, client, world):
        rows = read_csv(await client.get(RESIDENTS, headers=world["leader"]))
        assert names(rows) == {"Nguyễn Văn An", "Nguyễn Thị Ánh"}
        head, tree = world["head"], world["tree"]
        assert [head.id_number, "Nguyễn Văn An", "17/05/1980", "Nam", world["household"].code,
                "Chủ hộ", "+84912345678", "Thường trú", "", "", "34/2", "Trần Phú",
                *address(tree, tree.group_a1, "34/2", "Trần Phú")] in rows
        child = next(r for r in rows if r[1] == "Nguyễn Thị Ánh")
        assert child[2] == "2004" and child[3] == "Nữ" and child[5] == "Con"

    async def test_ward_officer_gets_the_whole_commune(self, client, world):
        rows = read_csv(await client.get(RESIDENTS, headers=world["officer"]))
        assert names(rows) == {"Nguyễn Văn An", "Nguyễn Thị Ánh", "Trần Thị Bình"}

    async def test_volunteer_is_403(self, client, world):
        assert_problem(await client.get(RESIDENTS, headers=world["volunteer"]), 403,
                       "forbidden")

    async def test_no_token_is_401(self, client):
        assert_problem(await client.get(RESIDENTS), 401, "unauthorized")

    async def test_auditor_gets_masked_personal_data(self, client, world):
        resp = await client.get(RESIDENTS, headers=world["auditor"])
        rows = read_csv(resp)
        head = next(r for r in rows if r[1] == "Nguyễn Văn An")
        assert head[0] == "********" + world["head"].id_number[-4:]
        assert head[2] == "1980" and head[6] == "********5678"
        assert world["head"].id_number.encode() not in resp.content
        assert b"17/05/1980" not in resp.content and b"+8491" not in resp.content

    async def test_list_filters_apply(self, client, world):
        h = world["officer"]
        other = world["other_household"]
        rows = read_csv(await client.get(RESIDENTS, headers=h,
                                         params={"household_id": str(other.id)}))
        assert names(rows) == {"Trần Thị Bình"}
        rows = read_csv(await client.get(RESIDENTS, headers=h, params={"sex": "male"}))
        assert names(rows) == {"Nguyễn Văn An"}
        rows = read_csv(await client.get(RESIDENTS, headers=h, params={"q": "anh"}))
        assert names(rows) == {"Nguyễn Thị Ánh"}
        rows = read_csv(await client.get(RESIDENTS, headers=h, params={
            "street_id": str(world["tree"].street_a.id), "has_id_number": "true"}))
        assert names(rows) == {"Nguyễn Văn An"}

    async def test_rows_span_batches_once_each(self, client, session, world, monkeypatch):
        monkeypatch.setattr("repositories.register.exports.BATCH", 2)
        for i in range(4):
            await make_resident(session, world["household"], full_name=f"Phạm Văn {chr(75 + i)}")
        rows = read_csv(await client.get(RESIDENTS, headers=world["leader"]))
        assert sorted(r[1] for r in rows[1:]) == sorted(
            ["Nguyễn Văn An", "Nguyễn Thị Ánh"] + [f"Phạm Văn {chr(75 + i)}" for i in range(4)])

    async def test_xlsx_has_the_same_rows_as_the_csv(self, client, session, world):
        await make_resident(session, world["household"], full_name="=1+1 Lê",
                            residence_since=date(2020, 1, 2), residence_status="temporary")
        csv_rows = read_csv(await client.get(RESIDENTS, headers=world["leader"]))
        resp = await client.get(RESIDENTS, headers=world["leader"], params={"format": "xlsx"})
        assert resp.headers["content-type"] == XLSX_TYPE
        assert resp.headers["content-disposition"] == (
            f'attachment; filename="residents-{today_vn():%Y%m%d}.xlsx"')
        # The CSV guards formula-like text with an apostrophe (CSV injection); the XLSX
        # stores it as a text cell instead.
        tree = world["tree"]
        assert ["", "'=1+1 Lê", "17/05/1980", "Nam", world["household"].code, "Con", "",
                "Tạm trú", "02/01/2020", "", "34/2", "Trần Phú",
                *address(tree, tree.group_a1, "34/2", "Trần Phú")] in csv_rows
        assert as_text(read_xlsx(resp)) == [[from_csv_cell(c) for c in r] for r in csv_rows]
        book = openpyxl.load_workbook(io.BytesIO(resp.content))
        formula_like = [c for row in book.worksheets[0].iter_rows() for c in row
                        if c.value == "=1+1 Lê"]
        assert [c.data_type for c in formula_like] == ["s"]  # text, never a formula

    async def test_export_is_audited_with_filter_names_only(self, client, session, world):
        household_id = str(world["household"].id)
        await client.get(RESIDENTS, headers=world["leader"],
                         params={"household_id": household_id, "age_min": 18, "q": "an",
                                 "format": "xlsx"})
        event = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "residents.export").order_by(AuditEvent.id.desc()))).first()
        assert event is not None and event.object_type == "resident"
        assert event.details == {"format": "xlsx",
                                 "filters": ["age_min", "household_id", "q"]}
        assert household_id not in str(event.details)

    async def test_unknown_format_is_422(self, client, world):
        resp = await client.get(RESIDENTS, headers=world["leader"], params={"format": "pdf"})
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["query", "format"]

    async def test_bad_filter_is_422(self, client, world):
        resp = await client.get(RESIDENTS, headers=world["leader"], params={"age_min": -1})
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["query", "age_min"]


class TestHouseholdsExport:
    async def test_csv_with_street_name_and_head(self, client, world):
        resp = await client.get(HOUSEHOLDS, headers=world["leader"])
        rows = read_csv(resp)
        assert rows[0] == [label for _, label in HOUSEHOLD_EXPORT_COLUMNS]
        assert rows[0][:len(HOUSEHOLD_COLUMNS)] == [label for _, label in HOUSEHOLD_COLUMNS]
        tree = world["tree"]
        assert rows[1:] == [[world["household"].code, "Trần Phú", "34/2", "Thường trú", "",
                             world["head"].id_number,
                             *address(tree, tree.group_a1, "34/2", "Trần Phú")]]
        assert resp.headers["content-disposition"] == (
            f'attachment; filename="households-{today_vn():%Y%m%d}.csv"')

    async def test_auditor_sees_the_head_id_number_masked(self, client, world):
        rows = read_csv(await client.get(HOUSEHOLDS, headers=world["auditor"]))
        assert rows[1][5] == "********" + world["head"].id_number[-4:]

    async def test_filters_and_scope(self, client, world):
        tree = world["tree"]
        rows = read_csv(await client.get(HOUSEHOLDS, headers=world["officer"]))
        assert {r[0] for r in rows[1:]} == {world["household"].code,
                                            world["other_household"].code}
        rows = read_csv(await client.get(HOUSEHOLDS, headers=world["officer"],
                                         params={"group_id": str(tree.group_a2.id)}))
        assert [r[0] for r in rows[1:]] == [world["other_household"].code]
        rows = read_csv(await client.get(HOUSEHOLDS, headers=world["leader"],
                                         params={"group_id": str(tree.group_a2.id)}))
        assert rows[1:] == []

    async def test_xlsx_matches_csv_and_is_audited(self, client, session, world):
        csv_rows = read_csv(await client.get(HOUSEHOLDS, headers=world["officer"]))
        resp = await client.get(HOUSEHOLDS, headers=world["officer"],
                                params={"format": "xlsx", "street_id": str(
                                    world["tree"].street_a.id)})
        assert as_text(read_xlsx(resp)) == [csv_rows[0]] + [r for r in csv_rows[1:]
                                                            if r[1] == "Trần Phú"]
        event = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "households.export").order_by(AuditEvent.id.desc()))).first()
        assert event.details == {"format": "xlsx", "filters": ["street_id"]}

    async def test_volunteer_is_403(self, client, world):
        assert_problem(await client.get(HOUSEHOLDS, headers=world["volunteer"]), 403,
                       "forbidden")

    async def test_unknown_format_is_422(self, client, world):
        assert_problem(await client.get(HOUSEHOLDS, headers=world["leader"],
                                        params={"format": "pdf"}), 422, "validation_failed")


class TestCurrentAddress:
    """Every row carries the address as written since the 2025 reform: house number and
    street, residential group, commune, province; blanks are left out, never "None"."""

    async def test_each_kind_of_address_in_both_exports(self, client, session, world):
        tree = world["tree"]
        bare = await make_household(session, tree.group_a2, house_number="")
        await make_resident(session, bare, head=True, full_name="Lý Văn Bảy")
        await make_resident(session, group=tree.group_a2, full_name="Đinh Văn Tám")  # no home
        expected = {  # name or code → the address cells (house number and street first)
            "Nguyễn Văn An": ["34/2", "Trần Phú",
                              *address(tree, tree.group_a1, "34/2", "Trần Phú")],
            "Trần Thị Bình": ["12", "", *address(tree, tree.group_a2, "12")],
            "Lý Văn Bảy": ["", "", *address(tree, tree.group_a2)],
            "Đinh Văn Tám": ["", "", *address(tree, tree.group_a2)],
        }
        width = len(ADDRESS_COLUMNS) + 2
        for fmt in ("csv", "xlsx"):
            resp = await client.get(RESIDENTS, headers=world["officer"], params={"format": fmt})
            rows = read_csv(resp) if fmt == "csv" else as_text(read_xlsx(resp))
            assert rows[0][-width:] == ["Số nhà", "Đường", "Địa chỉ hiện nay",
                                        "Tổ dân phố/thôn", "Phường/xã", "Tỉnh/thành phố"]
            got = {r[1]: r[-width:] for r in rows[1:]}
            assert {k: got[k] for k in expected} == expected, fmt
            assert all("None" not in cell for r in rows for cell in r)
        households = {world["household"].code: expected["Nguyễn Văn An"],
                      world["other_household"].code: expected["Trần Thị Bình"],
                      bare.code: expected["Lý Văn Bảy"]}
        for fmt in ("csv", "xlsx"):
            resp = await client.get(HOUSEHOLDS, headers=world["officer"], params={"format": fmt})
            rows = read_csv(resp) if fmt == "csv" else as_text(read_xlsx(resp))
            got = {r[0]: [r[2], r[1], *r[-len(ADDRESS_COLUMNS):]] for r in rows[1:]}
            assert got == households, fmt

    async def test_the_old_address_stays_beside_the_current_one(self, client, session, world):
        household = world["household"]
        household.old_address_text = "34/2 Trần Phú, phường Bình Định, thị xã An Nhơn"
        await session.flush()
        rows = read_csv(await client.get(HOUSEHOLDS, headers=world["leader"]))
        [line] = rows[1:]
        assert line[4] == household.old_address_text
        assert line[6] == address(world["tree"], world["tree"].group_a1, "34/2", "Trần Phú")[0]

    async def test_a_unit_renamed_is_exported_by_its_new_name(self, client, session, world):
        tree = world["tree"]
        tree.group_a1.name = "Tổ dân phố Trần Phú Mới"
        await session.flush()
        rows = read_csv(await client.get(RESIDENTS, headers=world["leader"]))
        assert {r[-3] for r in rows[1:]} == {"Tổ dân phố Trần Phú Mới"}


DATE_KEYS = {"birth_date", "residence_since", "status_changed_on"}


class TestXlsxDates:
    """Every date column of the XLSX export holds date cells shown DD/MM/YYYY; a birth year
    alone (or a masked birth date) is a number; nothing else is a date; CSV keeps text."""

    async def test_date_columns_are_date_cells(self, client, session, world):
        household = world["household"]
        await make_resident(session, household, full_name="Võ Thị Mười", sex="female",
                            birth_date=date(1931, 2, 28), birth_year=1931,
                            residence_status="deceased", residence_since=date(1999, 12, 31),
                            status_changed_on=date(2025, 7, 1))
        resp = await client.get(RESIDENTS, headers=world["leader"], params={"format": "xlsx"})
        book = openpyxl.load_workbook(io.BytesIO(resp.content))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        keys = [key for key, _ in RESIDENT_EXPORT_COLUMNS]
        assert header == [label for _, label in RESIDENT_EXPORT_COLUMNS]
        rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
        assert set(rows) == {"Nguyễn Văn An", "Nguyễn Thị Ánh", "Võ Thị Mười"}
        dated = 0
        for row in rows.values():
            for key, cell in zip(keys, row, strict=False):
                if key in DATE_KEYS and isinstance(cell.value, datetime):
                    assert cell.is_date and cell.number_format == "dd/mm/yyyy", key
                    dated += 1
                else:
                    assert not cell.is_date, (key, cell.value)
        assert dated == 4  # An's birth date, Mười's three dates, none for Ánh (a year)
        mười = dict(zip(keys, (c.value for c in rows["Võ Thị Mười"]), strict=False))
        assert (mười["birth_date"].date(), mười["residence_since"].date(),
                mười["status_changed_on"].date()) == (date(1931, 2, 28), date(1999, 12, 31),
                                                      date(2025, 7, 1))
        ánh = dict(zip(keys, (c.value for c in rows["Nguyễn Thị Ánh"]), strict=False))
        assert ánh["birth_date"] == 2004 and rows["Nguyễn Thị Ánh"][2].data_type == "n"
        an = dict(zip(keys, (c.value for c in rows["Nguyễn Văn An"]), strict=False))
        assert an["id_number"] == world["head"].id_number  # text, its leading zero kept
        csv_rows = read_csv(await client.get(RESIDENTS, headers=world["leader"]))
        by_name = {r[1]: r for r in csv_rows[1:]}
        assert by_name["Võ Thị Mười"][2] == "28/02/1931"
        assert by_name["Võ Thị Mười"][8:10] == ["31/12/1999", "01/07/2025"]

    async def test_masked_birth_dates_are_years(self, client, world):
        resp = await client.get(RESIDENTS, headers=world["auditor"], params={"format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).worksheets[0]
        births = {row[1].value: row[2] for row in sheet.iter_rows(min_row=2)}
        assert {name: (c.value, c.is_date) for name, c in births.items()} == {
            "Nguyễn Văn An": (1980, False), "Nguyễn Thị Ánh": (2004, False)}
