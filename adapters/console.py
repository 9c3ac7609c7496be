"""Terminal chat over the same core as Slack and Telegram: a line in, the core's replies out."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from adapters.terminal import styled
from bot.answering.assistant import Answer
from bot.delivery.files import safe_name
from bot.delivery.outbox import Outbox
from bot.messages import Action, Attachment, Button, ChatRef, Incoming, Posted, Reply, Source
from bot.service import Service
from bot.texts import t

log = logging.getLogger(__name__)

PLATFORM = "console"
CHAT = ChatRef(PLATFORM, "terminal")
QUIT = ("/quit", "/exit", "/stop", "/q")
HELP = ("help", "hulp", "start")  # the core's /help and its aliases: the console adds its own lines
_PRESS = re.compile(r"!\s*(\d{1,6})")


def _panel(text: str, language: str, sources: tuple[Source, ...], routed: bool, console: Console) -> None:
    """An answer in a panel, its numbered sources and, when routed, the route line."""
    style = "yellow" if routed else "green"
    console.print(Panel(Text(text), border_style=style, title="Verbinder", title_align="left"))
    if sources:
        console.print(styled((t("sources", language), "bold")))
        for i, s in enumerate(sources, 1):
            link = f" — {s.url}" if s.url else ""
            console.print(styled(f"  [{i}] {s.title} ", (f"({s.path}, {s.kind}){link}", "dim")))
    if routed:
        console.print(styled((f"→ {t('routed', language)}", "yellow")))


def render_answer(console: Console, a: Answer) -> None:
    """Show an answer with its numbered sources and the route decision."""
    _panel(a.answer, a.language, a.sources, a.routed, console)


def save_file(folder: Path, f: Attachment) -> Path:
    """Write a reply's file into the folder under its own name, never over another (name-2.ext, ...).

    Only the name is used (bot.delivery.files.safe_name: no folders, no "..", no control characters,
    not too long), so nothing lands outside the folder. Data exports are personal: the folder is
    made for the owner alone (0700) and each file is readable by the owner only (0600)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = safe_name(f.name)
    stem, suffix = Path(name).stem or name, Path(name).suffix
    path = folder / name
    for n in itertools.count(2):
        try:
            # Exclusive, never through a link: a file or link of the same name is never written to.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            path = folder / f"{stem}-{n}{suffix}"
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(f.data)
        return path
    raise AssertionError("unreachable")


def render_reply(console: Console, reply: Reply) -> None:
    """Show one reply of the core: an answer in a panel, a notice as plain text."""
    if reply.kind == "notice" and not reply.sources:
        console.print(Text(reply.text))
    else:
        _panel(reply.text, reply.language, reply.sources, reply.routed, console)


class ConsoleChat:
    """One terminal session: numbers the buttons it shows and turns `!<n>` into the press."""

    def __init__(
        self,
        service: Service,
        console: Console,
        user_id: str = "console",
        user_name: str = "",
        outbox: Outbox | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.service = service
        self.files_dir = files_dir or Path("verbinder-bestanden")  # where the files of replies are saved
        self.console = console
        self.user_id = user_id
        self.user_name = user_name
        self.outbox = outbox
        self.buttons: list[Button] = []  # the buttons last shown, pressed as !1, !2, ...
        self.language = "nl"  # the language of the last reply (for the console's own lines)
        # Message ids are unique across sessions: the core answers each message id only once.
        session = uuid.uuid4().hex[:8]
        self._messages = (f"{session}.{n}" for n in itertools.count(1))
        self._posted = (f"{session}.b{n}" for n in itertools.count(1))

    def show(self, replies: Iterable[Reply]) -> list[Posted]:
        """Render replies (the buttons of the last ones with buttons become the choices)."""
        posted: list[Posted] = []
        shown: list[Button] = []
        for reply in replies:
            render_reply(self.console, reply)
            for f in reply.files:
                path = save_file(self.files_dir, f)
                self.console.print(Text(t("console_file_saved", reply.language, path=path)))
            shown += reply.buttons
            self.language = reply.language
            message_id = next(self._posted)
            self.service.remember(reply, message_id)
            posted.append(Posted(CHAT.chat_id, message_id))
        if shown:
            self.buttons = shown
            choices = "  ".join(f"[{i}] {b.label}" for i, b in enumerate(shown, 1))
            hint = t("console_buttons", self.language, choices=choices)
            self.console.print(styled((hint, "cyan")))
        return posted

    def line(self, text: str) -> None:
        """Handle one typed line: a button press (`!<n>`), or a message or command for the core."""
        press = _PRESS.fullmatch(text)
        if press is not None:
            self.press(int(press.group(1)))
        else:
            self.say(text)
        self.deliver()

    def say(self, text: str) -> None:
        """Hand a message or slash command to the core and show its replies."""
        command = None
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            command, text = name.strip().lower(), rest.strip()
        msg = Incoming(
            CHAT,
            next(self._messages),
            self.user_id,
            text,
            user_name=self.user_name,
            command=command,
            direct=True,
            addressed=True,
        )
        try:
            replies = self.service.handle(msg)
        except Exception:  # noqa: BLE001 - like the chat platforms: log it, tell the person
            log.exception("answering %s failed", msg.key)
            replies = self.service.failure(msg)
        self.show(replies)
        if command in HELP:
            self.console.print(Text(t("console_commands", self.language)))

    def press(self, number: int) -> None:
        """Press the n-th button last shown."""
        if not self.buttons:
            self.console.print(Text(t("console_no_buttons", self.language)))
            return
        if not 1 <= number <= len(self.buttons) or not self.buttons[number - 1].value.isdigit():
            self.console.print(
                Text(t("console_no_such_button", self.language, number=number, last=len(self.buttons)))
            )
            return
        button = self.buttons[number - 1]
        act = Action(CHAT, self.user_id, button.action, int(button.value), user_name=self.user_name)
        try:
            replies = self.service.handle_action(act)
        except Exception:  # noqa: BLE001 - a failed press must not end the session
            log.exception("button %s on %s failed", button.action, button.value)
            replies = [Reply(CHAT, t("send_failed", self.language), self.language, kind="notice")]
        self.show(replies)

    def deliver(self) -> None:
        """Show what the core queued for the console (a moderator's decision on a tip, say)."""
        if self.outbox is None:
            return
        outbox = self.outbox

        async def send(reply: Reply) -> list[Posted]:
            return self.show([reply])

        async def drain() -> None:
            while await outbox.deliver({PLATFORM: send}):
                pass

        asyncio.run(drain())


def run_console(
    service: Service,
    console: Console,
    stdin: TextIO,
    user_id: str = "console",
    user_name: str = "",
    outbox: Outbox | None = None,
    files_dir: Path | None = None,
) -> None:
    """Read lines until /quit or end of input, each through the core like a chat message."""
    chat = ConsoleChat(service, console, user_id, user_name, outbox, files_dir)
    console.print(Panel(Text(t("help", "nl") + "\n\n" + t("console_commands", "nl")), title="Verbinder"))
    chat.deliver()  # what was queued for the console while it was closed
    while True:
        console.print(styled((t("console_prompt", "nl"), "bold cyan"), " "), end="")
        line = stdin.readline()
        if not line:
            console.print()
            return
        text = line.strip()
        if text.lower() in QUIT:
            return
        chat.line(text)
