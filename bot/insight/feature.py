"""The moderators' report as a feature: /rapport (/report), its buttons and the weekly post.

The report, its charts and the CSV go to a moderator privately (a report in a shared channel would
show every member what only moderators may see); /rapport in a channel says where it went. Under
each knowledge gap: ✍ opens the /tip flow with the gap's question as its title (a Slack form, or the
steps in a private Telegram chat), ❓ sends the question to the experts through the router as the
moderator's own question, so the expert's answer reaches the moderator and, with the expert's
consent, the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.answering.assistant import Answer
from bot.commands import MODERATOR, Command, CommandSpec
from bot.conversations.records import QuestionRecord
from bot.conversations.store import QuestionStore
from bot.delivery.outbox import Outbox, enqueue
from bot.delivery.scheduler import Job, weekly
from bot.experts.records import RoutingRecord
from bot.highlights.compose import TZ_NAME, WAITING, week_of
from bot.insight.figures import ASKED_FROM_GAP, DEFAULT_WEEKS, MAX_WEEKS, WeeksError, check_weeks
from bot.insight.gaps import MAX_GAPS, clip, quoted
from bot.insight.render import period_label
from bot.insight.report import Report, Reports
from bot.language import language_of, reply_language
from bot.messages import Action, Button, ChatRef, Incoming, Reply
from bot.people.records import AuditRecord
from bot.people.store import People, actor_of, audit
from bot.service import Contribution, RouteListener, press_notice
from bot.texts import t
from storage.db import utcnow

REPORT_JOB = "insight.report"
IN_CSV, IN_KB, IN_EXPERT = "in_csv", "in_kb", "in_expert"
# Each gap's buttons carry their own action (in_kb_a, in_expert_a for the first gap, ...): Slack
# rejects a message whose buttons share an action_id, and the adapter's action_id is the action.
# Letters, not digits: a Telegram feature callback is "<letters and _>:<id>". The bare names stay
# known for buttons posted before.
GAP_MARKS = "abcdefghij"[:MAX_GAPS]
ACTIONS = (IN_CSV, IN_KB, IN_EXPERT, *(f"{kind}_{m}" for kind in (IN_KB, IN_EXPERT) for m in GAP_MARKS))


def gap_action(kind: str, i: int) -> str:
    """The action of the i-th gap's button (1-based): in_kb_a, in_expert_b, ..."""
    return f"{kind}_{GAP_MARKS[i - 1]}"


def button_kind(action: str) -> str:
    """in_kb_c -> in_kb: what a press asks for, whichever gap's button it was."""
    base, _, mark = action.rpartition("_")
    return base if base in (IN_KB, IN_EXPERT) and len(mark) == 1 and mark in GAP_MARKS else action


POSTED = "insight_report"  # the audit action of a weekly post: one per week, however often the job runs
OFFERED = "insight_gap"  # the audit action of a gap shown with buttons: only those can be pressed
COMMANDS = (CommandSpec("rapport", aliases=("report",), audience=MODERATOR, slack=True, rank=99),)
CommandLookup = Callable[[str], Command | None]
NUMBER = re.compile(r"-?\d+")


@dataclass(frozen=True)
class InsightPolicy:
    """Whether, when and where the weekly report goes."""

    weekly: bool = False
    weekday: int = 0  # Monday
    at: time = time(8, 30)
    tz: str = TZ_NAME
    weeks: int = DEFAULT_WEEKS
    channels: tuple[tuple[str, str], ...] = ()  # (platform, chat id); none: every moderator privately
    language: str = "nl"


def private(chat: ChatRef, user_id: str) -> bool:
    """Whether a chat is the person's one-to-one chat with the bot (Slack D…, Telegram = user id)."""
    if chat.platform == "slack":
        return chat.chat_id.startswith("D")
    return chat.chat_id == user_id


class InsightFeature:
    """The report for moderators in chat and every week."""

    name = "insight"
    commands = COMMANDS

    def __init__(
        self,
        reports: Reports,
        people: People,
        outbox: Outbox,
        policy: InsightPolicy = InsightPolicy(),
        store: QuestionStore | None = None,
        route: RouteListener | None = None,
        command: CommandLookup | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.reports = reports
        self.people = people
        self.outbox = outbox
        self.policy = policy
        self.store = store
        self.route = route  # the experts' router (None: a bot without expert routing)
        self.command = command  # finds /tip at the moment of a press
        self.clock = clock

    # -- the report ------------------------------------------------------------------------

    def replies(self, report: Report, chat: ChatRef, lang: str, head: str = "") -> list[Reply]:
        """The report with its charts and buttons (the CSV, and ✍ / ❓ under each gap)."""
        if report.empty:
            return [Reply(chat, t("in_empty", lang, period=period_label(report.figures, lang)), lang)]
        buttons = [Button(IN_CSV, t("btn_in_csv", lang), str(len(report.figures.weeks)))]
        for i, gap in enumerate(report.gaps.gaps, 1):
            buttons.append(Button(gap_action(IN_KB, i), t("btn_in_kb", lang, i=i), str(gap.question_id)))
            buttons.append(
                Button(gap_action(IN_EXPERT, i), t("btn_in_expert", lang, i=i), str(gap.question_id))
            )
        self._offer([gap.question_id for gap in report.gaps.gaps])
        text = f"{head}\n\n{report.text(lang)}" if head else report.text(lang)
        return [Reply(chat, text, lang, buttons=tuple(buttons), files=report.charts(lang), kind="notice")]

    def _csv(self, weeks: int, chat: ChatRef, lang: str) -> Reply:
        figures = self.reports.figures(weeks)
        attachment, n = self.reports.csv(figures)
        text = t("in_csv_caption", lang, period=period_label(figures, lang), n=n)
        return Reply(chat, text, lang, files=(attachment,), kind="notice")

    def cmd_report(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/rapport [weeks] | /rapport csv [weeks]: privately to the moderator."""
        lang = reply_language(arg, msg.language)
        refused = self.people.refusal(msg.chat.platform, msg.user_id, lang)
        if refused:
            return [_say(msg, refused, lang)]
        words = arg.lower().split()
        csv = bool(words) and words[0] == "csv"
        rest = words[1:] if csv else words
        if len(rest) > 1 or (rest and not NUMBER.fullmatch(rest[0])):
            return [_say(msg, t("in_usage", lang, n=self.policy.weeks), lang)]
        given = rest[0] if rest else str(self.policy.weeks)
        try:
            weeks = check_weeks(int(given) if len(given) <= 9 else MAX_WEEKS + 1)
        except WeeksError:
            shown = given if len(given) <= 12 else given[:12] + "…"
            return [_say(msg, t("in_weeks_bad", lang, max=MAX_WEEKS, n=shown), lang)]
        here = msg.chat if msg.direct else ChatRef(msg.chat.platform, msg.user_id)
        out = [self._csv(weeks, here, lang)] if csv else self.replies(self.reports.build(weeks), here, lang)
        if not msg.direct:
            out.append(_say(msg, t("in_sent_privately", lang), lang))
        return out

    # -- the buttons -----------------------------------------------------------------------

    def _offer(self, ids: list[int]) -> None:
        """Note the questions shown as gaps: a press names a question id, and only these are gaps."""
        if not ids:
            return
        targets = [f"question:{i}" for i in ids]
        with self.outbox.sessions.begin() as s:
            known = set(
                s.scalars(
                    select(AuditRecord.target).where(
                        AuditRecord.action == OFFERED, AuditRecord.target.in_(targets)
                    )
                )
            )
            for target in targets:
                if target not in known:
                    audit(s, "insight", OFFERED, target, "", self.clock())

    def _offered(self, question_id: int) -> bool:
        """Whether a report showed this question as a gap (a forged press names any other id)."""
        with self.outbox.sessions() as s:
            found = s.scalar(
                select(AuditRecord.id)
                .where(AuditRecord.action == OFFERED, AuditRecord.target == f"question:{question_id}")
                .limit(1)
            )
        return found is not None

    def on_action(self, act: Action) -> list[Reply]:
        """The CSV, ✍ (a knowledge-base entry) and ❓ (ask an expert) under a report."""
        lang = language_of(act.language) if act.language else self.policy.language
        refused = self.people.refusal(act.chat.platform, act.user_id, lang)
        if refused:
            return [press_notice(act, refused, lang)]
        kind = button_kind(act.action)
        if kind == IN_CSV:
            if not 1 <= act.item_id <= MAX_WEEKS:
                return [press_notice(act, t("unknown_item", lang), lang)]
            return [self._csv(act.item_id, ChatRef(act.chat.platform, act.user_id), lang)]
        if not self._offered(act.item_id):
            return [press_notice(act, t("unknown_item", lang), lang)]
        q = self.store.get(act.item_id) if self.store is not None else None
        if q is None:
            return [press_notice(act, t("in_gap_gone", lang), lang)]
        text = quoted(q.text, q.user_name)  # a member's words: anonymised, as the report shows them
        if kind == IN_KB:
            return self._write_entry(act, text, lang)
        return self._ask_experts(act, text, q.text, q.language or lang, lang)

    def _write_entry(self, act: Action, question: str, lang: str) -> list[Reply]:
        title = clip(question, 120)
        tip = self.command("tip") if self.command is not None else None
        if tip is None:
            return [press_notice(act, f"/tip {title}", lang)]
        msg = Incoming(
            act.chat,
            f"{ASKED_FROM_GAP}{act.event_id or self.clock().timestamp()}",
            act.user_id,
            title,
            user_name=act.user_name,
            command="tip",
            direct=private(act.chat, act.user_id),
            language=act.language,
            trigger=act.trigger,
        )
        return tip.handler(msg, title, lang)

    def _waiting(self, *texts: str) -> int | None:
        """A question with one of these very texts that is with the experts now (not answered)."""
        assert self.store is not None
        with self.store.sessions() as s:
            found = s.scalar(
                select(QuestionRecord.id)
                .join(RoutingRecord, RoutingRecord.question_id == QuestionRecord.id)
                .where(
                    QuestionRecord.text.in_(texts),
                    QuestionRecord.status.in_(WAITING),
                    RoutingRecord.answered_at.is_(None),
                )
                .order_by(QuestionRecord.id.desc())
                .limit(1)
            )
        return int(found) if found is not None else None

    def _ask_experts(self, act: Action, question: str, member: str, qlang: str, lang: str) -> list[Reply]:
        """`question` goes to the experts (anonymised); `member`'s own open question counts too."""
        if self.route is None or self.store is None:
            return [press_notice(act, t("in_no_experts", lang), lang)]
        waiting = self._waiting(question, member)
        if waiting is not None:  # a second press, or the member's own question is still open
            return [press_notice(act, t("in_gap_waiting", lang, id=waiting), lang)]
        msg = Incoming(
            act.chat,
            f"{ASKED_FROM_GAP}{act.event_id or self.clock().timestamp()}",
            act.user_id,
            question,
            user_name=act.user_name,
            direct=private(act.chat, act.user_id),
        )
        qid = self.store.record_question(msg, question, Answer(question, "", True, qlang, status="routed"))
        said = self.route(qid, actor_of(act.chat.platform, act.user_id)) or ""
        text = t("in_gap_to_experts", lang, id=qid, question=question, said=said).strip()
        return [press_notice(act, text, lang)]

    # -- every week ------------------------------------------------------------------------

    def run_weekly(self, now: datetime) -> int:
        """The weekly job: the report to the report channels or every moderator, once per week."""
        week = week_of(now - timedelta(days=7), self.policy.tz)
        report = self.reports.build(self.policy.weeks)
        if report.empty:
            return 0
        lang = self.policy.language
        targets = list(self.policy.channels) or self.people.moderator_accounts()
        replies = [
            r
            for platform, chat in targets
            for r in self.replies(report, ChatRef(platform, chat), lang, t("in_weekly_head", lang))
        ]
        with self.outbox.sessions.begin() as s:
            done = s.scalar(
                select(AuditRecord.id).where(
                    AuditRecord.action == POSTED, AuditRecord.target == f"week:{week}"
                )
            )
            if done is not None:
                return 0
            for reply in replies:
                enqueue(s, reply, now=self.clock())
            audit(s, "scheduler", POSTED, f"week:{week}", f"{len(replies)} message(s)", self.clock())
        self.outbox.notify()
        return len(replies)

    def contribution(self) -> Contribution:
        """/rapport, the report's buttons, and the weekly job when it is switched on."""
        p = self.policy
        jobs = (
            (
                Job(
                    REPORT_JOB,
                    lambda now, payload: self.run_weekly(now),
                    next_run=weekly(p.weekday, p.at, p.tz),
                ),
            )
            if p.weekly
            else ()
        )
        return Contribution(
            commands=(Command(COMMANDS[0], self.cmd_report),),
            item_actions={a: self.on_action for a in ACTIONS},
            jobs=jobs,
        )


def _say(msg: Incoming, text: str, lang: str) -> Reply:
    private_to = None if msg.direct else msg.user_id
    return Reply(msg.chat, text, lang, reply_to=msg.message_id, ephemeral_user=private_to, kind="notice")
