"""Roles in chat: /wie_ben_ik, /koppel, naming moderators, and the moderators' view of the queue."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.commands import MODERATOR, CommandSpec
from bot.community.desk import say
from bot.community.notices import moderation_buttons, submission_text
from bot.community.queue import Queue
from bot.community.records import PENDING
from bot.language import reply_language
from bot.messages import Incoming, Reply
from bot.people.store import ADMIN, PLATFORMS, People, PeopleError, Person, actor_of
from bot.texts import t

COMMANDS = (
    CommandSpec("wie_ben_ik", aliases=("whoami",), slack=True, menu=True, rank=90),
    CommandSpec("koppel", aliases=("link",), slack=True, menu=True, rank=91),
    CommandSpec("inzendingen", aliases=("submissions",), audience=MODERATOR, slack=True, rank=95),
    CommandSpec(
        "moderator_toevoegen",
        aliases=("add_moderator",),
        audience=MODERATOR,
        names_people=True,
        slack=True,
        rank=96,
    ),
    CommandSpec(
        "moderator_verwijderen",
        aliases=("remove_moderator",),
        audience=MODERATOR,
        names_people=True,
        slack=True,
        rank=97,
    ),
)
MENTION = re.compile(r"@?(\S+)")  # a user as the adapters hand it over: "@<user id>" or a bare id

IsExpert = Callable[[str, str], bool]  # (platform, user id) -> is an expert


class RolesDesk:
    """Who a person is, linking their accounts, and what admins and moderators do in chat."""

    def __init__(self, people: People, queue: Queue, is_expert: IsExpert) -> None:
        self.people = people
        self.queue = queue
        self.is_expert = is_expert
        self.handlers = {
            "wie_ben_ik": self.cmd_whoami,
            "koppel": self.cmd_link,
            "inzendingen": self.cmd_queue,
            "moderator_toevoegen": self.cmd_add,
            "moderator_verwijderen": self.cmd_remove,
        }

    def cmd_whoami(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/wie_ben_ik: roles and linked accounts."""
        lang = reply_language(arg, msg.language)
        p = self.people.person(msg.chat.platform, msg.user_id, msg.user_name)
        roles = [t("role_member", lang)]
        if any(self.is_expert(platform, uid) for platform, uid in p.accounts):
            roles.append(t("role_expert", lang))
        if p.moderator:
            roles.append(t("role_moderator", lang))
        if p.admin:
            roles.append(t("role_admin", lang))
        accounts = ", ".join(f"{platform}:{uid}" for platform, uid in p.accounts)
        text = t("whoami", lang, name=p.label, roles=", ".join(roles), accounts=accounts)
        if p.blocked:
            text += "\n" + t("whoami_blocked", lang)
        if len({a[0] for a in p.accounts}) < 2:
            text += "\n" + t("whoami_link_hint", lang)
        return say(msg, text, lang)

    def cmd_link(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/koppel: a one-time code here; /koppel CODE on the other platform joins the two accounts."""
        lang = reply_language("", msg.language)
        platform = msg.chat.platform
        if platform not in ("slack", "telegram"):
            return say(msg, t("link_platform_only", lang), lang)
        if not arg.strip():
            code = self.people.new_link_code(platform, msg.user_id)
            other = "Telegram" if platform == "slack" else "Slack"
            text = t("link_code", lang, code=code, other=other)
            if not msg.direct:  # a code is a key: never shown to a whole channel
                return [Reply(msg.chat, text, lang, ephemeral_user=msg.user_id, kind="notice")]
            return say(msg, text, lang)
        try:
            p = self.people.link(platform, msg.user_id, arg)
        except PeopleError as exc:
            return say(msg, exc.say(lang), lang)
        accounts = ", ".join(f"{pl}:{uid}" for pl, uid in p.accounts)
        return say(msg, t("link_done", lang, accounts=accounts), lang)

    def cmd_queue(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/inzendingen: every waiting submission, each with its buttons (moderators)."""
        lang = reply_language(arg, msg.language)
        refused = self.people.refusal(msg.chat.platform, msg.user_id, lang)
        if refused:
            return say(msg, refused, lang)
        waiting = list(reversed(self.queue.list(state=PENDING, limit=10)))
        if not waiting:
            return say(msg, t("queue_empty", lang), lang)
        replies = say(msg, t("queue_head", lang, n=len(waiting)), lang)
        for sub in waiting:
            text = submission_text(sub, lang)
            if sub.claimed_name:
                text += "\n" + t("queue_claimed", lang, who=sub.claimed_name)
            replies += say(msg, text, lang, moderation_buttons(sub, lang))
        return replies

    def _target(self, msg: Incoming, arg: str) -> Person | None:
        ref = arg.strip().split()[0] if arg.strip() else ""
        if not ref:
            return None
        if ":" in ref and ref.split(":", 1)[0].lower() in PLATFORMS:
            return self.people.resolve(ref)
        if ref.startswith("#"):
            return self.people.resolve(ref)
        m = MENTION.fullmatch(ref)
        if m and (ref.startswith("@") or m[1].isdigit() or m[1][:1] in "UW"):
            return self.people.person(msg.chat.platform, m[1])
        return self.people.resolve(arg.strip())

    def cmd_add(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/moderator_toevoegen @person (admins)."""
        return self._change(msg, arg, add=True)

    def cmd_remove(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/moderator_verwijderen @person (admins)."""
        return self._change(msg, arg, add=False)

    def _change(self, msg: Incoming, arg: str, add: bool) -> list[Reply]:
        lang = reply_language("", msg.language)
        if not self.people.is_admin(msg.chat.platform, msg.user_id):
            admins = ", ".join(p.label for p in self.people.with_role(ADMIN)[:5]) or "-"
            return say(msg, t("admin_only", lang, who=admins), lang)
        target = self._target(msg, arg)
        if target is None:
            return say(msg, t("moderator_usage", lang), lang)
        actor = actor_of(msg.chat.platform, msg.user_id)
        try:
            if add:
                p = self.people.grant(actor, target, "moderator")
                return say(msg, t("moderator_added", lang, who=p.label), lang)
            p = self.people.revoke(actor, target, "moderator")
        except PeopleError as exc:
            return say(msg, exc.say(lang), lang)
        return say(msg, t("moderator_removed", lang, who=p.label), lang)
