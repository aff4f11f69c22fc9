"""Reconciliation end to end: a commune's official list against its register, every kind of
discrepancy found, officers' resolutions (each action, twice, after finalising, the wrong
action), a re-run after the register changed, the queued path, and scope between communes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.elections import tasks
from domain.elections.models import (
    Discrepancy,
    DiscrepancyResolution,
    Exclusion,
    Reconciliation,
)
from tests.api.test_ops import assert_problem
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

KINDS = {"missing_from_list", "under_age", "deceased", "moved_away", "excluded",
         "listed_twice", "unknown_to_register", "data_mismatch", "ambiguous_match"}


def row(resident, **over) -> dict:
    return {"full_name": resident.full_name, "birth_date": resident.birth_date,
            "sex": str(resident.sex),
            "id_number": resident.id_number, **over}


@pytest.fixture
async def w(app, session):
    return await commune_with_a_list(app, session)


async def commune_with_a_list(app, session) -> dict:
    """Commune A's register (three households, two namesakes) and its polling area's
    official list, with one row for each kind of difference the team found by hand."""
    tree = await make_tree(session)
    officer = await make_user(session, role=Role.election_officer, units=[tree.commune_a])
    officer_b = await make_user(session, role=Role.election_officer, units=[tree.commune_b])
    auditor = await make_user(session, role=Role.auditor, units=[tree.commune_a])
    election = await make_election(session)
    area = await make_polling_area(session, election, tree.commune_a,
                                   groups=[tree.group_a1, tree.group_a2])
    far = await make_household(session, tree.group_a1, street=tree.street_a, house_number="34")
    near = await make_household(session, tree.group_a1, street=tree.street_a, house_number="8")
    other = await make_household(session, tree.group_a2, house_number="5")
    p = {}
    p["chu"] = await make_resident(session, far, head=True, full_name="Nguyễn Văn Chủ",
                                   birth_date=date(1970, 2, 1), id_number="052070000101")
    p["anh"] = await make_resident(session, far, full_name="Trần Thị Ánh", sex="female",
                                   relationship="spouse", birth_date=date(1975, 6, 9),
                                   id_number="052175000102")
    p["be"] = await make_resident(session, far, full_name="Nguyễn Văn Bé",
                                  birth_date=date(2010, 1, 1), id_number="052210000103")
    p["lan"] = await make_resident(session, far, full_name="Nguyễn Thị Lan", sex="female",
                                   birth_date=date(2000, 3, 3), id_number="052300000104")
    p["mat"] = await make_resident(session, near, head=True, full_name="Lê Văn Mất",
                                   birth_date=date(1940, 1, 5), id_number="052040000201",
                                   residence_status="deceased")
    p["di"] = await make_resident(session, near, full_name="Lê Thị Đi", sex="female",
                                  birth_date=date(1980, 7, 7), id_number="052180000202",
                                  residence_status="moved_out")
    p["tu"] = await make_resident(session, near, full_name="Lê Văn Tù",
                                  birth_date=date(1982, 8, 8), id_number="052082000203")
    p["hoa"] = await make_resident(session, near, full_name="Lê Thị Hoa", sex="female",
                                   birth_date=date(1990, 4, 2), id_number="052190000204")
    p["hai"] = await make_resident(session, other, head=True, full_name="Phạm Văn Hai",
                                   birth_date=date(1960, 9, 9), id_number="052060000301")
    for _ in range(2):  # two people nobody can tell apart from a row with a name and a year
        home = await make_household(session, tree.group_a2, house_number="9")
        await make_resident(session, home, head=True, full_name="Đỗ Văn Nam",
                            birth_date=None, birth_year=1985)
    session.add(Exclusion(election_id=election.id, resident_id=p["tu"].id,
                          province_id=tree.province.id, commune_id=tree.commune_a.id,
                          group_id=tree.group_a1.id, reason="serving_prison_term",
                          document_ref="Bản án 12/2025", recorded_by_id=officer.id,
                          recorded_by_name="Cán bộ"))
    version = await make_voter_list(session, area, [
        row(p["chu"]), row(p["anh"], id_number="052175000109"),  # one wrong digit
        row(p["be"]), row(p["mat"]), row(p["di"]), row(p["tu"]),
        row(p["hoa"], full_name="Le Thi Hoa"),  # no diacritics
        row(p["hai"]), row(p["hai"]),  # twice
        {"full_name": "Hoàng Văn Lạ", "birth_date": date(1977, 1, 1), "sex": "male",
         "id_number": "052077999999"},
        {"full_name": "Đỗ Văn Nam", "birth_year": 1985, "sex": "male"},
    ])
    await session.flush()
    return {"tree": tree, "election": election, "area": area, "version": version, "p": p,
            "officer": bearer(app, officer, [tree.commune_a]),
            "officer_b": bearer(app, officer_b, [tree.commune_b]),
            "auditor": bearer(app, auditor, [tree.commune_a])}


async def _run(client, w, who="officer") -> dict:
    resp = await client.post(f"/api/v1/elections/{w['election'].id}/reconciliations",
                             headers=w[who], json={"unit_id": str(w["tree"].commune_a.id)})
    assert resp.status_code == 202, resp.text
    assert resp.headers["location"] == f"/api/v1/reconciliations/{resp.json()['id']}"
    return resp.json()


async def _items(client, w, run_id, **params) -> list[dict]:
    resp = await client.get(f"/api/v1/reconciliations/{run_id}/discrepancies",
                            headers=w["officer"], params={"limit": 200, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def _one(items, kind, resident=None) -> dict:
    found = [d for d in items if d["kind"] == kind
             and (resident is None or d["resident_id"] == str(resident.id))]
    assert len(found) == 1, (kind, items)
    return found[0]


async def _resolve(client, w, d, action, who="officer", **body):
    return await client.post(f"/api/v1/discrepancies/{d['id']}/resolution", headers=w[who],
                             json={"action": action, "note": "Đã kiểm tra tại hộ", **body})


class TestRun:
    async def test_every_kind_of_difference_is_found_with_its_evidence(self, client, w):
        run = await _run(client, w)
        assert run["status"] == "succeeded", run
        assert run["list_version_ids"] == [str(w["version"].id)]
        items = await _items(client, w, run["id"])
        assert {d["kind"] for d in items} == KINDS
        p = w["p"]
        assert _one(items, "missing_from_list", p["lan"])["rule"] == "eligible_not_listed"
        assert _one(items, "under_age", p["be"])["rule"] == "eligibility:under_age"
        assert _one(items, "deceased", p["mat"])["row_id"]
        _one(items, "moved_away", p["di"])
        assert _one(items, "excluded", p["tu"])["rule"].startswith("eligibility:excluded")
        twice = _one(items, "listed_twice", p["hai"])
        assert len(twice["other_row_ids"]) == 1
        assert _one(items, "unknown_to_register")["resident_id"] is None
        assert "full_name:diacritics" in _one(items, "data_mismatch", p["hoa"])["fields"]
        assert "id_number" in _one(items, "data_mismatch", p["anh"])["fields"]
        assert len(_one(items, "ambiguous_match")["candidates"]) == 2
        assert all(d["is_new"] and d["status"] == "open" for d in items)
        assert run["counts"]["data_mismatch"] == 2 and sum(run["counts"].values()) == len(items)
        assert run["changes"] == {"new": len(items), "gone": 0, "same": 0}
        only = await _items(client, w, run["id"], kind="deceased")
        assert [d["kind"] for d in only] == ["deceased"]

    async def test_a_discrepancy_carries_the_row_the_record_and_the_actions(self, client, w):
        run = await _run(client, w)
        d = _one(await _items(client, w, run["id"]), "data_mismatch", w["p"]["hoa"])
        resp = await client.get(f"/api/v1/discrepancies/{d['id']}", headers=w["officer"])
        assert resp.status_code == 200, resp.text
        got = resp.json()
        assert got["row"]["full_name"] == "Le Thi Hoa"
        assert got["row"]["id_number"] == "052190000204"
        assert got["resident"]["full_name"] == "Lê Thị Hoa"
        assert "correct_list" in got["allowed_actions"]

    async def test_without_pii_read_the_row_is_masked(self, client, w):
        run = await _run(client, w)
        d = _one(await _items(client, w, run["id"]), "deceased")
        resp = await client.get(f"/api/v1/discrepancies/{d['id']}", headers=w["auditor"])
        assert resp.status_code == 200, resp.text
        got = resp.json()["row"]
        assert got["full_name"] == "Lê Văn Mất"
        assert got["birth_date"] is None and got["cells"] is None
        assert got["id_number"] != "052040000201" and got["id_number"].endswith("0201")
        assert set(got["masked_fields"]) >= {"birth_date", "id_number"}

    async def test_a_second_run_while_one_is_queued_is_a_409(self, client, session, w):
        tree = w["tree"]
        session.add(Reconciliation(election_id=w["election"].id, unit_id=tree.commune_a.id,
                                   province_id=tree.province.id, commune_id=tree.commune_a.id,
                                   status="running"))
        await session.flush()
        before = await session.scalar(select(func.count()).select_from(Discrepancy))
        resp = await client.post(f"/api/v1/elections/{w['election'].id}/reconciliations",
                                 headers=w["officer"], json={"unit_id": str(tree.commune_a.id)})
        assert_problem(resp, 409, "reconciliation_running")
        assert await session.scalar(select(func.count()).select_from(Discrepancy)) == before
        assert await session.scalar(select(func.count()).select_from(Reconciliation)) == 1

    async def test_a_unit_without_lists_is_a_422(self, client, session, w):
        other = await make_election(session, name="Bầu cử bổ sung")
        resp = await client.post(f"/api/v1/elections/{other.id}/reconciliations",
                                 headers=w["officer"],
                                 json={"unit_id": str(w["tree"].commune_a.id)})
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["code"] == "reconciliation_no_lists"

    async def test_a_big_run_is_queued_and_the_job_runs_it(self, app, client, session, w):
        app.state.settings.reconcile_inline_rows = 0
        run = await _run(client, w)
        assert run["status"] == "queued"
        await tasks.reconcile(app.state.runtime, reconciliation_id=run["id"])
        resp = await client.get(f"/api/v1/reconciliations/{run['id']}", headers=w["officer"])
        done = resp.json()
        assert done["status"] == "succeeded" and done["started_at"] and done["finished_at"]
        assert {d["kind"] for d in await _items(client, w, run["id"])} == KINDS

    async def test_a_crashing_run_is_failed_and_writes_nothing(self, client, session, w,
                                                                monkeypatch):
        from domain.elections import reconciliation

        def boom(*args, **kwargs):
            raise RuntimeError("matcher bug")

        monkeypatch.setattr(reconciliation, "differences", boom)
        run = await _run(client, w)
        assert run["status"] == "failed" and run["error"]["code"] == "internal_error"
        assert await session.scalar(select(func.count()).select_from(Discrepancy)) == 0

    async def test_runs_are_listed_latest_first(self, client, w):
        first, second = await _run(client, w), await _run(client, w)
        resp = await client.get(f"/api/v1/elections/{w['election'].id}/reconciliations",
                                headers=w["officer"])
        assert [r["id"] for r in resp.json()["items"]] == [second["id"], first["id"]]
        assert second["previous_id"] == first["id"]


class TestResolve:
    async def test_each_action_that_fits_is_recorded_and_audited(self, client, session, w):
        items = await _items(client, w, (await _run(client, w))["id"])
        p = w["p"]
        cases = [(_one(items, "missing_from_list"), "add_to_list", {}),
                 (_one(items, "deceased"), "remove_from_list", {"legal_reason": "deceased"}),
                 (_one(items, "moved_away"), "correct_register", {}),
                 (_one(items, "data_mismatch", p["hoa"]), "correct_list", {}),
                 (_one(items, "unknown_to_register"), "no_change", {}),
                 (_one(items, "under_age"), "false_match", {})]
        for d, action, extra in cases:
            resp = await _resolve(client, w, d, action, **extra)
            assert resp.status_code == 201, resp.text
            assert resp.json()["action"] == action and resp.json()["key"] == d["key"]
        events = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "discrepancy.resolve"))).all()
        assert len(events) == len(cases)
        resolved = await _items(client, w, items[0]["reconciliation_id"], status="resolved")
        assert {d["id"] for d in resolved} == {d["id"] for d, _, _ in cases}
        assert all(d["resolution"]["note"] for d in resolved)

    async def test_resolving_twice_is_a_409(self, client, session, w):
        d = _one(await _items(client, w, (await _run(client, w))["id"]), "deceased")
        first = await _resolve(client, w, d, "remove_from_list", legal_reason="deceased")
        assert first.status_code == 201
        again = await _resolve(client, w, d, "false_match")
        assert_problem(again, 409, "discrepancy_already_resolved")
        assert await session.scalar(select(func.count()).select_from(
            DiscrepancyResolution)) == 1

    async def test_an_action_that_does_not_fit_names_those_that_do(self, client, session, w):
        d = _one(await _items(client, w, (await _run(client, w))["id"]), "unknown_to_register")
        resp = await _resolve(client, w, d, "add_to_list")
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["body", "action"]
        assert body["errors"][0]["code"] == "resolution_action_not_allowed"
        assert "remove_from_list" in body["errors"][0]["message"]
        assert await session.scalar(select(func.count()).select_from(
            DiscrepancyResolution)) == 0

    async def test_remove_from_list_needs_its_legal_reason_and_a_note(self, client, w):
        d = _one(await _items(client, w, (await _run(client, w))["id"]), "deceased")
        body = assert_problem(await _resolve(client, w, d, "remove_from_list"), 422,
                              "validation_failed")
        assert body["errors"][0]["code"] == "resolution_legal_reason_required"
        resp = await client.post(f"/api/v1/discrepancies/{d['id']}/resolution",
                                 headers=w["officer"], json={"action": "remove_from_list",
                                                             "legal_reason": "deceased"})
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["body", "note"]

    async def test_an_older_runs_discrepancy_is_outdated(self, client, w):
        old = _one(await _items(client, w, (await _run(client, w))["id"]), "deceased")
        await _run(client, w)
        assert_problem(await _resolve(client, w, old, "remove_from_list",
                                      legal_reason="deceased"), 409, "discrepancy_outdated")

    async def test_another_commune_sees_nothing(self, client, w):
        run = await _run(client, w)
        d = _one(await _items(client, w, run["id"]), "deceased")
        b = w["officer_b"]
        assert_problem(await client.get(f"/api/v1/reconciliations/{run['id']}", headers=b),
                       404, "reconciliation_not_found")
        assert_problem(await client.get(f"/api/v1/reconciliations/{run['id']}/discrepancies",
                                        headers=b), 404, "reconciliation_not_found")
        assert_problem(await client.get(f"/api/v1/discrepancies/{d['id']}", headers=b), 404,
                       "discrepancy_not_found")
        assert_problem(await _resolve(client, w, d, "remove_from_list", who="officer_b",
                                      legal_reason="deceased"), 404, "discrepancy_not_found")
        area = w["area"].id
        assert_problem(await client.get(f"/api/v1/polling-areas/{area}/voter-list",
                                        headers=b), 404, "polling_area_not_found")
        listed = await client.get(f"/api/v1/elections/{w['election'].id}/reconciliations",
                                  headers=b)
        assert listed.json()["items"] == []
        summary = await client.get(f"/api/v1/elections/{w['election'].id}/summary", headers=b)
        assert summary.json()["areas"] == []
        assert_problem(await client.post(
            f"/api/v1/elections/{w['election'].id}/reconciliations", headers=b,
            json={"unit_id": str(w["tree"].commune_a.id)}), 404, "unit_not_found")


class TestAcrossCommunes:
    """A person lives in one commune, so a run reads and compares one commune at a time;
    a citizen on the lists of two communes is still found, by the ID number."""

    async def _listed_in_b(self, session, w):
        chu = w["p"]["chu"]
        area_b = await make_polling_area(session, w["election"], w["tree"].commune_b,
                                         groups=[w["tree"].group_b1], code="02")
        await make_voter_list(session, area_b, [row(chu, full_name="Nguyễn Văn Chủ")])
        await session.flush()
        return chu

    async def test_a_citizen_on_another_communes_list_is_listed_twice(self, client, session,
                                                                       w):
        chu = await self._listed_in_b(session, w)
        items = await _items(client, w, (await _run(client, w))["id"])
        twice = _one(items, "listed_twice", chu)
        assert twice["rule"] == "same_id_number_other_area"
        assert len(twice["other_row_ids"]) == 1
        # Commune B's officer reconciles B: the row is nobody in B's register, and listed
        # in A too.
        resp = await client.post(f"/api/v1/elections/{w['election'].id}/reconciliations",
                                 headers=w["officer_b"],
                                 json={"unit_id": str(w["tree"].commune_b.id)})
        assert resp.status_code == 202, resp.text
        got = (await client.get(f"/api/v1/reconciliations/{resp.json()['id']}/discrepancies",
                                headers=w["officer_b"])).json()["items"]
        assert {d["kind"] for d in got} == {"unknown_to_register", "listed_twice"}
        assert all(d["commune_id"] == str(w["tree"].commune_b.id) for d in got)

    async def test_a_province_run_compares_each_commune_with_its_own_register(
            self, app, client, session, w):
        await self._listed_in_b(session, w)
        tree = w["tree"]
        boss = await make_user(session, role=Role.election_officer, units=[tree.province])
        headers = bearer(app, boss, [tree.province])
        resp = await client.post(f"/api/v1/elections/{w['election'].id}/reconciliations",
                                 headers=headers, json={"unit_id": str(tree.province.id)})
        assert resp.status_code == 202, resp.text
        run = resp.json()
        assert run["status"] == "succeeded", run
        got = (await client.get(f"/api/v1/reconciliations/{run['id']}/discrepancies",
                                headers=headers, params={"limit": 200})).json()["items"]
        alone = await _items(client, w, (await _run(client, w))["id"])
        in_a = [d for d in got if d["commune_id"] == str(tree.commune_a.id)]
        assert sorted(d["key"] for d in in_a) == sorted(d["key"] for d in alone)
        in_b = {d["kind"] for d in got if d["commune_id"] == str(tree.commune_b.id)}
        assert in_b == {"unknown_to_register", "listed_twice"}
        assert sum(run["counts"].values()) == len(got)


class TestRerun:
    async def test_a_rerun_keeps_resolutions_that_still_apply(self, client, session, w):
        first = await _run(client, w)
        items = await _items(client, w, first["id"])
        dead = _one(items, "deceased")
        missing = _one(items, "missing_from_list", w["p"]["lan"])
        assert (await _resolve(client, w, dead, "remove_from_list",
                               legal_reason="deceased")).status_code == 201
        assert (await _resolve(client, w, missing, "add_to_list")).status_code == 201
        lan = w["p"]["lan"]  # the register changes: Lan moved away, she is missing no more
        lan.residence_status = "moved_out"
        session.add(lan)
        await session.flush()
        second = await _run(client, w)
        assert second["previous_id"] == first["id"]
        assert second["changes"] == {"new": 0, "gone": 1, "same": len(items) - 1}
        again = await _items(client, w, second["id"])
        kept = _one(again, "deceased")
        assert kept["status"] == "resolved" and not kept["is_new"]
        assert kept["resolution"]["discrepancy_id"] == dead["id"]
        assert not [d for d in again if d["kind"] == "missing_from_list"]
        gone = (await session.exec(select(DiscrepancyResolution).where(
            DiscrepancyResolution.key == missing["key"]))).one()
        await session.refresh(gone)
        assert gone.superseded_at is not None
        assert (await _items(client, w, second["id"], is_new=True)) == []


class TestFinalise:
    async def test_open_discrepancies_block_it_then_it_is_final(self, client, session, w):
        run = await _run(client, w)
        items = await _items(client, w, run["id"])
        url = f"/api/v1/voter-lists/{w['version'].id}/finalise"
        body = assert_problem(await client.post(url, headers=w["officer"]), 409,
                              "voter_list_open_discrepancies")
        assert str(len(items)) in body["detail"]
        assert w["version"].finalised_at is None
        for d in items:
            action = "false_match" if d["kind"] in ("under_age", "deceased", "moved_away",
                                                     "excluded") else "no_change"
            assert (await _resolve(client, w, d, action)).status_code == 201
        resp = await client.post(url, headers=w["officer"])
        assert resp.status_code == 200, resp.text
        assert resp.json()["finalised_at"]
        assert_problem(await client.post(url, headers=w["officer"]), 409,
                       "voter_list_finalised")
        assert_problem(await client.post(url, headers=w["officer_b"]), 404,
                       "voter_list_not_found")

    async def test_a_list_never_reconciled_is_not_finalised(self, client, w):
        url = f"/api/v1/voter-lists/{w['version'].id}/finalise"
        assert_problem(await client.post(url, headers=w["officer"]), 409,
                       "voter_list_not_reconciled")

    async def test_resolving_after_the_list_was_finalised_is_a_409(self, client, session, w):
        from domain.types import utcnow

        d = _one(await _items(client, w, (await _run(client, w))["id"]), "deceased")
        w["version"].finalised_at = utcnow()
        session.add(w["version"])
        await session.flush()
        assert_problem(await _resolve(client, w, d, "remove_from_list",
                                      legal_reason="deceased"), 409, "voter_list_finalised")
        assert await session.scalar(select(func.count()).select_from(
            DiscrepancyResolution)) == 0
