"""outbox: edits and deletions of posted messages (op, target)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("op", sa.String(8), nullable=False, server_default="send"))
        batch.add_column(sa.Column("target_chat", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("target_message", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("target_message")
        batch.drop_column("target_chat")
        batch.drop_column("op")
