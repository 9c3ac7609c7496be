"""The service layer: a platform-neutral message in, the bot's replies out (used by every adapter).

The service answers questions itself (asking, follow-ups, feedback). Everything else comes from
features: `Service.register(feature)` adds a feature's commands, button actions, intercepts,
listeners for routed questions, scheduled jobs and outbox hooks, and refuses a name twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from bot.answering.smalltalk import small_talk
from bot.commands import Command, CommandRegistry, CommandSpec, RegistrationError
from bot.conversations.records import ANSWERED, EXPERT_REQUESTED, ROUTED, QuestionRecord
from bot.conversations.store import QuestionStore
from bot.language import language_of, reply_language
from bot.messages import (
    ACTIONS,
    ASK_EXPERT,
    HELPFUL,
    NOT_HELPFUL,
    Action,
    Button,
    ChatRef,
    Form,
    FormResult,
    FormSubmit,
    Incoming,
    Reply,
    question_id_ok,
)
from bot.texts import t
from knowledge_base import text as T

if TYPE_CHECKING:
    from bot.answering.assistant import Answer, Assistant
    from bot.delivery.outbox import Outbox, SentHook
    from bot.delivery.scheduler import Job, Scheduler

log = logging.getLogger(__name__)

# A follow-up this short ("En in Gelderland?") is read together with the earlier question first.
ELLIPTIC_WORDS = 6

# The service's own commands; features bring theirs (see bot/commands.py).
COMMANDS = (
    CommandSpec("vraag", aliases=("v",), asks=True, slack=True, menu=True, rank=10),
    CommandSpec("ask", aliases=("q",), language="en", asks=True, slack=True, menu=True, rank=11),
    CommandSpec("help", aliases=("hulp", "start"), menu=True, rank=30),
)

ActionHandler = Callable[[Action], list[Reply]]
Intercept = Callable[[Incoming], list[Reply] | None]  # replies, or None: not mine, answer as usual
ConversationCheck = Callable[[Incoming], bool]  # is this unaddressed message part of a conversation?
RouteListener = Callable[[int, str], str | None]  # (question id, actor) -> what to tell the asker
FormHandler = Callable[[FormSubmit], FormResult]


@dataclass(frozen=True)
class Contribution:
    """What a feature adds to the service."""

    commands: tuple[Command, ...] = ()
    actions: Mapping[str, ActionHandler] = field(default_factory=dict)  # buttons about a question
    item_actions: Mapping[str, ActionHandler] = field(default_factory=dict)  # about the feature's own items
    forms: Mapping[str, FormHandler] = field(default_factory=dict)  # form name -> its submission handler
    intercepts: tuple[Intercept, ...] = ()
    conversations: tuple[ConversationCheck, ...] = ()
    on_route: tuple[RouteListener, ...] = ()  # a question goes to people (not answerable, or asked)
    jobs: tuple[Job, ...] = ()
    on_sent: Mapping[str, SentHook] = field(default_factory=dict)  # outbox purpose -> hook


class Feature(Protocol):
    """A package of behaviour the service hosts (experts, community, ...)."""

    name: str

    def contribution(self) -> Contribution:
        """Everything the feature adds; called once, by Service.register."""
        ...


class Service:
    """Turns members' messages and button presses into replies, keeping all state in the database."""

    def __init__(
        self,
        assistant: Assistant,
        store: QuestionStore,
        *,
        outbox: Outbox | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.outbox = outbox
        self.scheduler = scheduler
        self.commands = CommandRegistry()
        own = {"vraag": self._cmd_ask, "ask": self._cmd_ask, "help": self._cmd_help}
        for spec in COMMANDS:
            self.commands.add(Command(spec, own[spec.name]))
        self.actions: dict[str, ActionHandler] = {
            HELPFUL: self._feedback,
            NOT_HELPFUL: self._feedback,
            ASK_EXPERT: self._ask_expert,
        }
        self.item_actions: dict[str, ActionHandler] = {}
        self.forms: dict[str, FormHandler] = {}
        self.intercepts: list[Intercept] = []
        self.conversations: list[ConversationCheck] = []
        self.route_listeners: list[RouteListener] = []
        self.features: dict[str, Feature] = {}

    # -- features -------------------------------------------------------------------------

    def register(self, feature: Feature) -> None:
        """Add a feature's contribution; RegistrationError when a name is already taken."""
        if feature.name in self.features:
            raise RegistrationError(f"the feature {feature.name!r} is already registered")
        c = feature.contribution()
        names = [name.lower() for command in c.commands for name in command.spec.names]
        taken = sorted({n for n in names if n in self.commands or names.count(n) > 1})
        if taken:
            raise RegistrationError(f"{feature.name}: the command name(s) {taken} are taken")
        clash = sorted(
            (set(c.actions) | set(c.item_actions)) & (set(self.actions) | set(self.item_actions))
            | set(c.actions) & set(c.item_actions)
        )
        if clash:
            raise RegistrationError(f"{feature.name}: the button action(s) {clash} are taken")
        taken_forms = sorted(set(c.forms) & set(self.forms))
        if taken_forms:
            raise RegistrationError(f"{feature.name}: the form(s) {taken_forms} are taken")
        if c.jobs and self.scheduler is None:
            raise RegistrationError(f"{feature.name} has scheduled jobs, but this service has no scheduler")
        if c.on_sent and self.outbox is None:
            raise RegistrationError(f"{feature.name} has outbox hooks, but this service has no outbox")
        jobs = [job.name for job in c.jobs]
        if self.scheduler is not None and (
            set(jobs) & set(self.scheduler.jobs) or len(set(jobs)) < len(jobs)
        ):
            raise RegistrationError(f"{feature.name}: a job name of {sorted(jobs)} is taken")
        hooked = sorted(p for p in c.on_sent if self.outbox is not None and self.outbox.hooks(p))
        if hooked:
            raise RegistrationError(f"{feature.name}: the outbox purpose(s) {hooked} already have a hook")
        for command in c.commands:
            self.commands.add(command)
        self.actions.update(c.actions)
        self.item_actions.update(c.item_actions)
        self.forms.update(c.forms)
        self.intercepts += c.intercepts
        self.conversations += c.conversations
        self.route_listeners += c.on_route
        for job in c.jobs:
            assert self.scheduler is not None
            self.scheduler.add(job)
        for purpose, hook in c.on_sent.items():
            assert self.outbox is not None
            self.outbox.on_sent(purpose, hook)
        self.features[feature.name] = feature

    def knows_action(self, action: str) -> bool:
        """Whether a button action id is one of ours (adapters ignore other presses)."""
        return action in self.actions or action in self.item_actions

    # -- messages -------------------------------------------------------------------------

    def accept(self, msg: Incoming) -> bool:
        """Decide whether to reply at all, and take the message on exactly once (fast, no search)."""
        if msg.from_bot or msg.edited:
            return False  # deliberate silence: our own/other bots' messages and edits
        if not (msg.direct or msg.addressed or msg.command):
            # Outside a direct chat only follow-ups in a conversation with the bot are ours.
            known = self.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to) is not None
            if not known and not any(check(msg) for check in self.conversations):
                return False
        return self.store.claim_event(msg.key)

    def respond(self, msg: Incoming) -> list[Reply]:
        """The replies to an accepted message (may search the knowledge base: run it in a thread)."""
        if msg.command is not None:
            command = self.commands.get(msg.command)
            arg = msg.text.strip()
            if command is None:
                lang = reply_language("", msg.language)
                text = t("unknown_command", lang, command=msg.command, commands=t("commands", lang))
                return [_notice(msg, text, lang)]
            return command.handler(msg, arg, reply_language(arg, msg.language))
        if msg.media and not msg.text.strip():
            lang = reply_language("", msg.language)
            return [_notice(msg, t("media_only", lang), lang)]
        for intercept in self.intercepts:
            replies = intercept(msg)
            if replies is not None:
                return replies
        return self._ask(msg, msg.text)

    def failure(self, msg: Incoming) -> list[Reply]:
        """What the member gets when answering their message failed unexpectedly (logged by the caller)."""
        lang = reply_language(msg.text, msg.language)
        return [_notice(msg, t("send_failed", lang), lang)]

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
            lang = reply_language("", msg.language)
            return [_notice(msg, t("ask_usage", lang), lang)]
        return self._ask(msg, arg)

    def _cmd_help(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        return [_notice(msg, t("help", lang) + "\n\n" + t("commands", lang), lang)]

    # -- asking ---------------------------------------------------------------------------

    def _routed(self, question_id: int, actor: str) -> str | None:
        """Tell every route listener; what they say for the asker (None: nobody listens)."""
        if not self.route_listeners:
            return None
        said = [listener(question_id, actor) for listener in self.route_listeners]
        return "\n\n".join(s for s in said if s)

    def _ask(self, msg: Incoming, text: str) -> list[Reply]:
        chat = small_talk(text)  # "dank je wel!" under an answer is not a follow-up question
        if chat is not None:
            kind, lang = chat
            return [_notice(msg, t(f"smalltalk_{kind}", msg.language or lang), msg.language or lang)]
        previous = self.store.by_ref(msg.chat.platform, msg.chat.chat_id, msg.reply_to)
        answer, context = self._answer(text, previous)
        if answer.status in ("help", "too_long", "smalltalk"):
            return [_notice(msg, answer.answer, answer.language)]
        qid = self.store.record_question(msg, context, answer, previous.id if previous else None)
        if msg.reply_to and previous is not None:
            # The thread/reply chain now continues from this question.
            self.store.remember(msg.chat.platform, msg.chat.chat_id, msg.reply_to, qid)
        lang = answer.language
        if answer.routed:
            # Committed before the asker is told (the listeners return after their transaction).
            said = self._routed(qid, "bot")
            if said is not None:
                text = f"{answer.answer}\n\n{said}" if said else answer.answer
                return [
                    Reply(
                        chat=msg.chat,
                        text=text,
                        language=lang,
                        question_id=qid,
                        reply_to=msg.message_id,
                        routed=True,
                        sources=answer.sources,
                    )  # not sure: related sources as reading tips
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
                text=answer.answer,
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
                return replace(a, question=text), context
            first = first or replace(a, question=text)  # answered to the member's own words
        assert first is not None
        return first, tries[0][1]

    # -- buttons --------------------------------------------------------------------------

    def handle_action(self, act: Action) -> list[Reply]:
        """A button press on one of the bot's messages, taken on exactly once."""
        if act.event_id and not self.store.claim_event(f"{act.chat.platform}:action:{act.event_id}"):
            return []
        own = self.item_actions.get(act.action)
        if own is not None:  # a feature's own item (a submission): the feature checks the id
            if not question_id_ok(act.item_id):
                lang = language_of(act.language)
                return [_action_notice(act, t("unknown_item", lang), lang)]
            return own(act)
        q = self.store.get(act.question_id) if question_id_ok(act.question_id) else None
        if (
            q is not None
            and act.action in ACTIONS
            and (q.platform, q.chat_id) != (act.chat.platform, act.chat.chat_id)
        ):
            # A member's buttons sit under the answer, in the chat of the question: a press naming a
            # question of another chat or platform is forged callback data, not a member's press.
            q = None
        if q is None:
            lang = language_of(act.language)
            return [_action_notice(act, t("unknown_question", lang), lang)]
        handler = self.actions.get(act.action)
        if handler is None:
            log.warning("unknown action %r on question %s", act.action, act.question_id)
            return []
        return handler(act)

    # -- forms ----------------------------------------------------------------------------

    def handle_form(self, sub: FormSubmit) -> FormResult:
        """A filled-in form (a Slack modal): errors per field keep it open, replies close it."""
        if sub.event_id and not self.store.claim_event(f"{sub.chat.platform}:form:{sub.event_id}"):
            return FormResult()
        handler = self.forms.get(sub.form)
        if handler is None:
            lang = language_of(sub.language)
            return FormResult(replies=(Reply(sub.chat, t("form_unknown", lang), lang, kind="notice"),))
        return handler(sub)

    def _feedback(self, act: Action) -> list[Reply]:
        q = self.store.get(act.question_id)
        lang = (q.language if q else None) or language_of(act.language)
        self.store.feedback(act.question_id, act.user_id, act.action)
        return [_action_notice(act, t("thanks_feedback", lang), lang)]

    def _ask_expert(self, act: Action) -> list[Reply]:
        q = self.store.get(act.question_id)
        assert q is not None  # handle_action looked it up
        lang = q.language or language_of(act.language)
        said = self._routed(q.id, act.user_id)
        if said is not None:  # the listeners took it on (and may have nothing to add)
            return [_question_notice(q, said or t("expert_requested", lang), lang)]
        moved = self.store.set_status(
            q.id, EXPERT_REQUESTED, act.user_id, "button", only_from=(ANSWERED, ROUTED)
        )
        if not moved:
            return [_action_notice(act, t("expert_already", lang), lang)]
        return [_question_notice(q, t("expert_requested", lang), lang)]


def press_notice(act: Action, text: str, lang: str, buttons: tuple[Button, ...] = ()) -> Reply:
    """A feature's answer to whoever pressed its button: only to them on Slack; on Telegram a message
    in the chat of the press (moderators press in their private chat), as there a press's own answer
    is a toast of at most 200 characters."""
    private = act.user_id if act.chat.platform == "slack" else None
    return Reply(act.chat, text, lang, buttons=buttons, ephemeral_user=private, kind="notice")


def open_form(chat: ChatRef, user_id: str, form: Form, lang: str) -> Reply:
    """A reply that opens a form for the person who asked (where the platform can; see Incoming.trigger)."""
    return Reply(chat, t("form_opened", lang), lang, ephemeral_user=user_id, kind="notice", form=form)


def _notice(msg: Incoming, text: str, lang: str) -> Reply:
    return Reply(chat=msg.chat, text=text, language=lang, reply_to=msg.message_id, kind="notice")


def _action_notice(act: Action, text: str, lang: str) -> Reply:
    return Reply(
        chat=act.chat,
        text=text,
        language=lang,
        ephemeral_user=act.user_id,
        question_id=act.question_id,
        kind="notice",
    )


def _question_notice(q: QuestionRecord, text: str, lang: str) -> Reply:
    chat = ChatRef(q.platform, q.chat_id, q.thread_id)
    return Reply(chat=chat, text=text, language=lang, question_id=q.id, reply_to=q.message_id, kind="notice")
