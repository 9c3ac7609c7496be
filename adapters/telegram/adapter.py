"""Telegram adapter: Bot API updates in (webhook or long polling, via PTB), core replies out."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from aiohttp import web
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest

from adapters.base import CredentialError
from adapters.telegram import api
from adapters.telegram.api import MAX_RETRY_WAIT, chat_id_of, failed, file_url
from adapters.telegram.config import problems
from adapters.telegram.files import TelegramFiles, landed, private, rest_of
from adapters.telegram.incoming import PLATFORM, to_incoming
from adapters.telegram.menu import menus
from adapters.telegram.render import (
    callback_text,
    edit_text,
    keyboard,
    parse_callback,
    render_parts,
    to_plain,
)
from adapters.telegram.shape import CheckedUpdates, problem
from bot.config import Settings
from bot.delivery.outbox import PartlySent
from bot.messages import Action, ChatRef, Posted, Reply
from bot.service import Service

log = logging.getLogger(__name__)
T = TypeVar("T")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
CONCURRENT_UPDATES = 8


class TelegramAdapter:
    """Telegram over python-telegram-bot: updates in, HTML answers with inline buttons out."""

    name = "telegram"

    def __init__(self, settings: Settings, service: Service, request: BaseRequest | None = None) -> None:
        self.settings = settings
        self.service = service
        self.request = request
        self.webhook = bool(settings.telegram_webhook_url.strip())
        self.application: Application | None = None  # type: ignore[type-arg]
        self.max_retry_wait = MAX_RETRY_WAIT
        self.backoff = 1.0  # seconds before the first network retry; doubles each time
        self.files = TelegramFiles(self._call)  # a reply's files, after its text

    # -- lifecycle ------------------------------------------------------------------------

    def check_settings(self) -> None:
        """Validate the Telegram settings offline; raises CredentialError naming the setting."""
        found = problems(self.settings)
        if found:
            raise CredentialError(found[0])

    def _build(self) -> Application:  # type: ignore[type-arg]
        base = self.settings.telegram_api_url
        builder = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token.strip())
            .base_url(base)
            .concurrent_updates(CONCURRENT_UPDATES)
            .job_queue(None)
        )
        if (files := file_url(base)) is not None:
            builder = builder.base_file_url(files)
        if self.request is not None:
            builder = builder.request(self.request)
        if self.webhook:
            builder = builder.updater(None)  # updates arrive through routes()
        else:  # polled updates are shape-checked before PTB reads them (one connection, as PTB's own)
            polling = self.request or HTTPXRequest(connection_pool_size=1)
            builder = builder.get_updates_request(CheckedUpdates(polling))
        app = builder.build()
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)
        return app

    async def start(self) -> None:
        """Check the token with getMe, register the command menu, start the webhook or polling."""
        self.check_settings()
        app = self._build()
        try:
            await app.initialize()
        except InvalidToken:
            await app.bot.shutdown()
            raise CredentialError("Telegram rejected VERBINDER_TELEGRAM_BOT_TOKEN (Unauthorized)") from None
        except TelegramError as e:
            await app.bot.shutdown()
            raise CredentialError(
                f"Telegram Bot API at VERBINDER_TELEGRAM_API_URL did not answer getMe "
                f"({self._redact(str(e))})"
            ) from None
        await app.start()
        self.application = app
        try:
            await self._register_commands(app)
            if self.webhook:
                await self._start_webhook(app)
            else:
                assert app.updater is not None
                await app.updater.start_polling(
                    allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, error_callback=self._polling_error
                )
        except BaseException:
            await self.stop()
            raise
        log.info("Telegram: @%s receiving by %s", app.bot.username, "webhook" if self.webhook else "polling")

    async def _start_webhook(self, app: Application) -> None:  # type: ignore[type-arg]
        url = self.settings.telegram_webhook_url.strip()
        if not url.rstrip("/").endswith(WEBHOOK_PATH):
            log.warning(
                "VERBINDER_TELEGRAM_WEBHOOK_URL does not end in %s (where updates are served)", WEBHOOK_PATH
            )
        try:
            await self._call(
                "setWebhook",
                None,
                partial(
                    app.bot.set_webhook,
                    url=url,
                    secret_token=self.settings.telegram_webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                ),
            )
        except TelegramError as e:
            raise CredentialError(
                f"Telegram rejected VERBINDER_TELEGRAM_WEBHOOK_URL ({self._redact(str(e))})"
            ) from None

    async def _register_commands(self, app: Application) -> None:  # type: ignore[type-arg]
        for lang, commands in menus(self.service.commands.specs()):
            try:
                await self._call(
                    "setMyCommands", None, partial(app.bot.set_my_commands, commands, language_code=lang)
                )
            except TelegramError as e:
                log.warning("Telegram: could not register the %s command menu: %s", lang or "default", e)

    def routes(self) -> list[web.RouteDef]:
        """The webhook endpoint (only in webhook mode)."""
        return [web.post(WEBHOOK_PATH, self._webhook)] if self.webhook else []

    async def stop(self) -> None:
        """Stop polling and update processing, then close the Bot API connections."""
        app, self.application = self.application, None
        if app is None:
            return
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        except Exception:
            log.exception("Telegram: stopping failed")

    # -- receiving ------------------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.Response:
        """Take an update from Telegram: check the secret, queue it, answer at once."""
        secret = self.settings.telegram_webhook_secret.encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return web.Response(status=403, text="forbidden")
        app = self.application
        if app is None or not app.running:
            return web.Response(status=503, text="not running")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="update too large")
        try:
            data = json.loads(raw)
            if (found := problem(data)) is not None:
                log.warning("Telegram webhook: dropped an update of an impossible shape (%s)", found)
                return web.Response(status=400, text="malformed update")
            update = Update.de_json(data, app.bot)
        except Exception as e:  # malformed JSON (or nested too deep for the parser)
            log.warning("Telegram webhook: rejected a malformed update (%s)", type(e).__name__)
            return web.Response(status=400, text="malformed update")
        await app.update_queue.put(update)
        return web.Response(status=200)

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        try:
            if update.callback_query is not None:
                await self._on_callback(update.callback_query)
            elif update.message is not None:
                await self._on_message(update.message)
            elif update.edited_message is not None:
                await self._on_message(update.edited_message, edited=True)
        except Exception:
            log.exception("Telegram: update %s failed", update.update_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram: error in update handling: %r", context.error)

    def _polling_error(self, error: TelegramError) -> None:
        log.warning("Telegram polling: %s", self._redact(str(error)))

    async def _on_message(self, message: Message, edited: bool = False) -> None:
        app = self.application
        if app is None:
            return
        msg = to_incoming(message, app.bot.bot, self.service.commands.names(), edited)
        if msg is None or not await asyncio.to_thread(self.service.accept, msg):
            return
        await self._typing(msg.chat)
        try:
            replies = await asyncio.to_thread(self.service.respond, msg)
        except Exception:
            log.exception("Telegram: answering %s failed", msg.key)
            replies = self.service.failure(msg)
        for reply in replies:
            await self.reply(reply)

    async def _on_callback(self, cq: CallbackQuery) -> None:
        parsed, message = parse_callback(cq.data), cq.message
        if parsed is None or message is None:
            log.warning("Telegram: ignoring callback query %s with data %r", cq.id, cq.data)
            await self._answer_callback(cq, "", None)
            return
        action, qid = parsed
        topic = getattr(message, "is_topic_message", False) and getattr(message, "message_thread_id", None)
        act = Action(
            chat=ChatRef(PLATFORM, str(message.chat.id), str(topic) if topic else None),
            user_id=str(cq.from_user.id),
            action=action,
            question_id=qid,
            event_id=cq.id,
            user_name=cq.from_user.full_name,
            language=cq.from_user.language_code,
        )
        try:
            replies = await asyncio.to_thread(self.service.handle_action, act)
        except Exception:
            log.exception("Telegram: button %s on question %s failed", action, qid)
            replies = []
        notes = " ".join(r.text for r in replies if r.ephemeral_user)
        await self._answer_callback(cq, notes, qid)
        for reply in replies:
            if not reply.ephemeral_user:
                await self.reply(reply)
            elif reply.files:  # a toast takes no files: to the member's private chat with the bot
                await self.files.send(self._bot(), self.files.prepare(private(reply)))

    # -- sending --------------------------------------------------------------------------

    async def reply(self, reply: Reply) -> list[Message]:
        """Send a direct reply, then its files; link each text part to its question (for follow-ups)."""
        reply = self.files.prepare(reply)
        sent = await self._send_parts(reply)
        if reply.question_id is not None:
            for message in sent:
                await asyncio.to_thread(self.service.remember, reply, str(message.message_id))
        return sent + (await self.files.send(self._bot(), reply))[0] if reply.files else sent

    async def send(self, reply: Reply) -> list[Posted]:
        """Send an outbox message and its files; where each part landed (PartlySent: only files failed)."""
        bot, failures, reply = self._bot(), list[str](), self.files.prepare(reply)
        sent = await self._send_parts(reply, failures)
        if not sent and (reply.text.strip() or reply.formatted):  # a retry of files alone has no text
            raise RuntimeError(f"Telegram: could not send to {reply.chat.chat_id}: {(failures or ['?'])[-1]}")
        documents, left = await self.files.send(bot, reply, failures)
        if left:
            why = f"Telegram: {len(left)} files not sent to {reply.chat.chat_id}: {failures[-1]}"
            raise PartlySent(landed(sent + documents), rest_of(reply, left), why)
        return landed(sent + documents)

    def _bot(self) -> Bot:
        if self.application is None:
            raise RuntimeError("the Telegram adapter is not running")
        return self.application.bot

    async def update(self, posted: Posted, reply: Reply) -> None:
        """Edit a sent message to show `reply` (one message: a longer reply is cut with an ellipsis)."""
        text, mode = edit_text(reply)
        chat, mid, quiet = (
            chat_id_of(posted.chat_id),
            int(posted.message_id),
            LinkPreviewOptions(is_disabled=True),
        )
        edit = partial(
            self._bot().edit_message_text, text, chat, mid, parse_mode=mode, link_preview_options=quiet
        )
        try:
            await self._call(
                "editMessageText", reply.question_id, partial(edit, reply_markup=keyboard(reply))
            )
        except BadRequest as e:
            if "not modified" not in e.message.lower():  # the same text again is not a failure
                raise

    async def delete(self, posted: Posted) -> None:
        """Delete a sent message (Telegram allows it up to 48 hours after sending)."""
        chat, mid = chat_id_of(posted.chat_id), int(posted.message_id)
        await self._call("deleteMessage", None, partial(self._bot().delete_message, chat, mid))

    async def pin(self, posted: Posted, on: bool = True) -> None:
        """Pin a sent message without notifying the members (the weekly highlights), or unpin it."""
        bot, chat, mid = self._bot(), chat_id_of(posted.chat_id), int(posted.message_id)
        call = (
            partial(bot.pin_chat_message, chat, mid, True)
            if on
            else partial(bot.unpin_chat_message, chat, mid)
        )
        await self._call("pinChatMessage" if on else "unpinChatMessage", None, call)

    async def _send_parts(self, reply: Reply, failures: list[str] | None = None) -> list[Message]:
        """Render and send a reply: split in parts, buttons on the last; failures logged and kept."""
        parts = render_parts(reply)
        markup = keyboard(reply)
        sent: list[Message] = []
        for i, part in enumerate(parts):
            message = await self._send_part(reply, part, markup if i == len(parts) - 1 else None, failures)
            if message is not None:
                sent.append(message)
        return sent

    async def _send_part(
        self, reply: Reply, text: str, markup: InlineKeyboardMarkup | None, failures: list[str] | None = None
    ) -> Message | None:
        assert self.application is not None
        send = partial(
            self.application.bot.send_message,
            chat_id=chat_id_of(reply.chat.chat_id),
            reply_markup=markup,
            message_thread_id=int(reply.chat.thread_id) if reply.chat.thread_id else None,
            reply_parameters=(
                ReplyParameters(int(reply.reply_to), allow_sending_without_reply=True)
                if reply.reply_to and reply.reply_to.isdigit()
                else None
            ),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        qid = reply.question_id
        try:
            return await self._call("sendMessage", qid, partial(send, text=text, parse_mode=ParseMode.HTML))
        except BadRequest as e:
            if "parse entities" not in e.message.lower():
                return failed(reply, e, failures)
            log.warning("Telegram could not parse our HTML (question %s): %s; sending plain text", qid, e)
        except TelegramError as e:
            return failed(reply, e, failures)
        try:
            return await self._call("sendMessage", qid, partial(send, text=to_plain(text)))
        except TelegramError as e:
            return failed(reply, e, failures)

    async def _answer_callback(self, cq: CallbackQuery, text: str, qid: int | None) -> None:
        shown = callback_text(text) if text.strip() else None
        answer = partial(self._bot().answer_callback_query, cq.id, text=shown, show_alert=False)
        try:
            await self._call("answerCallbackQuery", qid, answer)
        except TelegramError as e:
            log.warning("Telegram: answering callback query %s failed (question %s): %s", cq.id, qid, e)

    async def _typing(self, chat: ChatRef) -> None:
        topic = int(chat.thread_id) if chat.thread_id else None
        try:
            await self._bot().send_chat_action(
                chat_id_of(chat.chat_id), ChatAction.TYPING, message_thread_id=topic
            )
        except TelegramError as e:
            log.debug("Telegram: typing indicator failed: %s", e)

    async def _call(self, what: str, qid: int | None, request: Callable[[], Awaitable[T]]) -> T:
        return await api.call(what, qid, request, self.max_retry_wait, self.backoff)

    def _redact(self, text: str) -> str:
        return api.redact(text, self.settings.telegram_bot_token)
