"""questions.parent_id indexed: deleting a question made SQLite scan every question for follow-ups
(its foreign key check), so forget-me of a person with 5,000 questions took 40 s

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_questions_parent_id", "questions", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_questions_parent_id", table_name="questions")
