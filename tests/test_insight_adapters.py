"""The report through the real adapters and the fake platforms: on Telegram /rapport arrives in the
moderator's private chat as the text with its two charts as documents, /rapport csv as a CSV file,
and the weekly post goes out of the outbox the same way; on Slack /rapport in a channel puts the
report and its charts in the moderator's DM and tells the channel nothing but where it went."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.chat import reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, MEMBER, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
from support.slack_harness import Bot
from telegram import Update
from test_insight import NOW, synthetic_month, write
from test_insight_files import png_size

from adapters.slack.adapter import SlackAdapter
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


async def test_slack_rapport_in_a_channel_sends_the_report_and_charts_to_the_dm(
    base: Runtime, tmp_path: Path
):
    reset_conversations(base)
    write(base.sessions, synthetic_month())
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
    adapter = SlackAdapter(settings, core.service, retry_delays=(0.01, 0.02, 0.03))
    await adapter.start()
    app = web.Application()
    app.add_routes(adapter.routes())
    http = TestClient(TestServer(app))
    await http.start_server()
    bot = Bot(adapter, http, fake, core.service)
    try:
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
    finally:
        await http.close()
        await adapter.stop()
        await fake.close()
