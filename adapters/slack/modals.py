"""Slack modals at work: opening a form (views.open) and answering its submission within 3 seconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.api import NETWORK_ERRORS, error_code
from adapters.slack.forms import submission, view
from bot.messages import Reply
from bot.service import Service
from bot.texts import t

log = logging.getLogger(__name__)


class Modals:
    """Opens the core's forms as modals and hands their submissions to the core."""

    def __init__(
        self,
        client: AsyncWebClient,
        service: Service,
        locale: Callable[[str], str | None],
        deliver: Callable[[Reply], Awaitable[None]],
    ) -> None:
        self.client = client
        self.service = service
        self.locale = locale
        self.deliver = deliver  # posts a reply to the member (their direct chat)

    async def open(self, trigger: str | None, reply: Reply) -> bool:
        """Open the reply's form (views.open must come within 3 s of the trigger); whether it opened."""
        if reply.form is None or not trigger:
            return False
        try:
            await self.client.views_open(trigger_id=trigger, view=view(reply.form))
        except (SlackApiError, ValueError, *NETWORK_ERRORS) as exc:
            log.warning("views.open failed: %s", error_code(exc) if isinstance(exc, SlackApiError) else exc)
            return False
        return True

    async def on_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """view_submission: the answer (errors shown in the modal, or closing it) is the ack itself."""
        user_id = str((body.get("user") or {}).get("id") or "")
        sub = submission(body, language=self.locale(user_id))
        if sub is None:
            await ack()  # not one of our forms, or tampered metadata: close it
            return
        try:
            result = await asyncio.to_thread(self.service.handle_form, sub)
        except Exception:  # noqa: BLE001 - close the modal, and say so in the member's direct chat
            log.exception("form %s of %s failed", sub.form, user_id)
            await ack()
            lang = sub.language or "nl"
            await self.deliver(Reply(sub.chat, t("send_failed", lang), lang, kind="notice"))
            return
        if result.errors:
            await ack(response_action="errors", errors=dict(result.errors))
            return
        await ack()
        for reply in result.replies:
            await self.deliver(reply)
