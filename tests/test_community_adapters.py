"""Contributions through the real adapters and the fakes: the Slack modal, the Telegram steps.

Slack: /tip opens a modal (views.open, checked against Slack's modal rules); a submission with
errors gets them back in the modal (response_action: errors); a valid one closes it and queues the
tip. Moderators edit and reject in modals too. Telegram: the same tip step by step in a private
chat, with /annuleren, and a restart of the bot in the middle. Moderation crosses platforms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.chat import FakePlatforms, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, MEMBER, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
from support.slack_harness import Bot, http_bot
from support.slack_payloads import block_actions
from telegram import Update

from adapters.runner import calendar_route
from adapters.telegram.adapter import TelegramAdapter
from app.runtime import BotCore, Runtime, build_runtime
from bot.community.model import SUB_APPROVE, SUB_EDIT, SUB_REJECT

ADMIN = "U0ADMIN1"
ANNA = user(4201, "Anna")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    settings = make_settings(
        tmp_path_factory.mktemp("community_adapters") / "data",
        admins=f"slack:{ADMIN}",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_mode="http",
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
    )
    rt = build_runtime(settings)
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
async def fake():
    server = await FakeSlack().start()
    yield server
    await server.close()


@pytest.fixture
async def slack(base: Runtime, fake: FakeSlack):  # type: ignore[no-untyped-def]
    reset_conversations(base)
    core = base.bot(Clock())
    settings = base.settings.model_copy(update={"slack_api_url": fake.url})
    async with http_bot(settings, core.service, fake, retry_delays=(0.05, 0.1)) as bot:
        yield bot, core


async def deliver(core: BotCore, senders: dict[str, Any]) -> None:
    while await core.outbox.deliver(senders):
        pass


async def click(bot: Bot, action: str, value: str, channel: str, ts: str, who: str) -> None:
    payload = block_actions(
        action, value, channel, ts, thread_ts=None, response_url=bot.fake.response_url("c"), user=who
    )
    resp = await bot.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert resp.status == 200
    await bot.settle()


def dm_texts(fake: FakeSlack, user_id: str) -> list[str]:
    return [c.args.get("text", "") for c in fake.to("chat.postMessage") if c.args["channel"] == user_id]


async def test_slack_modal_errors_then_queue_then_a_moderator_edits_in_a_modal(slack):
    bot, core = slack
    resp = await bot.command("/tip", "", "C0VRAGEN")
    assert resp.status == 200
    await bot.settle()
    [opened] = bot.fake.views
    assert (
        opened["callback_id"] == "verbinder_form" and json.loads(opened["private_metadata"])["form"] == "tip"
    )
    inputs = {b["block_id"]: b for b in opened["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["title", "text", "themes", "region"]
    assert inputs["text"]["element"]["multiline"] and inputs["themes"]["optional"]
    # Errors stay in the modal, per field.
    ack = await bot.submit(opened, {"title": "", "text": "Zingen met buren"})
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {"title"}
    assert "nodig" in ack["errors"]["title"]
    ack = await bot.submit(
        opened, {"title": "Buurtkoor in Deventer", "text": "Elke dinsdag zingen buren samen."}
    )
    assert ack == {}
    await bot.settle()
    assert any("wacht nu op een moderator" in t for t in dm_texts(bot.fake, MEMBER))
    # The admin (a moderator) gets it in Slack with buttons, presses Edit: a prefilled modal.
    await deliver(core, {"slack": bot.adapter.send})
    [offer] = [c for c in bot.fake.to("chat.postMessage") if c.args["channel"] == ADMIN]
    channel, ts = offer.result["channel"], offer.result["ts"]
    sid = [e["value"] for b in offer.args["blocks"] if b["type"] == "actions" for e in b["elements"]][0]
    await click(bot, SUB_EDIT, sid, channel, ts, ADMIN)
    edit = bot.fake.views[-1]
    assert json.loads(edit["private_metadata"]) == {
        "form": "edit:tip",
        "state": json.dumps({"submission": int(sid)}),
    }
    prefilled = {
        b["block_id"]: b["element"].get("initial_value") for b in edit["blocks"] if b["type"] == "input"
    }
    assert prefilled["title"] == "Buurtkoor in Deventer"
    ack = await bot.submit(edit, {"title": "Buurtkoor Deventer", "region": "Overijssel"}, user=ADMIN)
    assert ack == {}
    await bot.settle()
    sub = core.community.queue.get(int(sid))
    assert sub is not None and sub.state == "approved" and sub.fields["title"] == "Buurtkoor Deventer"
    assert sub.fields["text"] == "Elke dinsdag zingen buren samen." and sub.kb_path.startswith(
        "community/tip-"
    )
    await deliver(core, {"slack": bot.adapter.send})
    assert any("goedgekeurd" in t for t in dm_texts(bot.fake, MEMBER))


async def test_slack_reject_asks_the_reason_in_a_modal_and_a_member_cannot_press(slack):
    bot, core = slack
    await bot.command("/evenement", "Open atelier", "C0VRAGEN")
    await bot.settle()
    opened = bot.fake.views[-1]
    title = next(b for b in opened["blocks"] if b.get("block_id") == "title")
    assert title["element"]["initial_value"] == "Open atelier"
    ack = await bot.submit(opened, {"date": "blah", "place": "Ede", "link": "ftp://x"})
    assert set(ack["errors"]) == {"date", "link"}
    ack = await bot.submit(
        opened, {"date": "31 december 2026", "place": "Ede", "link": "https://ede.example"}
    )
    assert ack == {}
    await bot.settle()
    await deliver(core, {"slack": bot.adapter.send})
    [offer] = [c for c in bot.fake.to("chat.postMessage") if c.args["channel"] == ADMIN]
    sid = [e["value"] for b in offer.args["blocks"] if b["type"] == "actions" for e in b["elements"]][0]
    channel, ts = offer.result["channel"], offer.result["ts"]
    before = len(bot.fake.views)
    await click(bot, SUB_APPROVE, sid, channel, ts, MEMBER)  # a member with a forged press
    assert len(bot.fake.views) == before and core.community.queue.get(int(sid)).state == "pending"
    await click(bot, SUB_REJECT, sid, channel, ts, ADMIN)
    reason = bot.fake.views[-1]
    assert [b["block_id"] for b in reason["blocks"] if b["type"] == "input"] == ["reason"]
    assert (await bot.submit(reason, {"reason": ""}, user=ADMIN))["response_action"] == "errors"
    assert await bot.submit(reason, {"reason": "Graag met een tijd erbij."}, user=ADMIN) == {}
    await bot.settle()
    await deliver(core, {"slack": bot.adapter.send})
    told = [t for t in dm_texts(bot.fake, MEMBER) if "Graag met een tijd erbij." in t]
    assert told and "Open atelier" in told[0]


async def test_a_tampered_or_unknown_view_gets_a_clear_answer(slack):
    bot, core = slack
    view = {
        "type": "modal",
        "callback_id": "verbinder_form",
        "private_metadata": "{bad",
        "blocks": [],
        "title": {"type": "plain_text", "text": "x"},
        "id": "V1",
        "hash": "1",
    }
    assert await bot.submit(view, {}) == {}  # ignored, closed
    view["private_metadata"] = json.dumps({"form": "reject", "state": json.dumps({"submission": 99999})})
    view["blocks"] = [
        {
            "type": "input",
            "block_id": "reason",
            "label": {"type": "plain_text", "text": "r"},
            "element": {"type": "plain_text_input", "action_id": "reason"},
        }
    ]
    assert await bot.submit(view, {"reason": "nee"}) == {}
    await bot.settle()
    assert any("alleen een moderator" in t for t in dm_texts(bot.fake, MEMBER))


# -- Telegram ----------------------------------------------------------------------------------


async def telegram_adapter(rt: Runtime, api: FakeBotApi, core: BotCore, tmp: Path) -> TelegramAdapter:
    settings = rt.settings.model_copy(update={"telegram_webhook_url": "", "data_dir": tmp})
    a = TelegramAdapter(settings, core.service, request=api)
    a.backoff = 0.01
    await a.start()
    return a


async def say(a: TelegramAdapter, api: FakeBotApi, text: str) -> str:
    before = len(api.sent(ANNA["id"]))
    m = api.message(api.chats[ANNA["id"]], ANNA, text)
    app = a.application
    assert app is not None
    await app.process_update(Update.de_json(api.update(message=m), app.bot))
    new = api.sent(ANNA["id"])[before:]
    assert len(new) == 1, [c.params.get("text") for c in new]
    return str(new[0].params["text"])


async def test_telegram_steps_cancel_restart_and_moderation_from_slack(base, slack, tmp_path):
    bot, core = slack
    api = FakeBotApi()
    api.chat(ANNA["id"], first_name="Anna")
    a = await telegram_adapter(base, api, core, tmp_path)
    try:
        assert "(1/4) Titel" in await say(a, api, "/tip")
        assert "(2/4)" in await say(a, api, "Iets halfs")
        assert "niet ingestuurd" in await say(a, api, "/annuleren")
        assert "(1/4) Titel" in await say(a, api, "/tip")
        assert "(2/4)" in await say(a, api, "Verhalen in de bieb")
    finally:
        await a.stop()
    # The bot restarts (a new core and adapter on the same database): the steps go on.
    core2 = base.bot(Clock())
    a2 = await telegram_adapter(base, api, core2, tmp_path)
    try:
        assert "(3/4)" in await say(
            a2, api, "Ouderen vertellen elke vrijdag verhalen in de bibliotheek van Oss."
        )
        assert "(4/4)" in await say(a2, api, "-")
        assert "wacht nu op een moderator" in await say(a2, api, "Noord-Brabant")
        # The admin moderates it from Slack; Anna hears it on Telegram.
        await deliver(core2, {"slack": bot.adapter.send, "telegram": FakePlatforms().telegram})
        offer = [c for c in bot.fake.to("chat.postMessage") if c.args["channel"] == ADMIN][-1]
        sid = [e["value"] for b in offer.args["blocks"] if b["type"] == "actions" for e in b["elements"]][0]
        await click(bot, SUB_APPROVE, sid, offer.result["channel"], offer.result["ts"], ADMIN)
        before = len(api.sent(ANNA["id"]))
        await deliver(core2, {"slack": bot.adapter.send, "telegram": a2.send})
        [told] = api.sent(ANNA["id"])[before:]
        assert "goedgekeurd" in told.params["text"]
        assert "Verhalen in de bieb" in (await say(a2, api, "/mijn_bijdragen"))
    finally:
        await a2.stop()
    assert api.errors == []


async def test_the_events_feed_is_served_as_icalendar(slack):
    bot, core = slack
    people = core.people
    author = people.person("slack", MEMBER, "Lid Een")
    fields = {
        "title": "Koffieconcert",
        "date": "2026-03-20",
        "time": "15:00",
        "place": "Zwolle",
        "region": "",
        "text": "",
        "link": "",
    }
    sub = core.community.queue.submit(author, "slack", MEMBER, MEMBER, "event", fields, "nl")
    core.community.queue.approve(sub.id, "slack", ADMIN)
    app = web.Application()
    app.add_routes([calendar_route(core)])
    async with TestClient(TestServer(app)) as http:
        resp = await http.get("/events.ics")
        body = await resp.text()
    assert resp.status == 200 and resp.content_type == "text/calendar"
    assert "SUMMARY:Koffieconcert" in body and "DTSTART;TZID=Europe/Amsterdam:20260320T150000" in body


async def test_the_weekly_highlights_reach_both_fakes_valid_and_threaded(base, slack, tmp_path):
    """An approved tip shows up in the week's highlights; Slack gets Block Kit the fake accepts with
    the details in the post's thread, Telegram HTML the fake accepts."""
    from dataclasses import replace

    from bot.highlights.compose import week_of

    bot, core = slack
    author = core.people.person("telegram", str(ANNA["id"]), "Anna")
    fields = {
        "title": "Zingen in de wachtkamer",
        "text": "Elke week zingen we in de wachtkamer.",
        "themes": "muziek",
        "region": "Gelderland",
    }
    sub = core.community.queue.submit(
        author, "telegram", str(ANNA["id"]), str(ANNA["id"]), "tip", fields, "nl"
    )
    core.community.queue.approve(sub.id, "slack", ADMIN)
    poster = core.highlights.poster
    channels = (("slack", "C0HIGHLIGHTS"), ("telegram", str(-1001234)))
    poster.policy = replace(poster.policy, channels=channels, pin=True)
    week = week_of(core.highlights.clock())  # the week the tip was approved in
    api = FakeBotApi()
    api.chat(-1001234, "Cultuur & Zorg")
    api.chat(ANNA["id"], first_name="Anna")
    tg = await telegram_adapter(base, api, core, tmp_path)
    try:
        report = poster.post(week, "cli")
        assert sorted(report.queued) == [("slack", "C0HIGHLIGHTS"), ("telegram", "-1001234")]
        await deliver(core, {"slack": bot.adapter, "telegram": tg})
        await deliver(core, {"slack": bot.adapter, "telegram": tg})  # the thread, queued when the post went
    finally:
        await tg.stop()
    posts = [c for c in bot.fake.to("chat.postMessage") if c.args["channel"] == "C0HIGHLIGHTS"]
    assert len(posts) >= 2 and "thread_ts" not in posts[0].args
    assert all(p.args.get("thread_ts") == posts[0].result["ts"] for p in posts[1:])
    assert any("Zingen in de wachtkamer" in json.dumps(p.args["blocks"]) for p in posts)
    sent = api.sent(-1001234)
    assert (
        sent
        and sent[0].params.get("parse_mode") == "HTML"
        and "Zingen in de wachtkamer" in sent[0].params["text"]
    )
    assert api.errors == []


async def test_a_telegram_moderator_approves_with_the_inline_button(base, slack, tmp_path):
    """A Slack member's tip reaches a Telegram moderator with approve / edit / reject under it; the
    press approves it, the moderator is told in the chat (not in a 200-character toast)."""
    bot, core = slack
    core.people.grant("cli", core.people.person("telegram", str(ANNA["id"]), "Anna"), "moderator")
    await bot.command("/tip", "", "C0VRAGEN")
    await bot.settle()
    ack = await bot.submit(
        bot.fake.views[-1], {"title": "Koffie met kunst", "text": "Elke vrijdag in de bieb."}
    )
    assert ack == {}
    await bot.settle()
    api = FakeBotApi()
    api.chat(ANNA["id"], first_name="Anna")
    tg = await telegram_adapter(base, api, core, tmp_path)
    try:
        await deliver(core, {"slack": bot.adapter, "telegram": tg})
        [offer] = [c for c in api.sent(ANNA["id"]) if "Koffie met kunst" in c.params["text"]]
        keys = [b["callback_data"] for row in offer.params["reply_markup"]["inline_keyboard"] for b in row]
        assert [k.split(":")[0] for k in keys] == [SUB_APPROVE, SUB_EDIT, SUB_REJECT]
        message = api.messages[(ANNA["id"], offer.result["message_id"])]
        before = len(api.sent(ANNA["id"]))
        app = tg.application
        assert app is not None
        await app.process_update(
            Update.de_json(api.update(callback_query=api.callback(ANNA, message, keys[0])), app.bot)
        )
        [told] = api.sent(ANNA["id"])[before:]
        assert "staat nu in de kennisbank" in told.params["text"]
    finally:
        await tg.stop()
    sub = core.community.queue.list(state="approved", limit=1)
    assert sub and sub[0].title == "Koffie met kunst"
    assert api.errors == []
