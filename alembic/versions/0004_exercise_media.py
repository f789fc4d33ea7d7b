"""exercise media

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 01:56:19.696997
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("extra_aliases", sa.Text(), server_default="[]", nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_exercises")),
    )
    op.create_table(
        "exercise_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_slug", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("license", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=256), nullable=False),
        sa.Column("source_page", sa.String(length=2048), nullable=True),
        sa.Column("title", sa.String(length=256), nullable=True),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("telegram_file_id", sa.String(length=256), nullable=True),
        sa.Column("failing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["exercise_slug"],
            ["exercises.slug"],
            name=op.f("fk_exercise_media_exercise_slug_exercises"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_media")),
    )
    with op.batch_alter_table("exercise_media", schema=None) as batch_op:
        batch_op.create_index(
            "uq_exercise_media_exercise_slug_file_id", ["exercise_slug", "file_id"], unique=True
        )
        batch_op.create_index(
            "uq_exercise_media_exercise_slug_url", ["exercise_slug", "url"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("exercise_media", schema=None) as batch_op:
        batch_op.drop_index("uq_exercise_media_exercise_slug_url")
        batch_op.drop_index("uq_exercise_media_exercise_slug_file_id")

    op.drop_table("exercise_media")
    op.drop_table("exercises")
