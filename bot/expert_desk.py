"""The expert workflow in chat: commands, buttons and replies of experts, askers and moderators."""

from __future__ import annotations

import re

from bot.assistant import Answer
from bot.expert_records import RoutedMessage, RoutingRecord
from bot.experts import FOREVER, Expert, ExpertError, parse_date
from bot.messages import (
    CLAIM,
    KB_APPROVE,
    KB_NO,
    KB_REJECT,
    KB_YES,
    RELEASE,
    RESOLVED,
    Action,
    Incoming,
    Reply,
)
from bot.records import EXPERT_ANSWERED, QuestionRecord
from bot.records import RESOLVED as ST_RESOLVED
from bot.router import Router
from bot.routing import Outcome
from bot.service import Service, reply_language
from bot.texts import t
from knowledge_base import text as T

QID = re.compile(r"^#?(\d+)\s*(.*)$", re.S)


class ExpertDesk:
    """Plugs expert routing into the service: nothing here knows a chat platform."""

    def __init__(self, service: Service, router: Router) -> None:
        self.service = service
        self.router = router
        self.experts = router.experts
        service.on_routed = lambda qid: router.route(qid, "bot").text
        service.on_expert_request = lambda q, user: router.route(q.id, user).text
        service.intercepts.append(self._intercept)
        service.is_conversation.append(self._is_routed_thread)
        commands = {
            "expert": self._cmd_expert,
            "afwezig": self._cmd_away,
            "away": self._cmd_away,
            "beschikbaar": self._cmd_available,
            "available": self._cmd_available,
            "expertise": self._cmd_expertise,
            "antwoord": self._cmd_answer,
            "answer": self._cmd_answer,
            "vrijgeven": self._cmd_release,
            "release": self._cmd_release,
            "doorgeven": self._cmd_pass,
            "pass": self._cmd_pass,
            "experts": self._cmd_list,
            "expert_toevoegen": self._cmd_add,
            "expert_add": self._cmd_add,
            "expert_verwijderen": self._cmd_remove,
            "expert_remove": self._cmd_remove,
        }
        for name, handler in commands.items():
            service.commands[name] = handler
        for action in (CLAIM, RELEASE, KB_YES, KB_NO, KB_APPROVE, KB_REJECT, RESOLVED):
            service.action_handlers[action] = self._action

    # -- helpers --------------------------------------------------------------------------

    def _me(self, platform: str, user_id: str) -> Expert | None:
        return self.experts.by_identity(platform, user_id)

    @staticmethod
    def _say(msg: Incoming, text: str, lang: str) -> list[Reply]:
        return [
            Reply(
                chat=msg.chat,
                text=text,
                language=lang,
                reply_to=msg.message_id,
                kind="notice",
                ephemeral_user=None if msg.direct else msg.user_id,
            )
        ]

    def _routed_message(self, msg: Incoming) -> RoutedMessage | None:
        if not msg.reply_to:
            return None
        with self.router.sessions() as s:
            return s.get(RoutedMessage, (msg.chat.platform, msg.chat.chat_id, msg.reply_to))

    def _is_routed_thread(self, msg: Incoming) -> bool:
        return self._routed_message(msg) is not None

    # -- replies: experts answering, askers following up ---------------------------------

    def _intercept(self, msg: Incoming) -> list[Reply] | None:
        routed = self._routed_message(msg)
        if routed is not None:
            e = self._me(msg.chat.platform, msg.user_id)
            if e is None:
                return self._say(
                    msg, t("not_expert", reply_language(msg, msg.text)), reply_language(msg, msg.text)
                )
            out = self.router.answer(routed.question_id, e, msg.text)
            return [] if out.ok else self._say(msg, out.text, self.router._lang(e))
        previous = self.service.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to)
        if previous is not None and previous.status in (EXPERT_ANSWERED, ST_RESOLVED):
            with self.router.sessions() as s:
                r = s.get(RoutingRecord, previous.id)
            if r is not None and r.answered_by is not None:
                return self._follow_up(msg, previous)
        return None

    def _follow_up(self, msg: Incoming, previous: QuestionRecord) -> list[Reply]:
        lang = T.detect_language(msg.text) if len(T.words(msg.text)) >= 3 else previous.language
        qid = self._record(msg, msg.text, lang, parent_id=previous.id)
        self.service.store.remember(msg.chat.platform, msg.chat.chat_id, msg.reply_to or msg.message_id, qid)
        out = self.router.follow_up(previous, qid)
        text = out.text if out else self.router.route(qid, msg.user_id).text
        return [
            Reply(
                chat=msg.chat,
                text=text,
                language=lang,
                question_id=qid,
                reply_to=msg.message_id,
                kind="notice",
            )
        ]

    def _record(
        self,
        msg: Incoming,
        text: str,
        lang: str,
        parent_id: int | None = None,
        candidates: Answer | None = None,
    ) -> int:
        base = candidates or Answer(text, "", True, lang)
        answer = Answer(text, "", True, lang, (), base.candidates, "routed")
        return self.service.store.record_question(
            platform=msg.chat.platform,
            chat_id=msg.chat.chat_id,
            thread_id=msg.chat.thread_id,
            message_id=msg.message_id,
            user_id=msg.user_id,
            user_name=msg.user_name,
            context=text,
            answer=answer,
            parent_id=parent_id,
        )

    # -- member commands ------------------------------------------------------------------

    def _cmd_expert(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/expert <question>, or /expert in reply to an earlier question."""
        if arg:
            found = self.service.assistant.ask(arg)
            if found.status not in ("answered", "routed"):
                return self._say(msg, found.answer, found.language)
            qid = self._record(msg, arg, found.language, candidates=found)
            out = self.router.route(qid, msg.user_id)
            return [
                Reply(
                    chat=msg.chat,
                    text=out.text,
                    language=found.language,
                    question_id=qid,
                    reply_to=msg.message_id,
                    kind="notice",
                )
            ]
        previous = self.service.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to)
        if previous is None:
            return self._say(msg, t("expert_usage", lang), lang)
        out = self.router.route(previous.id, msg.user_id)
        return [
            Reply(
                chat=msg.chat,
                text=out.text,
                language=previous.language,
                question_id=previous.id,
                reply_to=msg.message_id,
                kind="notice",
            )
        ]

    # -- expert commands ------------------------------------------------------------------

    def _expert_or_refuse(self, msg: Incoming, lang: str) -> Expert | list[Reply]:
        e = self._me(msg.chat.platform, msg.user_id)
        return e if e is not None else self._say(msg, t("not_expert", lang), lang)

    def _cmd_away(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        lang = self.router._lang(e)
        if not arg:
            self.experts.set_away(e.id, FOREVER)
            return self._say(msg, t("away_open", lang), lang)
        until = parse_date(arg, self.router.clock())
        if until is None:
            return self._say(msg, t("away_bad_date", lang), lang)
        self.experts.set_away(e.id, until)
        return self._say(msg, t("away_set", lang, date=until.strftime("%Y-%m-%d")), lang)

    def _cmd_available(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        self.experts.set_away(e.id, None)
        return self._say(msg, t("available_set", self.router._lang(e)), self.router._lang(e))

    def _cmd_expertise(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        lang = self.router._lang(e)
        if arg:
            tags = re.findall(r"#([\w&-]+)", arg)
            text = re.sub(r"#[\w&-]+", "", arg).strip()
            updated = self.experts.set_expertise(e.id, text or None, tags or None)
            e = updated or e
            head = t("expertise_set", lang) + "\n"
        else:
            head = ""
        body = t("expertise_show", lang, expertise=e.expertise or "-", tags=", ".join(e.tags) or "-")
        return self._say(msg, head + body, lang)

    def _cmd_answer(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        m = QID.match(arg)
        if not m or not m[2].strip():
            return self._say(msg, t("answer_usage", self.router._lang(e)), self.router._lang(e))
        out = self.router.answer(int(m[1]), e, m[2])
        return [] if out.ok else self._say(msg, out.text, self.router._lang(e))

    def _cmd_release(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        m = QID.match(arg)
        if not m:
            return self._say(msg, t("answer_usage", self.router._lang(e)), self.router._lang(e))
        return self._say(msg, self.router.release(int(m[1]), e).text, self.router._lang(e))

    def _cmd_pass(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        lang = self.router._lang(e)
        m = QID.match(arg)
        if not m or not m[2].strip():
            return self._say(msg, t("pass_usage", lang), lang)
        colleague = self.experts.find(m[2])
        if colleague is None or colleague.id == e.id or not colleague.available(self.router.clock()):
            return self._say(msg, t("unknown_expert", lang, name=m[2].strip()), lang)
        return self._say(msg, self.router.pass_on(int(m[1]), e, colleague).text, lang)

    # -- moderator commands ---------------------------------------------------------------

    def _moderator(self, msg: Incoming) -> bool:
        return self.router.is_moderator(msg.chat.platform, msg.user_id)

    def _cmd_list(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        if not self._moderator(msg):
            return self._say(msg, t("mod_only", lang), lang)
        now = self.router.clock()
        lines = [
            f"• {e.name} ({', '.join(e.tags) or '-'}; {'✓' if e.available(now) else 'afwezig/vol'}; "
            f"{e.open_claims}/{e.capacity})"
            for e in self.experts.all()
        ]
        return self._say(msg, t("experts_list", lang, lines="\n".join(lines) or "-"), lang)

    def _cmd_add(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        if not self._moderator(msg):
            return self._say(msg, t("mod_only", lang), lang)
        # `|` separates the fields, except inside a Slack mention like <@U123|nina>.
        parts = [p.strip() for p in re.split(r"\|(?![^<]*>)", arg)]
        head = parts[0].split(maxsplit=1)
        if len(head) < 2:
            return self._say(msg, t("expert_add_usage", lang), lang)
        m = re.fullmatch(r"<@([A-Z0-9]+)(?:\|[^>]*)?>|@?(\S+)", head[0])
        uid = (m[1] or m[2]) if m else head[0]
        ids = {f"{msg.chat.platform}_user_id": uid}
        try:
            e = self.experts.add(
                head[1],
                expertise=parts[1] if len(parts) > 1 else "",
                tags=parts[2] if len(parts) > 2 else (),
                update=True,
                **ids,
            )
        except ExpertError as exc:
            return self._say(msg, str(exc), lang)
        return self._say(msg, t("expert_added", lang, name=e.name), lang)

    def _cmd_remove(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        if not self._moderator(msg):
            return self._say(msg, t("mod_only", lang), lang)
        e = self.experts.remove(arg) if arg else None
        if e is None:
            return self._say(msg, t("unknown_expert", lang, name=arg), lang)
        return self._say(msg, t("expert_removed", lang, name=e.name), lang)

    # -- buttons --------------------------------------------------------------------------

    def _action(self, act: Action) -> list[Reply]:
        lang = "en" if (act.language or "").startswith("en") else "nl"
        if act.action == RESOLVED:
            return self._private(act, self.router.resolve(act.question_id, act.user_id))
        if act.action in (KB_APPROVE, KB_REJECT):
            if not self.router.is_moderator(act.chat.platform, act.user_id):
                return self._private(act, Outcome(t("mod_only", lang), False))
            return self._private(
                act, self.router.approve(act.question_id, act.user_id, act.action == KB_APPROVE)
            )
        e = self._me(act.chat.platform, act.user_id)
        if e is None:
            return self._private(act, Outcome(t("not_expert", lang), False))
        if act.action == CLAIM:
            return self._private(act, self.router.claim(act.question_id, e))
        if act.action == RELEASE:
            return self._private(act, self.router.release(act.question_id, e))
        return self._private(act, self.router.consent(act.question_id, e, act.action == KB_YES))

    @staticmethod
    def _private(act: Action, out: Outcome) -> list[Reply]:
        if not out.text:
            return []
        return [
            Reply(
                chat=act.chat,
                text=out.text,
                language="nl",
                question_id=act.question_id,
                ephemeral_user=act.user_id,
                kind="notice",
            )
        ]
