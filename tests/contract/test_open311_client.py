"""An Open311 client published by someone else (`georeport` 0.3.1 from PyPI, "Python wrapper
for the Open311 GeoReport v2 API") reads the services and requests of a live server; a
request posted exactly as the GeoReport v2 text specifies (form-encoded, with `api_key`)
is read back through it, in JSON and in XML.

The one thing done around the client: it sends `api_key` on no GET (the specification
names the key for POST only), and this server requires one to read requests, since a
ward's requests are not public (`api/routers/tickets/open311.py`). `KeyedGeoReport` runs
the client's own methods with the key added to their query; nothing else of the client
is changed, and the server is not bent off the specification. Without the key, reading
requests is GeoReport's 403, which the client raises as `requests.HTTPError`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

georeport = pytest.importorskip("georeport")
requests = pytest.importorskip("requests")

from georeport import georeport as client_module  # noqa: E402 - after the skip above

from tests.fault.processes import ADMIN_PASSWORD  # noqa: E402

NAME = ("Trần Văn", "Bình")
PHONE, EMAIL = "0987001122", "binh.tran@example.vn"


class KeyedGeoReport(georeport.GeoReport):
    """The published client, its GETs given `api_key` (see the module's docstring)."""

    def _with_key(self, call, *args: Any, **kwargs: Any):
        real, key = client_module.requests, self.api_key

        class _KeyedRequests:
            @staticmethod
            def get(url: str, params: dict | None = None, **rest: Any):
                return real.get(url, params={**(params or {}), "api_key": key}, timeout=30,
                                **rest)

        client_module.requests = _KeyedRequests  # the client calls `requests.get(...)`
        try:
            return call(*args, **kwargs)
        finally:
            client_module.requests = real

    def get_service_requests(self, *args: Any, **kwargs: Any):
        return self._with_key(super().get_service_requests, *args, **kwargs)

    def get_service_request(self, service_request_id: str):
        return self._with_key(super().get_service_request, service_request_id)


def _as_list(found: Any) -> list[dict]:
    """xmltodict reads a lone element as a dict, several as a list."""
    return found if isinstance(found, list) else [found]


def _api(server, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, server.base + path, timeout=30,
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)


@pytest.fixture(scope="module")
def world(live_server) -> dict:
    """A global category and a service account with tickets:read and tickets:write on the
    demo group, both made through the API."""
    admin = live_server.token("admin", ADMIN_PASSWORD)
    leader = live_server.token("demo-group_leader")
    group = _api(live_server, "GET", "/api/v1/me", leader).json()["unit_ids"][0]
    code = f"vneid_{uuid.uuid4().hex[:6]}"
    made = _api(live_server, "POST", "/api/v1/ticket-categories", admin, json={
        "code": code, "name": "Hỗ trợ VNeID", "name_en": "VNeID help", "kind": "app_help",
        "first_response_minutes": 240, "resolution_minutes": 1440})
    assert made.status_code == 201, made.text
    account = _api(live_server, "POST", "/api/v1/service-accounts", admin, json={
        "name": "Cổng phản ánh thử", "scopes": ["tickets:read", "tickets:write"],
        "unit_ids": [group]})
    assert account.status_code == 201, account.text
    body = account.json()
    return {"code": code, "key": f"{body['client_id']}.{body['client_secret']}",
            "root": live_server.base + "/open311/v2"}


def test_the_client_reads_the_services_in_json_and_xml(world):
    for fmt in ("json", "xml"):
        client = georeport.GeoReport(world["root"], output_format=fmt)
        services = _as_list(client.get_service_list())
        ours = next(s for s in services if s["service_code"] == world["code"])
        assert ours["service_name"] == "Hỗ trợ VNeID" and ours["type"] == "realtime", fmt
        assert str(ours["metadata"]).lower() == "false", fmt
        definition = client.get_service_definition(world["code"])
        assert definition["service_code"] == world["code"], fmt


def test_a_request_posted_as_the_specification_is_read_back_through_the_client(world):
    posted = httpx.post(world["root"] + "/requests.json", timeout=30, data={
        "api_key": world["key"], "service_code": world["code"], "lat": "13.7765",
        "long": "109.2237", "address_string": "25 Trần Phú",
        "description": "Cần hướng dẫn kích hoạt VNeID mức 2 cho mẹ tôi.",
        "email": EMAIL, "first_name": NAME[0], "last_name": NAME[1], "phone": PHONE})
    assert posted.status_code == 201, posted.text
    assert posted.headers["content-type"].startswith("application/json")
    [created] = posted.json()
    code = created["service_request_id"]
    assert created["service_notice"]

    for fmt in ("json", "xml"):
        client = KeyedGeoReport(world["root"], api_key=world["key"], output_format=fmt)
        one = client.get_service_request(code)
        assert (one["service_request_id"], one["status"], one["service_code"]) == (
            code, "open", world["code"]), fmt
        assert one["address"] == "25 Trần Phú" and float(one["lat"]) == 13.7765, fmt
        listed = _as_list(client.get_service_requests())
        assert code in [r["service_request_id"] for r in listed], fmt
        picked = _as_list(client.get_service_requests(service_request_id=code))
        assert [r["service_request_id"] for r in picked] == [code], fmt
        for request in picked:
            assert not {NAME[1], PHONE, EMAIL} & {str(v) for v in request.values()}, fmt


def test_without_a_key_the_client_cannot_read_requests(world):
    with pytest.raises(requests.HTTPError) as refused:
        georeport.GeoReport(world["root"]).get_service_requests()
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()[0]["code"] == 403
