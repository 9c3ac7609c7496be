"""The weekly highlights as a feature of the service: its jobs, the preview's buttons, /hoogtepunten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.commands import MODERATOR, Command, CommandSpec
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Job, weekly
from bot.highlights import render
from bot.highlights.compose import compose
from bot.highlights.posting import (
    ACTIONS,
    HL_POST,
    HL_SKIP,
    PURPOSE,
    Build,
    Edition,
    HighlightsPolicy,
    Poster,
    PostReport,
    week_code,
    week_from_code,
)
from bot.language import language_of, reply_language
from bot.messages import Action, ChatRef, Form, FormField, FormResult, FormSubmit, Incoming, Reply
from bot.people.store import People, actor_of
from bot.service import Contribution, open_form, press_notice
from bot.texts import t
from storage.db import utcnow

PREVIEW_JOB = "highlights.preview"
POST_JOB = "highlights.post"
INTRO_FORM = "highlights_intro"
MAX_INTRO = 1000
COMMANDS = (CommandSpec("hoogtepunten", aliases=("highlights",), audience=MODERATOR, slack=True, rank=98),)


def editions(
    sessions: sessionmaker[Session], tz: str, lang: str, clock: Callable[[], datetime] = utcnow
) -> Build:
    """The Build of the running bot: the week composed from the database, rendered per platform."""

    def build(week: str, intro: str) -> Edition:
        h = compose(sessions, week, tz, clock)
        text, blocks, thread = render.slack(h, lang, intro or None)
        return Edition(
            week=h.week,
            empty=h.empty,
            plain=render.plain(h, lang, intro or None),
            slack=(text, blocks),
            slack_thread=tuple(thread),
            telegram=tuple(render.telegram(h, lang, intro or None)),
        )

    return build


def preview_moment(policy: HighlightsPolicy) -> tuple[int, datetime]:
    """The weekday and local time of the preview: `preview_hours` before the post."""
    post = datetime.combine(date(2024, 1, 1) + timedelta(days=policy.weekday), policy.at)  # a Monday
    before = post - timedelta(hours=policy.preview_hours)
    return before.weekday(), before


class HighlightsFeature:
    """Posts the week's highlights to the highlights channels; moderators preview and steer it."""

    name = "highlights"
    commands = COMMANDS

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: People,
        outbox: Outbox,
        build: Build,
        policy: HighlightsPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.people = people
        self.policy = policy
        self.clock = clock
        self.poster = Poster(sessions, people, outbox, build, policy, clock)

    # -- jobs -------------------------------------------------------------------------------

    def run_preview(self, now: datetime) -> int:
        """The preview job: the moderators see what goes out at the planned time."""
        post_at = now + timedelta(hours=self.policy.preview_hours)
        return self.poster.preview(self.poster.covered_week(post_at))

    def run_post(self, now: datetime) -> PostReport:
        """The post job."""
        return self.poster.scheduled(now)

    # -- moderators -------------------------------------------------------------------------

    def _refuse(self, platform: str, user_id: str, lang: str) -> str | None:
        return self.people.refusal(platform, user_id, lang)

    def on_action(self, act: Action) -> list[Reply]:
        """post / skip / edit intro under the preview."""
        lang = language_of(act.language) if act.language else self.policy.language
        refused = self._refuse(act.chat.platform, act.user_id, lang)
        try:
            week = week_from_code(act.item_id)
        except ValueError:
            refused = refused or t("unknown_item", lang)
            week = ""
        if refused:
            return [press_notice(act, refused, lang)]
        actor = actor_of(act.chat.platform, act.user_id)
        if act.action == HL_POST:
            return [press_notice(act, self._posted_text(self.poster.post(week, actor), lang), lang)]
        if act.action == HL_SKIP:
            done = self.poster.skip(week, actor)
            return [
                press_notice(act, t("hl_skipped" if done else "hl_already_posted", lang, week=week), lang)
            ]
        _, intro = self.poster.state(week)
        if act.trigger:
            field = FormField(
                "intro", t("hl_intro_label", lang), "long", True, intro, t("hl_intro_hint", lang), MAX_INTRO
            )
            form = Form(
                INTRO_FORM, t("hl_intro_title", lang), t("hl_intro_submit", lang), (field,), state=week
            )
            return [open_form(act.chat, act.user_id, form, lang)]
        return [press_notice(act, t("hl_intro_by_command", lang, week=week), lang)]

    def _posted_text(self, report: PostReport, lang: str) -> str:
        if report.skipped:
            return t("hl_not_posted", lang, week=report.week, why=report.skipped)
        return t("hl_posted", lang, week=report.week, n=len(report.queued), already=len(report.already))

    def on_form(self, sub: FormSubmit) -> FormResult:
        """The intro form (Slack modal)."""
        lang = language_of(sub.language) if sub.language else self.policy.language
        refused = self._refuse(sub.chat.platform, sub.user_id, lang)
        if refused:
            return FormResult(replies=(Reply(sub.chat, refused, lang, kind="notice"),))
        return self._intro(sub.chat.platform, sub.user_id, sub.state, sub.get("intro"), lang, sub.chat)

    def _intro(
        self, platform: str, user_id: str, week: str, text: str, lang: str, chat: ChatRef
    ) -> FormResult:
        intro = text.strip()
        if not intro:
            return FormResult(errors=(("intro", t("field_required", lang, field=t("hl_intro_label", lang))),))
        if len(intro) > MAX_INTRO:
            return FormResult(
                errors=(("intro", t("field_too_long", lang, field="intro", n=len(intro), max=MAX_INTRO)),)
            )
        try:
            week_code(week)
        except ValueError:
            return FormResult(errors=(("intro", t("unknown_item", lang)),))
        self.poster.set_intro(week, intro, actor_of(platform, user_id))
        return FormResult(replies=(Reply(chat, t("hl_intro_saved", lang, week=week), lang, kind="notice"),))

    def cmd_highlights(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/hoogtepunten: a preview of the coming post; `/hoogtepunten intro <tekst>` sets its intro."""
        lang = reply_language(arg, msg.language)
        refused = self._refuse(msg.chat.platform, msg.user_id, lang)
        if refused:
            return [_say(msg, refused, lang)]
        week = self.poster.covered_week(self._next_post())
        head, _, rest = arg.strip().partition(" ")
        if head.lower() == "intro":
            result = self._intro(msg.chat.platform, msg.user_id, week, rest, lang, msg.chat)
            text = result.replies[0].text if result.replies else dict(result.errors)["intro"]
            return [_say(msg, text, lang)]
        return [
            _say(
                msg,
                f"{t('hl_preview_head', lang, week=week, when='')}\n\n{self.poster.edition(week).plain}",
                lang,
            )
        ]

    def _next_post(self) -> datetime:
        rule = weekly(self.policy.weekday, self.policy.at, self.policy.tz)
        return rule(self.clock())

    def contribution(self) -> Contribution:
        """The two weekly jobs, the preview's buttons, the intro form, the post hook, /hoogtepunten."""
        wd, at = preview_moment(self.policy)
        return Contribution(
            commands=(Command(COMMANDS[0], self.cmd_highlights),),
            item_actions={a: self.on_action for a in ACTIONS},
            forms={INTRO_FORM: self.on_form},
            jobs=(
                Job(
                    PREVIEW_JOB,
                    lambda now, payload: self.run_preview(now),
                    next_run=weekly(wd, at.time(), self.policy.tz),
                ),
                Job(
                    POST_JOB,
                    lambda now, payload: self.run_post(now),
                    next_run=weekly(self.policy.weekday, self.policy.at, self.policy.tz),
                ),
            ),
            on_sent={PURPOSE: self.poster.on_sent},
        )


def _say(msg: Incoming, text: str, lang: str) -> Reply:
    return Reply(
        msg.chat,
        text,
        lang,
        reply_to=msg.message_id,
        ephemeral_user=None if msg.direct else msg.user_id,
        kind="notice",
    )
