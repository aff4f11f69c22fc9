"""A ward with one caller per role, a category per kind that matters, and helpers to open
and move tickets, shared by the tickets tests."""

from __future__ import annotations

from domain.access import Role
from tests.builders import bearer, make_household, make_resident, make_tree, make_user, make_walk

URL = "/api/v1/tickets"
ROLES = [Role.ward_officer, Role.group_leader, Role.volunteer, Role.security_officer,
         Role.auditor, Role.resident]


async def ward(app, client, session) -> dict:
    tree = await make_tree(session)
    home = await make_household(session, tree.group_a1, house_number="3")
    away = await make_household(session, tree.group_b1, house_number="9")
    people = {"tree": tree, "home": home, "away": away,
              "head": await make_resident(session, home, head=True, full_name="Lê Thị Hoa"),
              "stranger": await make_resident(session, away, head=True, full_name="Võ Văn B")}
    users = {}
    for role in ROLES:
        user = await make_user(session, role=role, units=[tree.group_a1] if role not in (
            Role.ward_officer,) else [tree.commune_a])
        users[role] = user
        people[role] = bearer(app, user, [tree.group_a1] if role != Role.ward_officer
                              else [tree.commune_a])
    await make_walk(session, users[Role.volunteer], [home])
    other = await make_user(session, role=Role.ward_officer, units=[tree.commune_b])
    people["other_officer"] = bearer(app, other, [tree.commune_b])
    people["users"] = {**users, "other_officer": other}
    admin = await make_user(session, role=Role.admin)
    people["admin"] = bearer(app, admin)
    await session.flush()
    for kind in ("app_help", "fraud_report"):
        resp = await client.post("/api/v1/ticket-categories", headers=people[Role.ward_officer],
                                 json={"code": kind, "name": f"Loại {kind}", "kind": kind,
                                       "default_team": "group_leader",
                                       "first_response_minutes": 240,
                                       "resolution_minutes": 1440,
                                       "commune_id": str(tree.commune_a.id)})
        assert resp.status_code == 201, resp.text
        people[kind] = resp.json()
    return people


def body(w, **over) -> dict:
    return {"subject": "Không kích hoạt được VNeID mức 2",
            "description": "Ứng dụng báo lỗi khi chụp CCCD.", "category_id": w["app_help"]["id"],
            "channel": "door_to_door", "household_id": str(w["home"].id),
            "requester_resident_id": str(w["head"].id), **over}


async def open_ticket(client, headers, payload) -> dict:
    resp = await client.post(URL, headers=headers, json=payload)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def move(client, headers, ticket_id, to, **extra):
    return await client.post(f"{URL}/{ticket_id}/transitions", headers=headers,
                             json={"to": to, **extra})


async def comment(client, headers, ticket_id, text, visibility):
    return await client.post(f"{URL}/{ticket_id}/comments", headers=headers,
                             json={"body": text, "visibility": visibility})
