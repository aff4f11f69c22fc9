"""campaign groups

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 14:00:00

A campaign's target groups get a table of their own, so a group's people find the
campaigns of their group by an index (they were matched by LIKE over the JSON text).
The JSON column stays for reading; existing campaigns are copied over.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "campaign_group",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"],
                                name=op.f("fk_campaign_group_campaign_id_campaign"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["admin_unit.id"],
                                name=op.f("fk_campaign_group_group_id_admin_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("campaign_id", "group_id", name=op.f("pk_campaign_group")),
    )
    op.create_index(op.f("ix_campaign_group_group_id"), "campaign_group", ["group_id"],
                    unique=False)
    # Campaigns are few (one per drive): read them here rather than parse JSON in SQL,
    # which SQLite and PostgreSQL spell differently.
    conn = op.get_bind()
    campaigns = sa.table("campaign", sa.column("id", sa.Uuid()),
                         sa.column("group_ids", sa.JSON()))
    rows = [{"campaign_id": campaign_id, "group_id": uuid.UUID(group_id)}
            for campaign_id, group_ids in conn.execute(sa.select(campaigns))
            for group_id in dict.fromkeys(group_ids or [])]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_group_group_id"), table_name="campaign_group")
    op.drop_table("campaign_group")
