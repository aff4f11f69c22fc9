"""Imports: CSV as Excel writes it and XLSX; dry runs, all-or-nothing, partial, re-import."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.register.columns import RESIDENT_COLUMNS
from domain.register.models import Household, Resident
from domain.types import uuid7
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    random_id_number,
)

HEADER = [label for _, label in RESIDENT_COLUMNS]


def csv_bytes(rows, *, sep=";", bom=True, encoding="utf-8") -> bytes:
    lines = [sep.join(HEADER)] + [sep.join(r) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def windows_1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes: letters plus combining tone marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += letter.encode("cp1258") + "".join(c for c in parts if c in tones).encode("cp1258")
    return out


def row(code, name="Nguyễn Văn Bình", born="17/05/1980", sex="Nam", id_number=None,
        relationship="Chủ hộ", phone="0912 345 678", status="Thường trú"):
    return [id_number if id_number is not None else random_id_number(int(born[-4:]),
            "male" if sex == "Nam" else "female"), name, born, sex, code, relationship,
            phone, status, "", ""]


@pytest.fixture
async def place(app, session):
    tree = await make_tree(session)
    prefix = f"IMP-{tree.group_a1.id.hex[-6:]}"
    households = [await make_household(session, tree.group_a1, code=f"{prefix}-{i}")
                  for i in range(3)]
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    return {"tree": tree, "households": households, "h": bearer(app, leader, [tree.group_a1])}


async def post(client, h, content: bytes, *, filename="nhan-khau.csv", kind="residents",
               **form):
    data = {"kind": kind, **{k: str(v).lower() if isinstance(v, bool) else str(v)
                             for k, v in form.items()}}
    return await client.post("/api/v1/imports", headers=h, data=data,
                             files={"file": (filename, content, "text/csv")})


async def count(session, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


class TestResidentsImport:
    async def test_import_then_reimport_is_a_no_op(self, client, session, place):
        codes = [hh.code for hh in place["households"]]
        content = csv_bytes([row(codes[0]), row(codes[1], name="Trần Thị Lan", sex="Nữ",
                                                born="02/09/1985", phone="+84 987 654 321"),
                             row(codes[1], name="Trần Minh Quân", born="2010",
                                 relationship="Con", phone="", id_number="")])
        resp = await post(client, place["h"], content)
        assert resp.status_code == 202, resp.text
        job = resp.json()
        assert resp.headers["location"] == f"/api/v1/imports/{job['id']}"
        assert job["status"] == "succeeded", job
        assert (job["created_count"], job["total_rows"]) == (3, 3)
        again = (await post(client, place["h"], content)).json()
        assert again["status"] == "succeeded"
        assert (again["created_count"], again["updated_count"], again["unchanged_count"]) == \
            (0, 0, 3)
        head = (await session.exec(select(Household).where(
            Household.code == codes[1]))).one()
        await session.refresh(head)
        assert head.head_id is not None
        followed = await client.get(f"/api/v1/imports/{job['id']}", headers=place["h"])
        assert followed.json()["id"] == job["id"]

    async def test_dry_run_reports_every_bad_row_and_writes_nothing(self, client, session,
                                                                     place):
        code = place["households"][0].code
        before = await count(session, Resident)
        content = csv_bytes([
            row(code),
            row(code, born="31/02/1990"),
            row(code, born="01/01/2999", id_number=""),
            row(code, id_number="05230400123A"),
            row(code, id_number="0523040012"),
            row("NO-SUCH-HOUSEHOLD"),
            row(code, sex="Không rõ"),
            row(code, phone="12345"),
            row(code, id_number="52304001234"),  # Excel dropped the leading 0
        ])
        job = (await post(client, place["h"], content, dry_run=True)).json()
        assert job["status"] == "failed" and job["rejected_count"] == 8
        found = {(e["line"], e["column"], e["code"]) for e in job["errors"]}
        assert found == {
            (3, "birth_date", "date_invalid"), (4, "birth_date", "birth_date_future"),
            (5, "id_number", "id_number_not_digits"), (6, "id_number", "id_number_length"),
            (7, "household_code", "household_unknown"), (8, "sex", "value_unknown"),
            (9, "phone", "phone_invalid"), (10, "id_number", "id_number_zero_lost")}
        hint = next(e for e in job["errors"] if e["line"] == 10)["message"]
        assert "số 0 ở đầu" in hint and "Văn bản (Text)" in hint
        assert all(e["message"] for e in job["errors"])
        assert await count(session, Resident) == before

    async def test_households_and_people_outside_the_callers_scope(self, client, session,
                                                                   place):
        """A group leader's file cannot reach a household of another commune, nor take a
        person living there into their own group by ID number."""
        tree = place["tree"]
        elsewhere = await make_household(session, tree.group_b1, code=f"ELSE-{uuid7().hex[-8:]}")
        lives_there = await make_resident(session, elsewhere, head=True,
                                          id_number=random_id_number(1975, "female"),
                                          sex="female", birth_date=date(1975, 3, 2),
                                          birth_year=1975, full_name="Trần Thị Hoa")
        code = place["households"][0].code
        content = csv_bytes([
            row(code),
            row(elsewhere.code),
            row(code, name="Trần Thị Hoa", born="02/03/1975", sex="Nữ",
                id_number=lives_there.id_number, relationship="Vợ"),
        ])
        job = (await post(client, place["h"], content, dry_run=True)).json()
        found = {(e["line"], e["column"], e["code"]) for e in job["errors"]}
        assert found == {(3, "household_code", "household_unknown"),
                         (4, "id_number", "id_number_registered_elsewhere")}
        # The reason names nothing of the record living there: no id, name or unit.
        for secret in (lives_there.id, lives_there.full_name, elsewhere.id, tree.group_b1.id,
                       tree.commune_b.id):
            assert str(secret) not in str(job), secret

    async def test_bad_rows_fail_everything_unless_partial(self, client, session, place):
        code = place["households"][0].code
        before = await count(session, Resident)
        content = csv_bytes([row(code), row(code, born="31/02/1990"),
                             row(code, name="Lê Văn C")])
        job = (await post(client, place["h"], content)).json()
        assert job["status"] == "failed" and job["created_count"] == 0
        assert await count(session, Resident) == before
        job = (await post(client, place["h"], content, partial=True)).json()
        assert job["status"] == "completed_with_errors"
        assert (job["created_count"], job["rejected_count"]) == (2, 1)
        assert await count(session, Resident) == before + 2

    async def test_english_row_messages(self, client, place):
        content = csv_bytes([row("NOPE")])
        job = (await post(client, {**place["h"], "Accept-Language": "en"}, content,
                          dry_run=True)).json()
        assert job["errors"][0]["message"].startswith("No household with this code")

    async def test_comma_separated_without_bom_and_xlsx(self, client, session, place):
        code = place["households"][2].code
        resp = await post(client, place["h"], csv_bytes([row(code)], sep=",", bom=False))
        assert resp.json()["created_count"] == 1
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(HEADER)
        number = random_id_number(1975, "female")
        sheet.append([int(number), "Phạm Thị Hồng", "03/04/1975", "Nữ", code, "Vợ/Chồng",
                      "0905123456", "Thường trú", "", ""])
        buffer = io.BytesIO()
        book.save(buffer)
        resp = await post(client, place["h"], buffer.getvalue(), filename="so.xlsx")
        assert resp.json()["status"] == "succeeded", resp.json()
        stored = (await session.exec(select(Resident).where(
            Resident.full_name == "Phạm Thị Hồng"))).one()
        assert stored.id_number == number  # the leading zero lost by Excel is restored

    @pytest.mark.parametrize(("content", "code"), [
        (csv_bytes([row("X")], bom=False, encoding="utf-16"), "file_utf16"),
        (windows_1258("Họ và tên;Mã hộ;Ngày sinh;Giới tính\r\nNguyễn Văn Bình;X;01/01/1990;"
                      "Nam\r\n"), "file_not_utf8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_not_spreadsheet"),
        ("Họ và tên;Ngày sinh\r\nA;01/01/1990\r\n".encode(), "columns_missing"),
        (b"", "file_empty"),
    ])
    async def test_unreadable_files_are_422(self, client, session, place, content, code):
        resp = await post(client, place["h"], content)
        assert_invalid(resp, {("body", "file"): code})

    async def test_volunteers_cannot_import(self, app, client, session, place):
        tree = place["tree"]
        volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        resp = await post(client, bearer(app, volunteer, [tree.group_a1]), csv_bytes([]))
        assert_problem(resp, 403, "forbidden")


class TestHouseholdsImport:
    async def test_households_into_a_group(self, client, session, place):
        tree = place["tree"]
        lines = ["Mã hộ;Đường;Số nhà;Loại hộ", "TP-NEW-1;Trần Phú;34/2;Thường trú",
                 "TP-NEW-2;Đường Không Có;5;Tạm trú"]
        content = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
        job = (await post(client, place["h"], content, kind="households",
                          group_id=tree.group_a1.id, partial=True)).json()
        assert job["status"] == "completed_with_errors", job
        assert job["created_count"] == 1
        assert job["errors"][0]["code"] == "street_unknown"
        created = (await session.exec(select(Household).where(
            Household.code == "TP-NEW-1"))).one()
        assert created.street_id == tree.street_a.id and created.house_number_sort == 34

    async def test_households_need_a_group(self, client, place):
        resp = await post(client, place["h"], b"Ma ho\r\nX\r\n", kind="households")
        assert_invalid(resp, {("body", "group_id"): "group_id_required"})


class TestRoundTrip:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    async def test_export_then_import_changes_nothing(self, client, session, place, fmt):
        """Both formats, with the address columns after the import's and, in XLSX, real date
        cells: the import passes over the first and reads the second back."""
        code = place["households"][0].code
        child = row(code, name="Lê Văn Cường", born="02/01/2001", id_number="",
                    relationship="Con", status="Tạm trú")
        content = csv_bytes([row(code), row(code, name="Ngô Thị Hạnh", sex="Nữ",
                                            relationship="Vợ/Chồng", born="1990"),
                             [*child[:8], "03/04/2020", ""]])
        job = (await post(client, place["h"], content)).json()
        assert job["created_count"] == 3, job["errors"]
        exported = await client.get(
            f"/api/v1/residents/export?household_id={place['households'][0].id}",
            headers=place["h"], params={"format": fmt})
        assert exported.status_code == 200
        job = (await post(client, place["h"], exported.content,
                          filename=f"export.{fmt}")).json()
        assert job["status"] == "succeeded", job["errors"]
        assert (job["created_count"], job["updated_count"], job["unchanged_count"]) == (0, 0, 3)

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    async def test_household_export_imports_back_unchanged(self, client, session, place, fmt):
        tree = place["tree"]
        exported = await client.get("/api/v1/households/export", headers=place["h"],
                                    params={"group_id": str(tree.group_a1.id), "format": fmt})
        assert exported.status_code == 200
        job = (await post(client, place["h"], exported.content, filename=f"ho.{fmt}",
                          kind="households", group_id=tree.group_a1.id)).json()
        assert job["status"] == "succeeded", job["errors"]
        assert (job["created_count"], job["updated_count"], job["unchanged_count"]) == (0, 0, 3)


    async def test_formula_like_text_is_guarded_in_the_csv_and_read_back(self, client, place):
        code = place["households"][0].code
        formula = '=HYPERLINK("http://example.invalid")'
        content = csv_bytes([row(code, name=formula, id_number="", born="17/05/1990")])
        job = (await post(client, place["h"], content)).json()
        assert job["created_count"] == 1, job["errors"]
        exported = await client.get(
            f"/api/v1/residents/export?household_id={place['households'][0].id}",
            headers=place["h"])
        cells = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert ["'" + formula] in [[c for c in r if c.startswith("'")] for r in cells[1:]]
        assert "+84912345678" in [c for r in cells for c in r]  # phones stay as they are
        job = (await post(client, place["h"], exported.content, filename="export.csv")).json()
        assert job["status"] == "succeeded", job["errors"]
        assert (job["created_count"], job["updated_count"]) == (0, 0)


class TestUpdates:
    async def test_reimport_with_changes_updates_and_moves(self, client, session, place):
        first, second = place["households"][0], place["households"][1]
        number = random_id_number(1980, "male")
        job = (await post(client, place["h"], csv_bytes([row(first.code, id_number=number)])))
        assert job.json()["created_count"] == 1
        changed = csv_bytes([row(second.code, id_number=number, phone="0987 111 222",
                                 relationship="Con")])
        job = (await post(client, place["h"], changed)).json()
        assert (job["created_count"], job["updated_count"]) == (0, 1), job
        stored = (await session.exec(select(Resident).where(Resident.id_number == number))).one()
        await session.refresh(stored)
        assert stored.household_id == second.id and stored.group_id == second.group_id
        assert stored.phone == "+84987111222" and stored.version == 2
