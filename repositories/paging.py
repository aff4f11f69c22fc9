"""Keyset pagination: opaque cursors over an ORDER BY that always ends with the primary key.

The one cursor codec of the service: every list, the audit trail's included, pages here.
Written here rather than taken from a library because the cursor must stay opaque and
stable across our own sort grammar (`sort=name,-created_at`) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from domain.errors import CursorInvalid, SortInvalid
from domain.paging import Page


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    column: ColumnElement[Any]
    descending: bool


def parse_sort(
    sort: str | None, allowed: dict[str, ColumnElement[Any]], default: str, id_column
) -> list[SortKey]:
    """Turn `name,-created_at` into sort keys, always ending with the id as a tie-breaker."""
    keys: list[SortKey] = []
    for raw in (sort or default).split(","):
        raw = raw.strip()
        if not raw:
            continue
        descending = raw.startswith("-")
        name = raw.lstrip("-+")
        if name not in allowed or name in {k.name for k in keys}:
            raise SortInvalid(
                loc=("query", "sort"), field=name, allowed=", ".join(allowed)
            )
        keys.append(SortKey(name, allowed[name], descending))
    if "id" not in {k.name for k in keys}:  # ordered by the id alone (the audit trail)
        keys.append(SortKey("id", id_column, keys[-1].descending if keys else False))
    return keys


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": value.hex}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "u" in value:
            return uuid.UUID(value["u"])
    return value


# Cursors carry a MAC: one the server did not write (a float, a NUL, 10^30, a nested list
# where a date stood) is refused whole, before any of its values reaches a statement.
_MAC_BYTES = 12
_key = secrets.token_bytes(32)  # until the app sets its own: every worker must agree


def configure_cursors(secret: bytes) -> None:
    """The key cursors are signed with, derived from the service's secret."""
    global _key
    _key = hmac.new(secret, b"digital-street keyset cursor", hashlib.sha256).digest()


def _mac(body: bytes) -> bytes:
    return hmac.new(_key, body, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(keys: list[SortKey], row_values: list[Any]) -> str:
    payload = {"k": [k.name for k in keys], "v": [_encode_value(v) for v in row_values]}
    body = orjson.dumps(payload)
    return base64.urlsafe_b64encode(_mac(body) + body).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        mac, body = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if not hmac.compare_digest(mac, _mac(body)):
            raise ValueError("cursor not made by this service")
        payload = orjson.loads(body)
        if payload["k"] != [k.name for k in keys] or len(payload["v"]) != len(keys):
            raise ValueError("cursor made for another sort")
        return [_decode_value(v) for v in payload["v"]]
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise CursorInvalid(loc=("query", "cursor")) from exc


def _after(keys: list[SortKey], values: list[Any]):
    """Rows strictly after `values` in the order of `keys`."""
    values = [literal(v, type_=k.column.type) for k, v in zip(keys, values, strict=True)]
    if all(k.descending == keys[0].descending for k in keys):
        # One direction: a row-value comparison, which PostgreSQL answers from the index.
        left = tuple_(*(k.column for k in keys))
        right = tuple_(*values)
        return left < right if keys[0].descending else left > right
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        step = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def keyset(stmt: Select, keys: list[SortKey], cursor: str | None, limit: int) -> Select:
    """Apply cursor, ORDER BY and LIMIT (one extra row tells whether a next page exists)."""
    if cursor:
        stmt = stmt.where(_after(keys, decode_cursor(cursor, keys)))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    return stmt.order_by(*order).limit(limit + 1)


def count_of(stmt: Select) -> Select:
    return select(func.count()).select_from(stmt.order_by(None).limit(None).subquery())


def value_of(row: Any, key: SortKey) -> Any:
    """A sort key's value in a row: a plain row by column name, an entity by attribute."""
    name = key.column.key
    try:
        return row[name]
    except TypeError:
        return getattr(row, name)


def page_from_rows(rows: list[Any], keys: list[SortKey], limit: int,
                   total: int | None = None) -> Page:
    """Cut the extra row off and build the next cursor from the last row kept."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        next_cursor = encode_cursor(keys, [value_of(rows[-1], k) for k in keys])
    return Page.of(rows, next_cursor, total)
