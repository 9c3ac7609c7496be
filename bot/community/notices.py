"""The queue's messages: new submissions to the moderators, outcomes to the author and the others."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.community.drafts import summary
from bot.community.model import MODERATION_ACTIONS, Submission
from bot.community.records import APPROVED, SubmissionRecord
from bot.delivery.outbox import enqueue
from bot.messages import Button, ChatRef, Reply
from bot.people.store import People, Person
from bot.texts import t


def submission_text(sub: Submission, lang: str) -> str:
    """A submission as moderators see it: what, from whom, its fields."""
    text = t(
        "mod_new",
        lang,
        id=sub.id,
        kind=t(f"kind_{sub.kind}", lang),
        author=sub.author_name,
        platform=sub.platform,
        fields=summary(sub.kind, sub.fields, lang),
    )
    return text + ("\n" + t("mod_duplicate_note", lang, duplicate=sub.duplicate) if sub.duplicate else "")


def moderation_buttons(sub: Submission, lang: str) -> tuple[Button, ...]:
    """Approve, edit, reject."""
    return tuple(Button(a, t(f"btn_{a}", lang), str(sub.id)) for a in MODERATION_ACTIONS)


class QueueNotices:
    """Queues the messages of the moderation workflow, inside the caller's transaction."""

    def __init__(self, people: People, clock: Callable[[], datetime]) -> None:
        self.people = people
        self.clock = clock

    def _send(
        self, s: Session, chat: ChatRef, text: str, lang: str, buttons: tuple[Button, ...] = ()
    ) -> None:
        enqueue(s, Reply(chat, text, lang, buttons=buttons, kind="notice"), now=self.clock())

    def to_moderators(self, s: Session, sub: Submission) -> None:
        """Every moderator, on every platform they use, gets the submission with its buttons."""
        lang = sub.language
        for platform, uid in self.people.moderator_accounts():
            self._send(
                s, ChatRef(platform, uid), submission_text(sub, lang), lang, moderation_buttons(sub, lang)
            )

    def to_author(self, s: Session, sub: Submission) -> None:
        """The outcome, and for a rejection the reason with the author's own text."""
        lang = sub.language
        kind = t(f"kind_{sub.kind}", lang)
        if sub.state == APPROVED:
            text = t("author_approved", lang, kind=kind, title=sub.title)
        else:
            fields = summary(sub.kind, sub.fields, lang)
            text = t("author_rejected", lang, kind=kind, title=sub.title, reason=sub.reason, fields=fields)
        self._send(s, sub.author_chat, text, lang)

    def to_others(self, s: Session, sub: Submission, mod: Person, key: str) -> None:
        """The other moderators hear what one of them did (took it on, approved it, rejected it)."""
        for platform, uid in self.people.moderator_accounts():
            if (platform, uid) not in mod.accounts:
                text = t(key, sub.language, id=sub.id, who=mod.label, title=sub.title)
                self._send(s, ChatRef(platform, uid), text, sub.language)

    def stale(self, s: Session, rows: list[SubmissionRecord]) -> None:
        """One reminder per moderator of every submission that waits too long."""
        lines = "\n".join(f"#{r.id} {r.fields.get('title', '')} ({r.author_name})" for r in rows)
        for platform, uid in self.people.moderator_accounts():
            self._send(s, ChatRef(platform, uid), t("mod_stale", "nl", n=len(rows), items=lines), "nl")
