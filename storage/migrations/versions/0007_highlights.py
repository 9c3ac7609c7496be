"""weekly highlights: the state of each week and its one post per channel

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "highlight_weeks",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "highlight_posts",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True, index=True),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("thread", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("highlight_posts")
    op.drop_table("highlight_weeks")
