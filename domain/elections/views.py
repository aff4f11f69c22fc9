"""What a caller may see of exclusions: the decision's reference and the notes are personal
data (a judgment about a person), null without `pii:read` (an auditor). Register records
shown beside an election (eligibility) are the register's view (domain/register/views.py).
Voter list rows are masked like the register's residents."""

from __future__ import annotations

from typing import Any

from domain.access import Permission, Principal
from domain.elections.schemas import ExclusionRead
from domain.elections.voter_list_schemas import VoterListDiffRow, VoterListRowRead
from domain.views import Last, Null, View

EXCLUSION = View.of("exclusion", ExclusionRead, unmasked_by=Permission.pii_read,
                    personal={"document_ref": Null(), "note": Null(), "revoke_note": Null()},
                    derived=("masked_fields",), masked_list="masked_fields")


def exclusion_view(exclusion: Any, who: Principal) -> ExclusionRead:
    return ExclusionRead.model_validate(EXCLUSION.document(exclusion.__getattribute__, who, {}))


# A voter list row holds names, birth dates and ID numbers, masked as the register masks a
# resident's (the birth year stays); its raw cells hold all of them, so they go whole.
VOTER_LIST_ROW = View.of("voter_list_row", VoterListRowRead, unmasked_by=Permission.pii_read,
                         personal={"id_number": Last(4), "birth_date": Null(),
                                   "cells": Null()},
                         derived=("masked_fields",), masked_list="masked_fields")
VOTER_LIST_DIFF_ROW = View.of("voter_list_diff_row", VoterListDiffRow,
                              unmasked_by=Permission.pii_read,
                              personal={"id_number": Last(4), "birth_date": Null()},
                              derived=("masked_fields",), masked_list="masked_fields")


def _getter(row: Any):
    return row.__getitem__ if isinstance(row, dict) else row.__getattribute__


def voter_list_row_view(row: Any, who: Principal) -> dict[str, Any]:
    """A list row (an entity or a dict of its columns) as `who` may see it."""
    return VOTER_LIST_ROW.document(_getter(row), who, {})


def voter_list_diff_row_view(row: dict[str, Any], who: Principal) -> dict[str, Any]:
    return VOTER_LIST_DIFF_ROW.document(row.__getitem__, who, {})
