"""The README's "A fraud report, from the door to a warning", call for call, on the demo
group: if this test changes, the README's sequence changes with it (and the other way)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from repositories.demo import load_demo
from repositories.uow import SqlUnitOfWork
from tests.builders import PASSWORD

B = "/api/v1"


async def sign_in(client, username: str) -> dict[str, str]:
    """Step 1 (and again for each person): the password grant, as curl sends it."""
    resp = await client.post(f"{B}/auth/token", data={
        "grant_type": "password", "username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def test_a_fraud_report_from_the_door_to_a_warning(client, session_factory):
    async with SqlUnitOfWork(session_factory) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    v = await sign_in(client, "demo-volunteer")

    # 2. The campaign and the first door of the volunteer's walk.
    campaign = (await client.get(f"{B}/campaigns", headers=v)).json()["items"][0]
    stop = (await client.get(f"{B}/campaigns/{campaign['id']}/walk-list",
                             headers=v)).json()["items"][0]
    household, resident = stop["household_id"], stop["residents"][0]["resident_id"]

    # 3. Once per ward: a fraud-report category, when the commune has none yet.
    kinds = (await client.get(f"{B}/ticket-categories", params={"kind": "fraud_report"},
                              headers=v)).json()["items"]
    if not kinds:
        resp = await client.post(f"{B}/ticket-categories",
                                 headers=await sign_in(client, "demo-ward_officer"), json={
            "code": "lua-dao", "name": "Báo lừa đảo", "name_en": "Fraud report",
            "kind": "fraud_report", "default_priority": "high",
            "first_response_minutes": 120, "resolution_minutes": 960})
        assert resp.status_code == 201, resp.text

    # 4. The visit, with the fraud attempt the resident tells of.
    resp = await client.post(f"{B}/campaigns/{campaign['id']}/visits", headers=v, json={
        "client_visit_id": "demo-fraud-0001", "household_id": household,
        "visited_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
        "outcome": "met",
        "residents": [{"resident_id": resident, "actions": ["fraud_warning_given"],
                       "consent": {"given": True, "method": "verbal"}}],
        "needs": [{"category": "fraud_attempt", "resident_id": resident,
                   "description": "Có người gọi xưng là công an phường, đòi chuyển 20 triệu"
                                  " để xác minh tài khoản"}]})
    assert resp.status_code == 201, resp.text
    visit = resp.json()

    # 5. The visit's needs, and the fraud attempt made a ticket with one call.
    needs = (await client.get(f"{B}/visit-needs", params={"visit_id": visit["id"]},
                              headers=v)).json()["items"]
    assert [(n["category"], n["status"]) for n in needs] == [("fraud_attempt", "open")]
    resp = await client.post(f"{B}/visit-needs/{needs[0]['id']}/ticket", headers=v)
    assert resp.status_code == 201, resp.text
    ticket = resp.json()
    assert resp.headers["location"] == f"{B}/tickets/{ticket['id']}"
    assert (ticket["channel"], ticket["on_behalf"], ticket["requester_resident_id"]) == (
        "door_to_door", True, resident)
    assert (ticket["visit_id"], ticket["visit_need_id"]) == (visit["id"], needs[0]["id"])
    assert ticket["subject"].startswith("Báo lừa đảo: Có người gọi xưng là công an phường")
    assert ticket["team"] == "security_officer"
    again = await client.post(f"{B}/visit-needs/{needs[0]['id']}/ticket",
                              headers={**v, "Accept-Language": "en"})
    assert (again.status_code, again.json()["existing_id"]) == (409, ticket["id"])

    # 6. The security officer finds it on their queue, assigned to them.
    s = await sign_in(client, "demo-security_officer")
    me = (await client.get(f"{B}/me", headers=s)).json()
    queue = (await client.get(f"{B}/tickets", params={
        "team": "security_officer", "status": "new", "limit": 200}, headers=s)).json()
    mine = {t["id"]: t["assignee_id"] for t in queue["items"]}  # the demo may hold more
    assert mine[ticket["id"]] == me["id"]

    # 7. Acknowledges it, and 8. notes internally what they found.
    url = f"{B}/tickets/{ticket['id']}"
    resp = await client.post(f"{url}/transitions", headers=s, json={
        "to": "acknowledged", "note": "Cùng kịch bản với 3 tin báo tuần này"})
    assert (resp.status_code, resp.json()["status"]) == (200, "acknowledged")
    resp = await client.post(f"{url}/comments", headers=s, json={
        "body": "Số gọi đến 0909xxx đã có trong danh sách lừa đảo của công an tỉnh.",
        "visibility": "internal"})
    assert (resp.status_code, resp.json()["visibility"]) == (201, "internal")

    # 9. Publishes the warning to the ticket's group.
    resp = await client.post(f"{url}/warning", headers=s, json={
        "title": "Cảnh giác cuộc gọi giả danh công an phường",
        "body": "Công an không gọi điện yêu cầu chuyển tiền để xác minh tài khoản. Gặp cuộc"
                " gọi như vậy, hãy cúp máy và báo tổ trưởng.",
        "channels": ["community_group", "loudspeaker"]})
    assert resp.status_code == 201, resp.text
    notice = resp.json()
    assert resp.headers["location"] == f"{B}/announcements/{notice['id']}"
    assert (notice["category"], notice["status"], notice["unit_ids"]) == (
        "fraud_warning", "published", [ticket["group_id"]])
    linked = (await client.get(url, headers=s)).json()
    assert (linked["status"], linked["announcement_id"]) == ("acknowledged", notice["id"])
    lines = (await client.get(f"{url}/timeline", headers=s)).json()["items"]
    assert [(e["kind"], e["visibility"]) for e in lines] == [
        ("opened", "public"), ("assignment", "internal"), ("transition", "public"),
        ("comment", "internal"), ("published", "public")]

    # 10. The residents of the group read it among their announcements.
    r = await sign_in(client, "demo-resident")
    told = (await client.get(f"{B}/announcements", params={"category": "fraud_warning"},
                             headers=r)).json()["items"]
    assert (notice["id"], "Cảnh giác cuộc gọi giả danh công an phường") in [
        (a["id"], a["title"]) for a in told]
