"""expert routing tables: experts, routings, offers, outbox, routed messages

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _question_fk() -> sa.ForeignKey:
    return sa.ForeignKey("questions.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "experts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slack_user_id", sa.String(64), nullable=True, unique=True),
        sa.Column("telegram_user_id", sa.String(64), nullable=True, unique=True),
        sa.Column("expertise", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("away_until", sa.DateTime(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("moderator", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "routings",
        sa.Column("question_id", sa.Integer(), _question_fk(), primary_key=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("routed_at", sa.DateTime(), nullable=False),
        sa.Column("next_check_at", sa.DateTime(), nullable=True, index=True),
        sa.Column("claimed_by", sa.Integer(), sa.ForeignKey("experts.id"), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claim_reminded", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.Integer(), sa.ForeignKey("experts.id"), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("kb_status", sa.String(16), nullable=False),
        sa.Column("kb_path", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("question_id", sa.Integer(), _question_fk(), nullable=False, index=True),
        sa.Column(
            "expert_id",
            sa.Integer(),
            sa.ForeignKey("experts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("question_id", "expert_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False, index=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True, index=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_table(
        "routed_messages",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("question_id", sa.Integer(), _question_fk(), nullable=False, index=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    for name in ("routed_messages", "outbox", "offers", "routings", "experts"):
        op.drop_table(name)
