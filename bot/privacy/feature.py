"""Privacy as a feature of the service: /mijn_gegevens, /vergeet_mij with its grace period, and the
daily retention job with its watch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.announcements.model import local_label
from bot.commands import Command, CommandSpec
from bot.delivery.outbox import NOTICE, Outbox, enqueue
from bot.delivery.scheduler import Job, Scheduler
from bot.language import reply_language
from bot.messages import Action, Button, ChatRef, Incoming, Reply
from bot.people.store import People, Person, audit
from bot.privacy.erase import PURPOSE, Eraser, blank_sent
from bot.privacy.export import attachments, counts, export
from bot.privacy.retention import ALERT_ACTION, RETENTION_JOB, Retention
from bot.privacy.subject import table
from bot.privacy.traces import compact
from bot.service import Contribution, press_notice
from bot.texts import t
from storage.db import utcnow

FORGET_JOB = "privacy.forget"
COMPACT_JOB = "privacy.compact"  # after an erasure's last messages went: no old page keeps them
COMPACT_AFTER = timedelta(minutes=10)
WATCH_JOB = "privacy.retention_watch"
PV_FORGET_OK, PV_FORGET_NO, PV_FORGET_CANCEL = "pv_forget_ok", "pv_forget_no", "pv_forget_cancel"
COMMANDS = (
    CommandSpec("mijn_gegevens", aliases=("my_data",), slack=True, menu=True, rank=92),
    CommandSpec("vergeet_mij", aliases=("forget_me",), slack=True, menu=True, rank=93),
)
ENGLISH = {"my_data", "forget_me"}
EN = "_en"  # a button's action ends in this when its person speaks English (a press carries no language)
CANCEL_WORDS = {"annuleren", "annuleer", "stop", "cancel"}


def forget_job_name(person_id: int) -> str:
    """The stored job of one person's forget-me request."""
    return f"{FORGET_JOB}:{person_id}"


def direct_chat(platform: str, user_id: str) -> ChatRef:
    """The private chat with a person (a Slack post to a user id lands in the DM with them)."""
    return ChatRef(platform, user_id)


class PrivacyFeature:
    """A member's data: all of it as a file, or erased after a grace period; and retention."""

    name = "privacy"
    commands = COMMANDS

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: People,
        outbox: Outbox,
        scheduler: Scheduler,
        eraser: Eraser,
        retention: Retention,
        grace: timedelta = timedelta(hours=72),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.people = people
        self.outbox = outbox
        self.scheduler = scheduler
        self.eraser = eraser
        self.retention = retention
        self.grace = grace
        self.clock = clock
        people.merge_listeners.append(self._on_merge)

    def contribution(self) -> Contribution:
        """Two commands, the forget-me buttons, three jobs and the hook that blanks sent erasures."""
        handlers = {"mijn_gegevens": self.cmd_my_data, "vergeet_mij": self.cmd_forget}
        return Contribution(
            commands=tuple(Command(spec, handlers[spec.name]) for spec in COMMANDS),
            item_actions={
                f"{action}{suffix}": handler
                for action, handler in (
                    (PV_FORGET_OK, self.on_confirm),
                    (PV_FORGET_NO, self.on_keep),
                    (PV_FORGET_CANCEL, self.on_cancel),
                )
                for suffix in ("", EN)
            },
            jobs=(
                Job(FORGET_JOB, self._run_forget),
                Job(COMPACT_JOB, self._compact),
                Job(RETENTION_JOB, self.retention.run, every=timedelta(days=1)),
                Job(WATCH_JOB, self._watch, every=timedelta(hours=6)),
            ),
            on_sent={PURPOSE: blank_sent},
        )

    # -- the export -------------------------------------------------------------------------

    def cmd_my_data(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/mijn_gegevens: everything about the person, as JSON and CSV, in their private chat."""
        lang = _lang(msg, arg)
        if arg.strip():
            return [_say(msg, t("pv_only_own", lang), lang)]
        person = self.people.person(msg.chat.platform, msg.user_id, msg.user_name)
        doc = export(self.sessions, person.id, self.clock())
        assert doc is not None  # the person was just looked up (or made)
        rows = counts(doc)
        shown = {k: v for k, v in rows.items() if k not in ("people", "accounts")}
        summary = ", ".join(f"{k}: {v}" for k, v in shown.items()) or t("pv_export_nothing", lang)
        text = t("pv_export_sent", lang, summary=summary)
        chat = msg.chat if msg.direct else direct_chat(msg.chat.platform, msg.user_id)
        files = Reply(chat, text, lang, kind="notice", files=attachments(doc))
        if msg.direct:
            return [files]
        return [files, _say(msg, t("pv_export_elsewhere", lang), lang)]

    # -- forget me --------------------------------------------------------------------------

    def pending(self, person_id: int) -> datetime | None:
        """When a person's erasure is due, if they asked for it."""
        jobs = table("scheduled_jobs")
        with self.sessions() as s:
            return s.scalar(
                select(jobs.c.due_at).where(
                    jobs.c.name == forget_job_name(person_id), jobs.c.done_at.is_(None)
                )
            )

    def request(
        self, person: Person, lang: str, chat: ChatRef | None, at: datetime | None = None
    ) -> datetime:
        """Store the erasure of a person as a job at `at` (default: after the grace period)."""
        when = at or self.clock() + self.grace
        name = forget_job_name(person.id)
        jobs = table("scheduled_jobs")
        with self.sessions.begin() as s:  # a cancelled earlier request would block the same name
            s.execute(delete(jobs).where(jobs.c.name == name, jobs.c.done_at.is_not(None)))
        payload: dict[str, Any] = {"person": person.id, "lang": lang}
        if chat is not None:
            payload["chat"] = [chat.platform, chat.chat_id]
        self.scheduler.schedule(FORGET_JOB, when, payload, key=str(person.id))
        return self.pending(person.id) or when

    def _on_merge(self, s: Session, keep: int, gone: int) -> None:
        """Two linked accounts became one person: a pending erasure of either is now of both (it
        would run for a person who no longer exists, and erase nothing)."""
        jobs = table("scheduled_jobs")
        pending = jobs.c.done_at.is_(None)
        theirs = s.execute(
            select(jobs.c.payload).where(jobs.c.name == forget_job_name(gone), pending)
        ).first()
        if theirs is None:
            return
        if s.scalar(select(jobs.c.name).where(jobs.c.name == forget_job_name(keep), pending)) is None:
            s.execute(delete(jobs).where(jobs.c.name == forget_job_name(keep)))  # a finished one
            s.execute(
                update(jobs)
                .where(jobs.c.name == forget_job_name(gone))
                .values(name=forget_job_name(keep), payload={**(theirs.payload or {}), "person": keep})
            )
        else:
            s.execute(delete(jobs).where(jobs.c.name == forget_job_name(gone)))

    def cancel(self, person_id: int) -> bool:
        """Stop a pending erasure; False when there was none (or it is running)."""
        return self.scheduler.cancel(forget_job_name(person_id))

    def cancel_for(self, platform: str, user_id: str, lang: str) -> str | None:
        """/annuleren stops a pending erasure too: what it stopped, or None when there was none."""
        person = self.people.find(platform, user_id)
        if person is None or self.pending(person.id) is None:
            return None
        return t("pv_forget_cancelled", lang) if self.cancel(person.id) else None

    def cmd_forget(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/vergeet_mij: explain and ask to confirm; `/vergeet_mij annuleren` stops a pending one."""
        lang = _lang(msg, arg)
        person = self.people.person(msg.chat.platform, msg.user_id, msg.user_name)
        word = arg.strip().lower()
        if word in CANCEL_WORDS:
            done = self.cancel(person.id)
            return [_say(msg, t("pv_forget_cancelled" if done else "pv_forget_nothing", lang), lang)]
        if word:
            return [_say(msg, t("pv_only_own", lang), lang)]
        due = self.pending(person.id)
        if due is not None:
            cancel = (button(PV_FORGET_CANCEL, lang, person.id),)
            return [_say(msg, t("pv_forget_pending", lang, when=local_label(due)), lang, cancel)]
        buttons = (
            button(PV_FORGET_OK, lang, person.id),
            button(PV_FORGET_NO, lang, person.id),
        )
        hours = f"{self.grace.total_seconds() / 3600:g}"
        return [_say(msg, t("pv_forget_ask", lang, hours=hours), lang, buttons)]

    def _presser(self, act: Action) -> tuple[Person | None, str]:
        lang = "en" if act.action.endswith(EN) or (act.language or "").startswith("en") else "nl"
        person = self.people.find(act.chat.platform, act.user_id)
        return (person if person is not None and person.id == act.item_id else None), lang

    def on_confirm(self, act: Action) -> list[Reply]:
        """The member confirms: the erasure is stored as a job after the grace period."""
        person, lang = self._presser(act)
        if person is None:
            return [press_notice(act, t("pv_not_yours", lang), lang)]
        due = self.pending(person.id) or self.request(
            person, lang, direct_chat(act.chat.platform, act.user_id)
        )
        cancel = (button(PV_FORGET_CANCEL, lang, person.id),)
        return [press_notice(act, t("pv_forget_planned", lang, when=local_label(due)), lang, cancel)]

    def on_keep(self, act: Action) -> list[Reply]:
        """The member thinks better of it."""
        person, lang = self._presser(act)
        if person is None:
            return [press_notice(act, t("pv_not_yours", lang), lang)]
        return [press_notice(act, t("pv_forget_kept", lang), lang)]

    def on_cancel(self, act: Action) -> list[Reply]:
        """The member stops a pending erasure."""
        person, lang = self._presser(act)
        if person is None:
            return [press_notice(act, t("pv_not_yours", lang), lang)]
        done = self.cancel(person.id)
        return [press_notice(act, t("pv_forget_cancelled" if done else "pv_forget_nothing", lang), lang)]

    def _run_forget(self, now: datetime, payload: dict[str, Any]) -> None:
        person_id, lang = int(payload["person"]), str(payload.get("lang") or "nl")
        self.eraser.erase(person_id, lang)
        jobs = table("scheduled_jobs")
        with self.sessions.begin() as s:
            chat = payload.get("chat")
            if chat:  # the last word, blanked by the hook once it is sent
                enqueue(
                    s,
                    Reply(ChatRef(chat[0], chat[1]), t("pv_forgotten", lang), lang, kind="notice"),
                    PURPOSE,
                    now=now,
                )
            s.execute(update(jobs).where(jobs.c.name == forget_job_name(person_id)).values(payload={}))
        self.scheduler.schedule(COMPACT_JOB, now + COMPACT_AFTER)
        self.outbox.notify()

    def _compact(self, now: datetime, payload: dict[str, Any]) -> None:
        compact(self.sessions)

    # -- the retention watch ------------------------------------------------------------------

    def _watch(self, now: datetime, payload: dict[str, Any]) -> None:
        """Tell the moderators (once a day) when the retention job has not run for two days."""
        if not self.retention.overdue(now) or self.retention.alerted_since(now - timedelta(days=1)):
            return
        last = self.retention.last_run()
        with self.sessions.begin() as s:
            for platform, uid in self.people.moderator_accounts():
                since = local_label(last) if last else t("pv_never", "nl")
                enqueue(
                    s,
                    Reply(ChatRef(platform, uid), t("pv_retention_alert", "nl", since=since), "nl"),
                    NOTICE,
                    now=now,
                )
            audit(s, "system", ALERT_ACTION, "", "retention job overdue", now)
        self.outbox.notify()


def button(action: str, lang: str, person_id: int) -> Button:
    """A forget-me button in the person's language."""
    return Button(action + (EN if lang == "en" else ""), t(f"btn_{action}", lang), str(person_id))


def _lang(msg: Incoming, arg: str) -> str:
    return "en" if (msg.command or "").lower() in ENGLISH else reply_language(arg, msg.language)


def _say(msg: Incoming, text: str, lang: str, buttons: tuple[Button, ...] = ()) -> Reply:
    """Only to the person who wrote (outside a direct chat, privately on Slack)."""
    private = None if msg.direct else msg.user_id
    return Reply(
        msg.chat, text, lang, buttons=buttons, ephemeral_user=private, reply_to=msg.message_id, kind="notice"
    )
