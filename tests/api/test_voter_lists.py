"""Voter lists end to end: a polling area's official list imported through the import
pipeline (CSV and XLSX, the list form's headers and their synonyms, a mapping sent or
saved), every row stored as it is with row reasons, versions and their difference, rows
masked without pii:read, scope between communes, and bad files that write nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import select

from api.app import create_app
from domain.access import Principal, Role, permissions_for
from domain.elections.models import VoterListRow, VoterListVersion
from domain.imports import service as imports
from domain.imports.models import ImportJob, ImportKind
from repositories.uow import SqlUnitOfWork
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import (
    bearer,
    make_election,
    make_polling_area,
    make_tree,
    make_user,
    make_voter_list,
    random_id_number,
)
from tests.conftest import make_settings

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc",
          "Nơi thường trú", "Ghi chú"]
ID_A, ID_B, ID_C = (random_id_number(1985, "female"), random_id_number(1990, "male"),
                    random_id_number(1970, "male"))
HOME = "12 Trần Phú, Phường Bình Định, Gia Lai"


def csv_bytes(rows, header=HEADER, sep=",") -> bytes:
    """As Excel writes 'CSV UTF-8': a BOM, quoted cells where needed, CRLF."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows([header, *rows])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def person(seq, name, born, sex="Nữ", id_number="", address=HOME, note=""):
    return [str(seq), name, born, sex, id_number, "Kinh", address, note]


FIRST = [person(1, "Nguyễn Thị Ánh", "17/05/1985", id_number=ID_A),
         person(2, "Trần Văn Bình", "1990-02-01", "Nam", ID_B),
         person(3, "Lê Văn Cường", "1970", "Nam", ID_C)]


@pytest.fixture
async def w(app, session):
    tree = await make_tree(session)
    election = await make_election(session)
    area = await make_polling_area(session, election, tree.commune_a, groups=[tree.group_a1])
    area_b = await make_polling_area(session, election, tree.commune_b, groups=[tree.group_b1])
    users = {
        "officer": (Role.election_officer, [tree.commune_a]),
        "ward": (Role.ward_officer, [tree.commune_a]),
        "officer_b": (Role.election_officer, [tree.commune_b]),
        "auditor": (Role.auditor, [tree.commune_a]),
        "leader": (Role.group_leader, [tree.group_a1]),
    }
    made = {k: await make_user(session, role=role, units=units)
            for k, (role, units) in users.items()}
    return {"tree": tree, "election": election, "area": area, "area_b": area_b, "users": made,
            **{k: bearer(app, made[k], users[k][1]) for k in users}}


async def post_list(client, h, content: bytes, area, *, filename="danh-sach.csv", **form):
    data = {"kind": "voter_list", "polling_area_id": str(area.id), **form}
    return await client.post("/api/v1/imports", headers=h, data=data,
                             files={"file": (filename, content, "text/csv")})


async def counts(session) -> tuple[int, int, int]:
    return (await session.scalar(select(func.count()).select_from(VoterListVersion)),
            await session.scalar(select(func.count()).select_from(VoterListRow)),
            await session.scalar(select(func.count()).select_from(ImportJob)))


async def imported(client, h, content, area, **form) -> dict:
    resp = await post_list(client, h, content, area, **form)
    assert resp.status_code == 202, resp.text
    job = resp.json()
    assert job["voter_list_id"], job
    return job


async def all_rows(client, h, version_id) -> list[dict]:
    resp = await client.get(f"/api/v1/voter-lists/{version_id}/rows?limit=200", headers=h)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def reasons(job) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for e in job["errors"]:
        out.setdefault(e["line"], set()).add(e["code"])
    return out


class TestImport:
    async def test_a_csv_list_is_stored_as_version_one_exactly_as_imported(self, client, w):
        job = await imported(client, w["officer"], csv_bytes(FIRST), w["area"])
        assert (job["status"], job["kind"], job["total_rows"]) == ("succeeded", "voter_list", 3)
        assert job["polling_area_id"] == str(w["area"].id) and job["errors"] == []
        version = (await client.get(f"/api/v1/voter-lists/{job['voter_list_id']}",
                                    headers=w["officer"])).json()
        assert (version["number"], version["row_count"], version["header"]) == (1, 3, HEADER)
        assert version["columns"]["Số CCCD"] == "id_number"
        assert version["counts"] == {"rows": 3, "with_id_number": 3, "with_birth_date": 2,
                                     "with_birth_year": 3, "with_sex": 3}
        rows = await all_rows(client, w["officer"], job["voter_list_id"])
        assert [r["line"] for r in rows] == [2, 3, 4]
        first = rows[0]
        assert first["cells"] == dict(zip(HEADER, FIRST[0], strict=True))
        assert (first["full_name"], first["name_folded"], first["birth_date"],
                first["birth_year"], first["sex"], first["id_number"]) == (
            "Nguyễn Thị Ánh", "nguyen thi anh", "1985-05-17", 1985, "female", ID_A)
        assert (rows[2]["birth_date"], rows[2]["birth_year"]) == (None, 1970)
        # The job links to the version it wrote; the commune's other officers follow it, its
        # group leaders and other communes do not.
        for h in ("officer", "ward"):
            again = (await client.get(f"/api/v1/imports/{job['id']}", headers=w[h])).json()
            assert again["voter_list_id"] == job["voter_list_id"]
        for h in ("leader", "officer_b"):
            assert_problem(await client.get(f"/api/v1/imports/{job['id']}", headers=w[h]),
                           404, "import_not_found")

    async def test_an_xlsx_list_with_synonym_headers_and_date_cells(self, client, w):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["TT", "Họ và tên cử tri", "Ngày, tháng, năm sinh", "Nam/Nữ", "Số ĐDCN",
                      "Nơi cư trú"])
        sheet.append([1, "Nguyễn Thị Ánh", datetime(1985, 5, 17), "Nữ", ID_A, HOME])
        sheet.append([2, "Trần Văn Bình", 1990, "nam", int(ID_B), HOME])  # zero lost
        out = io.BytesIO()
        book.save(out)
        job = await imported(client, w["officer"], out.getvalue(), w["area"],
                             filename="danh-sach.xlsx")
        assert job["status"] == "completed_with_errors"
        assert reasons(job) == {3: {"id_number_zero_lost"}}
        assert ID_B in job["errors"][0]["message"]  # the hint names the likely number
        rows = await all_rows(client, w["officer"], job["voter_list_id"])
        assert rows[0]["birth_date"] == "1985-05-17" and rows[0]["id_number"] == ID_A
        assert rows[1]["id_number"] is None and rows[1]["cells"]["Số ĐDCN"] == ID_B[1:]
        assert (rows[1]["birth_year"], rows[1]["sex"]) == (1990, "male")

    async def test_renamed_headers_are_mapped_by_the_columns_sent(self, client, w):
        header = ["Số", "Tên đầy đủ", "Sinh ngày", "Phái", "Mã định danh", "Chỗ ở"]
        body = csv_bytes([["1", "Nguyễn Thị Ánh", "17/05/1985", "Nữ", ID_A, HOME]], header)
        missing = await post_list(client, w["officer"], body, w["area"])
        assert_invalid(missing, {("body", "file"): "columns_missing"})
        columns = ('{"Tên đầy đủ": "full_name", "Sinh ngày": "birth_date", "Phái": "sex",'
                   ' "Mã định danh": "id_number"}')
        job = await imported(client, w["officer"], body, w["area"], columns=columns)
        [row] = await all_rows(client, w["officer"], job["voter_list_id"])
        assert (row["full_name"], row["sex"], row["id_number"], row["address"]) == (
            "Nguyễn Thị Ánh", "female", ID_A, None)
        assert row["cells"]["Chỗ ở"] == HOME  # unmapped, kept as imported

    async def test_a_mapping_naming_no_field_is_refused(self, client, session, w):
        before = await counts(session)
        resp = await post_list(client, w["officer"], csv_bytes(FIRST), w["area"],
                               columns='{"Họ và tên": "ten"}')
        assert_invalid(resp, {("body", "columns", "Họ và tên"): "voter_list_field_unknown"})
        resp = await post_list(client, w["officer"], csv_bytes(FIRST), w["area"],
                               columns="[1, 2]")
        assert_invalid(resp, {("body", "columns"): "voter_list_columns_invalid"})
        assert await counts(session) == before

    async def test_a_saved_mapping_is_used_by_name_or_id(self, client, w):
        columns = {"Tên đầy đủ": "full_name", "Sinh ngày": "birth_date"}
        resp = await client.post("/api/v1/voter-list-mappings", headers=w["officer"],
                                 json={"name": "Mẫu phường", "columns": columns})
        assert resp.status_code == 201, resp.text
        mapping = resp.json()
        assert mapping["commune_id"] == str(w["tree"].commune_a.id)
        assert resp.headers["location"] == f"/api/v1/voter-list-mappings/{mapping['id']}"
        assert_problem(await client.post("/api/v1/voter-list-mappings", headers=w["ward"],
                                         json={"name": "Mẫu phường", "columns": columns}),
                       409, "voter_list_mapping_taken")
        listed = (await client.get("/api/v1/voter-list-mappings", headers=w["ward"])).json()
        assert [m["name"] for m in listed["items"]] == ["Mẫu phường"]
        body = csv_bytes([["1", "Nguyễn Thị Ánh", "1985"]], ["STT", "Tên đầy đủ", "Sinh ngày"])
        for ref in ("Mẫu phường", mapping["id"]):
            job = await imported(client, w["officer"], body, w["area"], mapping=ref)
            [row] = await all_rows(client, w["officer"], job["voter_list_id"])
            assert (row["full_name"], row["birth_year"]) == ("Nguyễn Thị Ánh", 1985)
        resp = await post_list(client, w["officer"], body, w["area"], mapping="Không có")
        assert_invalid(resp, {("body", "mapping"): "voter_list_mapping_unknown",
                              ("body", "file"): "columns_missing"})

    async def test_a_missing_column_refuses_the_file_naming_it(self, client, session, w):
        before = await counts(session)
        body = csv_bytes([["1", "Nam", "Kinh"]], ["STT", "Giới tính", "Dân tộc"])
        resp = await post_list(client, w["officer"], body, w["area"])
        problem = assert_invalid(resp, {("body", "file"): "columns_missing"})
        message = problem["errors"][0]["message"]
        assert "Họ và tên" in message and "Ngày sinh" in message and "Năm sinh" in message
        assert await counts(session) == before

    async def test_mixed_date_formats_are_read_per_cell(self, client, w):
        rows = [person(1, "Một", "17/05/1985"), person(2, "Hai", "1985-05-17"),
                person(3, "Ba", "1985"), person(4, "Bốn", "31184"),  # an Excel serial
                person(5, "Năm", "5.3.1990"), person(6, "Sáu", "31/02/1990"),
                person(7, "Bảy", "2090")]
        job = await imported(client, w["officer"], csv_bytes(rows), w["area"])
        assert job["status"] == "completed_with_errors" and job["rejected_count"] == 0
        assert reasons(job) == {7: {"voter_birth_unreadable"}, 8: {"voter_birth_unreadable"}}
        got = [(r["birth_date"], r["birth_year"]) for r in
               await all_rows(client, w["officer"], job["voter_list_id"])]
        assert got == [("1985-05-17", 1985), ("1985-05-17", 1985), (None, 1985),
                       ("1985-05-17", 1985), ("1990-03-05", 1990), (None, None), (None, None)]

    async def test_duplicates_other_communes_and_bad_cells_are_kept_with_reasons(self, client,
                                                                               w):
        rows = [FIRST[0], FIRST[1], FIRST[0],
                person(4, "Phạm Văn Dũng", "1980", "Nam", address="5 Lê Lợi, Xã Ia Grai, Gia Lai"),
                person(5, "", "1981", "Khác", "12345"),
                person(6, "Đỗ Văn Em", "1982", "Nam", address="Xa lộ Hà Nội, Phường Bình Định")]
        job = await imported(client, w["officer"], csv_bytes(rows), w["area"])
        assert reasons(job) == {4: {"voter_row_duplicate"}, 5: {"voter_other_commune"},
                                6: {"missing", "value_unknown", "id_number_length"}}
        assert "dòng 2" in next(e["message"] for e in job["errors"] if e["line"] == 4)
        stored = await all_rows(client, w["officer"], job["voter_list_id"])
        assert len(stored) == 6 and stored[2]["cells"] == stored[0]["cells"]
        assert (stored[4]["full_name"], stored[4]["sex"], stored[4]["id_number"]) == (
            "", None, None)

    async def test_empty_utf16_and_non_spreadsheet_files_are_refused(self, client, session, w):
        before = await counts(session)
        for content, code in ((b"", "file_empty"), (b"\xef\xbb\xbf\r\n", "file_empty"),
                              ("STT,Họ và tên".encode("utf-16"), "file_utf16"),
                              (b"PK\x03\x04not a zip", "file_not_spreadsheet")):
            resp = await post_list(client, w["officer"], content, w["area"])
            assert_invalid(resp, {("body", "file"): code})
        assert await counts(session) == before
        # A header alone is accepted as a form and fails as a job: no version, no row.
        resp = await post_list(client, w["officer"], csv_bytes([]), w["area"])
        assert (resp.json()["status"], resp.json()["errors"][0]["code"]) == ("failed",
                                                                              "file_empty")
        assert (await counts(session))[:2] == before[:2]

    async def test_a_file_over_the_import_limit_is_a_413(self, session_factory, engine, w,
                                                         tmp_path):
        import httpx

        app = create_app(make_settings(max_import_bytes=2048, var_dir=tmp_path),
                         session_factory=session_factory, engine=engine)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            h = bearer(app, w["users"]["officer"], [w["tree"].commune_a])
            resp = await post_list(client, h, csv_bytes(FIRST * 40), w["area"])
        assert_problem(resp, 413, "payload_too_large")

    async def test_who_may_import_a_list(self, client, session, w):
        before = await counts(session)
        # A group leader imports the register, not lists; an election officer the reverse.
        assert_problem(await post_list(client, w["leader"], csv_bytes(FIRST), w["area"]),
                       403, "forbidden")
        assert_problem(await post_list(client, w["auditor"], csv_bytes(FIRST), w["area"]),
                       403, "forbidden")
        resp = await client.post("/api/v1/imports", headers=w["officer"],
                                 data={"kind": "residents"},
                                 files={"file": ("x.csv", b"a,b\r\n", "text/csv")})
        assert_problem(resp, 403, "forbidden")
        resp = await client.post("/api/v1/imports", headers=w["officer"],
                                 data={"kind": "voter_list"},
                                 files={"file": ("x.csv", csv_bytes(FIRST), "text/csv")})
        assert_invalid(resp, {("body", "polling_area_id"): "voter_list_area_required"})
        assert await counts(session) == before

    async def test_a_polling_area_with_a_list_cannot_be_deleted(self, client, w):
        await imported(client, w["officer"], csv_bytes(FIRST), w["area"])
        etag = (await client.get(f"/api/v1/polling-areas/{w['area'].id}",
                                 headers=w["officer"])).headers["etag"]
        resp = await client.delete(f"/api/v1/polling-areas/{w['area'].id}",
                                   headers={**w["officer"], "If-Match": etag})
        assert_problem(resp, 409, "polling_area_in_use")


class TestVersions:
    async def test_a_reimport_is_version_two_with_the_difference(self, client, w):
        one = await imported(client, w["officer"], csv_bytes(FIRST), w["area"])
        second = [[*FIRST[0][:6], "5 Lê Lợi, Phường Bình Định", ""],  # moved house
                  person(2, "Lê Văn Cường", "01/01/1970", "Nam"),  # no ID now, a full date
                  person(3, "Hoàng Thị Dung", "2000", id_number=random_id_number(2000, "female"))]
        two = await imported(client, w["officer"], csv_bytes(second), w["area"])
        v2 = two["voter_list_id"]
        assert (await client.get(f"/api/v1/voter-lists/{v2}", headers=w["officer"])
                ).json()["number"] == 2
        listed = (await client.get(f"/api/v1/polling-areas/{w['area'].id}/voter-lists",
                                   headers=w["officer"])).json()
        assert [v["number"] for v in listed["items"]] == [2, 1]
        diff = (await client.get(f"/api/v1/voter-lists/{v2}/diff", headers=w["officer"])).json()
        assert diff["against_id"] == one["voter_list_id"]
        assert (diff["added"], diff["removed"], diff["changed"], diff["unchanged"]) == (1, 1, 2, 0)
        got = {(i["change"], i["row"]["full_name"]): i["fields"] for i in diff["items"]}
        assert got == {("changed", "Nguyễn Thị Ánh"): ["address"],
                       ("changed", "Lê Văn Cường"): ["birth_date", "id_number"],
                       ("added", "Hoàng Thị Dung"): [], ("removed", "Trần Văn Bình"): []}
        moved = next(i for i in diff["items"] if i["row"]["full_name"] == "Nguyễn Thị Ánh")
        assert moved["before"]["address"] == HOME
        # Against an explicit version; and the first version is all added.
        back = (await client.get(f"/api/v1/voter-lists/{one['voter_list_id']}/diff?against={v2}",
                                 headers=w["officer"])).json()
        assert (back["added"], back["removed"], back["changed"]) == (1, 1, 2)
        first = (await client.get(f"/api/v1/voter-lists/{one['voter_list_id']}/diff",
                                  headers=w["officer"])).json()
        assert (first["against_id"], first["added"], first["removed"]) == (None, 3, 0)
        paged = (await client.get(f"/api/v1/voter-lists/{v2}/diff?limit=3",
                                  headers=w["officer"])).json()
        rest = (await client.get(f"/api/v1/voter-lists/{v2}/diff?limit=3&cursor="
                                 f"{paged['next_cursor']}", headers=w["officer"])).json()
        assert len(paged["items"]) == 3 and len(rest["items"]) == 1
        assert rest["next_cursor"] is None and rest["items"][0]["change"] == "removed"

    async def test_rows_are_paged_in_file_order(self, client, session, w):
        version = await make_voter_list(session, w["area"], [
            {"full_name": f"Người {i}", "birth_year": 1980 + i} for i in range(5)])
        url = f"/api/v1/voter-lists/{version.id}/rows?limit=2&include_total=true"
        seen, cursor = [], None
        while True:
            page = (await client.get(url + (f"&cursor={cursor}" if cursor else ""),
                                     headers=w["officer"])).json()
            assert page["total"] == 5
            seen += [r["line"] for r in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == [2, 3, 4, 5, 6]
        assert_problem(await client.get(url + "&cursor=bogus", headers=w["officer"]), 422,
                       "validation_failed")

    async def test_a_role_without_pii_read_sees_rows_masked(self, client, session, w):
        version = await make_voter_list(session, w["area"], [
            {"full_name": "Nguyễn Thị Ánh", "birth_date": date(1985, 5, 17), "sex": "female",
             "id_number": ID_A}])
        [row] = await all_rows(client, w["auditor"], version.id)
        assert row["id_number"] == "********" + ID_A[-4:]
        assert (row["birth_date"], row["birth_year"], row["cells"]) == (None, 1985, None)
        assert row["masked_fields"] == ["id_number", "birth_date", "cells"]
        [full] = await all_rows(client, w["officer"], version.id)
        assert full["id_number"] == ID_A and full["masked_fields"] == []
        # The officer's diff is kept for the next pages; the auditor's is still masked.
        diff = (await client.get(f"/api/v1/voter-lists/{version.id}/diff",
                                 headers=w["officer"])).json()
        assert diff["items"][0]["row"]["id_number"] == ID_A
        diff = (await client.get(f"/api/v1/voter-lists/{version.id}/diff",
                                 headers=w["auditor"])).json()
        assert diff["items"][0]["row"]["id_number"] == "********" + ID_A[-4:]
        assert diff["items"][0]["row"]["birth_date"] is None


class TestScope:
    async def test_another_communes_officer_sees_nothing(self, client, session, w):
        version = await make_voter_list(session, w["area"], [{"full_name": "Nguyễn Thị Ánh"}])
        # The diff its own officer asked for is kept: the other commune still gets a 404.
        resp = await client.get(f"/api/v1/voter-lists/{version.id}/diff", headers=w["officer"])
        assert resp.status_code == 200 and resp.json()["added"] == 1
        h = w["officer_b"]
        for tail in ("", "/rows", "/diff"):
            assert_problem(await client.get(f"/api/v1/voter-lists/{version.id}{tail}",
                                            headers=h), 404, "voter_list_not_found")
        assert_problem(await client.get(f"/api/v1/polling-areas/{w['area'].id}/voter-lists",
                                        headers=h), 404, "polling_area_not_found")
        mine = await make_voter_list(session, w["area_b"], [{"full_name": "Trần Văn Bình"}])
        assert_problem(await client.get(f"/api/v1/voter-lists/{mine.id}/diff?against="
                                        f"{version.id}", headers=h), 404, "voter_list_not_found")
        before = await counts(session)
        assert_problem(await post_list(client, h, csv_bytes(FIRST), w["area"]), 404,
                       "polling_area_not_found")
        assert await counts(session) == before

    async def test_a_group_leader_reads_the_area_but_not_its_lists(self, client, session, w):
        version = await make_voter_list(session, w["area"], [{"full_name": "Nguyễn Thị Ánh"}])
        page = (await client.get(f"/api/v1/polling-areas/{w['area'].id}/voter-lists",
                                 headers=w["leader"])).json()
        assert page["items"] == []
        assert_problem(await client.get(f"/api/v1/voter-lists/{version.id}/rows",
                                        headers=w["leader"]), 404, "voter_list_not_found")

    async def test_mappings_stay_in_their_commune(self, client, w):
        resp = await client.post("/api/v1/voter-list-mappings", headers=w["officer"],
                                 json={"name": "Mẫu", "columns": {"Tên": "full_name"}})
        mapping = resp.json()
        assert_problem(await client.get(f"/api/v1/voter-list-mappings/{mapping['id']}",
                                        headers=w["officer_b"]), 404,
                       "voter_list_mapping_not_found")
        assert (await client.get("/api/v1/voter-list-mappings", headers=w["officer_b"])
                ).json()["items"] == []
        resp = await client.post("/api/v1/voter-list-mappings", headers=w["officer_b"], json={
            "commune_id": str(w["tree"].commune_a.id), "name": "X",
            "columns": {"Tên": "full_name"}})
        assert_problem(resp, 404, "unit_not_found")


def _principal(user, units) -> Principal:
    return Principal(subject_id=user.id, name=user.display_name, role=user.role,
                     unit_ids=frozenset(u.id for u in units),
                     permissions=permissions_for(user.role),
                     levels=(("commune", frozenset(u.id for u in units)),))


class TestNothingPartial:
    async def _job(self, session, w, tmp_path: Path, content: bytes) -> tuple[ImportJob, Path]:
        officer = w["users"]["officer"]
        who = _principal(officer, [w["tree"].commune_a])
        job = ImportJob(kind=ImportKind.voter_list, filename="ds.csv", file_sha256="0" * 64,
                        polling_area_id=w["area"].id, status="running",
                        created_by_id=officer.id, submitted_by=who.snapshot())
        session.add(job)
        await session.flush()
        path = tmp_path / f"{job.id}.csv"
        path.write_bytes(content)
        return job, path

    async def test_a_cancelled_import_writes_no_version(self, session_factory, session, w,
                                                        tmp_path):
        rows = [person(i, f"Người {i}", "1980") for i in range(12_000)]  # three batches
        job, path = await self._job(session, w, tmp_path, csv_bytes(rows))
        calls = []

        async def progress(n: int) -> bool:
            calls.append(n)
            return len(calls) > 2  # asked to stop once two batches were written

        who = Principal.from_snapshot(job.submitted_by)
        async with SqlUnitOfWork(session_factory) as uow:
            done = await imports.run_import(uow, who, job.id, path, progress)
        assert done.status == "cancelled"
        assert await session.scalar(select(func.count()).select_from(VoterListVersion).where(
            VoterListVersion.import_job_id == job.id)) == 0
        assert await session.scalar(select(func.count()).select_from(VoterListRow)) == 0

    async def test_a_file_breaking_far_down_fails_and_writes_no_version(self, client, session,
                                                                       w):
        rows = [person(i, f"Người {i}", "1980") for i in range(2000)]
        content = csv_bytes(rows) + b"9999,\xff\xfe bad,1980\r\n"
        assert len(content) > 65536  # past what the upload check reads
        resp = await post_list(client, w["officer"], content, w["area"])
        assert resp.status_code == 202, resp.text
        job = resp.json()
        assert (job["status"], job["voter_list_id"]) == ("failed", None)
        assert job["errors"][0]["code"] == "file_not_utf8"
        assert await session.scalar(select(func.count()).select_from(VoterListRow)) == 0

    async def test_an_area_out_of_reach_when_the_job_runs_fails_it(self, session_factory,
                                                                   session, w, tmp_path):
        job, path = await self._job(session, w, tmp_path, csv_bytes(FIRST))
        outsider = _principal(w["users"]["officer_b"], [w["tree"].commune_b])

        async def progress(n: int) -> bool:
            return False

        async with SqlUnitOfWork(session_factory) as uow:
            done = await imports.run_import(uow, outsider, job.id, path, progress)
        assert done.status == "failed"
        assert done.errors[0]["code"] == "polling_area_not_found"
        assert await session.scalar(select(func.count()).select_from(VoterListVersion)) == 0

