"""sharded campaign counters

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 07:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["campaign_id", "dimension", "key", "metric"]


def upgrade() -> None:
    # Concurrent visits queued on one hot counter row; each counter now spans 16 rows.
    with op.batch_alter_table("campaign_counter") as batch:
        batch.add_column(sa.Column("shard", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("pk_campaign_counter", type_="primary")
        batch.create_primary_key("pk_campaign_counter", [*KEY, "shard"])
        batch.alter_column("shard", server_default=None)


def downgrade() -> None:
    # Fold the shards back into one row per counter before the column goes.
    with op.batch_alter_table("campaign_counter") as batch:
        batch.drop_constraint("pk_campaign_counter", type_="primary")
    op.execute(
        "CREATE TEMPORARY TABLE counter_sum AS SELECT campaign_id, dimension, key, metric, "
        "SUM(value) AS value FROM campaign_counter GROUP BY campaign_id, dimension, key, metric"
    )
    op.execute("DELETE FROM campaign_counter")
    op.execute(
        "INSERT INTO campaign_counter (campaign_id, dimension, key, metric, shard, value) "
        "SELECT campaign_id, dimension, key, metric, 0, value FROM counter_sum"
    )
    op.execute("DROP TABLE counter_sum")
    with op.batch_alter_table("campaign_counter") as batch:
        batch.drop_column("shard")
        batch.create_primary_key("pk_campaign_counter", KEY)
