"""A domain `View` as a JSON document written by PostgreSQL, for hot list pages.

Building and writing 50 documents in Python costs more CPU than the query they come from,
so the database writes them: each field of the view becomes the SQL of its rule for the
caller's audience, in the view's order. Only the view's constant field names and the
table's name are put into the text, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import DateTime, Table
from sqlalchemy.dialects import postgresql

from domain.views import DERIVE, LIST_MASKED, MASK, Audience, Keep, Last, Null, Omit, Rule, View


def utc_text(column: str) -> str:
    """A timestamp as the API writes it (orjson, `Z`, microseconds only when not zero)."""
    return (f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN extract(microseconds FROM {column})::bigint % 1000000 = 0"
            f" THEN '' ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'")


def masked_sql(rule: Rule, column: str, sql_type: str) -> str | None:
    """`rule.apply` in SQL over `column` (of `sql_type`); None for a field left out."""
    if isinstance(rule, Keep):
        return column
    if isinstance(rule, Null):
        return f"NULL::{sql_type}"
    if isinstance(rule, Last):
        n = max(rule.keep, 0)
        return (f"CASE WHEN length({column}) <= {n} THEN repeat('*', length({column}))"
                f" ELSE repeat('*', length({column}) - {n}) || right({column}, {n}) END")
    if isinstance(rule, Omit):
        return None
    raise TypeError(f"no SQL for the rule {rule!r}")


def _type_sql(table: Table, name: str) -> str:
    return table.c[name].type.compile(dialect=postgresql.dialect()).lower()


def _shown_sql(table: Table, name: str) -> str:
    column = f"{table.name}.{table.c[name].name}"
    kind = table.c[name].type
    return utc_text(column) if isinstance(getattr(kind, "impl", kind), DateTime) else column


def document_sql(view: View, table: Table, audience: Audience,
                 derived: Mapping[str, str]) -> str:
    """`json_build_object(...)` of `view` for `audience` over a row of `table`; `derived`
    gives the SQL of the view's derived fields (the list of masked fields is built here)."""
    masks, _ = audience
    pairs, listed = [], {}
    for name, how, rule in view.plan(audience):
        if how == DERIVE:
            sql = derived[name]
        elif how == LIST_MASKED:
            sql = None  # filled below, once every masked field is known
        elif how == MASK:
            column = f"{table.name}.{table.c[name].name}"
            listed[name] = f"CASE WHEN {column} IS NOT NULL THEN '{name}' END"
            sql = masked_sql(rule, column, _type_sql(table, name))
            if sql is None:
                continue
        else:
            sql = _shown_sql(table, name)
        pairs.append([name, sql])
    for pair in pairs:
        if pair[1] is None:
            tests = ", ".join(listed[n] for n in view.personal if n in listed)
            pair[1] = (f"array_to_json(array_remove(ARRAY[{tests}]::text[], NULL))"
                       if masks and listed else "'[]'::json")
    return "json_build_object(" + ", ".join(f"'{name}', {sql}" for name, sql in pairs) + ")"
