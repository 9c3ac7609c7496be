"""Privacy through a real adapter and the fake Telegram Bot API: /mijn_gegevens arrives as two
documents in the private chat, and forget-me takes back the bot's message in a group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.chat import reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi, user
from telegram import Update

from adapters.telegram.adapter import TelegramAdapter
from app.runtime import BotCore, Runtime, build_runtime
from bot.messages import Action, ChatRef
from bot.privacy.subject import subject_of
from bot.privacy.traces import find

MARIEKE = user(730012345, "Marieke")
QUESTION = "Wat is kunst op recept?"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    settings = make_settings(
        tmp_path_factory.mktemp("privacy_adapters") / "data",
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        forget_grace_hours=0,
    )
    rt = build_runtime(settings)
    assert rt.ingest([corpus_dir]).ok
    return rt


async def start(rt: Runtime, api: FakeBotApi, core: BotCore, tmp: Path) -> TelegramAdapter:
    settings = rt.settings.model_copy(update={"data_dir": tmp})
    a = TelegramAdapter(settings, core.service, request=api)
    a.backoff = 0.01
    await a.start()
    return a


async def write(a: TelegramAdapter, api: FakeBotApi, text: str) -> None:
    app = a.application
    assert app is not None
    m = api.message(api.chats[MARIEKE["id"]], MARIEKE, text)
    await app.process_update(Update.de_json(api.update(message=m), app.bot))


async def test_my_data_arrives_as_documents_and_forget_me_leaves_nothing(base, tmp_path):
    reset_conversations(base)
    clock = Clock()
    core = base.bot(clock)
    api = FakeBotApi()
    api.chat(MARIEKE["id"], first_name="Marieke")
    a = await start(base, api, core, tmp_path)
    try:
        await write(a, api, QUESTION)
        api.calls.clear()
        await write(a, api, "/mijn_gegevens")
        [text] = api.sent(MARIEKE["id"])
        assert "Dit is alles wat Verbinder over je bewaart" in text.params["text"]
        names = [d.filename for _, _, d in api.documents]
        assert len(names) == 2 and names[0].endswith(".json") and names[1].endswith(".csv")
        exported = json.loads(api.documents[0][2].data.decode("utf-8"))
        assert [q["text"] for q in exported["tables"]["questions"]] == [QUESTION]
        assert QUESTION in api.documents[1][2].data.decode("utf-8")
        # Forget me: confirm with the button, the job runs, nothing is left.
        await write(a, api, "/vergeet_mij")
        person = core.people.find("telegram", str(MARIEKE["id"]))
        assert person is not None
        [planned] = core.service.handle_action(
            Action(ChatRef("telegram", str(MARIEKE["id"])), str(MARIEKE["id"]), "pv_forget_ok", person.id)
        )
        await a.send(planned)
        clock.advance(minutes=1)
        core.scheduler.run_due()
        while await core.outbox.deliver({"telegram": a}):
            pass
        assert "gewist" in api.sent(MARIEKE["id"])[-1].params["text"]
        assert [c.method for c in api.ok() if c.method == "deleteMessage"]  # the bot's answer to her
        with base.sessions() as s:
            assert subject_of(s, person.id) is None
            assert find(s, [str(MARIEKE["id"]), "telegram:730012345", QUESTION]) == []
    finally:
        await a.stop()
    assert api.errors == []
