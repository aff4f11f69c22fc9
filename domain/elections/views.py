"""What a caller may see of exclusions: the decision's reference and the notes are personal
data (a judgment about a person), null without `pii:read` (an auditor). Register records
shown beside an election (eligibility) are the register's view (domain/register/views.py)."""

from __future__ import annotations

from typing import Any

from domain.access import Permission, Principal
from domain.elections.schemas import ExclusionRead
from domain.views import Null, View

EXCLUSION = View.of("exclusion", ExclusionRead, unmasked_by=Permission.pii_read,
                    personal={"document_ref": Null(), "note": Null(), "revoke_note": Null()},
                    derived=("masked_fields",), masked_list="masked_fields")


def exclusion_view(exclusion: Any, who: Principal) -> ExclusionRead:
    return ExclusionRead.model_validate(EXCLUSION.document(exclusion.__getattribute__, who, {}))


def _row_view():
    from domain.elections.reconciliation_schemas import ListRowRead

    return View.of("voter_list_row", ListRowRead, unmasked_by=Permission.pii_read,
                   personal={"birth_date": Null(), "id_number": Null(), "address": Null()},
                   derived=("masked_fields",), masked_list="masked_fields")


LIST_ROW = _row_view()


def list_row_view(row: Any, who: Principal):
    """A list row shown beside a discrepancy: birth date, ID number and address personal."""
    from domain.elections.reconciliation_schemas import ListRowRead

    return ListRowRead.model_validate(LIST_ROW.document(row.__getattribute__, who, {}))
