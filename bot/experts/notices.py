"""The messages of the expert workflow: offers to experts, notices to askers and moderators.

Every message is queued in the outbox inside the caller's transaction. The outbox purposes OFFER
and DELIVERY say what a sent message is for, and their hooks record it when it has been sent:
replies to an offer are the expert's answer, replies to a delivered answer are follow-up questions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversations.records import QuestionRecord
from bot.conversations.store import upsert_ref
from bot.delivery.outbox import NOTICE, Pending, SentHook, enqueue
from bot.experts.directory import PLATFORMS, Expert, ExpertDirectory
from bot.experts.records import OfferRecord, RoutedMessage
from bot.messages import CLAIM, Button, ChatRef, Posted, Reply, Source
from bot.people.store import People
from bot.texts import t

OFFER = "offer"  # a question offered or handed to an expert: a reply to it answers the question
DELIVERY = "delivery"  # an expert's answer delivered to the asker: a reply to it is a follow-up
TAKEN = "taken"  # "another expert has it": withdrawn when that expert's own claim click is answered


def link_offer(s: Session, item: Pending, posted: list[Posted]) -> None:
    """Remember the messages that carried a question to an expert (replies to them are answers)."""
    if item.question_id is None:
        return
    for chat_id, message_id in posted:
        key = (item.reply.chat.platform, chat_id, message_id)
        if s.get(RoutedMessage, key) is None:
            s.add(
                RoutedMessage(
                    platform=key[0],
                    chat_id=chat_id,
                    message_id=message_id,
                    question_id=item.question_id,
                    expert_id=item.expert_id,
                )
            )


def link_delivery(s: Session, item: Pending, posted: list[Posted]) -> None:
    """Link a delivered answer to its question, so the asker's reply to it is a follow-up."""
    if item.question_id is None:
        return
    for chat_id, message_id in posted:
        upsert_ref(s, item.reply.chat.platform, chat_id, message_id, item.question_id)


SENT_HOOKS: dict[str, SentHook] = {OFFER: link_offer, DELIVERY: link_delivery}


def asker_chat(q: QuestionRecord) -> ChatRef:
    """The chat (and thread or topic) a question was asked in."""
    return ChatRef(q.platform, q.chat_id, q.thread_id)


def expert_chat(e: Expert, prefer: str) -> ChatRef | None:
    """The expert's direct chat, on the asker's platform when they are on it."""
    for platform in (prefer, *PLATFORMS):
        uid = e.identity(platform)
        if uid:
            return ChatRef(platform, uid)
    return None


class Notices:
    """Builds and queues the workflow's messages; knows who the experts and moderators are."""

    def __init__(
        self,
        experts: ExpertDirectory,
        moderators: frozenset[tuple[str, str]],
        clock: Callable[[], datetime],
        people: People | None = None,
    ) -> None:
        self.experts = experts
        self._moderators = moderators
        self.clock = clock
        self.people = people

    @property
    def moderators(self) -> frozenset[tuple[str, str]]:
        """Every moderator account: configured, and named by admins (people.roles)."""
        if self.people is None:
            return self._moderators
        return self._moderators | frozenset(self.people.moderator_accounts())

    def is_moderator(self, platform: str, user_id: str) -> bool:
        """Configured or named moderator, or an expert flagged as moderator."""
        if (platform, str(user_id)) in self._moderators:
            return True
        if self.people is not None and self.people.is_moderator(platform, str(user_id)):
            return True
        e = self.experts.by_identity(platform, user_id)
        return bool(e and e.moderator)

    @staticmethod
    def offer_reply(chat: ChatRef, q: QuestionRecord, lang: str, head: str, reason: str = "") -> Reply:
        """A question as offered to an expert: why them, how to answer, the bot's sources, a claim button."""
        lines = [head]
        if reason:
            lines.append(t("offer_why", lang, reason=reason))
        lines.append(t("offer_how", lang, id=q.id))
        sources = tuple(Source(**x) for x in (q.sources or [])[:3])
        if sources:
            lines.append(t("offer_sources", lang))
        buttons = (Button(CLAIM, t("btn_claim", lang), str(q.id)),)
        return Reply(
            chat=chat,
            text="\n".join(lines),
            language=lang,
            sources=sources,
            buttons=buttons,
            question_id=q.id,
            kind="notice",
        )

    @staticmethod
    def for_asker(q: QuestionRecord, text: str, buttons: tuple[Button, ...] = ()) -> Reply:
        """A notice to the asker, in the chat and thread of the question."""
        return Reply(
            chat=asker_chat(q),
            text=text,
            language=q.language,
            question_id=q.id,
            reply_to=q.message_id,
            buttons=buttons,
            kind="notice",
        )

    def to_asker(
        self,
        s: Session,
        q: QuestionRecord,
        text: str,
        buttons: tuple[Button, ...] = (),
        purpose: str = NOTICE,
        expert_id: int | None = None,
    ) -> None:
        """Queue a notice to the asker."""
        enqueue(s, self.for_asker(q, text, buttons), purpose, expert_id, self.clock())

    def to_expert(
        self,
        s: Session,
        e: Expert,
        q: QuestionRecord,
        text: str,
        purpose: str = NOTICE,
        buttons: tuple[Button, ...] = (),
    ) -> None:
        """Queue a message about a question to an expert's direct chat."""
        chat = expert_chat(e, q.platform)
        if chat is not None:
            reply = Reply(
                chat=chat, text=text, language=e.language, question_id=q.id, buttons=buttons, kind="notice"
            )
            enqueue(s, reply, purpose, e.id, self.clock())

    def offer(
        self, s: Session, q: QuestionRecord, e: Expert, head: str, reason: str = "", score: float = 0.0
    ) -> None:
        """Offer a question to an expert (recorded once per expert) with a claim button."""
        known = select(OfferRecord).where(OfferRecord.question_id == q.id, OfferRecord.expert_id == e.id)
        if s.scalar(known) is None:
            s.add(
                OfferRecord(
                    question_id=q.id, expert_id=e.id, score=score, reason=reason[:300], at=self.clock()
                )
            )
        chat = expert_chat(e, q.platform)
        if chat is not None:
            enqueue(s, self.offer_reply(chat, q, e.language, head, reason), OFFER, e.id, self.clock())

    def to_channel(self, s: Session, q: QuestionRecord, chat: ChatRef, head: str) -> None:
        """Offer a question in an experts channel (anyone there who is an expert can claim it)."""
        enqueue(s, self.offer_reply(chat, q, "nl", head), OFFER, None, self.clock())

    @staticmethod
    def offered(s: Session, qid: int) -> list[int]:
        """The experts a question has been offered to."""
        return list(s.scalars(select(OfferRecord.expert_id).where(OfferRecord.question_id == qid)))

    def to_moderators(
        self, s: Session, q: QuestionRecord, text: str, offer: bool = False, buttons: tuple[Button, ...] = ()
    ) -> None:
        """Tell every moderator once; with `offer`, moderators who are experts get it as an offer to claim."""
        experts = {key: e for e in self.experts.all() for key in e.identities()}
        targets = set(self.moderators) | {key for key, e in experts.items() if e.moderator}
        done: set[int] = set()  # an expert on both platforms is one person: one message
        for platform, uid in sorted(targets):
            e = experts.get((platform, uid))
            if e is not None:
                if e.id in done:
                    continue
                done.add(e.id)
                if offer:
                    self.offer(s, q, e, text)
                    continue
            reply = Reply(
                chat=ChatRef(platform, uid),
                text=text,
                language="nl",
                question_id=q.id,
                # A moderator who is not an expert cannot claim: no claim button for them.
                buttons=buttons,
                kind="notice",
            )
            enqueue(s, reply, NOTICE, None, self.clock())
