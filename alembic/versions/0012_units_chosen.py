"""units chosen

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("units_chosen", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Metric is the default, so an imperial profile was chosen by its user.
    op.execute("UPDATE users SET units_chosen = TRUE WHERE units = 'imperial'")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("units_chosen")
