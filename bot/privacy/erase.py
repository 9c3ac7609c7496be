"""Forget-me: erase a person's questions, feedback, drafts and unpublished contributions, anonymise
what stays public, take back the bot's messages that quote them, and wipe every last mention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.outbox import DELETE, DONE, LANDED, SEND, UPDATE, Pending, enqueue
from bot.messages import ChatRef, Posted, Reply, reply_from_dict, reply_to_dict
from bot.privacy.catalog import COVERAGE, rows_about
from bot.privacy.files import scrub_folder
from bot.privacy.paraphrase import anonymise
from bot.privacy.subject import Subject, accounts_clause, subject_of, table
from bot.privacy.traces import compact, mentions, secure, wipe
from bot.texts import t

if TYPE_CHECKING:
    from bot.privacy.kbscrub import KBScrubber

PURPOSE = "privacy"  # outbox rows of forget-me: once sent, their chat and message ids are blanked
TELEGRAM_DELETE_WINDOW = timedelta(hours=48) - timedelta(minutes=10)  # Telegram deletes only this long
KB_TABLES = ("kb_documents", "kb_chunks")  # the ingested corpus is not about members: rewritten by path


def blank_sent(s: Session, item: Pending, posted: list[Posted]) -> None:
    """Outbox hook: a sent forget-me row keeps no chat or message id of anyone."""
    gone = Reply(ChatRef(item.reply.chat.platform, ""), "", item.reply.language)
    ob = table("outbox")
    s.execute(
        update(ob)
        .where(ob.c.id == item.id)
        .values(target_chat="", target_message="", payload=reply_to_dict(gone))
    )


def _bot_messages(s: Session, sub: Subject) -> list[tuple[str, str, str, datetime]]:
    """The bot's own messages about their questions: (platform, chat, message id, not sent before)."""
    if not sub.question_ids:
        return []
    qt, rm, mr = table("questions"), table("routed_messages"), table("message_refs")
    asked = {q.id: q for q in s.execute(select(qt).where(qt.c.id.in_(sub.question_ids)))}
    theirs = {(q.platform, q.chat_id, q.message_id) for q in asked.values()}
    out: dict[tuple[str, str, str], datetime] = {}
    for ref in s.execute(select(rm).where(rm.c.question_id.in_(sub.question_ids))):
        out[(ref.platform, ref.chat_id, ref.message_id)] = asked[ref.question_id].created_at
    for ref in s.execute(select(mr).where(mr.c.question_id.in_(sub.question_ids))):
        key = (ref.platform, ref.chat_id, ref.message_id)
        if key not in theirs:  # the member's own messages are theirs to delete, not the bot's
            out.setdefault(key, asked[ref.question_id].created_at)
    return [(p, c, m, at) for (p, c, m), at in sorted(out.items()) if p in ("slack", "telegram")]


def _posts_naming(
    s: Session, sub: Subject, by: str
) -> tuple[list[tuple[str, str, str, datetime]], list[tuple[Posted, Reply]]]:
    """The bot's sent posts that name the person or went to them, from where the outbox noted they
    landed: those to them are taken back (as their questions' answers are), the others, posts in
    channels and to other people, are edited to carry "een lid" instead of the name."""
    pattern = mentions(sub.needles(), sub.protected)
    ob = table("outbox")
    take_back: list[tuple[str, str, str, datetime]] = []
    edit: list[tuple[Posted, Reply]] = []
    theirs = {*sub.accounts, *sub.direct_chats}  # a post to a user id lands in their direct chat
    sent = select(ob).where(ob.c.sent_at.is_not(None), ob.c.op == SEND, ob.c.purpose != PURPOSE)
    for row in s.execute(sent):
        payload = dict(row.payload or {})
        landed = payload.pop(LANDED, None)
        if not landed:
            continue
        payload.pop(DONE, None)
        reply = reply_from_dict(payload)
        platform = reply.chat.platform
        if platform not in ("slack", "telegram"):
            continue
        if (platform, reply.chat.chat_id) in theirs or any((platform, str(c)) in theirs for c, _ in landed):
            take_back += [(platform, str(c), str(m), row.sent_at) for c, m in landed]
        elif pattern is not None and pattern.search(f"{reply.text}\n{reply.formatted}"):
            clean = replace(
                reply, text=pattern.sub(by, reply.text), formatted=pattern.sub(by, reply.formatted)
            )
            edit += [
                (Posted(str(c), str(m)), replace(clean, chat=ChatRef(platform, str(c)))) for c, m in landed
            ]
    return take_back, edit


class Eraser:
    """Carries out a forget-me request (the stored job runs it after the grace period)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        kb: KBScrubber | None,
        clock: Callable[[], datetime],
        files: Path | None = None,
    ) -> None:
        self.sessions = sessions
        self.kb = kb
        self.clock = clock
        self.files = files  # where the console saves the files of replies (data exports among them)

    def erase(self, person_id: int, lang: str = "nl") -> dict[str, int] | None:
        """Forget a person now; what was done, counted (None: no such person)."""
        with self.sessions() as s:
            sub = subject_of(s, person_id)
            if sub is None:
                return None
            rewrites = self._public_entries(s, sub)
        done: dict[str, int] = {"public_entries": 0}
        if self.kb is not None:  # first: a crash after this finds the same entries again next time
            done["public_entries"] = sum(self.kb.rewrite(path, scrub) for path, scrub in rewrites.items())
        with self.sessions.begin() as s:
            sub = subject_of(s, person_id)
            if sub is None:
                return None
            secure(s)
            done.update(self._erase(s, sub, lang))
        pattern = mentions(sub.needles(), sub.protected)
        done["files"] = scrub_folder(self.files, person_id, pattern, t("a_member", "nl"))
        done["compacted"] = int(compact(self.sessions))
        return done

    def _public_entries(self, s: Session, sub: Subject) -> dict[str, Callable[[str], str]]:
        """How each public entry of theirs is rewritten: credited to "een lid" / "een expert"."""
        names = [n for n in sub.names if len(n) >= 3]
        pattern = mentions(names, sub.protected)
        rt, qt = table("routings"), table("questions")
        as_expert = set(
            s.scalars(select(rt.c.kb_path).where(rt.c.answered_by.in_(sub.expert_ids), rt.c.kb_path != ""))
        )
        asked = {
            r.kb_path: r.text
            for r in s.execute(
                select(rt.c.kb_path, qt.c.text)
                .join(qt, qt.c.id == rt.c.question_id)
                .where(rt.c.question_id.in_(sub.question_ids), rt.c.kb_path != "")
            )
        }
        out: dict[str, Callable[[str], str]] = {}
        for path in sub.kb_paths:
            who = t("an_expert", "nl") if path in as_expert else t("a_member", "nl")

            def scrub(text: str, question: str = asked.get(path, ""), who: str = who) -> str:
                if question:
                    text = text.replace(question, anonymise(question, names))
                return pattern.sub(who, text) if pattern else text

            out[path] = scrub
        return out

    def _erase(self, s: Session, sub: Subject, lang: str) -> dict[str, int]:
        now = self.clock()
        done: dict[str, int] = {}
        messages = _bot_messages(s, sub)
        ob = table("outbox")
        gone = [r["id"] for r in rows_about(s, "outbox", sub)]
        taken, edits = _posts_naming(s, sub, t("a_member", "nl"))
        # The posts to them, with the answers to their questions, once each (the earliest time).
        when: dict[tuple[str, str, str], datetime] = {}
        for platform, chat, mid, at in [*messages, *taken]:
            key = (platform, chat, mid)
            when[key] = min(at, when.get(key, at))
        messages = [(*key, at) for key, at in sorted(when.items())]
        s.execute(delete(ob).where(ob.c.id.in_(gone)))
        done["outbox"] = len(gone)
        qt = table("questions")
        s.execute(update(qt).where(qt.c.parent_id.in_(sub.question_ids)).values(parent_id=None))
        done["questions"] = _delete(s, "questions", qt.c.id.in_(sub.question_ids))
        fb = table("feedback")
        done["feedback"] = _delete(s, "feedback", fb.c.user_id.in_(sub.user_ids))
        for name in ("form_drafts", "link_codes"):
            done[name] = _delete(s, name, accounts_clause(table(name), sub.accounts))
        done["handled_events"] = _delete(
            s, "handled_events", COVERAGE["handled_events"](table("handled_events"), sub)
        )
        su, ev = table("submissions"), table("events")
        s.execute(
            update(ev)
            .where(ev.c.submission_id.in_(sub.submission_ids))
            .values(author_name=t("a_member", "nl"))
        )
        done["submissions"] = _delete(s, "submissions", su.c.author_id == sub.person_id)
        s.execute(update(su).where(su.c.claimed_by == sub.person_id).values(claimed_by=None, claimed_name=""))
        rt = table("routings")
        s.execute(update(rt).where(rt.c.claimed_by.in_(sub.expert_ids)).values(claimed_by=None))
        s.execute(update(rt).where(rt.c.answered_by.in_(sub.expert_ids)).values(answered_by=None))
        _delete(s, "routed_messages", table("routed_messages").c.expert_id.in_(sub.expert_ids))
        _delete(s, "offers", table("offers").c.expert_id.in_(sub.expert_ids))
        done["expert_profile"] = _delete(s, "experts", table("experts").c.id.in_(sub.expert_ids))
        al, an, hw = table("audit_log"), table("announcements"), table("highlight_weeks")
        s.execute(
            update(al)
            .where(COVERAGE["audit_log"](al, sub), al.c.target.startswith(sub.person_ref))
            .values(target="person:-")
        )
        s.execute(update(al).where(al.c.actor.in_(sub.actors)).values(actor="-"))
        s.execute(update(an).where(an.c.id.in_(sub.announcement_ids)).values(author="-"))
        s.execute(update(hw).where(hw.c.decided_by.in_(sub.actors)).values(decided_by=""))
        _delete(s, "people", table("people").c.id == sub.person_id)  # accounts and roles go with it
        done["mentions"] = wipe(
            s, sub.needles(), t("a_member", "nl"), keep=KB_TABLES, protected=sub.protected
        )
        # Last, so the wipe leaves their chat in these rows: the hook blanks it once they are sent.
        for platform, chat, mid, at in messages:
            target = Posted(chat, mid)
            if platform == "telegram" and now - at >= TELEGRAM_DELETE_WINDOW:
                notice = Reply(ChatRef(platform, chat), t("pv_message_removed", lang), lang, kind="notice")
                enqueue(s, notice, PURPOSE, now=now, op=UPDATE, target=target)
            else:
                enqueue(
                    s, Reply(ChatRef(platform, chat), "", lang), PURPOSE, now=now, op=DELETE, target=target
                )
        done["messages"] = len(messages)
        for target, clean in edits:  # posts to others that named them: the name goes, the post stays
            enqueue(s, clean, PURPOSE, now=now, op=UPDATE, target=target)
        done["posts_edited"] = len(edits)
        return done


def _delete(s: Session, name: str, where: Any) -> int:
    t_ = table(name)
    return int(s.execute(delete(t_).where(where)).rowcount or 0)  # type: ignore[attr-defined]
