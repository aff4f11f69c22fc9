"""The live server the contract checks share: up, with the demo group and its accounts."""

import httpx


def test_the_live_server_serves_the_demo_group_to_its_accounts(live_server):
    token = live_server.token("demo-group_leader")
    answer = httpx.get(live_server.base + "/api/v1/households", params={"limit": 1},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["items"]) == 1
