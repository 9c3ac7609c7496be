"""Files with replies on every platform: Slack's external upload, Telegram documents, the console.

Through the fakes at the HTTP boundary (the fake Slack serves the upload URL too; the fake Bot API
parses the multipart body PTB's client would send) and through the outbox's real database.
"""

# ruff: noqa: F811 - the shared fixtures are imported (support.files_harness) and named as arguments

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from rich.console import Console
from support.clock import Clock
from support.docs import make_settings
from support.fake_slack import MEMBER, FakeSlack
from support.fake_telegram import BOT_USER
from support.files_harness import (  # noqa: F401 - fixtures
    ANNA,
    CHART,
    EMPTY,
    EXPORT,
    GROUP,
    UNICODE,
    db,
    queue,
    row,
    rt,
    slack,
    slack_bot,
    telegram,
)
from support.slack_harness import Bot
from support.slack_payloads import slash_command
from telegram import InputFile, Update
from telegram.error import BadRequest, Forbidden, NetworkError

from adapters.console import ConsoleChat
from adapters.slack.manifest import manifest
from app.runtime import Runtime
from bot.delivery.files import MAX_REPLY_FILES
from bot.delivery.outbox import Outbox
from bot.messages import Attachment, ChatRef, Posted, Reply, reply_from_dict, reply_to_dict
from bot.texts import t


def _uploads(slack: FakeSlack) -> list[Any]:
    return [c for c in slack.calls if c.method == "upload" and c.error is None]


async def test_slack_an_outbox_reply_brings_its_files_into_the_same_thread(slack_bot: Bot, db):
    slack = slack_bot.fake
    queue(
        db,
        Reply(
            ChatRef("slack", "C0MODS", "1700000000.000100"),
            "De grafiek van deze week.",
            files=(EXPORT, CHART),
        ),
    )
    assert await Outbox(db).deliver({"slack": slack_bot.adapter}) == 1
    [post] = slack.to("chat.postMessage")
    assert post.args["channel"] == "C0MODS" and post.args["thread_ts"] == "1700000000.000100"
    asked = slack.to("files.getUploadURLExternal")
    assert [(c.args["filename"], int(c.args["length"])) for c in asked] == [
        (EXPORT.name, len(EXPORT.data)),
        (CHART.name, len(CHART.data)),
    ]
    assert len(_uploads(slack)) == 2 and "Authorization" not in _uploads(slack)[0].headers  # a signed URL
    [share] = slack.shares
    assert (share.channel, share.thread_ts, share.initial_comment) == ("C0MODS", "1700000000.000100", "")
    assert share.names == [EXPORT.name, CHART.name]
    assert share.data(EXPORT.name) == EXPORT.data and share.data(CHART.name) == CHART.data  # bytes intact
    order = [c.method for c in slack.calls if c.error is None]
    assert order.index("chat.postMessage") < order.index("files.getUploadURLExternal")  # text first
    assert order[-1] == "files.completeUploadExternal" and not slack.uploads  # every upload completed


async def test_slack_a_dm_to_a_user_id_shares_the_files_in_the_dm_channel(slack_bot: Bot):
    posted = await slack_bot.adapter.send(Reply(ChatRef("slack", MEMBER), "Je export.", files=(UNICODE,)))
    assert posted == [Posted("D" + MEMBER[1:], slack_bot.fake.to("chat.postMessage")[0].result["ts"])]
    [share] = slack_bot.fake.shares
    assert share.channel == "D" + MEMBER[1:] and share.names == [UNICODE.name]  # the unicode name intact
    assert share.data(UNICODE.name) == UNICODE.data


async def test_slack_a_private_reply_sends_its_files_to_the_members_dm(slack_bot: Bot):
    reply = Reply(
        ChatRef("slack", "C0GENERAL", "1700.1"), "Alleen voor jou.", ephemeral_user=MEMBER, files=(EXPORT,)
    )
    assert await slack_bot.adapter.send(reply) == []
    [eph] = slack_bot.fake.to("chat.postEphemeral")
    assert eph.args["user"] == MEMBER and t("files_in_dm", "nl") in eph.args["text"]
    [opened] = slack_bot.fake.to("conversations.open")
    assert opened.args["users"] == MEMBER
    [share] = slack_bot.fake.shares
    assert (share.channel, share.thread_ts, share.names) == ("D" + MEMBER[1:], None, [EXPORT.name])


async def test_slack_a_command_answered_by_response_url_sends_the_files_to_the_dm(slack_bot: Bot):
    form = slash_command("/bestand_test", "", "C0GENERAL", slack_bot.fake.response_url("cmd"))
    resp = await slack_bot.post(urlencode(form), "application/x-www-form-urlencoded")
    assert resp.status == 200
    await slack_bot.settle()
    [answer] = [c for c in slack_bot.fake.calls if c.method == "response_url.cmd"]
    assert answer.args["response_type"] == "ephemeral" and "Hier zijn je gegevens." in answer.args["text"]
    assert t("files_in_dm", "nl") in answer.args["text"]
    [share] = slack_bot.fake.shares
    assert share.channel == "D" + MEMBER[1:] and share.names == [EXPORT.name, CHART.name]
    assert share.data(CHART.name) == CHART.data


async def test_slack_a_retry_after_failed_files_does_not_post_the_text_twice(slack_bot: Bot, db):
    slack, clock = slack_bot.fake, Clock()
    outbox = Outbox(db, clock)
    seen: list[list[Posted]] = []
    outbox.on_sent("files_test", lambda s, item, posted: seen.append(posted))
    slack.fail("files.completeUploadExternal", "internal_error", times=4)  # every retry of one attempt
    queue(db, Reply(ChatRef("slack", "C0MODS"), "Tekst eerst.", files=(EXPORT, CHART)), "files_test")
    assert await outbox.deliver({"slack": slack_bot.adapter}) == 0
    stored = row(db)
    assert stored.attempts == 1 and "PartlySent" in stored.error and "internal_error" in stored.error
    assert stored.payload["text"] == "" and [f["name"] for f in stored.payload["files"]] == [
        EXPORT.name,
        CHART.name,
    ]
    clock.advance(seconds=11)
    assert await outbox.deliver({"slack": slack_bot.adapter}) == 1
    assert len(slack.to("chat.postMessage")) == 1  # the text once, the files on the retry
    [share] = slack.shares
    assert share.names == [EXPORT.name, CHART.name] and share.data(CHART.name) == CHART.data
    text_post = slack.to("chat.postMessage")[0].result
    assert seen == [[Posted("C0MODS", text_post["ts"])]]  # the hook sees where the text went


async def test_slack_an_upload_the_server_refuses_is_retried_later_not_the_text(slack_bot: Bot, db):
    slack, clock = slack_bot.fake, Clock()
    slack.upload_failures += [500] * 4  # the second file's bytes do not arrive in this attempt
    queue(db, Reply(ChatRef("slack", "C0MODS"), "Twee bestanden.", files=(CHART, EXPORT)))
    outbox = Outbox(db, clock)
    assert await outbox.deliver({"slack": slack_bot.adapter}) == 0
    [first] = slack.shares  # the one that arrived is shared; the other waits for the retry
    assert first.names == [EXPORT.name]
    clock.advance(seconds=11)
    assert await outbox.deliver({"slack": slack_bot.adapter}) == 1
    assert [s.names for s in slack.shares] == [[EXPORT.name], [CHART.name]]
    assert len(slack.to("chat.postMessage")) == 1 and slack.shares[1].data(CHART.name) == CHART.data


async def test_slack_a_file_too_large_is_refused_with_a_note_and_the_text_arrives(slack_bot: Bot, caplog):
    slack_bot.adapter.files.max_file = 1000
    big = Attachment("groot.csv", "text/csv", b"x" * 2000)
    with caplog.at_level(logging.ERROR):
        posted = await slack_bot.adapter.send(
            Reply(ChatRef("slack", "C0MODS"), "Je export.", files=(big, EXPORT))
        )
    assert len(posted) == 1
    text = slack_bot.fake.to("chat.postMessage")[0].args["text"]
    assert text.startswith("Je export.") and "groot.csv" in text and "te groot" in text
    assert [s.names for s in slack_bot.fake.shares] == [[EXPORT.name]]
    assert [f.filename for f in slack_bot.fake.uploads.values()] == []  # the big one was never announced
    assert any("groot.csv" in r.getMessage() and "over the limit" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]  # an error line, no traceback


async def test_slack_a_note_under_composed_block_kit_is_a_context_block(slack_bot: Bot):
    slack_bot.adapter.files.max_file = 10
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "*Week 12*"}}
    reply = Reply(ChatRef("slack", "C0MODS"), "Week 12", formatted=json.dumps([section]), files=(CHART,))
    await slack_bot.adapter.send(reply)
    blocks = slack_bot.fake.to("chat.postMessage")[0].args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert blocks[0] == section and blocks[-1]["type"] == "context"
    assert CHART.name in blocks[-1]["elements"][0]["text"] and slack_bot.fake.shares == []


async def test_slack_an_empty_file_is_left_out_with_a_note(slack_bot: Bot):
    await slack_bot.adapter.send(Reply(ChatRef("slack", "C0MODS"), "Leeg bestand.", files=(EMPTY, EXPORT)))
    text = slack_bot.fake.to("chat.postMessage")[0].args["text"]
    assert t("file_empty", "nl", name=EMPTY.name) in text
    assert [s.names for s in slack_bot.fake.shares] == [[EXPORT.name]]
    assert slack_bot.fake.to("files.getUploadURLExternal", ok=False) == []  # never asked Slack for it


# -- Telegram -------------------------------------------------------------------------------


async def test_telegram_an_outbox_reply_sends_each_file_as_a_document(telegram, db):
    adapter, api = telegram
    queue(db, Reply(ChatRef("telegram", str(GROUP), "77"), "Grafieken.", files=(EXPORT, CHART, UNICODE)))
    assert await Outbox(db).deliver({"telegram": adapter}) == 1
    [text] = api.sent()
    assert text.params["message_thread_id"] == 77
    docs = api.ok("sendDocument")
    assert [c.params["chat_id"] for c in docs] == [GROUP] * 3
    assert [(topic, d.filename, d.mime, d.data) for _, topic, d in api.documents] == [
        (77, f.name, f.mime, f.data) for f in (EXPORT, CHART, UNICODE)
    ]  # bytes, unicode filename and media type as they arrived in the multipart body
    assert [c.method for c in api.ok()] == ["sendMessage", "sendDocument", "sendDocument", "sendDocument"]
    assert api.errors == []


async def test_telegram_a_command_reply_carries_its_files(telegram):
    adapter, api = telegram
    app = adapter.application
    msg = api.message(api.chats[ANNA["id"]], ANNA, "/bestand_test")
    await app.process_update(Update.de_json(api.update(message=msg), app.bot))
    assert [c.params["text"] for c in api.sent()] == ["Hier zijn je gegevens."]
    assert [d.filename for _, _, d in api.documents] == [EXPORT.name, CHART.name]
    assert api.documents[1][2].data == CHART.data and api.errors == []


async def test_telegram_a_retry_after_a_failed_document_sends_only_what_is_left(telegram, db):
    adapter, api = telegram
    clock = Clock()
    api.fail("sendDocument", 500, "Internal Server Error")  # not a BadRequest: retried in the attempt
    api.fail("sendDocument", 500, "Internal Server Error")
    api.fail("sendDocument", 500, "Internal Server Error")
    api.fail("sendDocument", 500, "Internal Server Error")
    queue(db, Reply(ChatRef("telegram", str(ANNA["id"])), "Je export.", files=(EXPORT, CHART)))
    outbox = Outbox(db, clock)
    assert await outbox.deliver({"telegram": adapter}) == 0
    stored = row(db)
    assert stored.attempts == 1 and stored.payload["text"] == "" and len(stored.payload["_posted"]) == 2
    assert [f["name"] for f in stored.payload["files"]] == [EXPORT.name]
    clock.advance(seconds=11)
    assert await outbox.deliver({"telegram": adapter}) == 1
    assert len(api.sent()) == 1  # the text went once
    assert sorted(d.filename for _, _, d in api.documents) == sorted([EXPORT.name, CHART.name])


async def test_telegram_refuses_empty_and_too_large_files_with_a_note(telegram, caplog):
    adapter, api = telegram
    adapter.files.max_file = 1000
    big = Attachment("groot.png", "image/png", b"\x89PNG" + b"\x00" * 2000)
    with caplog.at_level(logging.ERROR):
        posted = await adapter.send(
            Reply(ChatRef("telegram", str(ANNA["id"])), "Je bestanden.", files=(big, EMPTY, CHART))
        )
    [text] = api.sent()
    assert text.params["text"].startswith("Je bestanden.")
    assert "groot.png" in text.params["text"] and "leeg.csv" in text.params["text"]
    assert [d.filename for _, _, d in api.documents] == [CHART.name] and len(posted) == 2
    assert {r.getMessage().split("'")[1] for r in caplog.records if r.name == "bot.delivery.files"} == {
        "groot.png",
        "leeg.csv",
    }
    assert api.errors == []


async def test_telegram_a_private_answer_to_a_press_sends_its_file_to_the_private_chat(telegram):
    adapter, api = telegram
    app = adapter.application
    group = api.chats[GROUP]
    shown = api.message(group, BOT_USER, "Knop")
    press = api.callback(ANNA, shown, "files_press:7")
    await app.process_update(Update.de_json(api.update(callback_query=press), app.bot))
    [toast] = api.ok("answerCallbackQuery")
    assert toast.params["text"] == "Verstuurd."
    assert [(chat, d.filename) for chat, _, d in api.documents] == [(ANNA["id"], EXPORT.name)]
    assert api.sent() == [] and api.errors == []


async def test_the_fake_bot_api_refuses_what_telegram_refuses(telegram):
    adapter, api = telegram
    bot = adapter.application.bot
    with pytest.raises(BadRequest, match="(?i)file must be non-empty"):
        await bot.send_document(ANNA["id"], InputFile(b"", filename="leeg.csv"))
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await bot.send_document(ANNA["id"], InputFile(b"x", filename="a.txt"), caption="x" * 1025)
    api.max_upload = 10
    with pytest.raises(NetworkError, match="Request Entity Too Large"):  # HTTP 413, as PTB reads it
        await bot.send_document(ANNA["id"], InputFile(b"x" * 11, filename="a.txt"))
    assert api.calls[-1].status == 413
    api.unstarted.add(ANNA["id"])
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(ANNA["id"], "Hallo")
    api.errors.clear()


# -- console and outbox ---------------------------------------------------------------------


def test_the_console_saves_each_file_under_the_data_dir_without_overwriting(rt: Runtime, tmp_path: Path):
    buf = io.StringIO()
    console = Console(file=buf, width=400, color_system=None, force_terminal=False)
    folder = tmp_path / "data" / "files"
    chat = ConsoleChat(rt.service(), console, files_dir=folder)
    sneaky = Attachment("../../buiten.txt", "text/plain", b"blijf binnen")
    reply = Reply(ChatRef("console", "terminal"), "Je export.", files=(EXPORT, CHART, UNICODE, EMPTY, sneaky))
    chat.show([reply])
    chat.show([reply])
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [
            EXPORT.name,
            "mijn-gegevens-2.json",
            CHART.name,
            "vragen-per-week-2.png",
            UNICODE.name,
            "Overzicht — café ü 😀-2.csv",
            EMPTY.name,
            "leeg-2.csv",
            "buiten.txt",
            "buiten-2.txt",
        ]
    )
    assert (folder / CHART.name).read_bytes() == CHART.data and (folder / EMPTY.name).read_bytes() == b""
    assert (folder / UNICODE.name).read_bytes() == UNICODE.data
    out = " ".join(buf.getvalue().split())
    assert f"Bestand opgeslagen: {folder / 'vragen-per-week-2.png'}" in out


def test_the_slack_manifest_asks_for_files_write(tmp_path: Path):
    assert "files:write" in manifest([], make_settings(tmp_path))["oauth_config"]["scopes"]["bot"]


def test_files_survive_the_outbox_round_trip(db):
    reply = Reply(ChatRef("slack", "C1"), "Bestanden", files=(EXPORT, CHART, UNICODE, EMPTY))
    assert reply_from_dict(json.loads(json.dumps(reply_to_dict(reply)))) == reply
    queue(db, reply)
    [pending] = Outbox(db).lease(frozenset({"slack"}))
    assert pending.reply == reply and pending.reply.files[1].data == CHART.data


def test_the_outbox_leaves_out_files_over_its_cap_with_a_note(db, caplog):
    big = Attachment("alles.zip", "application/zip", b"\x00" * (MAX_REPLY_FILES - len(EXPORT.data) + 1))
    with caplog.at_level(logging.ERROR):
        queue(db, Reply(ChatRef("telegram", "4201"), "Je export.", language="en", files=(EXPORT, big)))
    stored = row(db)
    assert [f["name"] for f in stored.payload["files"]] == [EXPORT.name]  # the first fits, the second not
    assert stored.payload["text"].startswith("Je export.") and "alles.zip" in stored.payload["text"]
    assert "too large" in stored.payload["text"]  # the member's language
    assert any("alles.zip" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
