"""voice and image usage, message kinds

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("daily_usage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voice_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("images", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="text", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("daily_usage", schema=None) as batch_op:
        batch_op.drop_column("images")
        batch_op.drop_column("voice_seconds")
