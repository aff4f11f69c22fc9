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
