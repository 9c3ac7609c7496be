"""Slack adapter: events, slash commands and button presses to the core; its replies back as Block Kit."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.base import CredentialError
from adapters.slack.api import (
    NETWORK_ERRORS,
    InFlight,
    UserCache,
    call,
    error_code,
    make_client,
    respond_safely,
    why,
)
from adapters.slack.config import problems, slack_mode
from adapters.slack.events import command_text, to_action, to_incoming
from adapters.slack.files import SlackFiles
from adapters.slack.forms import CALLBACK_ID
from adapters.slack.modals import Modals
from adapters.slack.render import echo, render
from adapters.slack.shape import readable
from bot.config import Settings
from bot.language import reply_language
from bot.messages import Action, ChatRef, Incoming, Posted, Reply
from bot.service import Service
from bot.texts import t

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WORKING_REACTION = "eyes"
SOCKET_CONNECT_TIMEOUT = 30


class SlackAdapter:
    """The Slack app: Events API over HTTP or Socket Mode, one platform-neutral Service behind it."""

    name = "slack"

    def __init__(
        self, settings: Settings, service: Service, *, retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0)
    ) -> None:
        self.settings = settings
        self.service = service
        self.mode = slack_mode(settings)
        self.retry_delays = retry_delays
        self.bot_user_id = ""
        self.team_id = ""
        self.client = make_client(settings)
        self.users = UserCache(self.client)
        self.files = SlackFiles(self.client, retry_delays)  # a reply's files, after its text
        self.modals = Modals(self.client, service, self.users.locale, self._deliver)
        self.app: AsyncApp | None = self._build_app() if settings.slack_bot_token else None
        self._socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None
        self.inflight = InFlight()

    # -- lifecycle ------------------------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        app = AsyncApp(
            name="verbinder",
            client=self.client,
            signing_secret=self.settings.slack_signing_secret,
            request_verification_enabled=True,
            process_before_response=False,
            logger=logging.getLogger(f"{__name__}.bolt"),
        )
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event(re.compile(".*"))(self._on_other_event)  # acknowledge, so Slack does not retry
        app.command(re.compile(r"^/\S+$"))(self._on_command)
        app.action(re.compile(".*"))(self._on_action)
        app.view(CALLBACK_ID)(self.modals.on_view)
        return app

    def check_settings(self) -> None:
        """Raise a one-line CredentialError naming the setting when a credential is missing or malformed."""
        found = problems(self.settings)
        if found:
            raise CredentialError(found[0])

    async def start(self) -> None:
        """Check the credentials with auth.test, learn the bot's ids, and connect in Socket Mode."""
        self.check_settings()
        self._session = aiohttp.ClientSession()
        self.client.session = self._session
        try:
            await self._check_token()
            if self.mode == "socket":
                await self._connect_socket()
        except BaseException:
            await self.stop()
            raise
        log.info("Slack connected as %s (%s) in %s mode", self.bot_user_id, self.team_id, self.mode)

    async def _check_token(self) -> None:
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            raise CredentialError(f"Slack rejected VERBINDER_SLACK_BOT_TOKEN ({error_code(exc)})") from None
        except NETWORK_ERRORS as exc:
            raise CredentialError(
                f"Cannot reach the Slack Web API at {self.settings.slack_api_url} (VERBINDER_SLACK_API_URL) "
                f"to check VERBINDER_SLACK_BOT_TOKEN: {exc or type(exc).__name__}"
            ) from None
        self.bot_user_id = str(auth.get("user_id") or "")
        self.team_id = str(auth.get("team_id") or "")

    async def _connect_socket(self) -> None:
        # Open the first connection URL ourselves: the Socket Mode client retries a bad app token forever.
        assert self.app is not None
        token = self.settings.slack_app_token
        try:
            opened = await self.client.apps_connections_open(app_token=token)
        except SlackApiError as exc:
            raise CredentialError(f"Slack rejected VERBINDER_SLACK_APP_TOKEN ({error_code(exc)})") from None
        except NETWORK_ERRORS as exc:
            raise CredentialError(
                f"Cannot reach the Slack Web API at {self.settings.slack_api_url} "
                f"to open Socket Mode: {exc or type(exc).__name__}"
            ) from None
        self._socket = AsyncSocketModeHandler(self.app, token)
        self._socket.client.wss_uri = str(opened["url"])
        try:
            await asyncio.wait_for(self._socket.connect_async(), SOCKET_CONNECT_TIMEOUT)
        except TimeoutError:
            raise CredentialError(
                f"No Socket Mode connection to Slack within {SOCKET_CONNECT_TIMEOUT} s "
                "(VERBINDER_SLACK_APP_TOKEN accepted; is the WebSocket blocked?)"
            ) from None

    def routes(self) -> list[web.RouteDef]:
        """POST /slack/events (events, slash commands, buttons) in HTTP mode; nothing in Socket Mode."""
        return [web.post(EVENTS_PATH, self.handle_request)] if self.mode == "http" else []

    async def handle_request(self, request: web.Request) -> web.Response:
        """One signed Slack HTTP request through the Bolt app (verification, ack within 3 s)."""
        if self.app is None:
            return web.Response(status=503, text="Slack is not configured")
        body = (await request.read()).decode("utf-8", "replace")
        # Checked here before Bolt: a timestamp that is not a number, or a correctly signed body
        # that is neither JSON nor a form, made Bolt answer 500 with a traceback in the log.
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not stamp.strip().isdigit():
            return web.Response(status=401, text="invalid request timestamp")
        verifier = SignatureVerifier(self.settings.slack_signing_secret)
        if not verifier.is_valid(body, stamp, request.headers.get("X-Slack-Signature", "")):
            return web.Response(status=401, text="invalid signature")
        if not readable(body, request.content_type):
            log.warning("Slack: rejected a signed request whose body is malformed")
            return web.Response(status=400, text="malformed body")
        try:
            response = await self.app.async_dispatch(await to_bolt_request(request))
        except Exception as exc:  # noqa: BLE001 - a signed body whose fields are not of Slack's types
            # Bolt reads fields by Slack's types ("user" an object, event.type a string); a signed
            # body with other types ({"user": 5}, an event that is a list) made it raise: HTTP 500
            # and a traceback. Our listeners' own errors do not land here (Bolt handles those).
            log.warning("Slack: rejected a signed request Bolt cannot read (%s)", type(exc).__name__)
            return web.Response(status=400, text="malformed request")
        return await to_aiohttp_response(response)

    async def stop(self) -> None:
        """Stop receiving, let answers in progress finish (briefly), close the HTTP session."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if not await self.idle(timeout=10):
            log.warning("stopping Slack with %d answers still in progress", self.inflight.count)
        if self._session is not None:
            await self._session.close()
            self._session = None
            self.client.session = None

    async def idle(self, timeout: float = 10.0) -> bool:
        """Wait until no event, command or button is being handled; False on timeout."""
        return await self.inflight.idle(timeout)

    # -- events ---------------------------------------------------------------------------

    async def _on_mention(self, event: dict[str, Any]) -> None:
        msg = to_incoming(event, self.bot_user_id, self.settings.answer_channels, mention=True)
        if msg is not None:
            await self.inflight.track(self.process(msg))

    async def _on_message(self, event: dict[str, Any]) -> None:
        msg = to_incoming(event, self.bot_user_id, self.settings.answer_channels)
        if msg is not None:
            await self.inflight.track(self.process(msg))

    async def _on_other_event(self, event: dict[str, Any]) -> None:
        log.debug("ignoring Slack event %s", event.get("type"))

    async def process(self, msg: Incoming, react: bool = True) -> None:
        """Take a message on exactly once, show the working reaction, answer in its thread."""
        try:
            if not await asyncio.to_thread(self.service.accept, msg):
                return
        except Exception:  # noqa: BLE001 - a database hiccup must not kill the listener
            log.exception("accepting %s failed", msg.key)
            return
        msg = await self._with_user(msg)
        reacted = react and await self._react("reactions_add", msg)
        try:
            replies = await asyncio.to_thread(self.service.respond, msg)
        except Exception:  # noqa: BLE001
            log.exception("answering %s failed", msg.key)
            replies = self.service.failure(msg)
        try:
            for reply in replies:
                await self.reply(reply)
        finally:
            if reacted:
                await self._react("reactions_remove", msg)

    async def _react(self, method: str, msg: Incoming) -> bool:
        try:
            await getattr(self.client, method)(
                channel=msg.chat.chat_id, timestamp=msg.message_id, name=WORKING_REACTION
            )
            return True
        except (SlackApiError, *NETWORK_ERRORS) as exc:
            log.info("%s on %s failed: %s", method, msg.key, exc)
            return False

    async def _with_user(self, msg: Incoming) -> Incoming:
        name, locale = await self.users.get(msg.user_id)
        return replace(msg, user_name=msg.user_name or name, language=msg.language or locale)

    # -- slash commands -------------------------------------------------------------------

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await self.inflight.track(self._command(command, respond))

    async def _command(self, command: dict[str, Any], respond: AsyncRespond) -> None:
        name = str(command.get("command", "")).lstrip("/").lower()
        channel, user = str(command.get("channel_id", "")), str(command.get("user_id", ""))
        found = self.service.commands.get(name)
        asks = found is not None and found.spec.asks
        text = command_text(str(command.get("text") or ""), found is not None and found.spec.names_people)
        msg = Incoming(
            chat=ChatRef("slack", channel, None),
            user_id=user,
            text=text,
            command=name,
            message_id=str(command.get("trigger_id") or f"command-{time.time_ns()}"),
            user_name=str(command.get("user_name") or ""),
            direct=channel.startswith("D"),
            addressed=True,
            # An English command name tells the member's language; Dutch is the default anyway.
            language="en" if found is not None and found.spec.language == "en" else None,
            # Slack may open a modal for a command (valid for 3 s): forms are shown where they can be.
            trigger=None if asks else (str(command.get("trigger_id") or "") or None),
        )
        if not asks or not text:
            await self._answer_by_response_url(msg, respond)  # help, usage, unknown: only for the member
            return
        header = t("asked_by", reply_language(text, msg.language), user=f"<@{user}>", question=echo(text))
        root = await self.call("chat_postMessage", None, channel=channel, text=header)
        if root is None:  # not in the channel, a private channel, ...: answer through the command
            await self._answer_by_response_url(msg, respond, header)
            return
        ts = str(root.get("ts"))
        await self.process(replace(msg, message_id=ts), react=False)

    async def _answer_by_response_url(self, msg: Incoming, respond: AsyncRespond, header: str = "") -> None:
        msg = await self._with_user(msg)
        try:
            replies = await asyncio.to_thread(self.service.handle, msg)
        except Exception:  # noqa: BLE001
            log.exception("answering command %s failed", msg.key)
            return
        for reply in replies:
            if reply.form is not None:  # a modal (views.open) instead of a message
                await self._open(msg.trigger, reply, respond)
                continue
            if reply.chat.chat_id != msg.chat.chat_id:
                await self.reply(reply)  # e.g. a notice for someone else's conversation
                continue
            shown = reply.kind == "answer" and not reply.ephemeral_user  # a private reply stays private
            private = replace(reply, ephemeral_user=msg.user_id)  # a response_url takes no files: to the DM
            reply = self.files.prepare(private if reply.files else reply)
            text, blocks = render(reply, header if reply.kind == "answer" else "")
            await respond_safely(respond, text, blocks, "in_channel" if shown else "ephemeral")
            await self.files.share(reply, msg.chat.chat_id)

    # -- buttons --------------------------------------------------------------------------

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        action_id = str(action.get("action_id") or "")
        if not self.service.knows_action(action_id):
            log.info("ignoring unknown Slack action %r", action_id)
            return
        user_id = str((body.get("user") or {}).get("id") or "")
        act = to_action(body, action, language=self.users.locale(user_id))
        if act is not None:
            await self.inflight.track(self._press(act, respond))

    async def _press(self, act: Action, respond: AsyncRespond) -> None:
        try:
            replies = await asyncio.to_thread(self.service.handle_action, act)
        except Exception:  # noqa: BLE001
            log.exception("button %s on question %s failed", act.action, act.question_id)
            return
        for reply in replies:
            if reply.form is not None:
                await self._open(act.trigger, reply, respond)
                continue
            await self.reply(reply, respond)

    async def _open(self, trigger: str | None, reply: Reply, respond: AsyncRespond) -> None:
        if not await self.modals.open(trigger, reply):  # a trigger is good for 3 s only
            await respond_safely(respond, t("form_failed", reply.language), [], "ephemeral")

    async def _deliver(self, reply: Reply) -> None:
        await self.inflight.track(self.reply(reply))

    # -- sending --------------------------------------------------------------------------

    async def post(self, reply: Reply, failures: list[str] | None = None) -> AsyncSlackResponse | None:
        """Post a reply in its thread (ephemeral for one member); None if it failed (why: in failures)."""
        text, blocks = render(reply)
        args: dict[str, Any] = {"channel": reply.chat.chat_id, "text": text, "blocks": blocks}
        thread_ts = reply.chat.thread_id or reply.reply_to
        if thread_ts:
            args["thread_ts"] = thread_ts
        if reply.ephemeral_user:
            args.update(user=reply.ephemeral_user)
            return await call(self.client, "chat_postEphemeral", reply, self.retry_delays, failures, **args)
        args.update(unfurl_links=False, unfurl_media=False)
        return await call(self.client, "chat_postMessage", reply, self.retry_delays, failures, **args)

    async def reply(self, reply: Reply, respond: AsyncRespond | None = None) -> str | None:
        """Post a direct reply, then its files; link it to its question (response_url as fallback); the ts."""
        reply = self.files.prepare(reply)
        sent = await self.post(reply)
        await self.files.after(reply, sent)  # where the text went; a private reply's: the DM
        if sent is None:
            if respond is not None:
                kind = "ephemeral" if reply.ephemeral_user else "in_channel"
                await respond_safely(respond, *render(reply), kind)
            return None
        ts = "" if reply.ephemeral_user else str(sent.get("ts") or "")
        if reply.question_id is not None and ts:
            await asyncio.to_thread(self._remember, reply, ts, reply.chat.thread_id or reply.reply_to)
        return ts or None

    async def send(self, reply: Reply) -> list[Posted]:
        """Send an outbox message and its files (adapters/slack/files.py); where the text landed."""
        return await self.files.send(reply, self.post)

    async def update(self, posted: Posted, reply: Reply) -> None:
        """Replace a posted message's text and blocks (chat.update)."""
        text, blocks = render(reply)
        await self._must("chat_update", reply, posted, text=text, blocks=blocks)

    async def delete(self, posted: Posted) -> None:
        """Delete a posted message (chat.delete)."""
        await self._must("chat_delete", None, posted)

    async def _must(self, method: str, reply: Reply | None, posted: Posted, **kwargs: Any) -> None:
        failures: list[str] = []  # a change of a posted message: raise with Slack's reason when it fails
        where = {"channel": posted.chat_id, "ts": posted.message_id}
        if await call(self.client, method, reply, self.retry_delays, failures, **where, **kwargs) is None:
            raise RuntimeError(f"Slack: {method} of {posted.message_id} in {posted.chat_id}: {why(failures)}")

    def _remember(self, reply: Reply, ts: str, thread_ts: str | None) -> None:
        try:
            self.service.remember(reply, ts)
            if thread_ts:
                self.service.remember(reply, thread_ts)  # follow-ups in the thread find the question
        except Exception:  # noqa: BLE001
            log.exception("remembering reply %s to question %s failed", ts, reply.question_id)

    async def call(self, method: str, reply: Reply | None, **kwargs: Any) -> AsyncSlackResponse | None:
        """A Web API call (client method name) with retries; None when it finally failed."""
        return await call(self.client, method, reply, self.retry_delays, **kwargs)
