"""The register's write rules (domain/register/policy.py) as SQL expressions, for the
set-wise import: the merge of a staged row into a stored resident, the test whether it
changes anything, and history entries written by the database as the use cases write them
in Python (ISO dates, UUIDs as text, only the changed fields)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Uuid, case, cast, func, literal_column, null, or_

from domain.register.models import Resident
from domain.register.policy import COMPARED, RESIDENT_HISTORY, RESIDENT_MERGE, Merge

_RESIDENT = Resident.__table__.c


def merged(name: str, row: Any, current: Any | None, household: Any):
    """The value column `name` takes when staged `row` meets the `current` resident (None
    for a new one); `household` gives the placement. Columns are looked up by name."""
    rule = RESIDENT_MERGE.get(name)
    if rule is None:  # not written by an import (deleted_at): stays as it is
        return null() if current is None else current[name]
    if rule.merge == Merge.placement:
        return household[name]
    staged = row[name]
    if current is None or rule.merge in (Merge.replace, Merge.derived):
        return staged
    if rule.merge == Merge.fill:
        return func.coalesce(staged, current[name])
    return case((row[f"{name}_masked"], current[name]), else_=staged)  # unless_masked


def differs(row: Any, current: Any):
    """Whether applying `row` changes any field a person typed (derived ones follow)."""
    return or_(*(current[name].is_distinct_from(merged(name, row, current, None))
                 for name in COMPARED))


def _text(name: str, value, dialect: str):
    """`value` of column `name` as the change log's JSON holds it. SQLite keeps UUIDs as
    32 hex digits: put the dashes back, as `str(uuid)` writes them."""
    if dialect == "sqlite" and isinstance(_RESIDENT[name].type, Uuid):
        parts = [func.substr(value, start, length) for start, length in
                 ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
        dashed: Any = parts[0]
        for part in parts[1:]:
            dashed = dashed.concat("-").concat(part)
        return case((value.is_(None), null()), else_=dashed)
    return value


def _key(name: str):
    return literal_column(f"'{name}'")  # constant column names only, never a value


def json_of(values: dict[str, Any], dialect: str):
    """A JSON object of `values` (name → SQL expression), built by the database."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    args = [arg for name, value in values.items()
            for arg in (_key(name), _text(name, value, dialect))]
    return cast(build(*args), JSON) if dialect == "postgresql" else build(*args)


def json_where(values: dict[str, tuple[Any, Any]], dialect: str):
    """A JSON object of those `values` (name → (expression, condition)) whose condition
    holds: the changed fields of a history entry."""
    if dialect == "postgresql":
        empty: Any = literal_column("'{}'::jsonb")
        out = empty
        for name, (value, when) in values.items():
            out = out.op("||")(case((when, func.jsonb_build_object(_key(name), value)),
                                    else_=empty))
        return cast(out, JSON)
    skip = "'$.\"-\"'"  # a key no field has, removed at the end
    args = []
    for name, (value, when) in values.items():
        args += [case((when, literal_column(f"'$.{name}'")), else_=literal_column(skip)),
                 _text(name, value, dialect)]
    return func.json_remove(func.json_set(literal_column("'{}'"), *args),
                            literal_column(skip))


def history_after_create(row: Any, household: Any, dialect: str):
    """The `after` of a new resident's entry: every history field as the row is stored
    (from the staged rows and their households, smaller than the resident table)."""
    return json_of({name: merged(name, row, None, household) for name in RESIDENT_HISTORY},
                   dialect)


def history_of_update(row: Any, current: Any, household: Any, dialect: str):
    """(before, after) of an imported update, from the stored row before it is changed."""
    before, after = {}, {}
    for name in RESIDENT_HISTORY:
        new = merged(name, row, current, household)
        when = current[name].is_distinct_from(new)
        before[name], after[name] = (current[name], when), (new, when)
    return json_where(before, dialect), json_where(after, dialect)


def json_list(values: list[Any], names: list[str], dialect: str):
    """A JSON array of UUID expressions, as text (`related_ids`)."""
    items = [_text(name, value, dialect) for name, value in zip(names, values, strict=True)]
    if dialect == "postgresql":
        return cast(func.json_build_array(*items), JSON)
    return func.json_array(*items)


def new_uuid7(dialect: str):
    """A time-ordered id made by the database, for entries of rows that were not staged
    (history lists by id, so it must sort after what came before, as `uuid7()` does)."""
    if dialect == "postgresql":
        return literal_column(
            "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing"
            " substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)"
            " FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid", Uuid)
    return literal_column(
        "lower(printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))"
        " || '7' || substr(hex(randomblob(2)), 2) || substr('89ab', 1 + abs(random()) % 4, 1)"
        " || substr(hex(randomblob(8)), 2))", Uuid)
