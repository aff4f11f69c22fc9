"""Statements compiled once for asyncpg (repositories/direct.py): the SQL is shared by every
statement of one shape, the arguments are each statement's own."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import bindparam, select

from domain.register.models import Resident
from repositories.audit import _APPEND
from repositories.direct import any_of, prepared

T = Resident.__table__


def test_one_shape_one_sql_each_its_own_values():
    a, b = uuid.uuid4(), uuid.uuid4()
    first = select(T.c.id).where(T.c.commune_id == a, T.c.birth_date >= date(1990, 1, 1))
    second = select(T.c.id).where(T.c.commune_id == b, T.c.birth_date >= date(2001, 2, 3))
    sql_a, args_a = prepared(first, None)
    sql_b, args_b = prepared(second, None)
    assert sql_a == sql_b and "$1" in sql_a and "$2" in sql_a
    assert args_a == [a, date(1990, 1, 1)] and args_b == [b, date(2001, 2, 3)]


def test_parameters_bound_at_execution_and_arrays():
    stmt = select(T.c.id).where(T.c.id == bindparam("id"),
                                any_of(T.c.group_id, "groups", "postgresql"))
    rid, groups = uuid.uuid4(), [uuid.uuid4(), uuid.uuid4()]
    sql, args = prepared(stmt, {"id": rid, "groups": groups})
    assert "= ANY ($2::UUID[])" in sql.replace("ANY($", "ANY ($")
    assert args == [rid, groups]
    with pytest.raises(Exception, match="id"):  # a required value left out is an error
        prepared(stmt, {"groups": groups})


def test_bind_processors_apply_json_as_text():
    sql, args = prepared(_APPEND, {
        "occurred_at": None, "actor_id": None, "actor_name": None, "actor_role": None,
        "on_behalf_of": None, "action": "resident.read", "object_type": "resident",
        "object_ids": ["a"], "outcome": "success", "request_id": None, "client_ip": None,
        "details": {"k": 1}})
    assert sql.startswith("INSERT INTO audit_event")
    assert args[7] == '["a"]' and args[11] == '{"k": 1}'


def test_expanding_in_lists_are_refused():
    stmt = select(T.c.id).where(T.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="ANY"):
        prepared(stmt, {"ids": [uuid.uuid4()]})


def test_the_pools_connect_arguments_from_the_database_url():
    from sqlalchemy.ext.asyncio import create_async_engine

    from repositories.direct import asyncpg_connect_args

    engine = create_async_engine("postgresql+asyncpg://u:p@db.example:5433/ward?ssl=require"
                                 "&prepared_statement_cache_size=0&command_timeout=10")
    assert asyncpg_connect_args(engine) == {
        "host": "db.example", "port": 5433, "database": "ward", "user": "u", "password": "p",
        "ssl": "require", "statement_cache_size": 0, "command_timeout": 10.0}
