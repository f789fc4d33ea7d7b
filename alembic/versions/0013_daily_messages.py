"""daily messages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 23:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every message a user sends the bot, per day; counting starts with this release.
    with op.batch_alter_table("daily_usage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("messages", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("daily_usage", schema=None) as batch_op:
        batch_op.drop_column("messages")
