"""The service layer: a platform-neutral message in, the bot's replies out (used by every adapter)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace

from bot.assistant import Answer, Assistant
from bot.messages import ASK_EXPERT, HELPFUL, NOT_HELPFUL, Action, Button, ChatRef, Incoming, Reply
from bot.questions import QuestionStore
from bot.records import ANSWERED, EXPERT_REQUESTED, ROUTED, QuestionRecord
from bot.texts import t
from knowledge_base import text as T

log = logging.getLogger(__name__)

ASK_COMMANDS = ("vraag", "ask", "v", "q")
HELP_COMMANDS = ("help", "hulp", "start")
# A follow-up this short ("En in Gelderland?") is read together with the earlier question first.
ELLIPTIC_WORDS = 6

CommandHandler = Callable[[Incoming, str, str], list[Reply]]


def reply_language(msg: Incoming, text: str = "") -> str:
    """The language to answer in: the text's language, else the member's interface language."""
    if text and T.has_letters(text) and len(T.words(text)) >= 3:
        return T.detect_language(text)
    if msg.language and msg.language.lower().startswith("en"):
        return "en"
    return "nl"


class Service:
    """Turns members' messages and button presses into replies, keeping all state in the database."""

    def __init__(self, assistant: Assistant, store: QuestionStore) -> None:
        self.assistant = assistant
        self.store = store
        self.commands: dict[str, CommandHandler] = {}
        for name in ASK_COMMANDS:
            self.commands[name] = self._cmd_ask
        for name in HELP_COMMANDS:
            self.commands[name] = self._cmd_help
        # Extension points for the expert workflow (bot/expert_desk.py plugs in here).
        self.on_expert_request: Callable[[QuestionRecord, str], str] | None = None
        self.on_routed: Callable[[int], str] | None = None
        self.intercepts: list[Callable[[Incoming], list[Reply] | None]] = []
        self.is_conversation: list[Callable[[Incoming], bool]] = []
        self.action_handlers: dict[str, Callable[[Action], list[Reply]]] = {}

    # -- messages -------------------------------------------------------------------------

    def accept(self, msg: Incoming) -> bool:
        """Decide whether to reply at all, and take the message on exactly once (fast, no search)."""
        if msg.from_bot or msg.edited:
            return False  # deliberate silence: our own/other bots' messages and edits
        if not (msg.direct or msg.addressed or msg.command):
            # Outside a direct chat only follow-ups in a conversation with the bot are ours.
            known = self.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to) is not None
            if not known and not any(check(msg) for check in self.is_conversation):
                return False
        return self.store.claim_event(msg.key)

    def respond(self, msg: Incoming) -> list[Reply]:
        """The replies to an accepted message (may search the knowledge base: run it in a thread)."""
        if msg.command is not None:
            handler = self.commands.get(msg.command.lower())
            arg = msg.text.strip()
            if handler is None:
                lang = reply_language(msg)
                text = t("unknown_command", lang, command=msg.command, commands=t("commands", lang))
                return [self._notice(msg, text, lang)]
            return handler(msg, arg, reply_language(msg, arg))
        if msg.media and not msg.text.strip():
            return [self._notice(msg, t("media_only", reply_language(msg)), reply_language(msg))]
        for intercept in self.intercepts:
            replies = intercept(msg)
            if replies is not None:
                return replies
        return self._ask(msg, msg.text)

    def handle(self, msg: Incoming) -> list[Reply]:
        """accept + respond in one call (for adapters with no 'working' indicator)."""
        return self.respond(msg) if self.accept(msg) else []

    def remember(self, reply: Reply, message_id: str) -> None:
        """Link a sent reply to its question, so replies to it are understood as follow-ups."""
        if reply.question_id is not None and message_id:
            self.store.remember(reply.chat.platform, reply.chat.chat_id, str(message_id), reply.question_id)

    # -- commands -------------------------------------------------------------------------

    def _cmd_ask(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        if not arg:
            return [self._notice(msg, t("ask_usage", reply_language(msg)), reply_language(msg))]
        return self._ask(msg, arg)

    def _cmd_help(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        lang = reply_language(msg, arg)
        return [self._notice(msg, t("help", lang) + "\n\n" + t("commands", lang), lang)]

    # -- asking ---------------------------------------------------------------------------

    def _ask(self, msg: Incoming, text: str) -> list[Reply]:
        previous = self.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to)
        answer, context = self._answer(text, previous)
        if answer.status in ("help", "too_long"):
            return [self._notice(msg, answer.answer, answer.language)]
        qid = self.store.record_question(
            platform=msg.chat.platform,
            chat_id=msg.chat.chat_id,
            thread_id=msg.chat.thread_id,
            message_id=msg.message_id,
            user_id=msg.user_id,
            user_name=msg.user_name,
            context=context,
            answer=answer,
            parent_id=previous.id if previous else None,
        )
        if msg.reply_to and previous is not None:
            # The thread/reply chain now continues from this question.
            self.store.remember(msg.chat.platform, msg.chat.chat_id, msg.reply_to, qid)
        lang = answer.language
        text = answer.answer
        if answer.routed and self.on_routed is not None:
            # Committed before the asker is told (route() returns after its transaction).
            text = f"{text}\n\n{self.on_routed(qid)}"
            return [
                Reply(
                    chat=msg.chat,
                    text=text,
                    language=lang,
                    question_id=qid,
                    reply_to=msg.message_id,
                    routed=True,
                )
            ]
        buttons = [Button(ASK_EXPERT, t("btn_ask_expert", lang), str(qid))]
        if not answer.routed:
            buttons[:0] = [
                Button(HELPFUL, t("btn_helpful", lang), str(qid)),
                Button(NOT_HELPFUL, t("btn_not_helpful", lang), str(qid)),
            ]
        return [
            Reply(
                chat=msg.chat,
                text=text,
                language=lang,
                sources=answer.sources,
                buttons=tuple(buttons),
                question_id=qid,
                reply_to=msg.message_id,
                routed=answer.routed,
            )
        ]

    def _answer(self, text: str, previous: QuestionRecord | None) -> tuple[Answer, str]:
        """Answer a question, reading a follow-up in the context of the earlier question."""
        if previous is None:
            return self.assistant.ask(text), text
        combined = f"{previous.text.strip()}\n{text.strip()}"
        lang = T.detect_language(text) if len(T.words(text)) >= 3 else previous.language
        tries = [(text, text), (combined, combined)]
        if len(T.content_words(text)) <= ELLIPTIC_WORDS:
            tries.reverse()  # elliptic follow-up: the earlier question gives it meaning
        first: Answer | None = None
        for query, context in tries:
            a = self.assistant.ask(query, language=lang)
            if a.status not in ("answered", "routed"):
                return a, context
            if not a.routed:
                return _with_question(a, text), context
            first = first or _with_question(a, text)
        assert first is not None
        return first, tries[0][1]

    # -- buttons --------------------------------------------------------------------------

    def handle_action(self, act: Action) -> list[Reply]:
        """A button press: feedback or a request for an expert."""
        if act.event_id and not self.store.claim_event(f"{act.chat.platform}:action:{act.event_id}"):
            return []
        q = self.store.get(act.question_id)
        lang = (q.language if q else None) or ("en" if (act.language or "").startswith("en") else "nl")
        if q is None:
            return [self._action_notice(act, t("unknown_question", lang), lang)]
        if act.action in self.action_handlers:
            return self.action_handlers[act.action](act)
        if act.action in (HELPFUL, NOT_HELPFUL):
            self.store.feedback(q.id, act.user_id, act.action)
            return [self._action_notice(act, t("thanks_feedback", lang), lang)]
        if act.action == ASK_EXPERT and self.on_expert_request is not None:
            text = self.on_expert_request(q, act.user_id)
            return [
                Reply(
                    chat=_question_chat(q),
                    text=text,
                    language=lang,
                    question_id=q.id,
                    reply_to=q.message_id,
                    kind="notice",
                )
            ]
        if act.action == ASK_EXPERT:
            moved = self.store.set_status(
                q.id, EXPERT_REQUESTED, act.user_id, "button", only_from=(ANSWERED, ROUTED)
            )
            if not moved:
                return [self._action_notice(act, t("expert_already", lang), lang)]
            return [
                Reply(
                    chat=_question_chat(q),
                    text=t("expert_requested", lang),
                    language=lang,
                    question_id=q.id,
                    reply_to=q.message_id,
                    kind="notice",
                )
            ]
        log.warning("unknown action %r on question %s", act.action, act.question_id)
        return []

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _notice(msg: Incoming, text: str, lang: str) -> Reply:
        return Reply(chat=msg.chat, text=text, language=lang, reply_to=msg.message_id, kind="notice")

    @staticmethod
    def _action_notice(act: Action, text: str, lang: str) -> Reply:
        return Reply(
            chat=act.chat,
            text=text,
            language=lang,
            ephemeral_user=act.user_id,
            question_id=act.question_id,
            kind="notice",
        )


def _with_question(a: Answer, text: str) -> Answer:
    """The answer as given to the member's own words (not the combined search text)."""
    return replace(a, question=text)


def _question_chat(q: QuestionRecord) -> ChatRef:
    return ChatRef(q.platform, q.chat_id, q.thread_id)


MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def strip_mentions(text: str, extra: tuple[str, ...] = ()) -> str:
    """Remove Slack user mentions and given @names from a message text."""
    text = MENTION.sub(" ", text)
    for name in extra:
        if name:
            text = re.sub(rf"@{re.escape(name)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())
