"""household codes per commune; transfer requests

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:00:00

A household code is issued by the commune office: it is unique among the living
households of one commune (it was unique across the whole register, so a code used in
another commune was refused, which told a caller that the other commune had it).

`transfer_request`: a person registered outside the requester's scope asked for into one
of their households; the record's side approves or rejects it. One pending per person.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVING = "deleted_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("household") as batch:
        batch.drop_constraint("uq_household_code", type_="unique")
    op.create_index("uq_household_commune_id_code_living", "household", ["commune_id", "code"],
                    unique=True, postgresql_where=sa.text(LIVING),
                    sqlite_where=sa.text(LIVING))
    op.create_index(op.f("ix_household_code"), "household", ["code"], unique=False)

    def unit(name: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint([name], ["admin_unit.id"],
                                       name=op.f(f"fk_transfer_request_{name}_admin_unit"),
                                       ondelete="RESTRICT")

    op.create_table(
        "transfer_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("province_id", sa.Uuid(), nullable=False),
        sa.Column("commune_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("source_household_id", sa.Uuid(), nullable=True),
        sa.Column("source_province_id", sa.Uuid(), nullable=False),
        sa.Column("source_commune_id", sa.Uuid(), nullable=False),
        sa.Column("source_group_id", sa.Uuid(), nullable=False),
        sa.Column("relationship", sa.String(length=24), nullable=False),
        sa.Column("residence_status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=200), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"],
                                name=op.f("fk_transfer_request_resident_id_resident"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"],
                                name=op.f("fk_transfer_request_household_id_household"),
                                ondelete="RESTRICT"),
        *(unit(name) for name in ("province_id", "commune_id", "group_id",
                                  "source_province_id", "source_commune_id",
                                  "source_group_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_request")),
    )
    op.create_index("uq_transfer_request_resident_id_pending", "transfer_request",
                    ["resident_id"], unique=True, postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))
    op.create_index(op.f("ix_transfer_request_commune_id_id"), "transfer_request",
                    ["commune_id", "id"], unique=False)
    op.create_index(op.f("ix_transfer_request_source_commune_id_id"), "transfer_request",
                    ["source_commune_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_transfer_request_source_commune_id_id"),
                  table_name="transfer_request")
    op.drop_index(op.f("ix_transfer_request_commune_id_id"), table_name="transfer_request")
    op.drop_index("uq_transfer_request_resident_id_pending", table_name="transfer_request")
    op.drop_table("transfer_request")
    op.drop_index(op.f("ix_household_code"), table_name="household")
    op.drop_index("uq_household_commune_id_code_living", table_name="household")
    with op.batch_alter_table("household") as batch:
        batch.create_unique_constraint("uq_household_code", ["code"])
