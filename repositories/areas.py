"""Every area's repositories under the name the unit of work gives them (`uow.residents`).

Each `repositories/<area>` declares its own in `REPOSITORIES`; an area is found by its name
in `domain/areas.py`, so a new area's repositories need no line here.
"""

from __future__ import annotations

from domain.areas import area_modules


def _collect() -> dict[str, type]:
    found: dict[str, type] = {}
    for module in area_modules("repositories"):
        for name, repository in module.REPOSITORIES.items():
            if name in found:
                raise TypeError(f"uow.{name} is declared by two areas ({module.__name__})")
            found[name] = repository
    return found


REPOSITORIES: dict[str, type] = _collect()
