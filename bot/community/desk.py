"""Contributions in chat: /tip, /project, /evenement, the guided steps, the buttons, the forms."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from bot.commands import CommandSpec
from bot.community.drafts import Draft, Drafts, prompt, summary
from bot.community.forms import EDIT, EVENT, KINDS, PROJECT, REJECT, TIP, FieldError, form, validate
from bot.community.model import SUB_APPROVE, SUB_EDIT, SUB_REJECT, SUB_SEND, SUB_WITHDRAW, Refused, Submission
from bot.community.queue import Queue
from bot.community.records import HELD
from bot.language import language_of, reply_language
from bot.messages import Action, Button, FormResult, FormSubmit, Incoming, Reply
from bot.people.store import People, PeopleError
from bot.service import open_form, press_notice
from bot.texts import t

COMMANDS = (
    CommandSpec("tip", slack=True, menu=True, rank=80),
    CommandSpec("project", slack=True, menu=True, rank=81),
    CommandSpec("evenement", aliases=("event",), slack=True, menu=True, rank=82),
    CommandSpec("mijn_bijdragen", aliases=("my_contributions",), slack=True, menu=True, rank=84),
    CommandSpec("annuleren", aliases=("cancel",), menu=True, rank=85),
)
KIND_OF_COMMAND = {"tip": TIP, "project": PROJECT, "evenement": EVENT, "event": EVENT}


def say(msg: Incoming, text: str, lang: str, buttons: tuple[Button, ...] = ()) -> list[Reply]:
    """A notice to the person who wrote (only to them, outside a direct chat)."""
    ephemeral = None if msg.direct else msg.user_id
    return [
        Reply(
            msg.chat,
            text,
            lang,
            buttons=buttons,
            reply_to=msg.message_id,
            ephemeral_user=ephemeral,
            kind="notice",
        )
    ]


class ContributionDesk:
    """Turns members' and moderators' messages, presses and forms into the queue's operations."""

    def __init__(self, people: People, queue: Queue, drafts: Drafts) -> None:
        self.people = people
        self.queue = queue
        self.drafts = drafts
        # Other features' pending steps that /annuleren also stops (a forget-me in its grace period):
        # each gets (platform, user id, language) and says what it stopped, or None.
        self.cancellers: list[Callable[[str, str, str], str | None]] = []
        self.handlers = {
            "tip": self.cmd_contribute,
            "project": self.cmd_contribute,
            "evenement": self.cmd_contribute,
            "mijn_bijdragen": self.cmd_mine,
            "annuleren": self.cmd_cancel,
        }
        self.actions = {
            SUB_APPROVE: self.on_approve,
            SUB_EDIT: self.on_edit,
            SUB_REJECT: self.on_reject,
            SUB_SEND: self.on_author,
            SUB_WITHDRAW: self.on_author,
        }

    # -- starting -------------------------------------------------------------------------

    def cmd_contribute(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/tip, /project, /evenement: a form where the platform has one, else step by step."""
        command = (msg.command or "tip").lower()
        kind = KIND_OF_COMMAND.get(command, TIP)
        lang = reply_language(arg, msg.language)
        person = self.people.person(msg.chat.platform, msg.user_id, msg.user_name)
        try:
            if person.blocked:
                raise Refused("sub_blocked")
            if self.queue.waiting(person.id) >= self.queue.policy.max_waiting:
                raise Refused("sub_limit", n=self.queue.policy.max_waiting)
        except Refused as exc:
            return say(msg, exc.say(lang), lang)
        if msg.trigger:
            prefill = {"title": arg[:120]} if arg else None
            opened = form(kind, lang, prefill)
            return [open_form(msg.chat, msg.user_id, opened, lang)]
        if not msg.direct:
            return say(msg, t("contribute_in_private", lang, command=command), lang)
        draft, replaced = self.drafts.start(
            msg.chat.platform, msg.user_id, msg.chat.chat_id, kind, lang, msg.user_name
        )
        lines = [t(f"draft_start_{kind}", lang)]
        if replaced is not None:
            lines.insert(0, t("draft_replaced", lang, kind=t(f"kind_{replaced.kind}", lang)))
        if arg:  # "/tip Zingen met ouderen": the title is given
            try:
                draft = self.drafts.answer(draft, arg)
            except FieldError as exc:
                lines.append(str(exc))
        lines.append(prompt(draft))
        return say(msg, "\n\n".join(lines), lang)

    def cmd_cancel(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/annuleren: stop the form in progress; nothing is sent."""
        lang = reply_language(arg, msg.language)
        d = self.drafts.drop(msg.chat.platform, msg.user_id)
        others = [text for c in self.cancellers if (text := c(msg.chat.platform, msg.user_id, lang))]
        if d is None and not others:
            return say(msg, t("cancel_nothing", lang), lang)
        if d is None:
            return say(msg, "\n".join(others), lang)
        done = t("cancel_done", d.language, kind=t(f"kind_{d.kind}", d.language))
        return say(msg, "\n".join([done, *others]), d.language)

    def cmd_mine(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/mijn_bijdragen: the person's submissions with their state."""
        lang = reply_language(arg, msg.language)
        person = self.people.person(msg.chat.platform, msg.user_id, msg.user_name)
        subs = self.queue.list(author_id=person.id, limit=20)
        if not subs:
            return say(msg, t("mine_none", lang), lang)
        lines = [
            t(
                "mine_line",
                lang,
                id=s.id,
                kind=t(f"kind_{s.kind}", lang),
                title=s.title,
                state=t(f"state_{s.state}", lang),
                day=s.created_at.strftime("%d-%m-%Y"),
            )
            + (f"\n   {t('mine_reason', lang, reason=s.reason)}" if s.reason else "")
            for s in subs
        ]
        return say(msg, t("mine_list", lang, lines="\n".join(lines)), lang)

    # -- the steps ------------------------------------------------------------------------

    def intercept(self, msg: Incoming) -> list[Reply] | None:
        """The answer to the current step of a form in progress in this chat (None: no form)."""
        d = self.drafts.get(msg.chat.platform, msg.user_id)
        if d is None or d.chat_id != msg.chat.chat_id:
            return None
        if self.drafts.expired(d):
            self.drafts.drop(msg.chat.platform, msg.user_id)
            return None  # the expiry job tells them; this message is a message of its own
        try:
            d = self.drafts.answer(d, msg.text)
        except FieldError as exc:
            return say(msg, f"{exc}\n\n{prompt(d)}", d.language)
        if not d.done:
            return say(msg, prompt(d), d.language)
        self.drafts.drop(d.platform, d.user_id)
        return self._finish(msg, d)

    def is_drafting(self, msg: Incoming) -> bool:
        """Whether an unaddressed message answers a form step in a group chat."""
        d = self.drafts.get(msg.chat.platform, msg.user_id)
        return d is not None and d.chat_id == msg.chat.chat_id

    def _finish(self, msg: Incoming, d: Draft) -> list[Reply]:
        lang = d.language
        try:
            if d.form == REJECT:
                assert d.target is not None
                sub = self.queue.reject(d.target, d.platform, d.user_id, d.values.get("reason", ""))
                return say(msg, t("mod_rejected_done", lang, id=sub.id, title=sub.title), lang)
            values, errors = validate(d.kind, d.values, lang, self.drafts.today())
            if errors:  # a date that has passed while the form was being filled in
                return say(msg, "\n".join(errors.values()), lang)
            if d.editing:
                assert d.target is not None
                sub = self.queue.approve(d.target, d.platform, d.user_id, fields=values)
                return say(msg, self._approved_text(sub, lang), lang)
            return self._submitted(
                msg.chat.platform,
                msg.user_id,
                msg.chat.chat_id,
                msg.user_name,
                d.kind,
                values,
                lang,
                lambda text, buttons: say(msg, text, lang, buttons),
            )
        except (Refused, PeopleError) as exc:
            return say(msg, exc.say(lang), lang)

    def _submitted(
        self,
        platform: str,
        user_id: str,
        chat_id: str,
        name: str,
        kind: str,
        values: dict[str, str],
        lang: str,
        answer: Callable[[str, tuple[Button, ...]], list[Reply]],
    ) -> list[Reply]:
        person = self.people.person(platform, user_id, name)
        sub = self.queue.submit(person, platform, user_id, chat_id, kind, values, lang)
        if sub.state == HELD:
            buttons = (
                Button(SUB_SEND, t("btn_sub_send", lang), str(sub.id)),
                Button(SUB_WITHDRAW, t("btn_sub_withdraw", lang), str(sub.id)),
            )
            return answer(t("sub_held", lang, duplicate=sub.duplicate), buttons)
        return answer(t("sub_queued", lang, kind=t(f"kind_{kind}", lang), title=sub.title), ())

    # -- forms (Slack modals) -------------------------------------------------------------

    def on_form(self, sub: FormSubmit) -> FormResult:
        """A filled-in form: errors keep it open; otherwise it is queued or decided."""
        lang = language_of(sub.language)
        state = _state(sub.state)
        raw = dict(sub.values)
        kind = sub.form if sub.form in KINDS else ""
        target = state.get("submission")
        if sub.form == REJECT or sub.form.startswith(f"{EDIT}:"):
            if not isinstance(target, int):
                return FormResult(
                    replies=(Reply(sub.chat, t("sub_unknown", lang, id="?"), lang, kind="notice"),)
                )
            kind = REJECT if sub.form == REJECT else sub.form.split(":", 1)[1]
        if kind not in (*KINDS, REJECT):
            return FormResult(replies=(Reply(sub.chat, t("form_unknown", lang), lang, kind="notice"),))
        values, errors = validate(kind, raw, lang, self.drafts.today())
        if errors:
            return FormResult(errors=tuple(errors.items()))
        try:
            if sub.form == REJECT and isinstance(target, int):
                done = self.queue.reject(target, sub.chat.platform, sub.user_id, values["reason"])
                text = t("mod_rejected_done", lang, id=done.id, title=done.title)
            elif sub.form.startswith(f"{EDIT}:") and isinstance(target, int):
                done = self.queue.approve(target, sub.chat.platform, sub.user_id, fields=values)
                text = self._approved_text(done, lang)
            else:

                def answer(text: str, buttons: tuple[Button, ...]) -> list[Reply]:
                    return [Reply(sub.chat, text, lang, buttons=buttons, kind="notice")]

                chat = sub.chat
                replies = self._submitted(
                    chat.platform, sub.user_id, chat.chat_id, sub.user_name, kind, values, lang, answer
                )
                return FormResult(replies=tuple(replies))
        except (Refused, PeopleError) as exc:
            text = exc.say(lang)
        return FormResult(replies=(Reply(sub.chat, text, lang, kind="notice"),))

    # -- buttons --------------------------------------------------------------------------

    def _sub_lang(self, act: Action) -> tuple[Submission | None, str]:
        sub = self.queue.get(act.item_id)
        return sub, (sub.language if sub else language_of(act.language))

    def on_author(self, act: Action) -> list[Reply]:
        """'Send anyway' or 'withdraw' under the near-duplicate the author was shown."""
        sub, lang = self._sub_lang(act)
        try:
            if act.action == SUB_SEND:
                sub = self.queue.send_anyway(act.item_id, act.chat.platform, act.user_id)
                queued = t("sub_queued", lang, kind=t(f"kind_{sub.kind}", lang), title=sub.title)
                return [press_notice(act, queued, lang)]
            sub = self.queue.withdraw(act.item_id, act.chat.platform, act.user_id)
            return [press_notice(act, t("sub_withdrawn", lang, title=sub.title), lang)]
        except Refused as exc:
            return [press_notice(act, exc.say(lang), lang)]

    def _approved_text(self, sub: Submission, lang: str) -> str:
        return t(f"mod_approved_{sub.kind}", lang, id=sub.id, title=sub.title)

    def on_approve(self, act: Action) -> list[Reply]:
        """A moderator approves: published at once, the author is told."""
        _, lang = self._sub_lang(act)
        try:
            sub = self.queue.approve(act.item_id, act.chat.platform, act.user_id)
        except Refused as exc:
            return [press_notice(act, exc.say(lang), lang)]
        return [press_notice(act, self._approved_text(sub, lang), lang)]

    def on_reject(self, act: Action) -> list[Reply]:
        """A moderator rejects: claimed now, the reason asked next (a form, or the next message)."""
        return self._claim_then_ask(act, REJECT)

    def on_edit(self, act: Action) -> list[Reply]:
        """A moderator edits before approving: the fields, prefilled (a form, or step by step)."""
        return self._claim_then_ask(act, EDIT)

    def _claim_then_ask(self, act: Action, purpose: str) -> list[Reply]:
        sub, lang = self._sub_lang(act)
        try:
            sub = self.queue.claim(act.item_id, act.chat.platform, act.user_id, announce=True)
        except Refused as exc:
            return [press_notice(act, exc.say(lang), lang)]
        name = REJECT if purpose == REJECT else f"{EDIT}:{sub.kind}"
        fields_of = REJECT if purpose == REJECT else sub.kind
        values = {} if purpose == REJECT else {k: str(v or "") for k, v in sub.fields.items()}
        if act.trigger:
            f = replace(form(fields_of, lang, values, json.dumps({"submission": sub.id}), purpose), name=name)
            return [open_form(act.chat, act.user_id, f, lang)]
        d, _ = self.drafts.start(
            act.chat.platform, act.user_id, act.chat.chat_id, name, lang, act.user_name, values, target=sub.id
        )
        head = t(
            f"mod_{purpose}_start",
            lang,
            id=sub.id,
            title=sub.title,
            fields=summary(sub.kind, sub.fields, lang),
        )
        return [press_notice(act, f"{head}\n\n{prompt(d)}", lang)]


def _state(text: str) -> dict[str, object]:
    """A form's state as handed back by the platform (tampered or empty: nothing)."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
