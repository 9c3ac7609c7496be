"""The report through the real adapters and the fake platforms: on Telegram /rapport arrives in the
moderator's private chat as the text with its two charts as documents, /rapport csv as a CSV file,
and the weekly post goes out of the outbox the same way; on Slack /rapport in a channel puts the
report and its charts in the moderator's DM and tells the channel nothing but where it went."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from support.chat import reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, MEMBER, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
from support.slack_harness import Bot, http_bot
from telegram import Update
from test_insight import NOW, synthetic_month, write
from test_insight_files import png_size

from adapters.telegram.adapter import TelegramAdapter
from app.runtime import Runtime, build_runtime

MOD = user(730099001, "Moderator")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    settings = make_settings(
        tmp_path_factory.mktemp("insight_adapters") / "data",
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        moderators=f"telegram:{MOD['id']}",
    )
    return build_runtime(settings)


async def test_the_report_and_the_csv_arrive_as_documents_in_the_private_chat(base: Runtime, tmp_path: Path):
    reset_conversations(base)
    write(base.sessions, synthetic_month())
    core = base.bot(Clock(NOW))
    api = FakeBotApi()
    chat = api.chat(MOD["id"], first_name="Moderator")
    a = TelegramAdapter(base.settings.model_copy(update={"data_dir": tmp_path}), core.service, request=api)
    a.backoff = 0.01
    await a.start()
    try:
        app = a.application
        assert app is not None

        async def say(text: str) -> None:
            await app.process_update(
                Update.de_json(api.update(message=api.message(chat, MOD, text)), app.bot)
            )

        await say("/rapport")
        texts = [c.params["text"] for c in api.sent(MOD["id"])]
        assert any(t.startswith("Rapport voor moderators") for t in texts)
        names = [d.filename for _, _, d in api.documents]
        assert names == ["vragen-per-week-2026-W45_2026-W48.png", "reactietijden-2026-W45_2026-W48.png"]
        assert all(png_size(d.data) == (1000, 500) for _, _, d in api.documents)
        await say("/rapport csv")
        assert api.documents[-1][2].filename == "vragen-2026-W45_2026-W48.csv"
        assert api.documents[-1][2].data.decode("utf-8-sig").startswith("question,follow_up_of,asker")
        # The weekly post: queued in the outbox, sent by the adapter with the same two charts.
        before = len(api.documents)
        assert core.insight.run_weekly(NOW) == 1
        while await core.outbox.deliver({"telegram": a}):
            pass
        assert [d.filename[-4:] for _, _, d in api.documents[before:]] == [".png", ".png"]
    finally:
        await a.stop()
    assert api.errors == []


@contextlib.asynccontextmanager
async def moderator_on_slack(base: Runtime, tmp_path: Path, rows: object) -> AsyncIterator[Bot]:
    """The insight rows stored, a Slack member who is moderator, and the bot in HTTP mode."""
    reset_conversations(base)
    write(base.sessions, rows)  # type: ignore[arg-type]
    rt = replace(base, settings=base.settings.model_copy(update={"moderators": f"slack:{MEMBER}"}))
    core = rt.bot(Clock(NOW))
    fake = await FakeSlack().start()
    settings = make_settings(
        tmp_path / "data",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        slack_mode="http",
    )
    try:
        async with http_bot(settings, core.service, fake) as bot:
            yield bot
    finally:
        await fake.close()


async def test_slack_rapport_in_a_channel_sends_the_report_and_charts_to_the_dm(
    base: Runtime, tmp_path: Path
):
    async with moderator_on_slack(base, tmp_path, synthetic_month()) as bot:
        fake = bot.fake
        resp = await bot.command("/rapport", "", "C0GENERAL")
        assert resp.status == 200
        await bot.settle()
        dm = "D" + MEMBER[1:]
        assert {s.channel for s in fake.shares} == {dm}  # the charts: only in the moderator's DM
        assert [s.names for s in fake.shares] == [
            ["vragen-per-week-2026-W45_2026-W48.png", "reactietijden-2026-W45_2026-W48.png"]
        ]
        posted = [
            c for c in fake.to("chat.postMessage") if "Rapport voor moderators" in str(c.args.get("text"))
        ]
        assert posted and all(c.args["channel"] in (MEMBER, dm) for c in posted)
        said = " ".join(str(c.args.get("text")) for c in fake.calls if c.method.startswith("response_url"))
        assert "privéchat" in said and "Rapport voor moderators" not in said  # the channel sees no figures


def long_month() -> object:
    """The synthetic month with every gap question 3,000 characters of emoji, accents and flags."""
    m = synthetic_month()
    filler = " ".join(["👩🏽‍⚕️ zorg café 🇳🇱 naïef"] * 120)
    for q in m.questions:
        if q["text"].startswith(("Welke verzekering", "Hoe meet ik", "Wie repareert", "Kan een clown")):
            q["text"] = f"{q['text']} {filler}"
    return m


async def test_a_long_report_of_52_weeks_stays_within_telegrams_limits(base: Runtime, tmp_path: Path):
    reset_conversations(base)
    write(base.sessions, long_month())  # type: ignore[arg-type]
    core = base.bot(Clock(NOW))
    api = FakeBotApi()
    chat = api.chat(MOD["id"], first_name="Moderator")
    a = TelegramAdapter(base.settings.model_copy(update={"data_dir": tmp_path}), core.service, request=api)
    a.backoff = 0.01
    await a.start()
    try:
        app = a.application
        assert app is not None
        update = api.update(message=api.message(chat, MOD, "/rapport 52"))
        await app.process_update(Update.de_json(update, app.bot))
        sent = api.sent(MOD["id"])
        texts = [str(c.params["text"]) for c in sent]
        assert len(texts) >= 2 and any("52 weken" in t for t in texts)  # over 4,096: split
        assert sum(t.count(" vragen · bot ") for t in texts) == 52  # every week's line arrived
        assert len(api.documents) == 2
        # Every button arrived, each with its own callback data, and a gap's ❓ works when pressed.
        [under] = [c for c in sent if c.params.get("reply_markup")]
        keys = [b for row in under.params["reply_markup"]["inline_keyboard"] for b in row]
        data = [b["callback_data"] for b in keys]
        assert len(data) == len(set(data)) == 11 and data[0] == "in_csv:52"
        ask = next(d for d in data if d.startswith("in_expert_a:"))
        press = api.callback(MOD, under.result, ask)
        before = len(api.sent(MOD["id"]))
        await app.process_update(Update.de_json(api.update(callback_query=press), app.bot))
        told = " ".join(str(c.params.get("text")) for c in api.sent(MOD["id"])[before:])
        assert "naar de experts" in told or "al bij de experts" in told, told
    finally:
        await a.stop()
    assert api.errors == []


async def test_a_long_report_of_52_weeks_stays_within_slacks_limits(base: Runtime, tmp_path: Path):
    async with moderator_on_slack(base, tmp_path, long_month()) as bot:
        fake = bot.fake
        resp = await bot.command("/rapport", "52", "C0GENERAL")
        assert resp.status == 200
        await bot.settle()
        failed = [(c.error, str(c.args)[:300]) for c in fake.to("chat.postMessage", ok=False)]
        assert failed == []
        posted = " ".join(
            str(c.args.get("text") or c.args.get("blocks")) for c in fake.to("chat.postMessage")
        )
        assert "52 weken" in posted and [len(s.names) for s in fake.shares] == [2]
        # The buttons arrived (Slack rejected the whole blocks when two buttons shared an action).
        buttons = [
            e["action_id"]
            for c in fake.to("chat.postMessage")
            for b in (
                json.loads(c.args["blocks"])
                if isinstance(c.args.get("blocks"), str)
                else c.args.get("blocks") or []
            )
            if b.get("type") == "actions"
            for e in b["elements"]
        ]
        assert buttons[0] == "in_csv" and len(buttons) == len(set(buttons)) == 11
        # A press on the first gap's ✍ reaches the feature: the /tip form opens, its title filled in.
        report = next(c for c in fake.to("chat.postMessage") if "52 weken" in str(c.args.get("text")))
        values = {
            e["action_id"]: e["value"]
            for b in (
                json.loads(report.args["blocks"])
                if isinstance(report.args["blocks"], str)
                else report.args["blocks"]
            )
            if b.get("type") == "actions"
            for e in b["elements"]
        }
        calls = len(fake.calls)
        status = await bot.click(
            "in_kb_a", values["in_kb_a"], str(report.args["channel"]), "1700000000.000100", None
        )
        assert status == 200
        await bot.settle()
        after = [c.method for c in fake.calls[calls:]]
        assert after == ["views.open"]
        [form] = [c for c in fake.calls[calls:]]
        assert "Deel een tip" in str(form.args["view"]) and "'initial_value'" in str(form.args["view"])
