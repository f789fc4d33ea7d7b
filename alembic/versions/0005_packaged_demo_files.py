"""packaged demo files

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exercise_media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file", sa.String(length=512), nullable=True))
        batch_op.create_index(
            "uq_exercise_media_exercise_slug_file", ["exercise_slug", "file"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("exercise_media", schema=None) as batch_op:
        batch_op.drop_index("uq_exercise_media_exercise_slug_file")
        batch_op.drop_column("file")
