"""What a submission is, as the rest of the feature sees it: its snapshot, its buttons, a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.community.records import SubmissionRecord
from bot.messages import ChatRef
from bot.texts import Refusal

SUB_APPROVE = "sub_approve"
SUB_EDIT = "sub_edit"
SUB_REJECT = "sub_reject"
SUB_SEND = "sub_send"  # "send it anyway" after the near-duplicate check
SUB_WITHDRAW = "sub_withdraw"
MODERATION_ACTIONS = (SUB_APPROVE, SUB_EDIT, SUB_REJECT)
AUTHOR_ACTIONS = (SUB_SEND, SUB_WITHDRAW)


class Refused(Refusal):
    """An action on a submission that cannot be taken."""


@dataclass(frozen=True)
class Submission:
    """A snapshot of a submission."""

    id: int
    kind: str
    state: str
    author_id: int
    author_name: str
    platform: str
    user_id: str
    chat_id: str
    language: str
    fields: dict[str, Any]
    duplicate: str
    claimed_by: int | None
    claimed_name: str
    created_at: datetime
    decided_at: datetime | None
    reason: str
    kb_path: str

    @property
    def title(self) -> str:
        """The submission's title."""
        return str(self.fields.get("title") or "")

    @property
    def author_chat(self) -> ChatRef:
        """Where the author is told what happened."""
        return ChatRef(self.platform, self.chat_id)


def snapshot(r: SubmissionRecord) -> Submission:
    return Submission(
        r.id,
        r.kind,
        r.state,
        r.author_id,
        r.author_name,
        r.platform,
        r.user_id,
        r.chat_id,
        r.language,
        dict(r.fields or {}),
        r.duplicate,
        r.claimed_by,
        r.claimed_name,
        r.created_at,
        r.decided_at,
        r.reason,
        r.kb_path,
    )
