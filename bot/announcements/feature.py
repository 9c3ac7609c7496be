"""Announcements as a feature of the service: /aankondiging, /aankondigingen, the modal, the buttons.

Slack: /aankondiging opens a modal (text, channels, optional time); submitting it is the
confirmation. Telegram (and Slack without a trigger): the text comes with the command, optionally
after a line 'om 2026-12-07 10:00' and a line 'naar slack:C1, telegram:-100'; the bot shows what
will go where with send / cancel buttons, and nothing is sent before "send".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.announcements.delivery import CHANGE, PURPOSE
from bot.announcements.model import (
    ACTIONS,
    AN_CANCEL,
    AN_EDIT,
    AN_SEND,
    AN_WITHDRAW,
    AN_WITHDRAW_OK,
    MAX_TEXT,
    Invalid,
    labels,
    local_label,
    split_command,
)
from bot.announcements.records import SCHEDULED, WITHDRAWN
from bot.announcements.store import SEND_JOB, Announcement, Announcements, AnnouncementsPolicy
from bot.commands import MODERATOR, Command, CommandSpec
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Job, Scheduler
from bot.language import language_of, reply_language
from bot.messages import Action, Button, Form, FormField, FormResult, FormSubmit, Incoming, Reply
from bot.people.store import People, actor_of
from bot.service import Contribution, open_form, press_notice
from bot.texts import t
from storage.db import utcnow

SETTLE_JOB = "announcements.settle"
FORM = "announcement"
EDIT_FORM = "announcement_edit"
COMMANDS = (
    CommandSpec("aankondiging", aliases=("announce",), audience=MODERATOR, slack=True, rank=96),
    CommandSpec("aankondigingen", aliases=("announcements",), audience=MODERATOR, slack=True, rank=97),
)
_EDIT = ("wijzig", "bewerk", "edit")
_WITHDRAW = ("intrekken", "trek", "withdraw")


class AnnouncementsFeature:
    """Moderators announce to every channel at once, now or later; edit and withdraw everywhere."""

    name = "announcements"
    commands = COMMANDS

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: People,
        outbox: Outbox,
        scheduler: Scheduler,
        policy: AnnouncementsPolicy,
        clock: Callable[[], datetime] = utcnow,
        interval: timedelta = timedelta(seconds=60),
    ) -> None:
        self.people = people
        self.policy = policy
        self.interval = interval
        self.store = Announcements(sessions, outbox, scheduler, policy, clock)

    def _refuse(self, platform: str, user_id: str, lang: str) -> str | None:
        return self.people.refusal(platform, user_id, lang)

    # -- writing ----------------------------------------------------------------------------

    def cmd_announce(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/aankondiging: the modal on Slack; elsewhere the text from the command, to confirm."""
        lang = reply_language(arg, msg.language)
        refused = self._refuse(msg.chat.platform, msg.user_id, lang)
        if refused:
            return [_say(msg, refused, lang)]
        if msg.trigger:
            return [open_form(msg.chat, msg.user_id, self.form(lang, arg), lang)]
        written = split_command(arg)
        if not written.text:
            return [_say(msg, t("an_usage", lang), lang)]
        author = actor_of(msg.chat.platform, msg.user_id)
        try:
            ann = self.store.create(author, written.text, written.to, written.when, lang, draft=True)
        except Invalid as exc:
            return [_say(msg, exc.say(lang), lang)]
        when = _when(ann, lang, self.policy.tz, draft=True)
        targets = tuple(d.target for d in ann.deliveries)
        text = t(
            "an_confirm", lang, id=ann.id, when=when, n=len(targets), targets=labels(targets), text=ann.text
        )
        buttons = (
            Button(AN_SEND, t("btn_an_send", lang), str(ann.id)),
            Button(AN_CANCEL, t("btn_an_cancel", lang), str(ann.id)),
        )
        return [Reply(msg.chat, text, lang, reply_to=msg.message_id, kind="notice", buttons=buttons)]

    def form(self, lang: str, text: str = "") -> Form:
        """The Slack modal: text, channels (prefilled with all of them) and an optional time."""
        fields = (
            FormField(
                "text",
                t("an_text_label", lang),
                "long",
                True,
                text[:MAX_TEXT],
                t("an_text_hint", lang),
                MAX_TEXT,
            ),
            FormField(
                "targets",
                t("an_targets_label", lang),
                "text",
                False,
                labels(self.policy.targets).strip("-"),
                t("an_targets_hint", lang),
                1000,
            ),
            FormField("at", t("an_at_label", lang), "text", False, "", t("an_at_hint", lang), 60),
        )
        return Form(FORM, t("an_form_title", lang), t("an_form_submit", lang), fields, state=lang)

    def on_form(self, sub: FormSubmit) -> FormResult:
        """The modal was submitted: errors per field keep it open; else it is sent or scheduled."""
        lang = language_of(sub.state or sub.language) if (sub.state or sub.language) else self.policy.language
        refused = self._refuse(sub.chat.platform, sub.user_id, lang)
        if refused:
            return FormResult(replies=(Reply(sub.chat, refused, lang, kind="notice"),))
        author = actor_of(sub.chat.platform, sub.user_id)
        try:
            ann = self.store.create(author, sub.get("text"), sub.get("targets"), sub.get("at"), lang)
        except Invalid as exc:
            field = {"an_bad_time": "at", "an_time_past": "at", "an_time_far": "at"}.get(exc.key)
            field = field or ("targets" if exc.key in ("an_unknown_target", "an_no_channels") else "text")
            return FormResult(errors=((field, exc.say(lang)),))
        return FormResult(
            replies=(Reply(sub.chat, _started(ann, lang, self.policy.tz), lang, kind="notice"),)
        )

    def on_action(self, act: Action) -> list[Reply]:
        """send / cancel under a written announcement."""
        lang = language_of(act.language) if act.language else self.policy.language
        refused = self._refuse(act.chat.platform, act.user_id, lang)
        if refused:
            return [press_notice(act, refused, lang)]
        actor = actor_of(act.chat.platform, act.user_id)
        if act.action in (AN_EDIT, AN_WITHDRAW, AN_WITHDRAW_OK):
            return self._manage(act, actor, lang)
        if act.action == AN_CANCEL:
            done = self.store.cancel(act.item_id)
            return [
                press_notice(act, t("an_cancelled" if done else "an_not_draft", lang, id=act.item_id), lang)
            ]
        try:
            ann = self.store.confirm(act.item_id, actor)
        except Invalid as exc:
            return [press_notice(act, exc.say(lang), lang)]
        return [press_notice(act, _started(ann, lang, self.policy.tz), lang)]

    # -- managing ---------------------------------------------------------------------------

    def _manage(self, act: Action, actor: str, lang: str) -> list[Reply]:
        """edit / withdraw under a listed announcement (withdraw asks once more)."""
        try:
            ann = self.store.get(act.item_id)
            if act.action == AN_EDIT and act.trigger:
                field = FormField(
                    "text",
                    t("an_text_label", lang),
                    "long",
                    True,
                    ann.text,
                    t("an_text_hint", lang),
                    MAX_TEXT,
                )
                form = Form(
                    EDIT_FORM,
                    t("an_edit_title", lang),
                    t("an_edit_submit", lang),
                    (field,),
                    state=str(ann.id),
                )
                return [open_form(act.chat, act.user_id, form, lang)]
            if act.action == AN_EDIT:
                return [press_notice(act, t("an_edit_by_command", lang, id=ann.id), lang)]
            if act.action == AN_WITHDRAW:
                sure = (Button(AN_WITHDRAW_OK, t("btn_an_withdraw_ok", lang), str(ann.id)),)
                return [press_notice(act, t("an_withdraw_sure", lang, id=ann.id), lang, sure)]
            change = self.store.withdraw(ann.id, actor)
            said = t("an_withdrawn", lang, id=ann.id, deleted=change.deleted, noticed=change.noticed)
        except Invalid as exc:
            said = exc.say(lang)
        return [press_notice(act, said, lang)]

    def on_edit_form(self, sub: FormSubmit) -> FormResult:
        """The edit modal: the new text goes to every channel the announcement reached."""
        lang = language_of(sub.language) if sub.language else self.policy.language
        refused = self._refuse(sub.chat.platform, sub.user_id, lang)
        if refused or not sub.state.isdigit() or len(sub.state) > 9:
            return FormResult(
                replies=(Reply(sub.chat, refused or t("an_unknown_id", lang, id="?"), lang, kind="notice"),)
            )
        try:
            change = self.store.edit(
                int(sub.state), sub.get("text"), actor_of(sub.chat.platform, sub.user_id)
            )
        except Invalid as exc:
            if exc.key in ("an_empty", "an_too_long"):
                return FormResult(errors=(("text", exc.say(lang)),))
            return FormResult(replies=(Reply(sub.chat, exc.say(lang), lang, kind="notice"),))
        return FormResult(
            replies=(
                Reply(
                    sub.chat, t("an_edited", lang, id=int(sub.state), n=change.updated), lang, kind="notice"
                ),
            )
        )

    def cmd_list(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/aankondigingen [wijzig <nr> <tekst> | intrekken <nr>]."""
        lang = reply_language(arg, msg.language) if arg else language_of(msg.language)
        refused = self._refuse(msg.chat.platform, msg.user_id, lang)
        if refused:
            return [_say(msg, refused, lang)]
        head, _, rest = arg.strip().partition(" ")
        number, _, text = rest.strip().partition(" ")
        actor = actor_of(msg.chat.platform, msg.user_id)
        if head.lower() in _EDIT + _WITHDRAW:
            if not number.lstrip("#").isdigit() or len(number) > 9:
                return [_say(msg, t("an_list_manage", lang), lang)]
            ann_id = int(number.lstrip("#"))
            try:
                if head.lower() in _EDIT:
                    change = self.store.edit(ann_id, text, actor)
                    said = t("an_edited", lang, id=ann_id, n=change.updated)
                else:
                    change = self.store.withdraw(ann_id, actor)
                    said = t("an_withdrawn", lang, id=ann_id, deleted=change.deleted, noticed=change.noticed)
            except Invalid as exc:
                said = exc.say(lang)
            return [_say(msg, said, lang)]
        replies = [_say(msg, self.listing_text(lang), lang)]
        for a in self.store.listing(10):  # each with its own edit / withdraw buttons
            if a.state == WITHDRAWN:
                continue
            buttons = (
                Button(AN_EDIT, t("btn_an_edit", lang), str(a.id)),
                Button(AN_WITHDRAW, t("btn_an_withdraw", lang), str(a.id)),
            )
            first = " ".join(a.text.split())
            head = t("an_item", lang, id=a.id, text=first if len(first) <= 80 else first[:79] + "…")
            replies.append(
                Reply(
                    msg.chat,
                    head,
                    lang,
                    buttons=buttons,
                    ephemeral_user=None if msg.direct else msg.user_id,
                    kind="notice",
                )
            )
        return replies

    def listing_text(self, lang: str, limit: int = 20) -> str:
        """The scheduled and posted announcements as lines."""
        found = self.store.listing(limit)
        if not found:
            return t("an_list_empty", lang)
        lines = [t("an_list_head", lang)]
        for a in found:
            first = " ".join(a.text.split())
            lines.append(
                t(
                    "an_list_line",
                    lang,
                    id=a.id,
                    state=t(f"an_state_{a.state}", lang),
                    at=local_label(a.at, self.policy.tz),
                    delivered=a.delivered,
                    total=len(a.deliveries),
                    text=first if len(first) <= 60 else first[:59] + "…",
                )
            )
        return "\n".join([*lines, "", t("an_list_manage", lang)])

    def contribution(self) -> Contribution:
        """The two commands, the modal, send / cancel, the send and settle jobs, the outbox hooks."""
        return Contribution(
            commands=(Command(COMMANDS[0], self.cmd_announce), Command(COMMANDS[1], self.cmd_list)),
            item_actions={a: self.on_action for a in ACTIONS},
            forms={FORM: self.on_form, EDIT_FORM: self.on_edit_form},
            jobs=(
                Job(SEND_JOB, lambda now, payload: self.store.dispatch(int(payload["id"]), now)),
                Job(SETTLE_JOB, lambda now, payload: self.store.settle_all(now), every=self.interval),
            ),
            on_sent={PURPOSE: self.store.on_sent, CHANGE: self.store.on_changed},
        )


def _when(ann: Announcement, lang: str, tz: str, draft: bool = False) -> str:
    later = ann.state == SCHEDULED or (draft and ann.at > ann.created)
    return t("an_when_at", lang, at=local_label(ann.at, tz)) if later else t("an_when_now", lang)


def _started(ann: Announcement, lang: str, tz: str) -> str:
    if ann.state == SCHEDULED:
        return t("an_scheduled", lang, id=ann.id, at=local_label(ann.at, tz), n=len(ann.deliveries))
    return t("an_queued", lang, id=ann.id, n=len(ann.deliveries))


def _say(msg: Incoming, text: str, lang: str) -> Reply:
    return Reply(
        msg.chat,
        text,
        lang,
        reply_to=msg.message_id,
        ephemeral_user=None if msg.direct else msg.user_id,
        kind="notice",
    )
