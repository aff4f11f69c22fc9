"""The demo group tells the model's story through the API: day one as the report gives it."""

from __future__ import annotations

from repositories.demo import load_demo
from repositories.uow import SqlUnitOfWork
from tests.builders import PASSWORD


async def test_day_one_matches_the_report(client, session_factory):
    async with SqlUnitOfWork(session_factory) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    token = (await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "demo-ward_officer", "password": PASSWORD,
    })).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    campaigns = (await client.get("/api/v1/campaigns", headers=h)).json()["items"]
    assert [c["name"] for c in campaigns] == ["Tuyến đường số – Tổ dân phố Trần Phú"]
    campaign = campaigns[0]
    assert campaign["target_households"] == 684
    progress = (await client.get(f"/api/v1/campaigns/{campaign['id']}/progress",
                                 headers=h)).json()
    assert progress["households_reached"] >= 300  # "hơn 300 hộ gia đình"
    assert 170 <= progress["actions"]["invited_to_group"] < 200  # "gần 200 người dân"
    assert [d["key"] for d in progress["by_day"]] == ["2026-01-11"]
    group_id = campaign["group_ids"][0]
    group = (await client.get(f"/api/v1/units/{group_id}", headers=h)).json()
    assert group["name"] == "Tổ dân phố Trần Phú"
    residents = (await client.get(f"/api/v1/residents?group_id={group_id}&include_total=true"
                                  "&limit=1", headers=h)).json()
    assert residents["total"] == 2716


async def test_the_demo_volunteer_reads_their_walk(client, session_factory):
    """demo-volunteer reads the households of their walk list and their residents, masked,
    and no other household of the group."""
    async with SqlUnitOfWork(session_factory) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    token = (await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "demo-volunteer", "password": PASSWORD,
    })).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    campaign = (await client.get("/api/v1/campaigns", headers=h)).json()["items"][0]
    walk = (await client.get(f"/api/v1/campaigns/{campaign['id']}/walk-list",
                             headers=h)).json()["items"]
    assert 100 < len(walk) < 684
    households = (await client.get("/api/v1/households?include_total=true&limit=1",
                                   headers=h)).json()
    assert households["total"] == len(walk)
    residents = (await client.get("/api/v1/residents?include_total=true&limit=200",
                                  headers=h)).json()
    assert residents["total"] == sum(len(stop["residents"]) for stop in walk)
    assert all(r["birth_date"] is None for r in residents["items"])
    assert {r["household_id"] for r in residents["items"]} <= {s["household_id"] for s in walk}
