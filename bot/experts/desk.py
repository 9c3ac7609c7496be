"""The expert workflow in chat: commands, buttons and replies of experts, askers and moderators."""

from __future__ import annotations

import re

from bot.answering.assistant import Answer, Assistant
from bot.commands import EXPERT, MODERATOR, CommandSpec
from bot.conversations.records import EXPERT_ANSWERED, RESOLVED, QuestionRecord
from bot.conversations.store import QuestionStore
from bot.experts.directory import FOREVER, Expert, ExpertDirectory, ExpertError, parse_date
from bot.experts.learning import Learning
from bot.experts.notices import Notices
from bot.experts.records import RoutedMessage
from bot.experts.router import Outcome, Router
from bot.language import language_of, reply_language
from bot.messages import (
    CLAIM,
    KB_APPROVE,
    KB_NO,
    KB_REJECT,
    KB_YES,
    RELEASE,
    Action,
    Incoming,
    Reply,
    question_id_ok,
)
from bot.messages import RESOLVED as RESOLVED_BUTTON
from bot.texts import t
from knowledge_base import text as T

QID = re.compile(r"^#?(\d+)\s*(.*)$", re.S)
MAX_EXPERTISE = 1500  # characters of an expert's own description: its echo stays one message
MAX_TAGS = 30
MENTION = re.compile(r"@?(\S+)")  # a user as the adapters hand it over: "@<user id>" or a bare id

COMMANDS = (
    CommandSpec("expert", slack=True, menu=True, rank=20),
    CommandSpec("antwoord", aliases=("answer",), audience=EXPERT, slack=True, menu=True, rank=40),
    CommandSpec("afwezig", aliases=("away",), audience=EXPERT, slack=True, menu=True, rank=50),
    CommandSpec("beschikbaar", aliases=("available",), audience=EXPERT, slack=True, menu=True, rank=51),
    CommandSpec("expertise", audience=EXPERT, slack=True, menu=True, rank=52),
    CommandSpec("doorgeven", aliases=("pass",), audience=EXPERT, names_people=True, slack=True, rank=60),
    CommandSpec("vrijgeven", aliases=("release",), audience=EXPERT, slack=True, rank=61),
    CommandSpec("experts", audience=MODERATOR, rank=70),
    CommandSpec("expert_toevoegen", aliases=("expert_add",), audience=MODERATOR, names_people=True, rank=71),
    CommandSpec(
        "expert_verwijderen", aliases=("expert_remove",), audience=MODERATOR, names_people=True, rank=72
    ),
)
ACTIONS = (CLAIM, RELEASE, KB_YES, KB_NO, KB_APPROVE, KB_REJECT, RESOLVED_BUTTON)


def _say(msg: Incoming, text: str, lang: str) -> list[Reply]:
    """A notice to the person who wrote (only to them, outside a direct chat)."""
    ephemeral = None if msg.direct else msg.user_id
    return [
        Reply(
            chat=msg.chat,
            text=text,
            language=lang,
            reply_to=msg.message_id,
            kind="notice",
            ephemeral_user=ephemeral,
        )
    ]


def _notice(msg: Incoming, text: str, lang: str, qid: int) -> list[Reply]:
    """A notice about a question, in the chat where it was asked."""
    return [
        Reply(
            chat=msg.chat, text=text, language=lang, question_id=qid, reply_to=msg.message_id, kind="notice"
        )
    ]


def _private(act: Action, out: Outcome) -> list[Reply]:
    """The outcome of a button press, shown only to the person who pressed."""
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


class ExpertDesk:
    """The chat side of expert routing; nothing here knows a chat platform."""

    def __init__(
        self,
        store: QuestionStore,
        assistant: Assistant,
        experts: ExpertDirectory,
        router: Router,
        learning: Learning,
        notices: Notices,
    ) -> None:
        self.store = store
        self.assistant = assistant
        self.experts = experts
        self.router = router
        self.learning = learning
        self.notices = notices
        self.handlers = {
            "expert": self.cmd_expert,
            "antwoord": self.cmd_answer,
            "afwezig": self.cmd_away,
            "beschikbaar": self.cmd_available,
            "expertise": self.cmd_expertise,
            "doorgeven": self.cmd_pass,
            "vrijgeven": self.cmd_release,
            "experts": self.cmd_list,
            "expert_toevoegen": self.cmd_add,
            "expert_verwijderen": self.cmd_remove,
        }

    # -- replies: experts answering, askers following up ---------------------------------

    def _routed_message(self, msg: Incoming) -> RoutedMessage | None:
        if not msg.reply_to:
            return None
        with self.router.sessions() as s:
            return s.get(RoutedMessage, (msg.chat.platform, msg.chat.chat_id, msg.reply_to))

    def is_routed_thread(self, msg: Incoming) -> bool:
        """A reply to a message that carried a routed question (an expert's answer)."""
        return self._routed_message(msg) is not None

    def intercept(self, msg: Incoming) -> list[Reply] | None:
        """An expert's reply to an offer is the answer; an asker's reply to an answer is a follow-up."""
        routed = self._routed_message(msg)
        if routed is not None:
            e = self.experts.by_identity(msg.chat.platform, msg.user_id)
            if e is None:
                lang = reply_language(msg.text, msg.language)
                return _say(msg, t("not_expert", lang), lang)
            out = self.router.answer(routed.question_id, e, msg.text)
            return [] if out.ok else _say(msg, out.text, e.language)
        previous = self.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to)
        if previous is not None and previous.status in (EXPERT_ANSWERED, RESOLVED):
            r = self.router.routing(previous.id)
            if r is not None and r.answered_by is not None:
                return self._follow_up(msg, previous)
        return None

    def _follow_up(self, msg: Incoming, previous: QuestionRecord) -> list[Reply]:
        lang = T.detect_language(msg.text) if len(T.words(msg.text)) >= 3 else previous.language
        qid = self._record(msg, msg.text, lang, parent_id=previous.id)
        self.store.remember(msg.chat.platform, msg.chat.chat_id, msg.reply_to or msg.message_id, qid)
        out = self.router.follow_up(previous, qid)
        text = out.text if out else self.router.route(qid, msg.user_id).text
        return _notice(msg, text, lang, qid)

    def _record(
        self, msg: Incoming, text: str, lang: str, parent_id: int | None = None, found: Answer | None = None
    ) -> int:
        """Store a question that goes straight to the experts (with what the search found, if asked)."""
        candidates = found.candidates if found is not None else ()
        answer = Answer(text, "", True, lang, (), candidates, "routed")
        return self.store.record_question(msg, text, answer, parent_id)

    # -- member commands ------------------------------------------------------------------

    def cmd_expert(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/expert <question>, or /expert in reply to an earlier question."""
        if arg:
            found = self.assistant.ask(arg)
            if found.status not in ("answered", "routed"):
                return _say(msg, found.answer, found.language)
            qid = self._record(msg, arg, found.language, found=found)
            return _notice(msg, self.router.route(qid, msg.user_id).text, found.language, qid)
        previous = self.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to)
        if previous is None:
            return _say(msg, t("expert_usage", lang), lang)
        out = self.router.route(previous.id, msg.user_id)
        return _notice(msg, out.text, previous.language, previous.id)

    # -- expert commands ------------------------------------------------------------------

    def _expert_or_refuse(self, msg: Incoming, lang: str) -> Expert | list[Reply]:
        e = self.experts.by_identity(msg.chat.platform, msg.user_id)
        return e if e is not None else _say(msg, t("not_expert", lang), lang)

    def cmd_away(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/afwezig [tot datum]: no routed questions until then (or until /beschikbaar)."""
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        if not arg:
            self.experts.set_away(e.id, FOREVER)
            return _say(msg, t("away_open", e.language), e.language)
        until = parse_date(arg, self.router.clock())
        if until is None:
            return _say(msg, t("away_bad_date", e.language), e.language)
        self.experts.set_away(e.id, until)
        return _say(msg, t("away_set", e.language, date=until.strftime("%Y-%m-%d")), e.language)

    def cmd_available(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/beschikbaar: routed questions again."""
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        self.experts.set_away(e.id, None)
        return _say(msg, t("available_set", e.language), e.language)

    def cmd_expertise(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/expertise [text] [#tag ...]: show or change one's own expertise."""
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        lang = e.language
        head = ""
        if arg:
            tags = re.findall(r"#([\w&-]+)", arg)
            text = re.sub(r"#[\w&-]+", "", arg).strip()
            if len(text) > MAX_EXPERTISE or len(tags) > MAX_TAGS:
                return _say(
                    msg, t("expertise_too_long", lang, n=len(text), max=MAX_EXPERTISE, tags=MAX_TAGS), lang
                )
            e = self.experts.set_expertise(e.id, text or None, tags or None) or e
            self.router.matcher.warm([e])  # the new profile is embedded now, not at the next question
            head = t("expertise_set", lang) + "\n"
        shown = e.expertise if len(e.expertise) <= MAX_EXPERTISE else e.expertise[:MAX_EXPERTISE] + "…"
        body = t("expertise_show", lang, expertise=shown or "-", tags=", ".join(e.tags[:MAX_TAGS]) or "-")
        return _say(msg, head + body, lang)

    def cmd_answer(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/antwoord <id> <answer>."""
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        m = QID.match(arg)
        if not m or not m[2].strip():
            return _say(msg, t("answer_usage", e.language), e.language)
        if not question_id_ok(int(m[1])):
            return _say(msg, t("unknown_qid", e.language, id=m[1]), e.language)
        out = self.router.answer(int(m[1]), e, m[2])
        return [] if out.ok else _say(msg, out.text, e.language)

    def cmd_release(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/vrijgeven <id>."""
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        m = QID.match(arg)
        if not m:
            return _say(msg, t("release_usage", e.language), e.language)
        if not question_id_ok(int(m[1])):
            return _say(msg, t("unknown_qid", e.language, id=m[1]), e.language)
        return _say(msg, self.router.release(int(m[1]), e).text, e.language)

    def cmd_pass(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/doorgeven <id> <colleague>."""
        e = self._expert_or_refuse(msg, lang)
        if not isinstance(e, Expert):
            return e
        lang = e.language
        m = QID.match(arg)
        if not m or not m[2].strip():
            return _say(msg, t("pass_usage", lang), lang)
        if not question_id_ok(int(m[1])):
            return _say(msg, t("unknown_qid", lang, id=m[1]), lang)
        colleague = self.experts.find(m[2])
        if colleague is None or colleague.id == e.id or not colleague.available(self.router.clock()):
            return _say(msg, t("unknown_expert", lang, name=m[2].strip()), lang)
        return _say(msg, self.router.pass_on(int(m[1]), e, colleague).text, lang)

    # -- moderator commands ---------------------------------------------------------------

    def _moderator(self, msg: Incoming) -> bool:
        return self.notices.is_moderator(msg.chat.platform, msg.user_id)

    def cmd_list(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/experts: every expert with themes, availability and load."""
        if not self._moderator(msg):
            return _say(msg, t("mod_only", lang), lang)
        now = self.router.clock()
        lines = []
        for e in self.experts.all():
            status = t("expert_status_available" if e.available(now) else "expert_status_unavailable", lang)
            line = t(
                "expert_line",
                lang,
                name=e.name,
                tags=", ".join(e.tags) or "-",
                status=status,
                open=e.open_claims,
                capacity=e.capacity,
            )
            lines.append(line)
        return _say(msg, t("experts_list", lang, lines="\n".join(lines) or "-"), lang)

    def cmd_add(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/expert_toevoegen <@user or id> <name> | <expertise> | <tags>."""
        if not self._moderator(msg):
            return _say(msg, t("mod_only", lang), lang)
        parts = [p.strip() for p in arg.split("|")]
        head = parts[0].split(maxsplit=1)
        if len(head) < 2:
            return _say(msg, t("expert_add_usage", lang), lang)
        m = MENTION.fullmatch(head[0])
        uid = m[1] if m else head[0]
        try:
            e = self.experts.add(
                head[1],
                identities={msg.chat.platform: uid},
                expertise=parts[1] if len(parts) > 1 else "",
                tags=parts[2] if len(parts) > 2 else (),
                update=True,
            )
        except ExpertError as exc:
            return _say(msg, str(exc), lang)
        return _say(msg, t("expert_added", lang, name=e.name), lang)

    def cmd_remove(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/expert_verwijderen <name or id>."""
        if not self._moderator(msg):
            return _say(msg, t("mod_only", lang), lang)
        e = self.experts.remove(arg) if arg else None
        if e is None:
            return _say(msg, t("unknown_expert", lang, name=arg), lang)
        return _say(msg, t("expert_removed", lang, name=e.name), lang)

    # -- buttons --------------------------------------------------------------------------

    def on_action(self, act: Action) -> list[Reply]:
        """Claim, release, consent, approval and resolve buttons."""
        lang = language_of(act.language)
        if act.action == RESOLVED_BUTTON:
            return _private(act, self.router.resolve(act.question_id, act.user_id))
        if act.action in (KB_APPROVE, KB_REJECT):
            if not self.notices.is_moderator(act.chat.platform, act.user_id):
                return _private(act, Outcome(t("mod_only", lang), False))
            return _private(
                act, self.learning.approve(act.question_id, act.user_id, act.action == KB_APPROVE)
            )
        e = self.experts.by_identity(act.chat.platform, act.user_id)
        if e is None:
            return _private(act, Outcome(t("not_expert", lang), False))
        if act.action == CLAIM:
            return _private(act, self.router.claim(act.question_id, e))
        if act.action == RELEASE:
            return _private(act, self.router.release(act.question_id, e))
        return _private(act, self.learning.consent(act.question_id, e, act.action == KB_YES))
