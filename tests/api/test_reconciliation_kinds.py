"""Reconciliation's later kinds end to end: a listed person whose age the register cannot tell
(`birth_unknown`), one with no ballot in a commune by-election (`no_ballot`), one listed in
another polling area than the register's (`wrong_area`): found with their evidence, resolved
with the actions that fit, counted in the summary and applied by the corrected list; and the
summary's unit filter, which tells nothing of other communes."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest

from domain.access import Role
from domain.elections.export import MOVED_IN
from domain.elections.models import DiscrepancyKind
from tests.api.test_ops import assert_problem
from tests.api.test_reconciliation import _one, _resolve, row
from tests.builders import (
    bearer,
    make_election,
    make_household,
    make_polling_area,
    make_resident,
    make_tree,
    make_user,
    make_voter_list,
)


@pytest.fixture
async def w(app, session):
    """Commune A with two polling areas (01 over tổ Trần Phú, 02 over tổ Lê Lợi): 01's list
    holds a man the register has no birth for and a woman who lives in 02's group; 02's list
    holds its other resident."""
    tree = await make_tree(session)
    officer = await make_user(session, role=Role.election_officer, units=[tree.commune_a])
    officer_b = await make_user(session, role=Role.election_officer, units=[tree.commune_b])
    election = await make_election(session)
    one = await make_polling_area(session, election, tree.commune_a, groups=[tree.group_a1])
    two = await make_polling_area(session, election, tree.commune_a, groups=[tree.group_a2],
                                  code="02")
    home1 = await make_household(session, tree.group_a1, street=tree.street_a,
                                 house_number="3")
    home2 = await make_household(session, tree.group_a2, house_number="7")
    p = {
        "nobirth": await make_resident(session, home1, head=True, full_name="Trương Văn Sinh",
                                       birth_date=None, birth_year=None,
                                       id_number="052070000401"),
        "here": await make_resident(session, home1, full_name="Trương Thị Ở", sex="female",
                                    birth_date=date(1972, 4, 4), id_number="052172000402"),
        "away": await make_resident(session, home2, head=True, full_name="Mai Thị Khác",
                                    sex="female", birth_date=date(1966, 6, 6),
                                    id_number="052166000501"),
        "two": await make_resident(session, home2, full_name="Mai Văn Hai",
                                   birth_date=date(1990, 2, 2), id_number="052090000502"),
    }
    v1 = await make_voter_list(session, one, [
        row(p["nobirth"], birth_date=date(1970, 1, 1)), row(p["here"]), row(p["away"])])
    v2 = await make_voter_list(session, two, [row(p["two"])])
    await session.flush()
    return {"tree": tree, "election": election, "one": one, "two": two, "v1": v1, "v2": v2,
            "p": p, "officer": bearer(app, officer, [tree.commune_a]),
            "officer_b": bearer(app, officer_b, [tree.commune_b])}


async def _run(client, w, unit=None) -> dict:
    unit = unit or w["tree"].commune_a
    resp = await client.post(f"/api/v1/elections/{w['election'].id}/reconciliations",
                             headers=w["officer"], json={"unit_id": str(unit.id)})
    assert resp.status_code == 202, resp.text
    assert resp.json()["status"] == "succeeded", resp.text
    return resp.json()


async def _items(client, w, run) -> list[dict]:
    resp = await client.get(f"/api/v1/reconciliations/{run['id']}/discrepancies",
                            headers=w["officer"], params={"limit": 200})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def _csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))[1:]


class TestFound:
    async def test_birth_unknown_and_wrong_area_with_their_evidence(self, client, w):
        run = await _run(client, w)
        items = await _items(client, w, run)
        p = w["p"]
        assert sorted((d["kind"], d["resident_id"]) for d in items) == sorted([
            ("birth_unknown", str(p["nobirth"].id)), ("wrong_area", str(p["away"].id))])
        unknown = _one(items, "birth_unknown")
        assert unknown["rule"] == "eligibility:birth_unknown"
        assert unknown["fields"] == []  # the row's birth is no data_mismatch
        assert unknown["polling_area_id"] == str(w["one"].id)
        wrong = _one(items, "wrong_area")
        assert wrong["rule"] == "lives_in_other_area"
        assert wrong["polling_area_id"] == str(w["one"].id)  # the row's area
        assert wrong["candidates"] == [{"resident_id": str(p["away"].id), "score": 100.0,
                                        "polling_area_id": str(w["two"].id)}]
        # Listed, though elsewhere: not missing from 02 as well.
        assert run["counts"]["missing_from_list"] == 0
        assert run["counts"]["wrong_area"] == run["counts"]["birth_unknown"] == 1
        assert set(run["counts"]) == {k.value for k in DiscrepancyKind}

    async def test_the_detail_offers_the_actions_that_fit(self, client, w):
        items = await _items(client, w, await _run(client, w))
        got = {}
        for kind in ("birth_unknown", "wrong_area"):
            resp = await client.get(f"/api/v1/discrepancies/{_one(items, kind)['id']}",
                                    headers=w["officer"])
            assert resp.status_code == 200, resp.text
            got[kind] = resp.json()["allowed_actions"]
        assert got == {
            "birth_unknown": ["correct_register", "remove_from_list", "no_change",
                              "false_match"],
            "wrong_area": ["remove_from_list", "correct_register", "no_change",
                           "false_match"]}

    async def test_a_group_run_knows_the_neighbouring_areas_residents(self, client, w):
        # Only 01: Mai Thị Khác lives in 02, outside the run; still wrong_area, never
        # unknown_to_register, and nothing is reported of 02 itself.
        run = await _run(client, w, unit=w["tree"].group_a1)
        items = await _items(client, w, run)
        assert sorted(d["kind"] for d in items) == ["birth_unknown", "wrong_area"]
        assert {d["polling_area_id"] for d in items} == {str(w["one"].id)}
        assert _one(items, "wrong_area")["candidates"][0]["polling_area_id"] == str(
            w["two"].id)
        # Only 02: she is listed in 01 (outside the run), so not missing in 02.
        run = await _run(client, w, unit=w["tree"].group_a2)
        assert await _items(client, w, run) == []


class TestResolved:
    async def test_wrong_area_removed_here_is_listed_in_the_own_area(self, client, w):
        items = await _items(client, w, await _run(client, w))
        wrong = _one(items, "wrong_area")
        body = assert_problem(await _resolve(client, w, wrong, "add_to_list"), 422,
                              "validation_failed")
        assert body["errors"][0]["code"] == "resolution_action_not_allowed"
        assert (await _resolve(client, w, wrong, "remove_from_list",
                               legal_reason="not_resident")).status_code == 201
        one = _csv(await client.get(f"/api/v1/polling-areas/{w['one'].id}/voter-list",
                                    headers=w["officer"]))
        two = _csv(await client.get(f"/api/v1/polling-areas/{w['two'].id}/voter-list",
                                    headers=w["officer"]))
        assert [r[1] for r in one] == ["Trương Văn Sinh", "Trương Thị Ở"]
        assert [(r[1], r[7]) for r in two] == [("Mai Thị Khác", MOVED_IN),
                                                ("Mai Văn Hai", "")]

    async def test_removed_after_a_group_run_she_is_listed_in_her_own_area(self, client, w):
        run = await _run(client, w, unit=w["tree"].group_a1)  # 02's list not in the run
        wrong = _one(await _items(client, w, run), "wrong_area")
        assert (await _resolve(client, w, wrong, "remove_from_list",
                               legal_reason="not_resident")).status_code == 201
        two = _csv(await client.get(f"/api/v1/polling-areas/{w['two'].id}/voter-list",
                                    headers=w["officer"]))
        assert [(r[1], r[7]) for r in two] == [("Mai Thị Khác", MOVED_IN),
                                                ("Mai Văn Hai", "")]

    async def test_wrong_area_kept_no_change_stays_where_it_is(self, client, w):
        wrong = _one(await _items(client, w, await _run(client, w)), "wrong_area")
        assert (await _resolve(client, w, wrong, "no_change")).status_code == 201
        two = _csv(await client.get(f"/api/v1/polling-areas/{w['two'].id}/voter-list",
                                    headers=w["officer"]))
        assert [r[1] for r in two] == ["Mai Văn Hai"]

    async def test_birth_unknown_each_action(self, client, w):
        unknown = _one(await _items(client, w, await _run(client, w)), "birth_unknown")
        assert_problem(await _resolve(client, w, unknown, "add_to_list"), 422,
                       "validation_failed")
        assert (await _resolve(client, w, unknown, "no_change")).status_code == 201
        # Kept by the next run while the register still has no birth...
        again = _one(await _items(client, w, await _run(client, w)), "birth_unknown")
        assert again["status"] == "resolved"

    async def test_the_register_completed_the_difference_is_gone(self, client, session, w):
        await _run(client, w)
        person = w["p"]["nobirth"]
        person.birth_date, person.birth_year = date(1970, 1, 1), 1970
        session.add(person)
        await session.flush()
        items = await _items(client, w, await _run(client, w))
        assert [d["kind"] for d in items] == ["wrong_area"]


class TestSummary:
    async def test_counts_the_new_kinds(self, client, w):
        await _run(client, w)
        resp = await client.get(f"/api/v1/elections/{w['election'].id}/summary",
                                headers=w["officer"])
        assert resp.status_code == 200, resp.text
        areas = {a["code"]: a for a in resp.json()["areas"]}
        assert areas["01"]["counts"]["birth_unknown"] == 1
        assert areas["01"]["counts"]["wrong_area"] == 1
        assert areas["01"]["open"] == 2 and areas["02"]["open"] == 0
        # Eligible: the three with a birth; Trương Văn Sinh's age is not known.
        assert areas["01"]["eligible"] == 1 and areas["02"]["eligible"] == 2

    async def test_each_area_counts_the_latest_run_that_compared_its_list(self, client,
                                                                          session, w):
        """Area 01 last compared by the commune's run (one difference resolved since), 02 by
        a later run of its group alone, after a death: each area's counts are its own
        run's discrepancies, as that run's page lists them."""
        first = await _run(client, w)
        resp = await _resolve(client, w, _one(await _items(client, w, first), "birth_unknown"),
                              "no_change")
        assert resp.status_code == 201, resp.text
        w["p"]["two"].residence_status = "deceased"
        w["p"]["two"].status_changed_on = date(2026, 1, 5)
        session.add(w["p"]["two"])
        await session.flush()
        second = await _run(client, w, unit=w["tree"].group_a2)
        assert second["list_version_ids"] == [str(w["v2"].id)]
        resp = await client.get(f"/api/v1/elections/{w['election'].id}/summary",
                                headers=w["officer"])
        assert resp.status_code == 200, resp.text
        areas = {a["code"]: a for a in resp.json()["areas"]}
        for code, run in (("01", first), ("02", second)):
            area = w["one"] if code == "01" else w["two"]
            found = [d for d in await _items(client, w, run)
                     if d["polling_area_id"] == str(area.id)]
            kinds = {k.value: 0 for k in DiscrepancyKind}
            for d in found:
                kinds[d["kind"]] += 1
            assert areas[code]["counts"] == kinds, code
            closed = sum(1 for d in found if d["status"] == "resolved")
            assert (areas[code]["resolved"], areas[code]["open"]) == (
                closed, len(found) - closed), code
        assert areas["01"]["resolved"] == 1 and areas["01"]["open"] == 1
        # 02 keeps Mai Thị Khác (listed in 01); Mai Văn Hai died.
        assert areas["02"]["counts"]["deceased"] == 1 and areas["02"]["eligible"] == 1
        assert areas["01"]["eligible"] == 1

    async def test_a_unit_narrows_to_its_areas(self, client, w):
        url = f"/api/v1/elections/{w['election'].id}/summary"
        tree = w["tree"]
        for unit, codes in ((tree.group_a2, ["02"]), (tree.group_a1, ["01"]),
                            (tree.commune_a, ["01", "02"]), (tree.province, ["01", "02"])):
            resp = await client.get(url, headers=w["officer"], params={"unit_id": str(unit.id)})
            assert resp.status_code == 200, resp.text
            assert [a["code"] for a in resp.json()["areas"]] == codes, unit.name

    async def test_another_communes_unit_is_the_same_404_as_none(self, client, w):
        url = f"/api/v1/elections/{w['election'].id}/summary"
        tree = w["tree"]
        bodies = []
        for who, unit in (("officer", tree.commune_b.id), ("officer", tree.group_b1.id),
                          ("officer", uuid.uuid4()), ("officer_b", tree.commune_a.id),
                          ("officer_b", tree.group_a1.id), ("officer_b", uuid.uuid4())):
            resp = await client.get(url, headers=w[who], params={"unit_id": str(unit)})
            body = assert_problem(resp, 404, "unit_not_found")
            body["detail"] = body["detail"].replace(str(unit), "<id>")  # names what was asked
            bodies.append({k: v for k, v in body.items() if k not in ("request_id",
                                                                       "instance")})
        assert all(b == bodies[0] for b in bodies), bodies
        # A national election: everyone reads it, and sees only their own areas.
        resp = await client.get(url, headers=w["officer_b"])
        assert resp.status_code == 200 and resp.json()["areas"] == []

    async def test_a_by_election_elsewhere_is_the_same_404_as_none(self, client, session, w):
        tree = w["tree"]
        here = await make_election(session, commune_id=tree.commune_a.id,
                                   province_id=tree.province.id, name="Bầu cử bổ sung")
        await session.flush()
        bodies = []
        for election_id in (here.id, uuid.uuid4()):
            for params in ({}, {"unit_id": str(tree.commune_a.id)},
                           {"unit_id": str(tree.commune_b.id)}):
                resp = await client.get(f"/api/v1/elections/{election_id}/summary",
                                        headers=w["officer_b"], params=params)
                body = assert_problem(resp, 404, "election_not_found")
                body["detail"] = body["detail"].replace(str(election_id), "<id>")
                bodies.append({k: v for k, v in body.items()
                               if k not in ("request_id", "instance")})
        assert all(b == bodies[0] for b in bodies)
        resp = await client.get(f"/api/v1/elections/{here.id}/summary", headers=w["officer"])
        assert resp.status_code == 200, resp.text


class TestNoBallot:
    async def test_a_recent_temporary_resident_in_a_commune_by_election(self, app, client,
                                                                          session):
        tree = await make_tree(session)
        officer = await make_user(session, role=Role.election_officer, units=[tree.commune_a])
        election = await make_election(session, commune_id=tree.commune_a.id,
                                       province_id=tree.province.id,
                                       levels=["commune_council"],
                                       name="Bầu cử bổ sung HĐND phường")
        area = await make_polling_area(session, election, tree.commune_a,
                                       groups=[tree.group_a1])
        home = await make_household(session, tree.group_a1, house_number="9")
        recent = await make_resident(session, home, head=True, full_name="Đinh Văn Tạm",
                                     birth_date=date(1995, 5, 5), id_number="052095000601",
                                     residence_status="temporary",
                                     residence_since=date(2025, 10, 1))
        year = await make_resident(session, home, full_name="Đinh Thị Đủ", sex="female",
                                   birth_date=date(1996, 6, 6), id_number="052196000602",
                                   residence_status="temporary",
                                   residence_since=date(2025, 3, 15))  # 12 months exactly
        await make_voter_list(session, area, [row(recent), row(year)])
        await session.flush()
        w = {"election": election, "officer": bearer(app, officer, [tree.commune_a]),
             "tree": tree}
        run = await _run(client, w)
        items = await _items(client, w, run)
        assert [(d["kind"], d["resident_id"], d["rule"]) for d in items] == [
            ("no_ballot", str(recent.id), "eligibility:no_ballot")]
        d = items[0]
        body = assert_problem(await _resolve(client, w, d, "no_change"), 422,
                              "validation_failed")
        assert "remove_from_list" in body["errors"][0]["message"]
        assert (await _resolve(client, w, d, "remove_from_list",
                               legal_reason="no_ballot")).status_code == 201
        listed = _csv(await client.get(f"/api/v1/polling-areas/{area.id}/voter-list",
                                       headers=w["officer"]))
        assert [r[1] for r in listed] == ["Đinh Thị Đủ"]
