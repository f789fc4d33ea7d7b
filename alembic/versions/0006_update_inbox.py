"""update inbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "update_inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_update_inbox")),
    )
    with op.batch_alter_table("update_inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_update_inbox_done_at"), ["done_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_update_inbox_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "ix_update_inbox_pending",
            ["chat_id", "update_id"],
            unique=False,
            postgresql_where=sa.text("done_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("update_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_update_inbox_pending")
        batch_op.drop_index(batch_op.f("ix_update_inbox_user_id"))
        batch_op.drop_index(batch_op.f("ix_update_inbox_done_at"))
    op.drop_table("update_inbox")
