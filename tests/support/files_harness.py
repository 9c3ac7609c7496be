"""What the tests of files with replies share: the files, a feature that sends them, the fakes
started with an adapter in front, and the outbox's own database."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.telegram.adapter import TelegramAdapter
from app.runtime import Runtime, build_runtime
from bot.commands import Command, CommandSpec
from bot.delivery.outbox import enqueue
from bot.delivery.records import OutboxRecord
from bot.messages import Action, Attachment, Incoming, Reply
from bot.service import Contribution
from storage.db import make_engine, migrate, session_factory
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
from support.slack_harness import http_bot


def png() -> bytes:
    """A real 2x2 PNG (signature, IHDR, IDAT, IEND), bytes a text decoder would mangle."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    raw = b"".join(b"\x00" + b"\xff\x00\x80" * 2 for _ in range(2))
    ihdr = (2).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


EXPORT = Attachment(
    "mijn-gegevens.json", "application/json", json.dumps({"naam": "Anna", "vragen": 3}).encode()
)
CHART = Attachment("vragen-per-week.png", "image/png", png())
UNICODE = Attachment("Overzicht — café ü 😀.csv", "text/csv", "naam;plaats\nAnna;Zoë\n".encode())
EMPTY = Attachment("leeg.csv", "text/csv", b"")
ANNA = user(4201, "Anna")
GROUP = -1009876543210  # a Telegram forum group the fake knows


class FilesFeature:
    """A feature whose replies carry files (as /mijn_gegevens and /rapport do): /bestand_test answers
    in the chat, /prive_test privately (only to the member), a press privately."""

    name = "bestanden_test"

    def contribution(self) -> Contribution:
        return Contribution(
            commands=(
                Command(CommandSpec("bestand_test"), self._files),
                Command(CommandSpec("prive_test"), self._private),
            ),
            item_actions={"files_press": self._press},
        )

    def _press(self, act: Action) -> list[Reply]:  # a press answered privately, with a file
        return [Reply(act.chat, "Verstuurd.", kind="notice", ephemeral_user=act.user_id, files=(EXPORT,))]

    def _files(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        return [Reply(msg.chat, "Hier zijn je gegevens.", lang, kind="notice", files=(EXPORT, CHART))]

    def _private(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        private = Reply(msg.chat, "Alleen voor jou.", lang, ephemeral_user=msg.user_id, files=(EXPORT,))
        return [private]


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return build_runtime(make_settings(tmp_path_factory.mktemp("files") / "data"))


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def queue(sessions: sessionmaker[Session], reply: Reply, purpose: str = "notice") -> None:
    with sessions.begin() as s:
        enqueue(s, reply, purpose)


def row(sessions: sessionmaker[Session]) -> OutboxRecord:
    with sessions() as s:
        found = s.scalar(select(OutboxRecord).order_by(OutboxRecord.id.desc()))
        assert found is not None
        return found


@pytest.fixture
async def slack():  # type: ignore[no-untyped-def]
    server = await FakeSlack().start()
    yield server
    await server.close()


@pytest.fixture
async def slack_bot(slack: FakeSlack, rt: Runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    service = rt.service()
    service.register(FilesFeature())
    settings = make_settings(
        tmp_path / "data",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        slack_mode="http",
    )
    async with http_bot(settings, service, slack) as bot:
        yield bot


@pytest.fixture
async def telegram(rt: Runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    api = FakeBotApi()
    api.chat(ANNA["id"], first_name="Anna")
    api.chat(GROUP, "Netwerk", forum=True)
    service = rt.service()
    service.register(FilesFeature())
    settings = make_settings(
        tmp_path / "data",
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret="geheim_Token-123",
    )
    adapter = TelegramAdapter(settings, service, request=api)
    adapter.backoff = 0.01
    await adapter.start()
    api.calls.clear()
    yield adapter, api
    await adapter.stop()
