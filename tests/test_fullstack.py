"""The whole expert loop through the real `verbinder run` plumbing, with only the platforms faked.

adapters/runner.serve() starts the real Slack adapter (HTTP Events API mode, its Web API pointed at
the local fake Slack of tests/fake_slack.py) and the real Telegram adapter (webhook mode, PTB talking
to the in-process fake Bot API of tests/fake_telegram.py), serves /slack/events and
/telegram/webhook on one local port, and runs the outbox dispatcher. The tests only post what the
platforms would post (signed Slack requests, Telegram updates with the secret header) to that port
and read what the bot posted from the fakes. The core (knowledge base, matching, routing, outbox)
is the real code on a temporary SQLite/Chroma data dir with the fixture corpus ingested.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import pytest
from support.chat import reset_conversations
from support.docs import make_settings
from support.fake_slack import BOT_USER, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BOT_USER as TG_BOT
from support.fake_telegram import FakeBotApi, user
from support.slack_harness import blocks_of, buttons_of, mrkdwn_of
from support.slack_payloads import block_actions, envelope, mention_event, message_event, new_ts
from support.stack import WEBHOOK_SECRET, stack_settings

from adapters.runner import make_adapters, run_delivery, serve
from adapters.slack.adapter import SlackAdapter
from adapters.slack.api import signed_headers
from adapters.slack.render import escape
from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH
from app.runtime import BotCore, Runtime, build_runtime
from bot.config import Settings
from bot.conversations.records import CLAIMED, EXPERT_ANSWERED, ROUTED
from bot.conversations.records import RESOLVED as ST_RESOLVED
from bot.delivery.outbox import NOTICE, enqueue
from bot.experts.directory import Expert
from bot.messages import CLAIM, KB_YES, RESOLVED, ChatRef, Posted, Reply
from bot.privacy.paraphrase import anonymise
from bot.texts import t

T = TypeVar("T")

# Unanswerable from the fixture corpus (routed), and the same question in other words.
ASK_KOOR = "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?"
PARA_KOOR = "Waar kan mijn moeder met dementie in Utrecht zingen?"
ANSWER_KOOR = (
    "Probeer het buurtkoor Stemmig in Utrecht-Oost; daar zingen mensen met dementie samen met "
    "hun mantelzorgers, elke donderdagmiddag."
)
ASK_FONDS = "Welk fonds betaalt een theaterproject met jongeren in Rotterdam?"
ANSWER_FONDS = "Vraag het Jeugdcultuurfonds Rotterdam; zij betalen tot 450 euro per project & per jaar."

# Who is who (Slack user ids start with U; Telegram user ids are numbers).
SANNE = "U0SANNE01"  # Slack expert: dementia and music
FATIMA = user(8801, "Fatima")  # Telegram expert: funds
MODERATOR = "U0MODER01"  # Slack moderator (an expert flagged as moderator)
ANNA = user(4201, "Anna")  # Telegram member
SLACK_MEMBER = "U0MEMBER2"  # Slack member
PIET = user(4301, "Piet")  # a Telegram member who is no expert


async def eventually(probe: Callable[[], T], timeout: float = 30.0, what: str = "") -> T:
    """Poll until `probe()` is truthy; returns it (fails the test after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or probe}")
        await asyncio.sleep(0.01)


@dataclass
class Team:
    sanne: Expert
    fatima: Expert
    moderator: Expert


@dataclass
class Stack:
    """A running `verbinder run` (serve) with both platforms faked, and a client for its HTTP port."""

    core: BotCore
    settings: Settings
    slack: FakeSlack
    tg: FakeBotApi
    http: aiohttp.ClientSession
    team: Team
    adapters: list[Any] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    @property
    def slack_adapter(self) -> SlackAdapter:
        return next(a for a in self.adapters if a.name == "slack")

    # -- what the platforms send the bot ---------------------------------------------------

    async def slack_post(self, body: str, content_type: str, **extra: str) -> int:
        headers = {"Content-Type": content_type, **signed_headers(SIGNING_SECRET, body), **extra}
        async with self.http.post(self.base + "/slack/events", data=body.encode(), headers=headers) as r:
            return r.status

    async def slack_event(self, event: dict[str, Any], event_id: str | None = None, **extra: str) -> int:
        return await self.slack_post(json.dumps(envelope(event, event_id)), "application/json", **extra)

    async def slack_click(self, action: str, value: str, channel: str, message_ts: str, who: str) -> int:
        payload = block_actions(
            action,
            value,
            channel,
            message_ts,
            thread_ts=None,
            response_url=self.slack.response_url("click"),
            user=who,
        )
        payload["user"].update(username=who.lower(), name=who.lower())
        return await self.slack_post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    async def tg_update(self, update: dict[str, Any]) -> int:
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        async with self.http.post(self.base + WEBHOOK_PATH, json=update, headers=headers) as r:
            return r.status

    async def tg_message(self, sender: dict[str, Any], text: str, **kw: Any) -> dict[str, Any]:
        msg = self.tg.message(self.tg.chats[sender["id"]], sender, text, **kw)
        assert await self.tg_update(self.tg.update(message=msg)) == 200
        return msg

    async def tg_press(self, sender: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
        press = self.tg.callback(sender, message, data)
        assert await self.tg_update(self.tg.update(callback_query=press)) == 200
        return press

    # -- what the bot posted ---------------------------------------------------------------

    def slack_posts(self, channel: str) -> list[Any]:
        return [c for c in self.slack.to("chat.postMessage") if c.args["channel"] == channel]

    def slack_ephemerals(self, who: str) -> list[Any]:
        return [c for c in self.slack.to("chat.postEphemeral") if c.args["user"] == who]

    async def slack_post_to(self, channel: str, n: int = 1) -> Any:
        """The n-th successful chat.postMessage to a channel (or user id), once it is there."""
        posts = await eventually(
            lambda: len(self.slack_posts(channel)) >= n and self.slack_posts(channel),
            what=f"post #{n} to Slack {channel}",
        )
        return posts[n - 1]

    async def slack_ephemeral_for(self, who: str, n: int = 1) -> Any:
        found = await eventually(
            lambda: len(self.slack_ephemerals(who)) >= n and self.slack_ephemerals(who),
            what=f"ephemeral #{n} for {who}",
        )
        return found[n - 1]

    async def tg_sent_to(self, chat_id: int, n: int = 1) -> Any:
        """The n-th successful sendMessage to a Telegram chat, once it is there."""
        sent = await eventually(
            lambda: len(self.tg.sent(chat_id)) >= n and self.tg.sent(chat_id),
            what=f"message #{n} to Telegram chat {chat_id}",
        )
        return sent[n - 1]

    async def tg_callback_answer(self, press: dict[str, Any]) -> dict[str, Any]:
        def answered() -> list[Any]:
            calls = self.tg.ok("answerCallbackQuery")
            return [c for c in calls if c.params["callback_query_id"] == press["id"]]

        return (await eventually(answered, what=f"answer to callback {press['id']}"))[0].params

    async def settled(self) -> None:
        """Wait until the outbox has sent everything and linked each sent message to its question.

        An expert reads an offer before replying to it. A reply in the few milliseconds between the
        platform showing the offer and the outbox recording its message id would not be recognised
        as a reply to the offer; no person is that fast, a test is.
        """
        await eventually(lambda: self.core.outbox.pending_count() == 0, what="an empty outbox")

    async def quiet(self, seconds: float = 0.3) -> None:
        """Let in-flight handlers and the outbox finish, so 'nothing more was sent' means something."""
        await asyncio.sleep(seconds)
        assert await self.slack_adapter.idle(timeout=10)
        await self.settled()


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("fullstack") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


def add_team(core: BotCore) -> Team:
    x = core.experts
    return Team(
        x.add(
            "Sanne",
            slack_user_id=SANNE,
            expertise="dementie en muziek, zingen met ouderen",
            tags="dementie, muziek, koor",
            regions="Utrecht",
        ),
        x.add(
            "Fatima",
            telegram_user_id=str(FATIMA["id"]),
            expertise="financiering en fondsen voor kunstprojecten en theater met jongeren",
            tags="financiering, fondsen",
        ),
        x.add("Moos", slack_user_id=MODERATOR, expertise="beleid", moderator=True),
    )


@pytest.fixture
async def stack(runtime: Runtime) -> AsyncIterator[Stack]:
    reset_conversations(runtime)
    slack = await FakeSlack().start()
    tg = FakeBotApi()
    for person in (ANNA, FATIMA, PIET):
        tg.chat(person["id"], first_name=person["first_name"])
    settings = stack_settings(runtime, slack)
    rt = replace(runtime, settings=settings)
    core = rt.bot()
    team = add_team(core)
    adapters = make_adapters(settings, core.service, telegram_request=tg)
    started, stop = asyncio.Event(), asyncio.Event()

    async def until() -> None:
        started.set()
        await stop.wait()

    task = asyncio.create_task(serve(settings, core, until, adapters=adapters))
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises what went wrong while starting
    async with aiohttp.ClientSession() as http:
        yield Stack(core, settings, slack, tg, http, team, adapters)
    stop.set()
    await asyncio.wait_for(task, 15)
    await slack.close()
    assert tg.errors == []  # nothing the bot sent would have been rejected by Telegram
    assert [c for c in slack.calls if c.error] == []  # ... nor by Slack


def qid_in(call: Any) -> int:
    """The question id behind a Slack post, from the value of its first button."""
    return int(buttons_of(call)[0]["value"])


# -----------------------------------------------------------------------------------------------


async def test_both_platforms_start_on_one_port(stack):
    async with stack.http.get(stack.base + "/healthz") as r:
        assert r.status == 200 and await r.json() == {"ok": True}
    assert [c.method for c in stack.slack.calls] == ["auth.test"]
    hook = stack.tg.ok("setWebhook")[0].params
    assert hook["url"].endswith(WEBHOOK_PATH) and hook["secret_token"] == WEBHOOK_SECRET
    async with stack.http.post(stack.base + WEBHOOK_PATH, json={"update_id": 1}) as r:
        assert r.status == 403  # no secret header
    async with stack.http.post(
        stack.base + "/slack/events", data=b"{}", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 401  # unsigned


async def test_telegram_asker_slack_expert_and_the_knowledge_base_learns(stack):
    # 1. A Telegram member asks privately what the knowledge base cannot answer.
    asked = await stack.tg_message(ANNA, ASK_KOOR)
    reply = await stack.tg_sent_to(ANNA["id"])
    text = reply.result["text"]
    assert t("not_found", "nl") in text and t("routed_to_expert", "nl") in text
    assert "Bronnen" not in text and "reply_markup" not in reply.params  # no sources, no buttons
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]

    # 2. The matched Slack expert gets a DM (posted to her user id) with a claim button and sources.
    offer = await stack.slack_post_to(SANNE)
    qid = qid_in(offer)
    q = stack.core.service.store.get(qid)
    assert q.text == ASK_KOOR and q.platform == "telegram" and q.status == ROUTED
    assert [(b["action_id"], b["value"]) for b in buttons_of(offer)] == [(CLAIM, str(qid))]
    assert f"#{qid}" in offer.args["text"] and ASK_KOOR in offer.args["text"] and "Anna" in offer.args["text"]
    assert any(b["type"] == "context" and "Bronnen" in b["elements"][0]["text"] for b in blocks_of(offer))
    assert "[1] <https://example.org/" in mrkdwn_of(offer)
    dm, offer_ts = offer.result["channel"], offer.result["ts"]
    assert dm == "D" + SANNE[1:] and "thread_ts" not in offer.args

    # 3. She claims it: a confirmation only she sees, and the asker hears who has it.
    assert await stack.slack_click(CLAIM, str(qid), dm, offer_ts, SANNE) == 200
    confirm = await stack.slack_ephemeral_for(SANNE)
    assert confirm.args["text"] == escape(t("claimed_ok", "nl", id=qid)) and confirm.args["channel"] == dm
    claimed = await stack.tg_sent_to(ANNA["id"], 2)
    assert claimed.result["text"] == t("asker_claimed", "nl", name="Sanne")
    assert claimed.result["text"] == "Sanne heeft je vraag opgepakt."
    assert claimed.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert stack.core.service.store.get(qid).status == CLAIMED

    # 4. She answers in the thread of the offer in her DM with the bot.
    await stack.settled()
    answer = message_event(dm, ANSWER_KOOR, user=SANNE, thread_ts=offer_ts, channel_type="im")
    assert await stack.slack_event(answer) == 200
    delivered = await stack.tg_sent_to(ANNA["id"], 3)
    # In the asker's chat, as a reply to the question, with the expert's name and a resolved button.
    assert delivered.result["text"] == t(
        "delivered", "nl", name="Sanne", question=ASK_KOOR, answer=ANSWER_KOOR
    )
    assert delivered.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert delivered.params["reply_markup"]["inline_keyboard"] == [
        [{"text": t("btn_resolved", "nl"), "callback_data": f"rs:{qid}"}]
    ]
    assert stack.core.service.store.get(qid).status == EXPERT_ANSWERED
    # Sanne is thanked in her DM and asked whether the answer may go into the knowledge base.
    thanks = await stack.slack_post_to(SANNE, 2)
    assert "Anna" in thanks.args["text"]
    assert [b["action_id"] for b in buttons_of(thanks)] == [KB_YES, "kb_no"]

    # 5. The asker marks it resolved (a popup for her; a note for Sanne).
    press = await stack.tg_press(ANNA, delivered.result, f"rs:{qid}")
    assert (await stack.tg_callback_answer(press))["text"] == t("resolved_thanks", "nl")
    note = await stack.slack_post_to(SANNE, 3)
    assert "Anna" in note.args["text"] and stack.core.service.store.get(qid).status == ST_RESOLVED

    # 6. Sanne lets the answer into the knowledge base.
    assert await stack.slack_click(KB_YES, str(qid), dm, thanks.result["ts"], SANNE) == 200
    published = await stack.slack_ephemeral_for(SANNE, 2)
    assert published.args["text"] == t("kb_published", "nl")

    # 7. A Slack member asks the same in other words: answered from the expert's entry, no expert bothered.
    today = stack.core.service.store.get(qid).updated_at.strftime("%Y-%m-%d")
    ts = new_ts()
    assert (
        await stack.slack_event(
            message_event("D0MEMBER2", PARA_KOOR, user=SLACK_MEMBER, ts=ts, channel_type="im")
        )
        == 200
    )
    kb_answer = await stack.slack_post_to("D0MEMBER2")
    assert kb_answer.args["thread_ts"] == ts
    body = mrkdwn_of(kb_answer)
    assert f"“{ANSWER_KOOR}” [1]" in body and t("qa_credit", "nl", name="Sanne", date=today) in body
    [sources] = [b["elements"][0]["text"] for b in blocks_of(kb_answer) if b["type"] == "context"]
    # The expert's entry, first; its title is the question without the place (bot/privacy/paraphrase.py).
    assert sources.splitlines()[1] == f"[1] {escape(anonymise(ASK_KOOR))} · qa"
    assert [b["action_id"] for b in buttons_of(kb_answer)] == ["helpful", "not_helpful", "ask_expert"]
    await stack.quiet()
    assert len(stack.slack_posts(SANNE)) == 3 and len(stack.tg.sent(ANNA["id"])) == 3
    assert stack.tg.sent(FATIMA["id"]) == [] and stack.slack_posts(MODERATOR) == []


async def test_slack_asker_in_a_channel_telegram_expert_answers_in_the_thread(stack):
    # A Slack member mentions the bot in a channel; the routed reply goes into the thread.
    ts = new_ts()
    assert (
        await stack.slack_event(
            mention_event("C0VRAGEN", f"<@{BOT_USER}> {ASK_FONDS}", user=SLACK_MEMBER, ts=ts)
        )
        == 200
    )
    routed = await stack.slack_post_to("C0VRAGEN")
    assert routed.args["thread_ts"] == ts and t("routed_to_expert", "nl") in routed.args["text"]
    assert buttons_of(routed) == []

    # The Telegram expert gets the offer in her private chat with the bot, with a claim button.
    offer = await stack.tg_sent_to(FATIMA["id"])
    q = stack.core.service.store.by_ref("slack", "C0VRAGEN", ts)
    assert q is not None and q.text == ASK_FONDS
    assert offer.params["reply_markup"]["inline_keyboard"] == [
        [{"text": t("btn_claim", "nl"), "callback_data": f"cl:{q.id}"}]
    ]
    assert f"#{q.id}" in offer.result["text"] and ASK_FONDS in offer.result["text"]

    # She answers by replying to the offer (which claims it on the way); Telegram delivers the
    # update twice (it did not see our 200 in time): one delivery.
    await stack.settled()
    reply = stack.tg.message(stack.tg.chats[FATIMA["id"]], FATIMA, ANSWER_FONDS, reply_to=offer.result)
    update = stack.tg.update(message=reply)
    assert await stack.tg_update(update) == 200 and await stack.tg_update(update) == 200
    delivered = await stack.slack_post_to("C0VRAGEN", 2)
    assert delivered.args["thread_ts"] == ts  # in the thread of the question
    assert delivered.args["text"] == escape(
        t("delivered", "nl", name="Fatima", question=ASK_FONDS, answer=ANSWER_FONDS)
    )
    assert [(b["action_id"], b["value"]) for b in buttons_of(delivered)] == [(RESOLVED, str(q.id))]
    consent = await stack.tg_sent_to(FATIMA["id"], 2)
    assert [b["callback_data"] for b in consent.params["reply_markup"]["inline_keyboard"][0]] == [
        f"kb:y:{q.id}",
        f"kb:n:{q.id}",
    ]
    assert stack.core.service.store.get(q.id).status == EXPERT_ANSWERED

    # A follow-up in the thread (no mention) goes straight to Fatima, and her answer back to the thread.
    follow_ts = new_ts()
    follow = message_event(
        "C0VRAGEN",
        "Kan dat ook voor een dansproject met jongeren?",
        user=SLACK_MEMBER,
        ts=follow_ts,
        thread_ts=ts,
    )
    assert await stack.slack_event(follow) == 200
    told = await stack.slack_post_to("C0VRAGEN", 3)
    assert told.args["text"] == t("followup_routed", "nl", name="Fatima") and told.args["thread_ts"] == ts
    follow_offer = await stack.tg_sent_to(FATIMA["id"], 3)
    assert "dansproject" in follow_offer.result["text"]
    await stack.settled()
    await stack.tg_message(FATIMA, "Ja, ook voor dans.", reply_to=follow_offer.result)
    second = await stack.slack_post_to("C0VRAGEN", 4)
    assert "Ja, ook voor dans." in second.args["text"] and second.args["thread_ts"] == ts
    await stack.quiet()
    assert stack.slack_posts(SANNE) == [] and len(stack.slack_posts("C0VRAGEN")) == 4
    assert len(stack.tg.sent(FATIMA["id"])) == 4  # offer, thanks, follow-up offer, thanks


async def test_non_experts_are_refused_and_a_redelivered_answer_is_delivered_once(stack):
    asked = await stack.tg_message(ANNA, ASK_KOOR)
    offer = await stack.slack_post_to(SANNE)
    qid, dm, offer_ts = qid_in(offer), offer.result["channel"], offer.result["ts"]

    # A Slack member who is no expert presses claim (e.g. on a forwarded offer): a polite refusal.
    assert await stack.slack_click(CLAIM, str(qid), "C0ANDERS", offer_ts, SLACK_MEMBER) == 200
    refusal = await stack.slack_ephemeral_for(SLACK_MEMBER)
    assert refusal.args["text"] == t("not_expert", "nl")
    # ... and so does a Telegram member who presses a claim button (on an offer forwarded to him).
    shared = {
        "message_id": 1,
        "from": TG_BOT,
        "chat": stack.tg.chats[PIET["id"]],
        "date": int(time.time()),
        "text": offer.args["text"],
    }
    press = await stack.tg_press(PIET, shared, f"cl:{qid}")
    assert (await stack.tg_callback_answer(press))["text"] == t("not_expert", "nl")
    assert stack.core.service.store.get(qid).status == ROUTED

    # The expert's answer event arrives twice (Slack retries when it misses our ack in time),
    # and once more under a new event id: one delivery.
    await stack.settled()
    answer = message_event(dm, ANSWER_KOOR, user=SANNE, thread_ts=offer_ts, channel_type="im")
    assert await stack.slack_event(answer, event_id="Ev0FULLSTACK1") == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await stack.slack_event(answer, event_id="Ev0FULLSTACK1", **retry) == 200
    assert await stack.slack_event(answer, event_id="Ev0FULLSTACK2") == 200
    delivered = await stack.tg_sent_to(ANNA["id"], 2)
    assert ANSWER_KOOR in delivered.result["text"]
    assert delivered.params["reply_parameters"]["message_id"] == asked["message_id"]
    # The moderator (an expert too) presses claim on the answered question: it is closed.
    assert await stack.slack_click(CLAIM, str(qid), "D" + MODERATOR[1:], offer_ts, MODERATOR) == 200
    closed = await stack.slack_ephemeral_for(MODERATOR)
    assert closed.args["text"] == t("question_closed", "nl", id=qid)
    await stack.quiet()
    assert len(stack.tg.sent(ANNA["id"])) == 2  # the routed reply and one delivery
    assert len(stack.slack_posts(SANNE)) == 2  # the offer and one thank-you
    # A Telegram update delivered twice (same update) is answered once too.
    msg = stack.tg.message(stack.tg.chats[ANNA["id"]], ANNA, ASK_FONDS)
    update = stack.tg.update(message=msg)
    assert await stack.tg_update(update) == 200 and await stack.tg_update(update) == 200
    await stack.tg_sent_to(ANNA["id"], 3)
    await stack.quiet()
    assert len(stack.tg.sent(ANNA["id"])) == 3 and len(stack.tg.sent(FATIMA["id"])) == 1


async def test_a_message_queued_while_the_dispatcher_looks_is_sent_at_once(runtime):
    """The wake-up is not lost when it lands between the dispatcher's last (empty) look and its nap.

    Found by bench/bench_delivery.py: about one answer in two hundred waited for the polling
    interval (5 s) instead of going out at once.
    """
    reset_conversations(runtime)
    core = runtime.bot()
    sent: list[Reply] = []

    class Telegram:
        name = "telegram"

        async def send(self, reply: Reply) -> list[Posted]:
            sent.append(reply)
            return [Posted(reply.chat.chat_id, str(len(sent)))]

    real_lease = core.outbox.lease
    looks = 0

    def lease(platforms: frozenset[str], limit: int = 20):  # type: ignore[no-untyped-def]
        nonlocal looks
        taken = real_lease(platforms, limit)
        looks += 1
        if looks == 1:
            assert taken == []
            # Another thread (an expert's answer being handled) commits a message and notifies,
            # just after this look found nothing.
            with core.outbox.sessions.begin() as s:
                enqueue(s, Reply(chat=ChatRef("telegram", str(ANNA["id"])), text="Antwoord"), NOTICE)
            core.outbox.notify()
        return taken

    core.outbox.lease = lease  # type: ignore[method-assign]
    tasks = run_delivery(core, [Telegram()], poll=60)  # type: ignore[list-item]  # the outbox polls every 5 s
    try:
        started = time.monotonic()
        await eventually(lambda: sent, timeout=4, what="the message queued during the look")
        assert time.monotonic() - started < 1.0
    finally:
        for task in tasks:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
