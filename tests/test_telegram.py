"""The Telegram adapter end to end: real PTB against an in-process fake Bot API, real core and database."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.docs import make_settings
from support.fake_telegram import BASE_URL, BOT_USER, TOKEN, FakeBotApi, user
from telegram import Update
from telegram.error import TelegramError

from adapters.base import CredentialError
from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.render import render_parts
from app.runtime import Runtime, build_runtime
from bot.conversations.records import EXPERT_REQUESTED
from bot.texts import t

KOOR_Q = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
MUSEUM_Q = "What does the Leeds museum offer people living with dementia?"
WEBHOOK = "https://bot.example.org/telegram/webhook"
SECRET = "geheim_Token-123"
ANNA = user(4201, "Anna")
GROUP, FORUM = -1001234567890, -1009876543210


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    """A knowledge base of the fixture corpus with its own conversation database."""
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("telegram") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


def _settings(tmp_path: Path, **overrides: object):
    values: dict[str, object] = dict(
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        telegram_webhook_url=WEBHOOK,
        telegram_webhook_secret=SECRET,
    )
    return make_settings(tmp_path / "data", **{**values, **overrides})


@pytest.fixture
def fake() -> FakeBotApi:
    api = FakeBotApi()
    api.chat(ANNA["id"], first_name="Anna")
    api.chat(GROUP, "Cultuur & Zorg <NL>")
    api.chat(FORUM, "Netwerk", forum=True)
    return api


@pytest.fixture
async def adapter(runtime: Runtime, fake: FakeBotApi, tmp_path: Path):
    a = TelegramAdapter(_settings(tmp_path), runtime.service(), request=fake)
    a.backoff = 0.01
    await a.start()
    fake.calls.clear()
    yield a
    await a.stop()
    assert fake.errors == []  # nothing the bot sent would have been rejected by Telegram


async def feed(adapter: TelegramAdapter, update: dict) -> None:
    app = adapter.application
    assert app is not None
    await app.process_update(Update.de_json(update, app.bot))


async def ask(adapter: TelegramAdapter, fake: FakeBotApi, chat: int, text: str, sender: dict = ANNA, **kw):
    """Send a member's message; returns (the message dict, the bot's sendMessage calls for it)."""
    before = len(fake.sent())
    msg = fake.message(fake.chats[chat], sender, text, **kw)
    await feed(adapter, fake.update(message=msg))
    return msg, fake.sent()[before:]


def qid_of(call) -> int:
    """The question id behind an answer, from its helpful button."""
    return int(call.params["reply_markup"]["inline_keyboard"][-1][-1]["callback_data"].split(":")[-1])


async def test_start_registers_menus_and_webhook(runtime, fake, tmp_path):
    a = TelegramAdapter(_settings(tmp_path), runtime.bot().service, request=fake)  # with the expert commands
    await a.start()
    try:
        assert [c.method for c in fake.calls] == [
            "getMe",
            "setMyCommands",
            "setMyCommands",
            "setMyCommands",
            "setWebhook",
        ]
        menus = {c.params.get("language_code"): c.params["commands"] for c in fake.ok("setMyCommands")}
        assert set(menus) == {None, "nl", "en"}
        for lang, key in ((None, "nl"), ("nl", "nl"), ("en", "en")):
            assert menus[lang] == [
                {"command": c, "description": t(f"command_{c}", key)}
                for c in (
                    *("vraag", "ask", "expert", "help", "antwoord", "afwezig", "beschikbaar", "expertise"),
                    *(
                        "tip",
                        "project",
                        "evenement",
                        "agenda",
                        "mijn_bijdragen",
                        "annuleren",
                        "wie_ben_ik",
                        "koppel",
                        "mijn_gegevens",
                        "vergeet_mij",
                    ),
                )
            ]
        hook = fake.ok("setWebhook")[0].params
        assert hook == {
            "url": WEBHOOK,
            "secret_token": SECRET,
            "allowed_updates": ["message", "edited_message", "callback_query"],
        }
        assert [r.path for r in a.routes()] == ["/telegram/webhook"]
        assert a.application.bot.username == BOT_USER["username"]
    finally:
        await a.stop()
    assert a.application is None and fake.errors == []


async def test_private_question_gets_html_answer_with_sources_and_buttons(adapter, fake, runtime):
    msg, sent = await ask(adapter, fake, ANNA["id"], KOOR_Q)
    assert [c.method for c in fake.calls] == ["sendChatAction", "sendMessage"]
    assert fake.calls[0].params == {"chat_id": ANNA["id"], "action": "typing"}
    [answer] = sent
    p = answer.params
    assert p["parse_mode"] == "HTML" and p["text"].startswith("Dit staat er in de kennisbank:")
    assert "<b>Bronnen</b>" in p["text"]
    assert (
        '[1] <a href="https://example.org/zilveren-stemmen">Seniorenkoor De Zilveren Stemmen in '
        "Amersfoort</a> <i>(project)</i>"
    ) in p["text"]
    assert p["reply_parameters"] == {"message_id": msg["message_id"], "allow_sending_without_reply": True}
    qid = qid_of(answer)
    assert p["reply_markup"]["inline_keyboard"] == [
        [
            {"text": "👍 Nuttig", "callback_data": f"fb:h:{qid}"},
            {"text": "👎 Niet nuttig", "callback_data": f"fb:n:{qid}"},
        ],
        [{"text": "🙋 Vraag een expert", "callback_data": f"ex:{qid}"}],
    ]
    store = runtime.service().store
    q = store.get(qid)
    assert (q.platform, q.chat_id, q.message_id, q.user_id, q.user_name) == (
        "telegram",
        str(ANNA["id"]),
        str(msg["message_id"]),
        str(ANNA["id"]),
        "Anna",
    )
    assert q.text == KOOR_Q and q.thread_id is None
    assert store.by_ref("telegram", str(ANNA["id"]), str(answer.result["message_id"])).id == qid


async def test_group_answers_only_mentions_replies_and_commands(adapter, fake, runtime):
    _, sent = await ask(adapter, fake, GROUP, KOOR_Q)
    assert sent == [] and fake.calls == []  # group chatter: not even a typing indicator
    _, sent = await ask(adapter, fake, GROUP, f"@iemand_anders {KOOR_Q}")
    assert sent == []
    msg, [answer] = await ask(adapter, fake, GROUP, f"@VerbinderBot {KOOR_Q}")
    assert answer.params["reply_parameters"]["message_id"] == msg["message_id"]
    assert runtime.service().store.get(qid_of(answer)).text == KOOR_Q  # the mention is not part of it
    # text_mention (a member without username picks the bot from the list)
    text = f"Verbinder {KOOR_Q}"
    msg = fake.message(
        fake.chats[GROUP],
        ANNA,
        text,
        entities=[{"type": "text_mention", "offset": 0, "length": 9, "user": BOT_USER}],
    )
    await feed(adapter, fake.update(message=msg))
    assert len(fake.sent(GROUP)) == 2


async def test_commands(adapter, fake):
    _, [nl] = await ask(adapter, fake, GROUP, f"/vraag {KOOR_Q}")
    assert nl.params["text"].startswith("Dit staat er")
    _, [en] = await ask(adapter, fake, GROUP, f"/ask {MUSEUM_Q}", user(4202, "Bob", "en"))
    assert en.params["text"].startswith("Here is what the knowledge base says:")
    assert "<b>Sources</b>" in en.params["text"]
    _, [targeted] = await ask(adapter, fake, GROUP, f"/vraag@VerbinderBot {KOOR_Q}")
    assert "Zilveren Stemmen" in targeted.params["text"]
    for other in (f"/vraag@AnderBot {KOOR_Q}", "/start@AnderBot", "/poll wie komt er?"):
        assert (await ask(adapter, fake, GROUP, other))[1] == []
    unknown = t("unknown_command", "nl", command="poll", commands=t("commands", "nl"))
    for chat, text in ((ANNA["id"], "/poll"), (GROUP, "/poll@VerbinderBot")):
        _, [reply] = await ask(adapter, fake, chat, text)
        assert reply.result["text"] == unknown and "reply_markup" not in reply.params
        assert "&lt;je vraag&gt;" in reply.params["text"]  # the usage text is escaped
    _, [usage] = await ask(adapter, fake, ANNA["id"], "/vraag")
    assert usage.result["text"] == t("ask_usage", "nl")
    _, [help_] = await ask(adapter, fake, ANNA["id"], "/start")
    assert help_.result["text"].startswith(t("help", "nl")[:40])


async def test_reply_to_the_bot_is_a_follow_up_with_context(adapter, fake, runtime):
    store = runtime.service().store
    for chat in (ANNA["id"], GROUP):
        first, [answer] = await ask(adapter, fake, chat, f"/vraag {KOOR_Q}")
        follow, [reply] = await ask(adapter, fake, chat, "Wanneer?", reply_to=answer.result)
        q, parent = store.get(qid_of(reply)), store.get(qid_of(answer))
        assert q.parent_id == parent.id and q.text == "Wanneer?"
        assert KOOR_Q in q.context  # the elliptic follow-up was read with the earlier question
        assert "dinsdagmiddag" in reply.result["text"]
        assert reply.params["reply_parameters"]["message_id"] == follow["message_id"]
    # in a group a reply to another member's message is not for the bot
    assert (await ask(adapter, fake, GROUP, "Klopt, dinsdag!", reply_to=first))[1] == []


async def test_forum_topic_replies_in_the_same_topic(adapter, fake, runtime):
    _, sent = await ask(adapter, fake, FORUM, KOOR_Q, thread=77)
    assert sent == []  # a topic message "replies" to the topic root, not to the bot
    msg, [answer] = await ask(adapter, fake, FORUM, f"@VerbinderBot {KOOR_Q}", thread=77)
    assert fake.ok("sendChatAction")[-1].params["message_thread_id"] == 77
    assert answer.params["message_thread_id"] == 77
    assert runtime.service().store.get(qid_of(answer)).thread_id == "77"
    press = fake.callback(ANNA, answer.result, f"ex:{qid_of(answer)}")
    await feed(adapter, fake.update(callback_query=press))
    assert fake.sent(FORUM)[-1].params["message_thread_id"] == 77


async def test_feedback_buttons(adapter, fake, runtime):
    store = runtime.service().store
    _, [answer] = await ask(adapter, fake, ANNA["id"], KOOR_Q)
    qid = qid_of(answer)
    press = fake.callback(ANNA, answer.result, f"fb:h:{qid}")
    await feed(adapter, fake.update(callback_query=press))
    await feed(adapter, fake.update(callback_query=press))  # redelivered press: answered, not counted twice
    first, again = fake.ok("answerCallbackQuery")
    assert first.params == {
        "callback_query_id": press["id"],
        "text": t("thanks_feedback", "nl"),
        "show_alert": False,
    }
    assert again.params == {"callback_query_id": press["id"], "show_alert": False}
    bob = user(4203, "Bob", "en")
    await feed(adapter, fake.update(callback_query=fake.callback(bob, answer.result, f"fb:n:{qid}")))
    assert store.feedback_for(qid) == {str(ANNA["id"]): "helpful", str(bob["id"]): "not_helpful"}
    assert len(fake.sent()) == 1  # feedback is acknowledged in the button popup only


async def test_ask_expert_button(adapter, fake, runtime):
    msg, [answer] = await ask(adapter, fake, GROUP, f"@VerbinderBot {KOOR_Q}")
    qid = qid_of(answer)
    await feed(adapter, fake.update(callback_query=fake.callback(ANNA, answer.result, f"ex:{qid}")))
    assert runtime.service().store.get(qid).status == EXPERT_REQUESTED
    notice = fake.sent(GROUP)[-1]
    assert notice.result["text"] == t("expert_requested", "nl")
    assert notice.params["reply_parameters"]["message_id"] == msg["message_id"]
    assert "text" not in fake.ok("answerCallbackQuery")[-1].params
    await feed(adapter, fake.update(callback_query=fake.callback(ANNA, answer.result, f"ex:{qid}")))
    assert fake.ok("answerCallbackQuery")[-1].params["text"] == t("expert_already", "nl")


async def test_malformed_and_unknown_button_data(adapter, fake):
    _, [answer] = await ask(adapter, fake, ANNA["id"], KOOR_Q)
    for data in ("garbage", "fb:x:1", "ex:1; DROP TABLE"):
        await feed(adapter, fake.update(callback_query=fake.callback(ANNA, answer.result, data)))
        assert "text" not in fake.ok("answerCallbackQuery")[-1].params
    await feed(adapter, fake.update(callback_query=fake.callback(ANNA, answer.result, "fb:h:987654")))
    assert fake.ok("answerCallbackQuery")[-1].params["text"] == t("unknown_question", "nl")
    assert len(fake.ok("answerCallbackQuery")) == 4 and len(fake.sent()) == 1


async def test_silence_duplicates_bots_and_edits(adapter, fake):
    chat = fake.chats[ANNA["id"]]
    msg = fake.message(chat, ANNA, KOOR_Q)
    await feed(adapter, fake.update(message=msg))
    await feed(adapter, fake.update(message=msg))  # redelivered message (new update_id, same message)
    assert len(fake.sent()) == 1
    edited = {**msg, "text": KOOR_Q + "?", "edit_date": msg["date"] + 5}
    await feed(adapter, fake.update(edited_message=edited))
    other_bot = user(5555, "Andere bot", is_bot=True)
    await ask(adapter, fake, GROUP, f"@VerbinderBot {KOOR_Q}", other_bot)
    assert len(fake.sent()) == 1 and len(fake.ok("sendChatAction")) == 1


async def test_media_without_text(adapter, fake):
    sticker = {
        "file_id": "CAACAgIAAxkBAAI",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    voice = {"file_id": "AwACAgQAAxkBAAI", "file_unique_id": "AgADa", "duration": 3, "mime_type": "audio/ogg"}
    for media in ({"sticker": sticker}, {"voice": voice}):
        msg = fake.message(fake.chats[ANNA["id"]], ANNA, **media)
        await feed(adapter, fake.update(message=msg))
        assert fake.sent()[-1].result["text"] == t("media_only", "nl")
    await feed(adapter, fake.update(message=fake.message(fake.chats[GROUP], ANNA, voice=voice)))
    assert len(fake.sent()) == 2  # group voice messages are not for the bot


async def test_flood_control_is_waited_out_and_answer_sent_once(adapter, fake):
    fake.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    _, sent = await ask(adapter, fake, ANNA["id"], KOOR_Q)
    assert time.monotonic() - started >= 0.9
    assert [c.status for c in fake.calls if c.method == "sendMessage"] == [429, 200] and len(sent) == 1


async def test_network_errors_are_retried_and_bad_html_falls_back_to_plain_text(adapter, fake):
    fake.fail("sendMessage", 502, "Bad Gateway")
    fake.fail("sendMessage", 502, "Bad Gateway")
    _, [answer] = await ask(adapter, fake, ANNA["id"], KOOR_Q)
    assert answer.params["parse_mode"] == "HTML"
    fake.fail("sendMessage", 400, 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte 0')
    _, [plain] = await ask(adapter, fake, ANNA["id"], KOOR_Q + " ")
    assert "parse_mode" not in plain.params and "<b>" not in plain.params["text"]
    link = "Seniorenkoor De Zilveren Stemmen in Amersfoort (https://example.org/zilveren-stemmen)"
    assert link in plain.params["text"]
    for _ in range(4):
        fake.fail("sendMessage", 502, "Bad Gateway")
    _, sent = await ask(adapter, fake, ANNA["id"], KOOR_Q + "  ")  # gives up after 3 retries, no crash
    assert sent == []


async def test_long_answer_is_split_with_buttons_on_the_last_part(adapter, fake, runtime):
    from bot.messages import Button, ChatRef, Reply

    qid = qid_of((await ask(adapter, fake, ANNA["id"], KOOR_Q))[1][0])
    reply = Reply(
        chat=ChatRef("telegram", str(ANNA["id"])),
        text="a < b & c > d " * 700,
        question_id=qid,
        buttons=(Button("helpful", "👍", str(qid)),),
        reply_to="1",
    )
    parts = await adapter.reply(reply)
    calls = fake.sent()[-len(parts) :]
    assert len(parts) == len(render_parts(reply)) >= 4
    assert [("reply_markup" in c.params) for c in calls] == [False] * (len(parts) - 1) + [True]
    assert all(
        runtime.service().store.by_ref("telegram", str(ANNA["id"]), str(m.message_id)).id == qid
        for m in parts
    )


async def test_webhook_route(adapter, fake):
    app = web.Application()
    app.add_routes(adapter.routes())
    msg = fake.message(fake.chats[ANNA["id"]], ANNA, KOOR_Q)
    update = fake.update(message=msg)
    async with TestClient(TestServer(app)) as client:
        assert (await client.post("/telegram/webhook", json=update)).status == 403
        bad = {"X-Telegram-Bot-Api-Secret-Token": "geheim_Token-124"}
        assert (await client.post("/telegram/webhook", json=update, headers=bad)).status == 403
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert (await client.post("/telegram/webhook", data=b"{not json", headers=good)).status == 400
        assert (await client.post("/telegram/webhook", json=[1, 2], headers=good)).status == 400
        for _ in range(2):  # Telegram redelivers when it did not see our 200 in time
            assert (await client.post("/telegram/webhook", json=update, headers=good)).status == 200
        for _ in range(100):
            if fake.sent():
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
    [answer] = fake.sent()
    assert answer.params["reply_parameters"]["message_id"] == msg["message_id"]


async def test_long_polling(runtime, fake, tmp_path):
    a = TelegramAdapter(_settings(tmp_path, telegram_webhook_url=""), runtime.service(), request=fake)
    assert a.routes() == []
    await a.start()
    try:
        assert fake.ok("deleteWebhook") and not fake.ok("setWebhook")
        fake.push(fake.update(message=fake.message(fake.chats[ANNA["id"]], ANNA, KOOR_Q)))
        for _ in range(150):
            if fake.sent():
                break
            await asyncio.sleep(0.02)
        assert len(fake.sent()) == 1
        allowed = fake.ok("getUpdates")[0].params["allowed_updates"]
        assert allowed == ["message", "edited_message", "callback_query"]
    finally:
        await a.stop()
    assert fake.errors == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"telegram_bot_token": ""}, "VERBINDER_TELEGRAM_BOT_TOKEN is not set"),
        ({"telegram_bot_token": "not-a-token"}, "VERBINDER_TELEGRAM_BOT_TOKEN is malformed"),
        ({"telegram_webhook_secret": ""}, "VERBINDER_TELEGRAM_WEBHOOK_SECRET is required"),
        ({"telegram_webhook_secret": "geen spaties!"}, "VERBINDER_TELEGRAM_WEBHOOK_SECRET may only contain"),
        (
            {"telegram_webhook_url": "http://bot.example.org/telegram/webhook"},
            "VERBINDER_TELEGRAM_WEBHOOK_URL must be",
        ),
    ],
)
async def test_settings_are_checked_before_connecting(runtime, fake, tmp_path, overrides, message):
    a = TelegramAdapter(_settings(tmp_path, **overrides), runtime.service(), request=fake)
    with pytest.raises(CredentialError, match=message):
        await a.start()
    assert fake.calls == []


async def test_rejected_token(runtime, tmp_path):
    other = "987654321:AAE" + "x" * 32
    fake = FakeBotApi(token=TOKEN)
    a = TelegramAdapter(_settings(tmp_path, telegram_bot_token=other), runtime.service(), request=fake)
    with pytest.raises(CredentialError) as err:
        await a.start()
    assert str(err.value) == "Telegram rejected VERBINDER_TELEGRAM_BOT_TOKEN (Unauthorized)"
    assert [c.method for c in fake.calls] == ["getMe"] and a.application is None
    await a.stop()


async def test_send_update_and_delete_for_the_outbox(adapter, fake):
    from bot.messages import CLAIM, Button, ChatRef, Posted, Reply

    offer = Reply(
        chat=ChatRef("telegram", str(FORUM), "12"),
        text="Nieuwe vraag: <wie> weet dit?",
        question_id=5,
        buttons=(Button(CLAIM, "Ik pak hem op", "5"),),
        kind="notice",
    )
    [(chat, message_id)] = await adapter.send(offer)
    [call] = fake.sent(FORUM)
    assert (chat, message_id) == (str(FORUM), str(call.result["message_id"]))
    assert call.params["message_thread_id"] == 12 and "reply_parameters" not in call.params
    claim = {"text": "Ik pak hem op", "callback_data": "cl:5"}
    assert call.params["reply_markup"]["inline_keyboard"] == [[claim]]
    for _ in range(4):
        fake.fail("sendMessage", 502, "Bad Gateway")
    with pytest.raises(RuntimeError):  # the outbox keeps the message and tries again later
        await adapter.send(offer)
    # An announcement edited and withdrawn: editMessageText (HTML, new buttons) and deleteMessage.
    posted = Posted(chat, message_id)
    taken = replace(offer, text="Vraag 5 is opgepakt door <Sanne>", buttons=())
    await adapter.update(posted, taken)
    await adapter.update(posted, taken)  # the same text again: Telegram says "not modified", no error
    edits = fake.ok("editMessageText")
    assert len(edits) == 1 and edits[0].params["text"] == "Vraag 5 is opgepakt door &lt;Sanne&gt;"
    assert edits[0].params["parse_mode"] == "HTML" and "reply_markup" not in edits[0].params
    assert fake.messages[(FORUM, int(message_id))]["text"] == "Vraag 5 is opgepakt door <Sanne>"
    await adapter.delete(posted)
    assert (FORUM, int(message_id)) not in fake.messages
    with pytest.raises(TelegramError, match="not found"):  # gone already: nothing to retry
        await adapter.delete(posted)


async def test_invalid_unicode_in_an_update_is_cleaned_and_answered(adapter, fake, runtime):
    _, sent = await ask(adapter, fake, ANNA["id"], KOOR_Q + " \ud800")
    [answer] = sent
    assert "kennisbank" in answer.params["text"]


async def test_invalid_unicode_next_to_a_mention_or_command_is_answered_once(adapter, fake, runtime):
    # Offsets count UTF-16 units; a lone surrogate is one of them (PTB's own parsing raised here).
    _, sent = await ask(adapter, fake, GROUP, f"@VerbinderBot \udc00 {KOOR_Q}")
    [answer] = sent
    assert "kennisbank" in answer.params["text"]
    _, sent = await ask(adapter, fake, ANNA["id"], "/help \ud800")
    assert len(sent) == 1


async def test_webhook_refuses_a_huge_body_with_413(adapter, fake):
    app = web.Application(client_max_size=2 * 1024 * 1024)  # as adapters/runner.py serves it
    app.add_routes(adapter.routes())
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    huge = b'{"update_id": 1, "message": {"text": "' + b"a" * (10 * 1024 * 1024) + b'"}}'
    async with TestClient(TestServer(app)) as client:
        assert (await client.post("/telegram/webhook", data=huge, headers=good)).status == 413
    assert fake.sent() == []


def _impossible_updates(fake: FakeBotApi) -> list[dict]:
    """Updates Telegram never sends, each with a fresh update_id."""
    # A message that is no object, a sender missing or no user, a text that is a number, an
    # entity offset that is a string, a button press whose data is an object or without its presser.
    good = fake.message(fake.chats[ANNA["id"]], ANNA, KOOR_Q)
    press = fake.callback(ANNA, fake.message(fake.chats[ANNA["id"]], BOT_USER, "Antwoord"), "fb:h:1")
    kinds: list[dict] = [
        {"message": "hallo"},
        {"message": [1, 2]},
        {"message": {k: v for k, v in good.items() if k != "from"}},
        {"message": {**good, "from": "Anna"}},
        {"edited_message": {**good, "text": 12345, "edit_date": good["date"]}},
        {"message": {**good, "entities": [{"type": "mention", "offset": "0", "length": 2}]}},
        {"callback_query": {**press, "data": {"fb": 1}}},
        {"callback_query": {k: v for k, v in press.items() if k != "from"}},
    ]
    return [{**fake.update(), **kind} for kind in kinds]


def _quiet(caplog: pytest.LogCaptureFixture, dropped: int) -> None:
    """No ERROR, no traceback; one WARNING line per dropped update."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= 40] == []
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    shapes = [r for r in caplog.records if "impossible shape" in r.getMessage()]
    assert len(shapes) == dropped and {r.levelname for r in shapes} == {"WARNING"}


async def test_webhook_drops_updates_of_an_impossible_shape_with_one_warning(adapter, fake, caplog):
    app = web.Application()
    app.add_routes(adapter.routes())
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    impossible = _impossible_updates(fake)
    async with TestClient(TestServer(app)) as client:
        for update in impossible:
            assert (await client.post("/telegram/webhook", json=update, headers=good)).status == 400
        valid = fake.update(message=fake.message(fake.chats[ANNA["id"]], ANNA, KOOR_Q))
        assert (await client.post("/telegram/webhook", json=valid, headers=good)).status == 200
        for _ in range(150):
            if fake.sent():
                break
            await asyncio.sleep(0.02)
    [answer] = fake.sent()
    assert "kennisbank" in answer.params["text"]
    _quiet(caplog, len(impossible))


async def test_polling_drops_updates_of_an_impossible_shape_and_goes_on(runtime, fake, tmp_path, caplog):
    # PTB refused a whole getUpdates batch with one such update in it, at every poll again: the
    # valid update after it never arrived.
    a = TelegramAdapter(_settings(tmp_path, telegram_webhook_url=""), runtime.service(), request=fake)
    await a.start()
    try:
        impossible = _impossible_updates(fake)
        for update in impossible:
            fake.push(update)
        fake.push(fake.update(message=fake.message(fake.chats[ANNA["id"]], ANNA, KOOR_Q)))
        for _ in range(150):
            if fake.sent():
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)  # more polls: the dropped updates were confirmed, not fetched again
        [answer] = fake.sent()
        assert "kennisbank" in answer.params["text"]
    finally:
        await a.stop()
    assert fake.errors == []
    _quiet(caplog, len(impossible))
