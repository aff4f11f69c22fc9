"""audit events sealed into the chain after commit

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:00:00

Requests append their audit event with one INSERT and no lock; a sealer gives each event its
place `seq` in the chain with `prev_hash` and `hash`. The append-only trigger lets exactly that
one change through: `seq`, `prev_hash` and `hash` set once on an unsealed row, nothing else.
Existing rows were chained in id order: they get `seq` in that order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALING_ALLOWED = """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Sealing: the chain position and hashes are written once; every other column stays.
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash')
             = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$"""

APPEND_ONLY = """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                   nullable=True))
        batch.create_unique_constraint(op.f("uq_audit_event_seq"), ["seq"])
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
    op.create_index("ix_audit_event_unsealed", "audit_event", ["id"], unique=False,
                    postgresql_where=sa.text("seq IS NULL"), sqlite_where=sa.text("seq IS NULL"))
    if postgres:
        op.execute(SEALING_ALLOWED)
        op.execute("UPDATE audit_event SET seq = n.rn FROM (SELECT id, row_number() OVER"
                   " (ORDER BY id) AS rn FROM audit_event) AS n WHERE n.id = audit_event.id")
    else:
        op.execute("UPDATE audit_event SET seq = (SELECT count(*) FROM audit_event AS a"
                   " WHERE a.id <= audit_event.id)")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(APPEND_ONLY)
    op.drop_index("ix_audit_event_unsealed", table_name="audit_event",
                  postgresql_where=sa.text("seq IS NULL"), sqlite_where=sa.text("seq IS NULL"))
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint(op.f("uq_audit_event_seq"), type_="unique")
        batch.drop_column("seq")
