"""daily usage

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:34:24.880544
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_usage",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("requests", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_daily_usage_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_daily_usage")),
    )
    with op.batch_alter_table("daily_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_daily_usage_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("daily_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_usage_day"))

    op.drop_table("daily_usage")
