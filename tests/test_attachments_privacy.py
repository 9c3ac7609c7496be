"""Files meant for one member reach only that member, on every path; and what goes wrong with files
(refusals, rate limits, timeouts, restarts, odd names and media types) is handled, never logged.

Through the fakes at the HTTP boundary and the outbox's real database, like tests/test_attachments.py.
"""

# ruff: noqa: F811 - the shared fixtures are imported (support.files_harness) and named as arguments

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from support.clock import Clock
from support.fake_slack import MEMBER, FakeSlack
from support.fake_telegram import BOT_USER
from support.files_harness import (  # noqa: F401 - fixtures
    ANNA,
    CHART,
    EXPORT,
    GROUP,
    db,
    queue,
    row,
    rt,
    slack,
    slack_bot,
    telegram,
)
from support.slack_harness import Bot
from telegram import Update

from adapters.console import save_file
from bot.delivery.files import FALLBACK_NAME, MAX_NAME_BYTES, OCTET_STREAM
from bot.delivery.outbox import Outbox
from bot.messages import Attachment, ChatRef, Reply
from bot.texts import t

DM = "D" + MEMBER[1:]  # the fake Slack's DM channel with MEMBER
SECRET = Attachment("mijn-gegevens.csv", "text/csv", b"naam;bsn\nAnna de Vries;123456782\n")


def slack_shares_only_in(fake: FakeSlack, channel: str) -> list[list[str]]:
    """The names of every share, after checking that each went to `channel` and nowhere else."""
    assert fake.shares, "no file was shared at all"
    assert {s.channel for s in fake.shares} == {channel}, [(s.channel, s.names) for s in fake.shares]
    return [s.names for s in fake.shares]


def telegram_documents_only_to(api: Any, chat: int) -> list[str]:
    """The names of every document sent, after checking that each went to `chat` (no topic)."""
    assert api.documents, "no document was sent at all"
    assert {(c, topic) for c, topic, _ in api.documents} == {(chat, None)}, api.documents
    return [d.filename for _, _, d in api.documents]


# -- a private reply's files go to the member's DM, on both platforms --------------------------


async def test_slack_private_files_go_to_the_dm_on_every_path(slack_bot: Bot, db):
    fake, adapter = slack_bot.fake, slack_bot.adapter
    # 1. A slash command answered through response_url (the reply is private to the member).
    resp = await slack_bot.command("/prive_test", "", "C0GENERAL")
    assert resp.status == 200
    await slack_bot.settle()
    [answer] = [c for c in fake.calls if c.method == "response_url.cmd"]
    assert answer.args["response_type"] == "ephemeral" and t("files_in_dm", "nl") in answer.args["text"]
    # 2. A direct private reply whose ephemeral text cannot be posted: the files still go only to the DM.
    fake.not_in_channel.add("C0SECRET")
    await adapter.reply(
        Reply(ChatRef("slack", "C0SECRET", "1700.2"), "Voor jou.", ephemeral_user=MEMBER, files=(CHART,))
    )
    # 3. A button press answered privately (chat.postEphemeral): the file to the DM.
    assert await slack_bot.click("files_press", "7", "C0GENERAL", "1700.4", None) == 200
    await slack_bot.settle()
    # 4. The outbox, with the share failing in the first attempt and retried after a restart.
    fake.fail("files.completeUploadExternal", "internal_error", times=4)
    private = Reply(
        ChatRef("slack", "C0GENERAL", "1700.3"), "Je export.", ephemeral_user=MEMBER, files=(SECRET,)
    )
    queue(db, private)
    clock = Clock()
    assert await Outbox(db, clock).deliver({"slack": adapter}) == 0
    assert row(db).payload["ephemeral_user"] == MEMBER  # the rest to retry is still private
    clock.advance(seconds=11)
    assert await Outbox(db, clock).deliver({"slack": adapter}) == 1  # a new Outbox: as after a restart
    assert slack_shares_only_in(fake, DM) == [[EXPORT.name], [CHART.name], [EXPORT.name], [SECRET.name]]
    assert fake.to("chat.postMessage") == []  # no text was posted for the channel to see either
    assert all(c.args["channel"].startswith("C") for c in fake.to("chat.postEphemeral"))


async def test_telegram_private_files_go_to_the_private_chat_on_every_path(telegram, db):
    adapter, api = telegram
    app = adapter.application
    group = api.chats[GROUP]
    # 1. A command in a forum topic of the group whose reply is meant for the member alone.
    msg = api.message(group, ANNA, "/prive_test", thread=77)
    await app.process_update(Update.de_json(api.update(message=msg), app.bot))
    [text] = api.sent()
    assert text.params["chat_id"] == GROUP and t("files_in_dm", "nl") in text.params["text"]
    # 2. A press answered privately (a toast): the file to the private chat.
    shown = api.message(group, BOT_USER, "Knop")
    await app.process_update(
        Update.de_json(api.update(callback_query=api.callback(ANNA, shown, "files_press:7")), app.bot)
    )
    # 3. The outbox, addressed to the group topic but private, the first document failing once.
    for _ in range(4):
        api.fail("sendDocument", 500, "Internal Server Error")
    clock = Clock()
    queue(
        db,
        Reply(
            ChatRef("telegram", str(GROUP), "77"),
            "Je export.",
            ephemeral_user=str(ANNA["id"]),
            files=(SECRET,),
        ),
    )
    assert await Outbox(db, clock).deliver({"telegram": adapter}) == 0
    clock.advance(seconds=11)
    assert await Outbox(db, clock).deliver({"telegram": adapter}) == 1
    assert telegram_documents_only_to(api, ANNA["id"]) == [EXPORT.name, EXPORT.name, SECRET.name]
    assert not [c for c in api.calls if c.method == "sendDocument" and c.params["chat_id"] == GROUP]
    assert api.errors == []


# -- failures -----------------------------------------------------------------------------------


async def test_slack_an_upload_url_answering_429_is_retried_after_its_retry_after(slack_bot: Bot):
    fake = slack_bot.fake
    fake.upload_failures.append(429)
    fake.upload_retry_after = "0.4"  # longer than every retry delay of the adapter (0.01 to 0.03 s)
    started = time.monotonic()
    await slack_bot.adapter.send(Reply(ChatRef("slack", "C0MODS"), "Grafiek.", files=(CHART,)))
    assert time.monotonic() - started >= 0.4
    assert [c.error for c in fake.calls if c.method == "upload"] == ["http_429", None]
    assert slack_shares_only_in(fake, "C0MODS") == [[CHART.name]]


async def test_slack_an_upload_that_times_out_is_retried_by_the_outbox(slack_bot: Bot, db):
    fake, adapter, clock = slack_bot.fake, slack_bot.adapter, Clock()
    adapter.files.upload_timeout, fake.upload_delay = 0.05, 0.3
    queue(db, Reply(ChatRef("slack", "C0MODS"), "Grafiek.", files=(CHART,)))
    assert await Outbox(db, clock).deliver({"slack": adapter}) == 0
    stored = row(db)
    assert "PartlySent" in stored.error and "upload of" in stored.error and stored.payload["text"] == ""
    fake.upload_delay = 0.0
    clock.advance(seconds=11)
    assert await Outbox(db, clock).deliver({"slack": adapter}) == 1
    assert len(fake.to("chat.postMessage")) == 1 and fake.shares[-1].data(CHART.name) == CHART.data


async def test_slack_a_refused_upload_is_not_retried_within_the_attempt(slack_bot: Bot, db):
    fake = slack_bot.fake
    fake.upload_failures.append(403)  # a refusal: retrying the same bytes cannot change it
    queue(db, Reply(ChatRef("slack", "C0MODS"), "Grafiek.", files=(CHART,)))
    assert await Outbox(db, Clock()).deliver({"slack": slack_bot.adapter}) == 0
    assert [c.error for c in fake.calls if c.method == "upload"] == ["http_403"]
    assert "HTTP 403" in row(db).error and fake.shares == []


async def test_telegram_a_document_answered_413_is_not_retried_and_the_member_is_told(telegram, db):
    adapter, api = telegram
    api.max_upload = 50  # Telegram's own limit, lower than ours: it answers HTTP 413
    queue(db, Reply(ChatRef("telegram", str(ANNA["id"])), "Je grafiek.", files=(CHART, SECRET)))
    assert await Outbox(db).deliver({"telegram": adapter}) == 1  # nothing left a retry could send
    assert [c.status for c in api.calls if c.method == "sendDocument"] == [413, 200]  # once, not 4 times
    texts = [c.params["text"] for c in api.sent()]
    assert texts[0] == "Je grafiek." and CHART.name in texts[1] and "te groot" in texts[1]
    assert [d.filename for _, _, d in api.documents] == [SECRET.name]


async def test_telegram_a_document_answered_400_is_kept_for_the_retry(telegram, db):
    adapter, api = telegram
    api.fail("sendDocument", 400, "Bad Request: wrong file identifier/HTTP URL specified")
    queue(db, Reply(ChatRef("telegram", str(ANNA["id"])), "Je export.", files=(SECRET,)))
    assert await Outbox(db).deliver({"telegram": adapter}) == 0
    stored = row(db)
    assert stored.payload["files"][0]["name"] == SECRET.name and "BadRequest" in stored.error
    assert len([c for c in api.calls if c.method == "sendDocument"]) == 1  # a 400 is not retried at once


async def test_telegram_a_member_who_never_started_the_bot_keeps_the_row_failed(telegram, db):
    adapter, api = telegram
    api.unstarted.add(ANNA["id"])
    queue(db, Reply(ChatRef("telegram", str(ANNA["id"])), "Je export.", files=(SECRET,)))
    assert await Outbox(db).deliver({"telegram": adapter}) == 0
    assert "Forbidden" in row(db).error and api.documents == []


# -- names, media types and logs ---------------------------------------------------------------

ODD = (
    Attachment("../../etc/passwd", "text/plain", b"1"),
    Attachment("..\\..\\boot.ini", "text/plain", b"2"),
    Attachment("..", "text/plain", b"3"),
    Attachment("rap\x00port\r\n\x1b[31m.csv", "text/csv", b"4"),
    Attachment("\u202eslp.exe", "text/plain", b"5"),
    Attachment("é" * 400 + ".json", "application/json", b"6"),
    Attachment(".bashrc", "text/plain", b"7"),
)


def test_the_console_never_writes_outside_its_folder(tmp_path: Path):
    folder = tmp_path / "files"
    paths = [save_file(folder, f) for f in ODD]
    assert all(p.parent == folder for p in paths) and sorted(folder.iterdir()) == sorted(paths)
    assert [p.name for p in paths[:5]] == ["passwd", "boot.ini", FALLBACK_NAME, "rapport[31m.csv", "slp.exe"]
    assert paths[5].name.endswith(".json") and len(paths[5].name.encode()) <= MAX_NAME_BYTES
    assert paths[6].name == "bashrc"  # no hidden files
    assert [p.read_bytes() for p in paths] == [f.data for f in ODD]
    assert {p.stat().st_mode & 0o777 for p in paths} == {0o600} and folder.stat().st_mode & 0o777 == 0o700
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "passwd").exists()


async def test_odd_names_and_media_types_reach_the_platforms_as_safe_ones(slack_bot: Bot, telegram):
    bad_mime = Attachment("a.csv", 'text/csv\r\nContent-Disposition: form-data; name="chat_id"', b"a;b\n")
    files = (*ODD[:2], ODD[3], bad_mime)
    await slack_bot.adapter.send(Reply(ChatRef("slack", "C0MODS"), "Bestanden.", files=files))
    names = ["passwd", "boot.ini", "rapport[31m.csv", "a.csv"]
    assert [c.args["filename"] for c in slack_bot.fake.to("files.getUploadURLExternal")] == names
    adapter, api = telegram
    await adapter.send(Reply(ChatRef("telegram", str(ANNA["id"])), "Bestanden.", files=files))
    assert [(d.filename, d.mime) for _, _, d in api.documents][-1] == ("a.csv", OCTET_STREAM)
    assert [d.filename for _, _, d in api.documents] == names and api.errors == []


async def test_no_file_content_is_ever_logged(slack_bot: Bot, telegram, db, caplog: pytest.LogCaptureFixture):
    adapter, api = telegram
    slack_bot.fake.fail("files.completeUploadExternal", "internal_error", times=4)
    api.fail("sendDocument", 400, "Bad Request: wrong file identifier/HTTP URL specified")
    with caplog.at_level(logging.DEBUG):
        queue(db, Reply(ChatRef("slack", "C0MODS"), "Export.", files=(SECRET,)))
        queue(db, Reply(ChatRef("telegram", str(ANNA["id"])), "Export.", files=(SECRET,)))
        assert await Outbox(db).deliver({"slack": slack_bot.adapter, "telegram": adapter}) == 0
        assert await adapter.send(Reply(ChatRef("telegram", str(ANNA["id"])), "Nog eens.", files=(SECRET,)))
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert "partly sent" in logged and SECRET.name in logged  # the failures are in the log, by name
    for secret in ("Anna de Vries", "123456782", base64.b64encode(SECRET.data).decode()):
        assert secret not in logged
