"""Sample values the OpenAPI examples share, in the demo data's style (Gia Lai province,
phường Bình Định, tổ dân phố Trần Phú), so one example's ids lead to another's."""

from __future__ import annotations

from typing import Any

PROVINCE = "0192f0c4-2b1e-7c3a-9d4e-000000000052"  # Tỉnh Gia Lai
COMMUNE = "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d01"  # Phường Bình Định
GROUP = "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e"  # Tổ dân phố Trần Phú
STREET = "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0f"  # Trần Phú
HOUSEHOLD = "0192f0c5-8a10-7d21-b3c4-1a2b3c4d5e6f"
OTHER_HOUSEHOLD = "0192f0c5-8a10-7d21-b3c4-1a2b3c4d5e70"
RESIDENT = "0192f0c6-0c3d-7e45-8f01-2b3c4d5e6f70"
OTHER_RESIDENT = "0192f0c6-0c3d-7e45-8f01-2b3c4d5e6f71"
USER = "0192f0b1-7f00-7a11-9b22-3c4d5e6f7081"
VOLUNTEER = "0192f0b1-7f00-7a11-9b22-3c4d5e6f7082"
CAMPAIGN = "0192f0d0-1a2b-7c3d-8e4f-506172839401"
RECORD = "0192f0e0-5b6c-7d8e-9f01-a2b3c4d5e6f7"  # any other record
CREATED = "2026-01-11T01:30:00Z"  # 08:30 in Vietnam, the demo's first day
UPDATED = "2026-01-12T02:15:00Z"
CURSOR = "eyJrIjpbIk5ndXnhu4VuIFRo4buLIMOBbmgiLCIwMTkyZjBjNiJdfQ"


def stamps(version: int = 1) -> dict[str, Any]:
    """The columns every stored record has."""
    return {"created_at": CREATED, "updated_at": UPDATED if version > 1 else CREATED,
            "version": version}


def examples(*values: dict[str, Any]) -> dict[str, Any]:
    """A model's `json_schema_extra`: its examples, each a whole body."""
    return {"examples": list(values)}


def example_of(model: Any) -> dict[str, Any] | None:
    """The first example a model declares (for the pages and bodies that contain it)."""
    extra = model.model_config.get("json_schema_extra")
    found = extra.get("examples") if isinstance(extra, dict) else None
    return found[0] if found else None
