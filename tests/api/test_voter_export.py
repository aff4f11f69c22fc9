"""The corrected voter list of a polling area (Mẫu 31/HĐBC): rows kept, removed and added by
the resolutions, corrections from the register, household and street order, numbering, and
the XLSX's title rows and date cells."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from domain.elections.export import COLUMNS
from tests.api.test_ops import assert_problem
from tests.api.test_reconciliation import _items, _one, _resolve, _run, commune_with_a_list


@pytest.fixture
async def w(app, session):
    return await commune_with_a_list(app, session)


def _csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert resp.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


async def _resolved(client, w):
    items = await _items(client, w, (await _run(client, w))["id"])
    p = w["p"]
    for d, action, extra in (
            (_one(items, "deceased"), "remove_from_list", {"legal_reason": "deceased"}),
            (_one(items, "moved_away"), "remove_from_list", {"legal_reason": "not_resident"}),
            (_one(items, "listed_twice"), "remove_from_list", {"legal_reason": "listed_twice"}),
            (_one(items, "missing_from_list", p["lan"]), "add_to_list", {}),
            (_one(items, "data_mismatch", p["hoa"]), "correct_list", {})):
        assert (await _resolve(client, w, d, action, **extra)).status_code == 201


class TestCorrectedList:
    async def test_the_csv_is_in_household_and_street_order_numbered(self, client, w):
        await _resolved(client, w)
        rows = _csv(await client.get(f"/api/v1/polling-areas/{w['area'].id}/voter-list",
                                     headers=w["officer"]))
        assert rows[0] == COLUMNS
        body = rows[1:]
        assert [r[0] for r in body] == [str(n) for n in range(1, len(body) + 1)]
        names = [r[1] for r in body]
        # Street order (8 before 34 Trần Phú, no street last), head first in each household,
        # then by relationship and birth; the
        # dead, the moved-away and the second Phạm Văn Hai are gone; Lan is added; Hoa is
        # spelt as the register spells her; the unplaced rows come last, as listed.
        assert names == ["Lê Văn Tù", "Lê Thị Hoa", "Nguyễn Văn Chủ", "Trần Thị Ánh",
                         "Nguyễn Thị Lan", "Nguyễn Văn Bé", "Phạm Văn Hai", "Hoàng Văn Lạ",
                         "Đỗ Văn Nam"]
        by_name = {r[1]: r for r in body}
        assert by_name["Nguyễn Thị Lan"][7] == "Bổ sung"
        assert by_name["Lê Thị Hoa"][7] == "Sửa theo sổ hộ tịch"
        assert by_name["Nguyễn Văn Chủ"][2:6] == ["01/02/1970", "Nam", "", "34 Trần Phú"]
        assert by_name["Đỗ Văn Nam"][2] == "1985"

    async def test_the_xlsx_has_title_rows_and_date_cells(self, client, w):
        await _resolved(client, w)
        resp = await client.get(f"/api/v1/polling-areas/{w['area'].id}/voter-list",
                                headers=w["officer"], params={"format": "xlsx"})
        assert resp.status_code == 200, resp.text
        sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
        values = list(sheet.iter_rows(values_only=True))
        assert "Mẫu số 31/HĐBC" in values[0][0]
        assert values[1][0] == w["election"].name
        assert w["area"].name in values[2][0]
        header = values.index(tuple(COLUMNS))
        first = values[header + 1]
        assert first[0] == 1 and first[1] == "Lê Văn Tù"
        assert first[2] == datetime(1982, 8, 8)
        cell = sheet.cell(header + 2, 3)
        assert cell.is_date and cell.number_format == "dd/mm/yyyy"
        assert [v[0] for v in values[header + 1:]] == list(range(1, 10))

    async def test_without_pii_read_birth_dates_are_years(self, client, w):
        await _resolved(client, w)
        rows = _csv(await client.get(f"/api/v1/polling-areas/{w['area'].id}/voter-list",
                                     headers=w["auditor"]))
        assert all(len(r[2]) in (0, 4) for r in rows[1:])

    async def test_an_area_without_a_list_is_a_404(self, client, session, w):
        from tests.builders import make_polling_area

        empty = await make_polling_area(session, w["election"], w["tree"].commune_a, code="02")
        assert_problem(await client.get(f"/api/v1/polling-areas/{empty.id}/voter-list",
                                        headers=w["officer"]), 404, "voter_list_not_found")


class TestSummary:
    async def test_per_area_counts_and_deadline_warnings(self, client, w):
        await _resolved(client, w)
        resp = await client.get(f"/api/v1/elections/{w['election'].id}/summary",
                                headers=w["officer"])
        assert resp.status_code == 200, resp.text
        [area] = resp.json()["areas"]
        assert area["listed"] == 11 and area["resolved"] == 5
        assert area["open"] == sum(area["counts"].values()) - 5
        # Chủ, Ánh, Lan, Tù excluded no; eligible: Chủ, Ánh, Lan, Hoa, Hai, two Nam
        assert area["eligible"] == 7
        assert area["counts"]["deceased"] == 1


def test_deadline_warnings_near_and_passed():
    from domain.elections.summary import deadline_warnings

    near = deadline_warnings(posting=date(2026, 2, 3), amendment=date(2026, 3, 14),
                             today=date(2026, 1, 30), open_count=2, within_days=7)
    assert [(x.code, x.days_left) for x in near] == [("list_posting_near", 4)]
    assert "2 sai lệch" in near[0].message
    late = deadline_warnings(posting=date(2026, 2, 3), amendment=date(2026, 3, 14),
                             today=date(2026, 3, 15), open_count=1, within_days=7)
    assert [x.code for x in late] == ["list_posting_passed", "amendment_deadline_passed"]
    assert deadline_warnings(posting=date(2026, 2, 3), amendment=date(2026, 3, 14),
                             today=date(2026, 3, 15), open_count=0, within_days=7) == []
