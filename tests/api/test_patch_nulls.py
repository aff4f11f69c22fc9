"""Every PATCH body, swept from the app's own document: a field that is nullable there takes
`null` (it clears the value), any other field refuses it with `null_not_allowed`, in
Vietnamese or English, and none shows a default (absent means unchanged)."""

from __future__ import annotations

import re

import pytest

from domain.access import Role
from domain.types import uuid7
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_user

# Each PATCH body, and which of its fields a null clears; the sweep checks the list is whole.
CLEARABLE = {
    "UnitUpdate": {"code", "old_address_text"},
    "StreetUpdate": {"old_name"},
    "HouseholdUpdate": {"street_id", "house_number", "old_address_text"},
    "ResidentUpdate": {"relationship", "birth_date", "birth_year", "id_number", "phone",
                       "residence_since", "status_changed_on"},
    "CampaignUpdate": set(),
    "AnnouncementUpdate": set(),
    "UserUpdate": {"resident_id"},
    "CategoryUpdate": {"name_en", "default_team"},
    "TicketUpdate": {"assignee_id", "team"},
}


def _nullable(schema: dict) -> bool:
    return {"type": "null"} in schema.get("anyOf", []) or schema.get("type") == "null"


async def patch_bodies(client) -> list[tuple[str, str, dict]]:
    """(path with a fresh id, body schema name, body schema) of every PATCH operation."""
    doc = (await client.get("/openapi.json")).json()
    found = []
    for path, item in doc["paths"].items():
        if "patch" not in item:
            continue
        ref = item["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[1]
        url = re.sub(r"\{[^}]+\}", str(uuid7()), path)
        found.append((url, name, doc["components"]["schemas"][name]))
    return found


@pytest.fixture
async def admin(app, session):
    return bearer(app, await make_user(session, role=Role.admin))


async def test_the_sweep_sees_every_patch_body(client):
    assert {name for _, name, _ in await patch_bodies(client)} == set(CLEARABLE)


async def test_nullable_in_the_document_exactly_where_null_clears(client):
    for _, name, schema in await patch_bodies(client):
        nullable = {f for f, prop in schema["properties"].items() if _nullable(prop)}
        assert nullable == CLEARABLE[name], name
        assert not schema.get("required"), name
        assert [f for f, p in schema["properties"].items() if "default" in p] == [], name


@pytest.mark.parametrize("lang, message", [
    ("vi", "Trường này không được để null; hãy bỏ trường đi để giữ nguyên giá trị"),
    ("en", "This field cannot be null; omit it to leave it unchanged"),
])
async def test_null_is_refused_by_name_where_it_clears_nothing(client, admin, lang, message):
    headers = {**admin, "If-Match": '"00000000.1"', "Accept-Language": lang}
    refused = 0
    for url, name, schema in await patch_bodies(client):
        for field in schema["properties"]:
            resp = await client.patch(url, headers=headers, json={field: None})
            if field in CLEARABLE[name]:
                # Past validation: the record is looked up (and is not there).
                assert resp.status_code == 404, (name, field, resp.text)
                continue
            body = assert_problem(resp, 422, "validation_failed")
            assert body["errors"] == [{"loc": ["body", field], "code": "null_not_allowed",
                                       "message": message}], (name, field)
            refused += 1
        fields = list(schema["properties"])
        resp = await client.patch(url, headers=headers, json=dict.fromkeys(fields))
        expected = [f for f in fields if f not in CLEARABLE[name]]
        if expected:  # several at once: one 422 names each of them
            body = assert_problem(resp, 422, "validation_failed")
            assert [e["loc"][1] for e in body["errors"]] == expected, name
    assert refused >= 20
