"""The difference between two versions of a polling area's list (no I/O): rows matched by
ID number when both carry one, else by folded name and birth year; a matched pair whose
read fields differ is a change, naming the fields."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# The read fields a change names (`seq` and `line` move with any row added above).
COMPARED = ("full_name", "birth_date", "birth_year", "sex", "id_number", "address")
ADDED, CHANGED, REMOVED = 0, 1, 2  # the order of a diff's items: new file first, then old


@dataclass
class Diff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = field(
        default_factory=list)  # (before, after, fields)
    unchanged: int = 0

    @cached_property
    def entries(self) -> list[tuple[int, int, tuple[str, dict, dict | None, list[str]]]]:
        """(rank, line, (change, row, before, fields)) sorted: added and changed by the new
        file's line, then removed by the old file's (worked out once: a kept diff serves
        every page)."""
        out: list[tuple[int, int, tuple[str, dict, dict | None, list[str]]]] = [
            (ADDED, r["line"], ("added", r, None, [])) for r in self.added]
        out += [(ADDED, new["line"], ("changed", new, old, fields))
                for old, new, fields in self.changed]
        out += [(REMOVED, r["line"], ("removed", r, None, [])) for r in self.removed]
        out.sort(key=lambda e: (e[0], e[1]))
        return out


def _name_key(row: dict[str, Any]) -> tuple[str, int | None]:
    return row["name_folded"], row["birth_year"]


def compare(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Diff:
    """`new` against `old`, both in file order. A person listed twice pairs with the other
    version's rows in order; what is left over is added or removed."""
    diff = Diff()
    by_id: dict[str, list[dict]] = defaultdict(list)
    by_name: dict[tuple, list[dict]] = defaultdict(list)
    for row in old:
        if row["id_number"]:
            by_id[row["id_number"]].append(row)
        by_name[_name_key(row)].append(row)
    taken: set[Any] = set()
    pairs: list[tuple[dict, dict]] = []
    waiting: list[dict] = []
    for row in new:  # first by ID number, where both carry one
        match = next((o for o in by_id.get(row["id_number"] or "", ()) if o["id"] not in taken),
                     None)
        if match is None:
            waiting.append(row)
        else:
            taken.add(match["id"])
            pairs.append((match, row))
    for row in waiting:  # then by name and birth year, when one side has no number
        match = next((o for o in by_name.get(_name_key(row), ()) if o["id"] not in taken
                      and not (o["id_number"] and row["id_number"])), None)
        if match is None:
            diff.added.append(row)
        else:
            taken.add(match["id"])
            pairs.append((match, row))
    for before, after in pairs:
        fields = [f for f in COMPARED if before[f] != after[f]]
        if fields:
            diff.changed.append((before, after, fields))
        else:
            diff.unchanged += 1
    diff.removed = [row for row in old if row["id"] not in taken]
    return diff
