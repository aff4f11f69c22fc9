"""The view mechanism: rules, audiences, hidden fields, partial values and their SQL."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, MetaData, String, Table

from domain.access import Permission, Principal, Role, permissions_for
from domain.register.rules import mask
from domain.views import Last, Null, Omit, Rule, View
from repositories.documents import document_sql, masked_sql


class TicketRead(BaseModel):
    id: str
    subject: str
    reporter_phone: str | None
    internal_note: str | None
    reporter_id_number: str | None
    notes: list[str]
    masked_fields: list[str]
    created_at: datetime


# A support ticket as a new area would declare it: the internal note never leaves to a
# resident, whatever else they may see.
TICKET = View.of(
    "ticket", TicketRead, unmasked_by=Permission.pii_read,
    personal={"reporter_phone": Last(4), "reporter_id_number": Omit()},
    hidden_for={"internal_note": [Role.resident]},
    derived=("notes", "masked_fields"), masked_list="masked_fields")
TABLE = Table("ticket", MetaData(), Column("id", String), Column("subject", String),
              Column("reporter_phone", String), Column("internal_note", String),
              Column("reporter_id_number", String), Column("created_at", DateTime))
ROW = {"id": "t1", "subject": "VNeID", "reporter_phone": "+84912345678",
       "internal_note": "gọi lại", "reporter_id_number": "079203001234",
       "created_at": datetime(2026, 1, 11)}


def who(role: Role) -> Principal:
    return Principal(uuid.uuid4(), "x", role, permissions=permissions_for(role))


@pytest.mark.parametrize("value", [None, "", "1", "1234", "12345", "079203001234"])
@pytest.mark.parametrize("keep", [0, 2, 4])
def test_last_is_the_register_mask(value, keep):
    assert Last(keep).apply(value) == mask(value, keep)


def test_unmasked_caller_sees_everything_but_what_is_hidden_from_their_role():
    doc = TICKET.document(ROW.__getitem__, who(Role.ward_officer), {"notes": []})
    assert doc == {**ROW, "notes": [], "masked_fields": []}
    assert list(doc) == list(TicketRead.model_fields)


def test_masked_caller_gets_the_rules_and_the_list_of_what_was_masked():
    doc = TICKET.document(ROW.__getitem__, who(Role.volunteer), {"notes": ["n"]})
    assert doc["reporter_phone"] == "********5678"
    assert "reporter_id_number" not in doc and doc["internal_note"] == "gọi lại"
    assert doc["masked_fields"] == ["reporter_phone", "reporter_id_number"]
    empty = TICKET.document({**ROW, "reporter_phone": None}.__getitem__, who(Role.volunteer),
                            {"notes": []})
    assert empty["reporter_phone"] is None and empty["masked_fields"] == ["reporter_id_number"]


def test_hidden_field_never_reaches_the_role_it_is_hidden_for():
    resident = who(Role.resident)
    assert "internal_note" not in TICKET.document(ROW.__getitem__, resident, {"notes": []})
    assert TICKET.values({"internal_note": "x", "subject": "s"}, resident) == {"subject": "s"}


def test_values_mask_what_is_there_and_pass_the_rest():
    values = {"reporter_phone": "+84912345678", "deleted_at": None, "reporter_id_number": "1"}
    assert TICKET.values(values, who(Role.auditor)) == {"reporter_phone": "********5678",
                                                         "deleted_at": None}
    assert TICKET.values(values, who(Role.admin)) == values


def test_extended_views_keep_the_rules_and_add_fields():
    row = TICKET.extended("ticket_row", street=Null())
    assert row.personal == ("reporter_phone", "reporter_id_number", "street")
    assert row.values({"street": "Trần Phú", "subject": "s"}, who(Role.auditor)) == {
        "street": None, "subject": "s"}


def test_a_view_names_only_fields_of_its_model():
    with pytest.raises(ValueError, match="nickname"):
        View.of("ticket", TicketRead, unmasked_by=Permission.pii_read,
                personal={"nickname": Null()})


def test_sql_document_follows_the_same_plan():
    masked = document_sql(TICKET, TABLE, TICKET.audience(who(Role.volunteer)),
                          {"notes": "'[]'::json"})
    assert "'reporter_id_number'," not in masked
    assert "'internal_note', ticket.internal_note" in masked
    assert "right(ticket.reporter_phone, 4)" in masked
    assert ("ARRAY[CASE WHEN ticket.reporter_phone IS NOT NULL THEN 'reporter_phone' END,"
            " CASE WHEN ticket.reporter_id_number IS NOT NULL THEN 'reporter_id_number' END]"
            in masked)
    for_resident = document_sql(TICKET, TABLE, TICKET.audience(who(Role.resident)),
                                {"notes": "'[]'::json"})
    assert "internal_note" not in for_resident
    full = document_sql(TICKET, TABLE, TICKET.audience(who(Role.admin)), {"notes": "'[]'"})
    assert "'reporter_id_number', ticket.reporter_id_number" in full
    assert "'masked_fields', '[]'::json" in full and "to_char(ticket.created_at" in full


def test_a_rule_without_sql_is_refused():
    class Initials(Rule):
        def apply(self, value):
            return value[:1]

    with pytest.raises(TypeError, match="no SQL"):
        masked_sql(Initials(), "ticket.subject", "varchar")
