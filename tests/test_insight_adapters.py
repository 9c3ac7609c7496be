"""The report through a real adapter and the fake Telegram Bot API: /rapport arrives in the
moderator's private chat as the text with its two charts as documents, /rapport csv as a CSV file,
and the weekly post goes out of the outbox the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.chat import reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
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
