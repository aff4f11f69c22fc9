"""Administrative unit codes are never reused (Decision 19/2025/QĐ-TTg): checked alike on
PostgreSQL and on SQLite (tests/api/test_units.py, tests/test_sqlite_core.py)."""

from __future__ import annotations

import random


async def _ward(client, headers, province_id: str, name: str, code: str | None) -> dict:
    resp = await client.post("/api/v1/units", headers=headers, json={
        "kind": "ward", "name": name, "parent_id": province_id,
        **({"code": code} if code else {})})
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _patch(client, headers, unit: dict, **body):
    url = f"/api/v1/units/{unit['id']}"
    etag = (await client.get(url, headers=headers)).headers["etag"]
    return await client.patch(url, headers={**headers, "If-Match": etag}, json=body)


def _retired(resp, code: str, holder: str, lang: str = "vi") -> None:
    assert resp.status_code == 409, resp.text
    problem = resp.json()
    assert problem["code"] == "unit_code_retired"
    assert code in problem["detail"] and holder in problem["detail"], problem
    assert ("never reused" if lang == "en" else "không bao giờ") in problem["detail"]


async def check_codes_never_reused(client, headers: dict, province_id: str) -> None:
    """A code given up (the unit deleted, its code changed or cleared) is refused to every
    other unit, on create and on PATCH, naming the unit that had it; its own unit may take
    it back."""
    c1, c2, c3, c4, c5 = (f"{n:05d}" for n in random.Random().sample(range(60000, 99999), 5))
    old = await _ward(client, headers, province_id, "Phường Nhơn Hưng", c1)
    url = f"/api/v1/units/{old['id']}"
    etag = (await client.get(url, headers=headers)).headers["etag"]
    gone = await client.delete(url, headers={**headers, "If-Match": etag})
    assert gone.status_code == 204, gone.text
    again = await client.post("/api/v1/units", headers=headers, json={
        "kind": "ward", "name": "Phường Mới", "parent_id": province_id, "code": c1})
    _retired(again, c1, "Phường Nhơn Hưng")
    en = await client.post("/api/v1/units", headers={**headers, "Accept-Language": "en"},
                           json={"kind": "ward", "name": "Phường Mới",
                                 "parent_id": province_id, "code": c1})
    _retired(en, c1, "Phường Nhơn Hưng", "en")

    recoded = await _ward(client, headers, province_id, "Phường An Nhơn", c2)
    assert (await _patch(client, headers, recoded, code=c3)).status_code == 200
    other = await _ward(client, headers, province_id, "Phường Khác", c4)
    _retired(await _patch(client, headers, other, code=c2), c2, "Phường An Nhơn")
    _retired(await _patch(client, headers, other, code=c1), c1, "Phường Nhơn Hưng")
    back = await _patch(client, headers, recoded, code=c2)  # its own code, taken back
    assert back.status_code == 200 and back.json()["code"] == c2, back.text
    _retired(await client.post("/api/v1/units", headers=headers, json={
        "kind": "ward", "name": "Phường Ba", "parent_id": province_id, "code": c3}),
        c3, "Phường An Nhơn")

    cleared = await _patch(client, headers, other, code=None)
    assert cleared.status_code == 200 and cleared.json()["code"] is None, cleared.text
    _retired(await client.post("/api/v1/units", headers=headers, json={
        "kind": "ward", "name": "Phường Bốn", "parent_id": province_id, "code": c4}),
        c4, "Phường Khác")
    fresh = await _ward(client, headers, province_id, "Phường Năm", c5)  # never used: free
    assert fresh["code"] == c5
    taken = await client.post("/api/v1/units", headers=headers, json={
        "kind": "ward", "name": "Phường Sáu", "parent_id": province_id, "code": c5})
    assert taken.status_code == 409 and taken.json()["code"] == "unit_code_taken"
