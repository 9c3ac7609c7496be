"""routings: when an expert's answer entered the knowledge base (the highlights' "new" entries)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routings") as batch:
        batch.add_column(sa.Column("kb_published_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routings") as batch:
        batch.drop_column("kb_published_at")
