"""Posting the weekly highlights: a preview for the moderators, then exactly one post per channel.

Every channel's post is a row keyed by (week, platform, chat), written in the same transaction
as its outbox message: a second run, a restart or a second replica finds the row and posts
nothing. On Slack the details follow in the post's thread, queued when the post is sent.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery.outbox import PIN, UNPIN, Outbox, Pending, enqueue
from bot.highlights.compose import TZ_NAME, parse_week, week_of
from bot.highlights.records import POSTED, PREVIEWED, SKIPPED, HighlightPostRecord, HighlightWeekRecord
from bot.messages import Button, ChatRef, Posted, Reply
from bot.people.store import People, audit
from bot.texts import t
from storage.db import insert_missing

PURPOSE = "highlights"  # the outbox purpose of a highlights post (its hook queues the Slack thread)
HL_POST, HL_SKIP, HL_INTRO = "hl_post", "hl_skip", "hl_intro"
ACTIONS = (HL_POST, HL_SKIP, HL_INTRO)


@dataclass(frozen=True)
class Edition:
    """One week's highlights, rendered for each platform."""

    week: str
    empty: bool
    plain: str
    slack: tuple[str, list[dict[str, Any]]]  # the short message: fallback text, blocks
    slack_thread: tuple[tuple[str, list[dict[str, Any]]], ...]  # the details, in its thread
    telegram: tuple[str, ...]  # HTML messages, each within Telegram's limit


Build = Callable[[str, str], Edition]  # (week, intro) -> the edition


@dataclass(frozen=True)
class HighlightsPolicy:
    """When and where the highlights go, and what happens without a moderator."""

    weekday: int = 0  # Monday
    at: time = time(9, 0)
    tz: str = TZ_NAME
    preview_hours: float = 3.0
    channels: tuple[tuple[str, str], ...] = ()  # (platform, chat id)
    unattended: str = "post"  # post | wait: without a moderator's "post", post as planned or wait
    when_empty: str = "note"  # note | skip: a week with nothing to say gets a short note, or nothing
    language: str = "nl"
    pin: bool = False  # Telegram: pin this week's post, unpin last week's


@dataclass
class PostReport:
    """What posting a week did."""

    week: str
    queued: list[tuple[str, str]] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)
    skipped: str = ""  # why nothing was posted


def week_code(week: str) -> int:
    """A week as a number for a button's value (2026-W49 -> 202649)."""
    monday = parse_week(week)
    year, number, _ = monday.isocalendar()
    return year * 100 + number


def week_from_code(code: int) -> str:
    """The inverse of week_code (ValueError for a number that is no week)."""
    week = f"{code // 100}-W{code % 100:02d}"
    parse_week(week)
    return week


class Poster:
    """Previews, posts and records the weekly highlights."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: People,
        outbox: Outbox,
        build: Build,
        policy: HighlightsPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.people = people
        self.outbox = outbox
        self.build = build
        self.policy = policy
        self.clock = clock

    def covered_week(self, now: datetime) -> str:
        """The week a post at `now` is about: the last full ISO week before it."""
        return week_of(now - timedelta(days=7), self.policy.tz)

    def _week(self, s: Session, week: str) -> HighlightWeekRecord:
        """The week's row, made if missing (two replicas making it at once: both go on), locked."""
        row = {"week": week, "state": "", "intro": "", "decided_by": "", "updated_at": self.clock()}
        insert_missing(s, HighlightWeekRecord, row)
        found = s.get(HighlightWeekRecord, week, with_for_update=True, populate_existing=True)
        assert found is not None
        return found

    def state(self, week: str) -> tuple[str, str]:
        """(state, intro) of a week."""
        with self.sessions() as s:
            row = s.get(HighlightWeekRecord, week)
            return (row.state, row.intro) if row is not None else ("", "")

    def edition(self, week: str) -> Edition:
        """The week's highlights as they would be posted now (with the moderators' intro)."""
        return self.build(week, self.state(week)[1])

    # -- preview ----------------------------------------------------------------------------

    def preview(self, week: str) -> int:
        """Send the moderators the week's highlights with post / skip / edit intro; how many got it."""
        edition = self.edition(week)
        lang = self.policy.language
        code = str(week_code(week))
        buttons = tuple(Button(a, t(f"btn_{a}", lang), code) for a in ACTIONS)
        head = t("hl_preview_head", lang, week=week, when=self._when(lang))
        text = f"{head}\n\n{edition.plain}"
        targets = self.people.moderator_accounts()
        with self.sessions.begin() as s:
            row = self._week(s, week)
            if row.state in (SKIPPED, POSTED):
                return 0
            row.state, row.updated_at = PREVIEWED, self.clock()
            for platform, uid in targets:
                enqueue(
                    s,
                    Reply(ChatRef(platform, uid), text, lang, buttons=buttons, kind="notice"),
                    now=self.clock(),
                )
        self.outbox.notify()
        return len(targets)

    def _when(self, lang: str) -> str:
        return f"{t(f'weekday_{self.policy.weekday}', lang)} {self.policy.at.strftime('%H:%M')}"

    # -- decisions --------------------------------------------------------------------------

    def skip(self, week: str, actor: str) -> bool:
        """Skip a week (before it is posted); whether it was still open."""
        with self.sessions.begin() as s:
            row = self._week(s, week)
            if row.state == POSTED:
                return False
            row.state, row.decided_by, row.updated_at = SKIPPED, actor, self.clock()
            audit(s, actor, "highlights_skip", f"week:{week}", "", self.clock())
            return True

    def set_intro(self, week: str, intro: str, actor: str) -> None:
        """The moderators' own opening line for a week."""
        with self.sessions.begin() as s:
            row = self._week(s, week)
            row.intro, row.decided_by, row.updated_at = intro.strip(), actor, self.clock()
            audit(s, actor, "highlights_intro", f"week:{week}", intro[:200], self.clock())

    # -- posting ----------------------------------------------------------------------------

    def scheduled(self, now: datetime) -> PostReport:
        """The scheduler's run at the planned time: post, unless skipped or waiting for a moderator."""
        week = self.covered_week(now)
        state, _ = self.state(week)
        if state == SKIPPED:
            return PostReport(week, skipped="skipped by a moderator")
        if state in ("", PREVIEWED) and self.policy.unattended == "wait":
            return PostReport(week, skipped="waiting for a moderator")
        return self.post(week, "scheduler")

    def post(self, week: str, actor: str) -> PostReport:
        """Post a week to every highlights channel that does not have it yet (exactly once each)."""
        report = PostReport(week)
        edition = self.edition(week)
        if edition.empty and self.policy.when_empty == "skip":
            report.skipped = "nothing to say this week"
            return report
        for platform, chat in self.policy.channels:
            if self._post_one(edition, platform, chat, actor):
                report.queued.append((platform, chat))
            else:
                report.already.append((platform, chat))
        with self.sessions.begin() as s:
            row = self._week(s, week)
            row.state, row.updated_at = POSTED, self.clock()
            row.decided_by = row.decided_by or actor
        if report.queued:
            self.outbox.notify()
        return report

    def _post_one(self, edition: Edition, platform: str, chat: str, actor: str) -> bool:
        lang = self.policy.language
        try:
            with self.sessions.begin() as s:
                row = HighlightPostRecord(
                    week=edition.week,
                    platform=platform,
                    chat_id=chat,
                    message_id="",
                    thread=[],
                    created_at=self.clock(),
                )
                s.add(row)
                s.flush()  # the key is taken here: a second poster of this week stops at this line
                if platform == "slack":
                    text, blocks = edition.slack
                    row.thread = [[part, json.dumps(b)] for part, b in edition.slack_thread]
                    replies = [Reply(ChatRef(platform, chat), text, lang, formatted=json.dumps(blocks))]
                else:
                    replies = [
                        Reply(ChatRef(platform, chat), _plain(p), lang, formatted=p) for p in edition.telegram
                    ]
                first = None
                for reply in replies:
                    out = enqueue(s, reply, PURPOSE, now=self.clock())
                    s.flush()
                    first = first or out.id
                row.outbox_id = first
                audit(s, actor, "highlights_post", f"{platform}:{chat}", edition.week, self.clock())
            return True
        except IntegrityError:
            return False

    def on_sent(self, s: Session, item: Pending, posted: list[Posted]) -> None:
        """A highlights post went out: remember it, and queue its details in its Slack thread."""
        row = s.scalar(select(HighlightPostRecord).where(HighlightPostRecord.outbox_id == item.id))
        if row is None or not posted:
            return
        row.message_id = posted[0].message_id
        for text, blocks in row.thread or []:
            chat = ChatRef(row.platform, posted[0].chat_id, thread_id=posted[0].message_id)
            enqueue(s, Reply(chat, text, self.policy.language, formatted=blocks), now=self.clock())
        if self.policy.pin and row.platform == "telegram":
            self._pin(s, row, posted[0])

    def _pin(self, s: Session, row: HighlightPostRecord, posted: Posted) -> None:
        """Pin this week's post in its chat and unpin the week before's (the chat shows one)."""
        here = Reply(ChatRef(row.platform, posted.chat_id), "", self.policy.language, kind="notice")
        enqueue(s, here, now=self.clock(), op=PIN, target=posted)
        before = s.scalar(
            select(HighlightPostRecord)
            .where(
                HighlightPostRecord.platform == row.platform,
                HighlightPostRecord.chat_id == row.chat_id,
                HighlightPostRecord.week < row.week,
                HighlightPostRecord.message_id != "",
            )
            .order_by(HighlightPostRecord.week.desc())
            .limit(1)
        )
        if before is not None:
            enqueue(s, here, now=self.clock(), op=UNPIN, target=Posted(posted.chat_id, before.message_id))


def _plain(part: str) -> str:
    """The plain fallback of an HTML part."""
    return html.unescape(re.sub(r"<[^>]+>", "", part))
