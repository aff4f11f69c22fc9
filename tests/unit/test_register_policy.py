"""The register's write rules as declared: what each path may change, and the history."""

from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

from domain.register.models import Relationship, Resident
from domain.register.policy import (
    COMPARED,
    PATCHABLE,
    PLACEMENT,
    RESIDENT_HISTORY,
    RESIDENT_MERGE,
    Merge,
    demoted,
    history_change,
    placement,
    snapshot,
)
from domain.register.schemas import ResidentUpdate
from repositories.imports import STAGE


def test_a_patch_sets_exactly_the_fields_its_body_accepts():
    assert set(PATCHABLE) == set(ResidentUpdate.model_fields)


def test_the_import_writes_every_column_of_a_person_from_its_staged_row():
    person = {c.name for c in Resident.__table__.columns} - {
        "id", "created_at", "updated_at", "version", "deleted_at"}
    assert set(RESIDENT_MERGE) == person
    staged = {c.name for c in STAGE.columns}
    for name, rule in RESIDENT_MERGE.items():
        if rule.merge != Merge.placement:
            assert name in staged, name
        if rule.merge == Merge.unless_masked:
            assert f"{name}_masked" in staged, name


def test_what_a_file_cannot_wipe_and_what_it_never_sets():
    assert RESIDENT_MERGE["birth_date"].merge == Merge.fill
    assert RESIDENT_MERGE["id_number"].merge == Merge.fill
    assert RESIDENT_MERGE["phone"].merge == Merge.unless_masked
    assert set(PLACEMENT) == {"province_id", "commune_id", "group_id"}
    assert not set(PLACEMENT) & set(COMPARED)
    assert set(COMPARED) <= set(RESIDENT_HISTORY)  # every update has something to log


def test_placement_comes_from_the_household_or_the_group():
    p, c, g = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    household = SimpleNamespace(province_id=p, commune_id=c, group_id=g)
    group = SimpleNamespace(province_id=p, commune_id=c, id=g)
    assert placement(household) == placement(group) == {
        "province_id": p, "commune_id": c, "group_id": g}


def test_a_head_steps_down_to_relative_and_others_keep_theirs():
    assert demoted(Relationship.head) == Relationship.other_relative
    assert demoted("head") == Relationship.other_relative
    assert demoted(Relationship.spouse) == Relationship.spouse
    assert demoted(None) is None


def test_history_keeps_every_field_of_a_new_record_and_the_changes_of_an_update():
    gid = uuid.uuid4()
    person = SimpleNamespace(group_id=gid, birth_date=date(1980, 5, 17), phone=None)
    after = snapshot(person, ("group_id", "birth_date", "phone"))
    assert after == {"group_id": str(gid), "birth_date": "1980-05-17", "phone": None}
    assert history_change(None, after) == ({}, after)
    before = {**after, "phone": "+84912345678"}
    assert history_change(before, after) == ({"phone": "+84912345678"}, {"phone": None})
