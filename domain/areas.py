"""The service's areas: one name each, the same in `api/routers/`, `domain/` and `repositories/`.

This list is where an area is registered. Its routers (`api/routers/<area>`), tables
(`domain/<area>/models.py`), error classes (`domain/<area>/errors.py`), background tasks
(`domain/<area>/tasks.py`) and repositories (`repositories/<area>`) are found by the name;
`tests/unit/test_areas.py` checks that each layer has them and holds nothing else.
The order is the order the routers are tried in: the busiest first.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

AREAS: tuple[str, ...] = (
    "register",
    "accounts",
    "units",
    "imports",
    "outreach",
    "announcements",
    "tickets",
    "elections",
    "audit",
)


def area_modules(layer: str, part: str = "") -> list[ModuleType]:
    """`<layer>.<area>[.<part>]` of every area that has one, imported, in AREAS order.

    A missing module is skipped (not every area has tasks); an error inside one is raised.
    """
    found = []
    for area in AREAS:
        name = f"{layer}.{area}" + (f".{part}" if part else "")
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found
