"""Problems in Vietnamese are Vietnamese throughout: pydantic's real errors on real routes,
a body that is not JSON, an import's missing columns and its rows; English on request."""

from __future__ import annotations

import pytest
from sqlmodel import select

from domain.access import Role
from domain.register.models import Relationship, Resident
from tests.api.test_field_errors import ward  # noqa: F401  (fixture)
from tests.api.test_imports import place, post  # noqa: F401  (fixture)
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_user, random_id_number
from tests.unit.test_messages import english_words


def texts(body: dict) -> list[str]:
    return [body["title"], body["detail"], *(e["message"] for e in body.get("errors") or ())]


def assert_vietnamese(body: dict) -> None:
    for text in texts(body):
        assert text and not english_words(text), (text, body)


def assert_english(body: dict) -> None:
    for text in texts(body):
        assert english_words(text), (text, body)


def resident(world, **over):
    return {"household_id": str(world["household"].id), "full_name": "Trần Thị Lan",
            "sex": "female", "birth_date": "1990-01-01", **over}


# (body overrides, the fields' codes), each a real pydantic error of the residents' route.
CASES = [
    ({"birth_date": None, "birth_year": 1990.5}, {("body", "birth_year"): "int_from_float"}),
    ({"birth_date": "1990-01-01T10:30:00"},
     {("body", "birth_date"): "date_from_datetime_inexact"}),
    ({"sex": "alien"}, {("body", "sex"): "enum"}),
    ({"nickname": "Lan"}, {("body", "nickname"): "extra_forbidden"}),
    ({"full_name": "x" * 201}, {("body", "full_name"): "string_too_long"}),
    ({"full_name": None, "residence_status": 5},
     {("body", "full_name"): "string_type", ("body", "residence_status"): "enum"}),
    ({"birth_year": "nineteen ninety"}, {("body", "birth_year"): "int_parsing"}),
    ({"household_id": "not-an-id"}, {("body", "household_id"): "uuid_parsing"}),
    ({"residence_since": "31/12/2020"}, {("body", "residence_since"): "date_parsing"}),
]


class TestPydanticErrors:
    @pytest.mark.parametrize(("over", "expected"), CASES)
    async def test_each_in_vietnamese_then_english(self, client, ward, over, expected):  # noqa: F811
        body = {k: v for k, v in resident(ward, **over).items() if v is not None
                or k not in ("birth_date",)}
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=body)
        assert resp.headers["content-language"] == "vi"
        assert_vietnamese(assert_invalid(resp, expected))
        resp = await client.post("/api/v1/residents", json=body,
                                 headers={**ward["h"], "Accept-Language": "en"})
        assert_english(assert_invalid(resp, expected))

    async def test_a_missing_field(self, client, ward):  # noqa: F811
        body = resident(ward)
        del body["full_name"]
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=body)
        problem = assert_invalid(resp, {("body", "full_name"): "missing"})
        assert_vietnamese(problem)
        assert problem["errors"][0]["message"] == "Thiếu trường bắt buộc"

    async def test_choices_are_listed_in_vietnamese(self, client, ward):  # noqa: F811
        resp = await client.post("/api/v1/residents", headers=ward["h"],
                                 json=resident(ward, sex="alien"))
        message = assert_invalid(resp, {("body", "sex"): "enum"})["errors"][0]["message"]
        assert message == "Phải là một trong các giá trị: 'male', 'female'"

    async def test_a_literal_in_the_query_and_a_number_in_the_query(self, app, client, session):
        admin = await make_user(session, role=Role.admin)
        h = bearer(app, admin)
        resp = await client.get("/api/v1/audit-events?outcome=maybe", headers=h)
        problem = assert_invalid(resp, {("query", "outcome"): "literal_error"})
        assert_vietnamese(problem)
        assert "'success', 'denied', 'failed'" in problem["errors"][0]["message"]
        resp = await client.get("/api/v1/units?limit=2.5", headers=h)
        assert_vietnamese(assert_invalid(resp, {("query", "limit"): "int_parsing"}))


class TestMalformedJson:
    @pytest.mark.parametrize(("content", "line", "column"), [
        (b'{"full_name": ', 1, 15),
        (b'{\n  "full_name": "Lan",\n  "sex": female\n}', 3, 10),
        (b'[1, 2', 1, 6),
    ])
    async def test_the_place_is_given_in_vietnamese(self, client, ward, content, line, column):  # noqa: F811
        h = {**ward["h"], "Content-Type": "application/json"}
        resp = await client.post("/api/v1/residents", headers=h, content=content)
        problem = assert_problem(resp, 400, "malformed_json")
        assert_vietnamese(problem)
        assert problem["detail"] == (f"Nội dung không phải JSON hợp lệ (lỗi ở dòng {line}, "
                                     f"cột {column}).")
        resp = await client.post("/api/v1/residents", content=content,
                                 headers={**h, "Accept-Language": "en"})
        assert f"line {line}, column {column}" in resp.json()["detail"]
        assert "Expecting" not in resp.json()["detail"]


def sheet(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\ufeff" + "\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n").encode()


class TestImports:
    async def test_missing_columns_are_named_as_the_export_heads_them(self, client, place):  # noqa: F811
        content = sheet(["Giới tính", "Mã hộ"], [["Nam", "X"]])
        resp = await post(client, place["h"], content)
        problem = assert_invalid(resp, {("body", "file"): "columns_missing"})
        assert_vietnamese(problem)
        assert problem["errors"][0]["message"] == "Thiếu cột: Họ và tên, Ngày sinh"
        resp = await post(client, {**place["h"], "Accept-Language": "en"}, content)
        problem = assert_invalid(resp, {("body", "file"): "columns_missing"})
        assert problem["errors"][0]["message"] == "Missing columns: Họ và tên, Ngày sinh"
        assert not any("{" in text for text in texts(problem))

    async def test_a_newcomers_headers_import(self, client, session, place):  # noqa: F811
        code = place["households"][0].code
        number = random_id_number(1956, "male")
        content = sheet(
            ["STT", "Họ tên", "Ngày tháng năm sinh", "Giới", "Số CCCD", "Mã HGĐ",
             "QH với chủ hộ", "SĐT"],
            [["1", "Võ Văn Tám", "02/09/1956", "Nam", number, code, "Ba", "0905 123 456"]])
        job = (await post(client, place["h"], content)).json()
        assert job["status"] == "succeeded", job
        stored = (await session.exec(select(Resident).where(
            Resident.full_name == "Võ Văn Tám"))).one()
        assert stored.relationship == Relationship.parent  # "Ba", not "Bà"
        assert stored.id_number == number and stored.phone == "+84905123456"

    async def test_ba_typed_without_diacritics_is_a_row_error_naming_both(self, client, place):  # noqa: F811
        code = place["households"][0].code
        content = sheet(["Ho ten", "Ngay sinh", "Gioi tinh", "Ma ho", "Quan he"],
                        [["Nguyen Van Tam", "02/09/1956", "Nam", code, "ba"]])
        job = (await post(client, place["h"], content, dry_run=True)).json()
        assert [(e["column"], e["code"]) for e in job["errors"]] == [
            ("relationship", "relationship_ambiguous")]
        message = job["errors"][0]["message"]
        assert "“Ba” (cha/mẹ) hoặc “Bà” (ông/bà)" in message and not english_words(message)
        job = (await post(client, {**place["h"], "Accept-Language": "en"}, content,
                          dry_run=True)).json()
        assert "“Ba” (parent) or “Bà” (grandparent)" in job["errors"][0]["message"]
