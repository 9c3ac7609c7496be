"""Announcements through the real adapters and the fakes of Slack and Telegram.

Slack: /aankondiging opens a modal (views.open, checked against Slack's modal rules), a submission
with errors gets them back in it, a valid one fans out; a channel the bot is not in fails while the
others deliver, and the author's report says so. Edits reach chat.update and editMessageText,
withdrawals chat.delete and deleteMessage, and after 48 hours Telegram's message becomes a notice.
Telegram: the text comes with the command and goes only after the moderator presses "send".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.chat import reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
from support.slack_harness import Bot
from support.slack_payloads import block_actions, slash_command
from telegram import Update

from adapters.slack.adapter import SlackAdapter
from adapters.telegram.adapter import TelegramAdapter
from app.runtime import BotCore, Runtime, build_runtime
from bot.delivery.outbox import MAX_ATTEMPTS

ADMIN = "U0ANADMIN"
TG_ADMIN = user(5301, "Mira")
TG_MEMBER = user(5302, "Piet")
GROUP = -100555


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    settings = make_settings(
        tmp_path_factory.mktemp("announcements_adapters") / "data",
        admins=f"slack:{ADMIN},telegram:{TG_ADMIN['id']}",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_mode="http",
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        announcement_channels_slack="C0AN1,C0AN2",
        announcement_channels_telegram=str(GROUP),
    )
    return build_runtime(settings)


@pytest.fixture
async def both(base: Runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    reset_conversations(base)
    clock = Clock()
    core = base.bot(clock)
    fake = await FakeSlack().start()
    slack = SlackAdapter(
        base.settings.model_copy(update={"slack_api_url": fake.url}), core.service, retry_delays=(0.01,)
    )
    await slack.start()
    app = web.Application()
    app.add_routes(slack.routes())
    http = TestClient(TestServer(app))
    await http.start_server()
    api = FakeBotApi()
    api.chat(TG_ADMIN["id"], first_name="Mira")
    api.chat(TG_MEMBER["id"], first_name="Piet")
    api.chat(GROUP, title="Cultuur & Zorg")
    settings = base.settings.model_copy(update={"telegram_webhook_url": "", "data_dir": tmp_path})
    tg = TelegramAdapter(settings, core.service, request=api)
    tg.backoff = 0.01
    await tg.start()
    yield Bot(slack, http, fake, core.service), tg, api, core, clock
    await tg.stop()
    await http.close()
    await slack.stop()
    await fake.close()
    assert api.errors == []


async def deliver(core: BotCore, slack: SlackAdapter, tg: TelegramAdapter) -> int:
    n = 0
    while sent := await core.outbox.deliver({"slack": slack, "telegram": tg}):
        n += sent
    return n


def dm_texts(fake: FakeSlack, user_id: str) -> list[str]:
    return [c.args.get("text", "") for c in fake.to("chat.postMessage") if c.args["channel"] == user_id]


async def test_the_slack_modal_fans_out_and_a_channel_without_the_bot_is_reported(both):
    bot, tg, api, core, clock = both
    bot.fake.not_in_channel.add("C0AN2")
    form = slash_command("/aankondiging", "", "C0VRAGEN", bot.fake.response_url("cmd"), user=ADMIN)
    assert (await bot.post(urlencode(form), "application/x-www-form-urlencoded")).status == 200
    await bot.settle()
    [opened] = bot.fake.views
    assert json.loads(opened["private_metadata"])["form"] == "announcement"
    inputs = {b["block_id"]: b for b in opened["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["text", "targets", "at"]
    assert inputs["text"]["element"]["multiline"] and not inputs["text"]["optional"]
    assert inputs["targets"]["element"]["initial_value"] == f"slack:C0AN1, slack:C0AN2, telegram:{GROUP}"
    assert inputs["at"]["optional"] and "initial_value" not in inputs["at"]["element"]
    ack = await bot.submit(opened, {"text": ""}, user=ADMIN)
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {"text"}
    ack = await bot.submit(opened, {"text": "Open dag!", "at": "1 januari 2020 10:00"}, user=ADMIN)
    assert set(ack["errors"]) == {"at"} and "voorbij" in ack["errors"]["at"]
    assert await bot.submit(opened, {"text": "Open dag op zaterdag!"}, user=ADMIN) == {}
    await bot.settle()
    assert any("gaat nu naar 3" in t for t in dm_texts(bot.fake, ADMIN))
    await deliver(core, bot.adapter, tg)
    posted = [
        c.args["channel"] for c in bot.fake.to("chat.postMessage") if c.args["channel"].startswith("C0AN")
    ]
    assert posted == ["C0AN1"] and [c.args["channel"] for c in bot.fake.to("chat.postMessage", ok=False)] == [
        "C0AN2"
    ]
    [group] = api.sent(GROUP)
    assert group.params["text"] == "Open dag op zaterdag!"
    assert not any("Verslag" in t for t in dm_texts(bot.fake, ADMIN))  # C0AN2 is retried first
    for _ in range(MAX_ATTEMPTS):
        clock.advance(minutes=11)
        await deliver(core, bot.adapter, tg)
    assert core.announcements.store.settle_all(clock())["reported"] == 1
    await deliver(core, bot.adapter, tg)
    [report] = [t for t in dm_texts(bot.fake, ADMIN) if "Verslag" in t]
    assert "2 van 3" in report and "slack:C0AN2" in report and "not_in_channel" in report


async def test_edit_and_withdraw_reach_both_platforms_and_the_48_hour_rule(both):
    bot, tg, api, core, clock = both
    store = core.announcements.store
    first = store.create(f"slack:{ADMIN}", "Versie 1")
    await deliver(core, bot.adapter, tg)
    assert len([k for k in bot.fake.messages if k[0].startswith("C0AN")]) == 2 and len(api.sent(GROUP)) == 1
    store.edit(first.id, "Versie 2", "cli")
    await deliver(core, bot.adapter, tg)
    assert sorted(c.args["channel"] for c in bot.fake.to("chat.update")) == ["C0AN1", "C0AN2"]
    assert {c.args["text"] for c in bot.fake.to("chat.update")} == {"Versie 2"}
    [edited] = api.ok("editMessageText")
    assert edited.params["chat_id"] == GROUP and edited.params["text"] == "Versie 2"
    clock.advance(hours=47)
    assert store.withdraw(first.id, "cli").deleted == 3
    await deliver(core, bot.adapter, tg)
    assert len(bot.fake.to("chat.delete")) == 2 and len(api.ok("deleteMessage")) == 1
    assert not [k for k in bot.fake.messages if k[0].startswith("C0AN")] and not api.messages.get(
        (GROUP, edited.params["message_id"])
    )
    second = store.create(f"slack:{ADMIN}", "Te laat om te wissen")
    await deliver(core, bot.adapter, tg)
    clock.advance(hours=49)
    change = store.withdraw(second.id, "cli")
    assert (change.deleted, change.noticed) == (2, 1)
    await deliver(core, bot.adapter, tg)
    assert len(bot.fake.to("chat.delete")) == 4 and len(api.ok("deleteMessage")) == 1
    notice = api.ok("editMessageText")[-1].params
    assert notice["chat_id"] == GROUP and "ingetrokken" in notice["text"]
    assert {d.state for d in store.get(second.id).deliveries} == {"withdrawn"}


async def say(tg: TelegramAdapter, api: FakeBotApi, who: dict[str, Any], text: str, replies: int = 1) -> Any:
    before = len(api.sent(who["id"]))
    m = api.message(api.chats[who["id"]], who, text)
    assert tg.application is not None
    await tg.application.process_update(Update.de_json(api.update(message=m), tg.application.bot))
    new = api.sent(who["id"])[before:]
    assert len(new) == replies, [c.params.get("text") for c in new]
    return new[0] if replies == 1 else new


async def test_telegram_confirms_with_buttons_before_anything_is_sent(both):
    bot, tg, api, core, clock = both
    refused = await say(tg, api, TG_MEMBER, "/aankondiging Mag ik ook?")
    assert "alleen een moderator" in refused.params["text"]
    confirm = await say(tg, api, TG_ADMIN, "/aankondiging naar telegram:-100555\nKoffie om tien uur!")
    assert "naar 1 kanaal" in confirm.params["text"] and "Koffie om tien uur!" in confirm.params["text"]
    [[send, cancel]] = confirm.params["reply_markup"]["inline_keyboard"]
    assert send["callback_data"].startswith("an:s:") and cancel["callback_data"].startswith("an:c:")
    assert await deliver(core, bot.adapter, tg) == 0  # nothing goes before "send"
    assert tg.application is not None
    press = api.callback(TG_ADMIN, confirm.result, send["callback_data"])
    before = len(api.sent(TG_ADMIN["id"]))
    await tg.application.process_update(Update.de_json(api.update(callback_query=press), tg.application.bot))
    [told] = api.sent(TG_ADMIN["id"])[before:]
    assert "gaat nu naar 1 kanaal" in told.params["text"]
    await deliver(core, bot.adapter, tg)
    assert [c.params["text"] for c in api.sent(GROUP)] == ["Koffie om tien uur!"]
    assert "Verslag van aankondiging" in api.sent(TG_ADMIN["id"])[-1].params["text"]
    listed, item = await say(tg, api, TG_ADMIN, "/aankondigingen", replies=2)
    assert "verstuurd" in listed.params["text"] and "1/1" in listed.params["text"]
    # Withdraw with the buttons under the listed announcement: it asks once more, then goes.
    [[edit, withdraw]] = item.params["reply_markup"]["inline_keyboard"]
    assert edit["callback_data"].startswith("an_edit:") and withdraw["callback_data"].startswith(
        "an_withdraw:"
    )

    async def tap(message: dict[str, Any], data: str) -> Any:
        before = len(api.sent(TG_ADMIN["id"]))
        press = api.callback(TG_ADMIN, message, data)
        await tg.application.process_update(
            Update.de_json(api.update(callback_query=press), tg.application.bot)
        )  # type: ignore[union-attr]
        [said] = api.sent(TG_ADMIN["id"])[before:]
        return said

    assert "/aankondigingen wijzig" in (await tap(item.result, edit["callback_data"])).params["text"]
    sure = await tap(item.result, withdraw["callback_data"])
    [[ok]] = sure.params["reply_markup"]["inline_keyboard"]
    assert "ingetrokken" in (await tap(sure.result, ok["callback_data"])).params["text"]
    await deliver(core, bot.adapter, tg)
    assert api.ok("deleteMessage")


async def test_slack_edits_a_listed_announcement_in_a_modal(both):
    bot, tg, api, core, clock = both
    core.announcements.store.create(f"slack:{ADMIN}", "Open dag om 10 uur.")
    await deliver(core, bot.adapter, tg)
    form = slash_command("/aankondigingen", "", f"D{ADMIN[1:]}", bot.fake.response_url("list"), user=ADMIN)
    assert (await bot.post(urlencode(form), "application/x-www-form-urlencoded")).status == 200
    await bot.settle()
    # The listing comes through the command's response_url; its item carries edit / withdraw.
    listed = [c.args for c in bot.fake.to("response_url.list") if "an_edit" in json.dumps(c.args)]
    assert listed, [c.method for c in bot.fake.calls]
    edit = next(
        e
        for b in listed[-1]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "an_edit"
    )
    payload = block_actions(
        "an_edit",
        edit["value"],
        f"D{ADMIN[1:]}",
        "1.1",
        thread_ts=None,
        response_url=bot.fake.response_url("edit"),
        user=ADMIN,
    )
    assert (
        await bot.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    ).status == 200
    await bot.settle()
    opened = bot.fake.views[-1]
    assert json.loads(opened["private_metadata"])["form"] == "announcement_edit"
    [text] = [b for b in opened["blocks"] if b["type"] == "input"]
    assert text["element"]["initial_value"] == "Open dag om 10 uur."
    assert (await bot.submit(opened, {"text": ""}, user=ADMIN))["response_action"] == "errors"
    assert await bot.submit(opened, {"text": "Open dag om 11 uur."}, user=ADMIN) == {}
    await bot.settle()
    await deliver(core, bot.adapter, tg)
    assert {c.args["text"] for c in bot.fake.to("chat.update")} >= {"Open dag om 11 uur."}
    assert api.ok("editMessageText")[-1].params["text"] == "Open dag om 11 uur."
