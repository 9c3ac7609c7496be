"""The Slack adapter end to end: signed HTTP requests in, calls to a fake Slack Web API out."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
import support.docs as D
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from support.docs import make_settings
from support.fake_slack import APP_TOKEN, BOT_ID, BOT_TOKEN, BOT_USER, MEMBER, SIGNING_SECRET, FakeSlack
from support.slack_harness import Bot, buttons_of, mrkdwn_of
from support.slack_payloads import block_actions, envelope, mention_event, message_event, new_ts, sign

from adapters.base import CredentialError
from adapters.slack.adapter import SlackAdapter
from adapters.slack.api import signed_headers
from adapters.slack.render import escape
from app.runtime import Runtime, build_runtime
from bot.conversations.records import EXPERT_REQUESTED
from bot.messages import CLAIM, Action, Button, ChatRef, Posted, Reply
from bot.service import Contribution
from bot.texts import t

KOOR_Q = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
MUSEUM_Q = "What does the Leeds museum offer people living with dementia?"
POETRY_Q = "What do young people write in the poetry workshops?"
KOOR_LINK = "<https://example.org/zilveren-stemmen|Seniorenkoor De Zilveren Stemmen in Amersfoort>"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, corpus_dir) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("slack") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
async def fake():
    server = await FakeSlack().start()
    yield server
    await server.close()


def _settings(fake: FakeSlack, tmp_path, **overrides: Any):
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
        "slack_mode": "http",
        **overrides,
    }
    return make_settings(tmp_path / "data", **values)


@pytest.fixture
async def make_bot(fake, runtime, tmp_path):
    made: list[Bot] = []

    async def make(**overrides: Any) -> Bot:
        service = runtime.service()
        adapter = SlackAdapter(_settings(fake, tmp_path, **overrides), service, retry_delays=(0.05, 0.1, 0.2))
        await adapter.start()
        app = web.Application()
        app.add_routes(adapter.routes())
        http = TestClient(TestServer(app))
        await http.start_server()
        made.append(Bot(adapter, http, fake, service))
        return made[-1]

    yield make
    for bot in made:
        await bot.http.close()
        await bot.adapter.stop()


@pytest.fixture
async def bot(make_bot) -> Bot:
    return await make_bot()


# -- questions ------------------------------------------------------------------------------------


async def test_direct_message_answered_in_thread_with_blocks_buttons_and_sources(bot):
    ts = new_ts()
    started = time.monotonic()
    assert await bot.event(message_event("D0DM00001", KOOR_Q, ts=ts, channel_type="im")) == 200
    assert time.monotonic() - started < 1.0  # acked before the answer is searched
    [post] = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert post.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert post.args["channel"] == "D0DM00001" and post.args["thread_ts"] == ts
    assert post.args["text"].startswith("Dit staat er in de kennisbank:")
    text = mrkdwn_of(post)
    assert f"“{D.KOOR_SENTENCE}” [1]" in text
    assert f"[1] {KOOR_LINK} · project" in text and "*Bronnen*" in text
    buttons = buttons_of(post)
    q = bot.service.store.by_ref("slack", "D0DM00001", ts)
    assert q is not None and q.user_id == MEMBER and q.user_name == "lid-ber1"
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("helpful", str(q.id)),
        ("not_helpful", str(q.id)),
        ("ask_expert", str(q.id)),
    ]
    assert [b["text"]["text"] for b in buttons] == ["👍 Nuttig", "👎 Niet nuttig", "🙋 Vraag een expert"]
    assert buttons[2]["style"] == "primary" and "style" not in buttons[0]
    # The answer itself is linked to the question (a reply to it is a follow-up).
    assert bot.service.store.by_ref("slack", "D0DM00001", post.result["ts"]).id == q.id
    [add] = bot.fake.to("reactions.add")
    [remove] = bot.fake.to("reactions.remove")
    assert add.args == {"channel": "D0DM00001", "timestamp": ts, "name": "eyes"} == remove.args
    assert bot.fake.calls.index(add) < bot.fake.calls.index(post) < bot.fake.calls.index(remove)


async def test_app_mention_in_a_channel_answers_in_english(bot):
    ts = new_ts()
    body = json.dumps(envelope(mention_event("C0GENERAL", f"<@{BOT_USER}> {MUSEUM_Q}", ts=ts)))
    resp = await bot.post(body, "application/json", signed_headers(SIGNING_SECRET, body))
    assert resp.status == 200
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0GENERAL" and post.args["thread_ts"] == ts
    assert "Here is what the knowledge base says" in post.args["text"]
    # (the quote may take the next sentence along when it answers too)
    assert f"“{D.MUSEUM_SENTENCE}" in mrkdwn_of(post) and "” [1]" in mrkdwn_of(post)
    assert "*Sources*" in mrkdwn_of(post)
    labels = [b["text"]["text"] for b in buttons_of(post)]
    assert labels == ["👍 Helpful", "👎 Not helpful", "🙋 Ask an expert"]
    q = bot.service.store.by_ref("slack", "C0GENERAL", ts)
    assert q.text == MUSEUM_Q  # the mention is not part of the question


async def test_channel_messages_only_in_answer_channels(make_bot):
    bot = await make_bot(slack_answer_channels="C0ANSWER, C0OTHER2")
    elsewhere = message_event("C0RANDOM", KOOR_Q)
    strange_thread = message_event("C0RANDOM", KOOR_Q, thread_ts=new_ts())  # not a thread of the bot
    assert await bot.event(elsewhere) == 200 and await bot.event(strange_thread) == 200
    ts = new_ts()
    assert await bot.event(message_event("C0ANSWER", KOOR_Q, ts=ts)) == 200
    [post] = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert post.args["channel"] == "C0ANSWER" and post.args["thread_ts"] == ts
    assert len(bot.fake.to("chat.postMessage")) == 1
    assert all(c.args["channel"] == "C0ANSWER" for c in bot.fake.to("reactions.add"))


async def test_thread_follow_up_is_read_with_the_earlier_question(bot):
    root = new_ts()
    await bot.event(mention_event("C0THREADS", f"<@{BOT_USER}> {KOOR_Q}", ts=root))
    await bot.fake.wait_for("chat.postMessage")
    first = bot.service.store.by_ref("slack", "C0THREADS", root)
    follow = new_ts()
    # No mention and not an answer channel: it is ours only because it is in the bot's thread.
    await bot.event(message_event("C0THREADS", "Hoeveel leden?", ts=follow, thread_ts=root))
    posts = await bot.fake.wait_for("chat.postMessage", 2)
    assert posts[1].args["thread_ts"] == root
    assert "veertig leden" in posts[1].args["text"]
    q = bot.service.store.by_ref("slack", "C0THREADS", follow)
    # The core linked it to the earlier question (and searched with it where that helps).
    assert q.parent_id == first.id and q.thread_id == root and q.text == "Hoeveel leden?"


async def test_file_without_text_in_a_dm_gets_the_text_only_notice(bot):
    event = message_event(
        "D0DM00002",
        "",
        channel_type="im",
        subtype="file_share",
        files=[{"id": "F0001", "name": "foto.jpg", "mimetype": "image/jpeg"}],
    )
    await bot.event(event)
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert post.args["text"] == t("media_only", "nl") and buttons_of(post) == []
    assert post.args["thread_ts"] == event["ts"]


async def test_bots_edits_and_deletions_are_ignored(bot):
    dm = "D0DM00003"
    own = message_event(dm, KOOR_Q, user=BOT_USER, channel_type="im", bot_id=BOT_ID)
    other_bot = message_event(dm, KOOR_Q, user="U0OTHERBOT", channel_type="im", bot_id="B0OTHER")
    classic = message_event(dm, KOOR_Q, channel_type="im", subtype="bot_message")
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": dm,
        "channel_type": "im",
        "hidden": True,
        "ts": new_ts(),
        "event_ts": new_ts(),
        "message": {"type": "message", "user": MEMBER, "text": KOOR_Q, "ts": new_ts()},
    }
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": dm,
        "channel_type": "im",
        "hidden": True,
        "ts": new_ts(),
        "deleted_ts": new_ts(),
        "event_ts": new_ts(),
    }
    for event in (own, other_bot, classic, edited, deleted):
        assert await bot.event(event) == 200
    await bot.settle()
    assert bot.fake.to("chat.postMessage") == [] and bot.fake.to("reactions.add") == []


# -- slash commands -------------------------------------------------------------------------------


async def test_slash_vraag_acks_at_once_and_answers_in_a_thread_under_the_question(bot):
    started = time.monotonic()
    resp = await bot.command("/vraag", KOOR_Q, "C0VRAGEN")
    assert resp.status == 200 and time.monotonic() - started < 1.0
    root, answer = await bot.fake.wait_for("chat.postMessage", 2)
    assert root.args["channel"] == "C0VRAGEN" and "thread_ts" not in root.args
    assert root.args["text"] == f"<@{MEMBER}> vroeg: {KOOR_Q}"
    assert answer.args["thread_ts"] == root.result["ts"] and answer.args["channel"] == "C0VRAGEN"
    q = bot.service.store.by_ref("slack", "C0VRAGEN", answer.args["thread_ts"])
    assert q is not None and q.text == KOOR_Q and q.message_id == answer.args["thread_ts"]
    assert q.user_name == "lid.een"
    assert f"“{D.KOOR_SENTENCE}” [1]" in mrkdwn_of(answer)


async def test_slash_ask_in_english(bot):
    await bot.command("/ask", POETRY_Q, "C0VRAGEN")
    root, answer = await bot.fake.wait_for("chat.postMessage", 2)
    assert root.args["text"] == f"<@{MEMBER}> asked: {POETRY_Q}"
    assert "Here is what the knowledge base says" in answer.args["text"]
    assert f"“{D.DOCX_SENTENCE}" in mrkdwn_of(answer) and "” [1]" in mrkdwn_of(answer)


async def test_slash_command_without_a_question_gets_the_usage_privately(bot):
    resp = await bot.command("/vraag", "  ", "C0VRAGEN")
    assert resp.status == 200
    [usage] = await bot.fake.wait_for("response_url.cmd")
    assert usage.args["response_type"] == "ephemeral" and usage.args["text"] == t("ask_usage", "nl")
    await bot.settle()
    assert bot.fake.to("chat.postMessage") == []


async def test_slash_command_where_the_bot_is_not_a_member_answers_through_response_url(bot):
    bot.fake.not_in_channel.add("C0PRIVATE")
    await bot.command("/vraag", KOOR_Q, "C0PRIVATE")
    [reply] = await bot.fake.wait_for("response_url.cmd")
    assert reply.args["response_type"] == "in_channel" and reply.args["replace_original"] is False
    assert reply.args["text"].startswith(f"<@{MEMBER}> vroeg: {KOOR_Q}")
    assert f"“{D.KOOR_SENTENCE}” [1]" in reply.args["text"]
    assert [b["action_id"] for b in buttons_of(reply)] == ["helpful", "not_helpful", "ask_expert"]
    assert len(bot.fake.to("chat.postMessage", ok=False)) == 1  # one try: not_in_channel is final


# -- buttons --------------------------------------------------------------------------------------


async def test_buttons_store_feedback_and_ask_an_expert_once(bot):
    root = new_ts()
    await bot.event(message_event("D0DM00004", KOOR_Q, ts=root, channel_type="im"))
    [answer] = await bot.fake.wait_for("chat.postMessage")
    qid = buttons_of(answer)[0]["value"]
    answer_ts = answer.result["ts"]

    assert await bot.click("helpful", qid, "D0DM00004", answer_ts, root) == 200
    [thanks] = await bot.fake.wait_for("chat.postEphemeral")
    assert thanks.args["user"] == MEMBER and thanks.args["thread_ts"] == root
    assert thanks.args["text"] == t("thanks_feedback", "nl")
    assert bot.service.store.feedback_for(int(qid)) == {MEMBER: "helpful"}

    assert await bot.click("ask_expert", qid, "D0DM00004", answer_ts, root) == 200
    _, received = await bot.fake.wait_for("chat.postMessage", 2)
    assert received.args["text"] == t("expert_requested", "nl") and received.args["thread_ts"] == root
    assert bot.service.store.get(int(qid)).status == EXPERT_REQUESTED

    assert await bot.click("ask_expert", qid, "D0DM00004", answer_ts, root) == 200
    _, already = await bot.fake.wait_for("chat.postEphemeral", 2)
    assert already.args["text"] == t("expert_already", "nl")
    await bot.settle()
    assert len(bot.fake.to("chat.postMessage")) == 2


async def test_redelivered_click_and_unknown_actions_do_nothing(bot):
    payload = block_actions(
        "helpful", "999999", "C0X", new_ts(), thread_ts=None, response_url=bot.fake.response_url("click")
    )
    body = urlencode({"payload": json.dumps(payload)})
    assert (await bot.post(body, "application/x-www-form-urlencoded")).status == 200
    await bot.fake.wait_for("chat.postEphemeral")  # unknown question: a notice for the member
    redelivered = await bot.post(body, "application/x-www-form-urlencoded", **{"X-Slack-Retry-Num": "1"})
    assert redelivered.status == 200
    assert await bot.click("open_dashboard", "1", "C0X", new_ts(), None) == 200
    await bot.settle()
    [notice] = bot.fake.to("chat.postEphemeral")
    assert notice.args["text"] == t("unknown_question", "nl")
    assert bot.fake.to("chat.postMessage") == []


async def test_buttons_of_the_expert_workflow_reach_their_core_handler(bot):
    pressed: list[Action] = []

    def claim(act: Action) -> list[Reply]:
        pressed.append(act)
        return [Reply(chat=act.chat, text="Opgepakt", ephemeral_user=act.user_id, kind="notice")]

    class Claims:  # a feature that handles the claim button (as the experts feature does)
        name = "claims"

        def contribution(self) -> Contribution:
            return Contribution(actions={CLAIM: claim})

    bot.service.register(Claims())
    root = new_ts()
    await bot.event(message_event("D0DM00010", KOOR_Q, ts=root, channel_type="im"))
    [answer] = await bot.fake.wait_for("chat.postMessage")
    qid = buttons_of(answer)[0]["value"]
    assert await bot.click(CLAIM, qid, "C0EXPERTS", new_ts(), None) == 200
    [notice] = await bot.fake.wait_for("chat.postEphemeral")
    assert notice.args["text"] == "Opgepakt" and "thread_ts" not in notice.args
    [act] = pressed
    assert (act.action, act.question_id, act.user_id, act.chat) == (
        CLAIM,
        int(qid),
        MEMBER,
        ChatRef("slack", "C0EXPERTS", None),
    )


async def test_send_update_and_delete_for_the_outbox(bot):
    offer = Reply(
        chat=ChatRef("slack", "C0EXPERTS", None),
        text="Nieuwe vraag: <wie> weet dit?",
        question_id=5,
        buttons=(Button(CLAIM, "Ik pak hem op", "5"),),
        kind="notice",
    )
    [(chat, ts)] = await bot.adapter.send(offer)
    [call] = bot.fake.to("chat.postMessage")
    assert (chat, ts) == ("C0EXPERTS", call.result["ts"]) and "thread_ts" not in call.args
    assert call.args["text"] == "Nieuwe vraag: &lt;wie&gt; weet dit?"
    assert [(b["action_id"], b["value"]) for b in buttons_of(call)] == [(CLAIM, "5")]
    direct = Reply(chat=ChatRef("slack", "U0EXPERT1", None), text="Een vraag voor jou", kind="notice")
    [dm] = await bot.adapter.send(direct)
    assert dm.chat_id == "D0EXPERT1"  # Slack posts a message to a user id in the DM channel with them
    bot.fake.fail("chat.postMessage", "internal_error", times=4)
    with pytest.raises(RuntimeError):  # the outbox keeps the message and tries again later
        await bot.adapter.send(offer)
    # An announcement edited and withdrawn: chat.update and chat.delete of the bot's own post.
    await bot.adapter.update(Posted(chat, ts), replace(offer, text="Vraag 5 is opgepakt", buttons=()))
    [edit] = bot.fake.to("chat.update")
    assert (edit.args["channel"], edit.args["ts"], edit.args["text"]) == (
        "C0EXPERTS",
        ts,
        "Vraag 5 is opgepakt",
    )
    assert buttons_of(edit) == [] and bot.fake.messages[("C0EXPERTS", ts)]["text"] == "Vraag 5 is opgepakt"
    await bot.adapter.delete(dm)
    assert [c.args["ts"] for c in bot.fake.to("chat.delete")] == [dm.message_id]
    assert ("D0EXPERT1", dm.message_id) not in bot.fake.messages
    with pytest.raises(RuntimeError):  # gone already: Slack says message_not_found, nothing to retry
        await bot.adapter.delete(dm)
    assert [c.error for c in bot.fake.calls if c.method == "chat.delete"] == [None, "message_not_found"]


# -- delivery -------------------------------------------------------------------------------------


async def test_mention_message_pair_and_retries_are_answered_once(bot):
    ts = new_ts()
    text = f"<@{BOT_USER}> {KOOR_Q}"
    mention = mention_event("C0DUPES", text, ts=ts)
    assert await bot.event(mention, event_id="Ev0DUPE0001") == 200
    assert await bot.event(message_event("C0DUPES", text, ts=ts), event_id="Ev0DUPE0002") == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await bot.event(mention, event_id="Ev0DUPE0001", **retry) == 200
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert len(bot.fake.to("chat.postMessage")) == 1 and len(bot.fake.to("reactions.add")) == 1


async def test_bad_signatures_and_stale_requests_are_refused(bot):
    body = json.dumps(envelope(message_event("D0DM00005", KOOR_Q, channel_type="im")))
    wrong = await bot.post(body, "application/json", sign(body, secret="not-the-secret"))
    stale = await bot.post(body, "application/json", sign(body, timestamp=int(time.time()) - 600))
    unsigned = await bot.post(body, "application/json", {})
    assert (wrong.status, stale.status, unsigned.status) == (401, 401, 401)
    challenge = json.dumps({"token": "x", "challenge": "c4ll3ng3", "type": "url_verification"})
    resp = await bot.post(challenge, "application/json")
    assert resp.status == 200 and (await resp.json())["challenge"] == "c4ll3ng3"
    await bot.settle()
    assert [c.method for c in bot.fake.calls] == ["auth.test"]


async def test_rate_limited_post_waits_for_retry_after_and_is_delivered_once(bot):
    bot.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
    ts = new_ts()
    await bot.event(message_event("D0DM00006", KOOR_Q, ts=ts, channel_type="im"))
    [post] = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    [limited] = bot.fake.to("chat.postMessage", ok=False)
    assert limited.error == "ratelimited" and post.args["thread_ts"] == ts
    assert bot.fake.calls.index(limited) < bot.fake.calls.index(post)


async def test_transient_errors_are_retried_and_reaction_failures_ignored(bot):
    bot.fake.fail("chat.postMessage", "internal_error", times=2)
    bot.fake.fail("reactions.add", "missing_scope")
    await bot.event(message_event("D0DM00007", KOOR_Q, channel_type="im"))
    [post] = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert len(bot.fake.to("chat.postMessage", ok=False)) == 2
    assert bot.fake.to("reactions.remove") == []  # nothing to remove when adding failed
    assert "Dit staat er" in post.args["text"]


async def test_a_post_that_keeps_failing_is_given_up_without_crashing(bot):
    bot.fake.fail("chat.postMessage", "fatal_error", times=4)
    await bot.event(message_event("D0DM00008", KOOR_Q, channel_type="im"))
    await bot.settle()
    assert len(bot.fake.to("chat.postMessage", ok=False)) == 4 and bot.fake.to("chat.postMessage") == []
    assert len(bot.fake.to("reactions.remove")) == 1
    await bot.event(message_event("D0DM00008", MUSEUM_Q, channel_type="im"))
    await bot.fake.wait_for("chat.postMessage")  # the adapter still works


# -- start / modes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"slack_bot_token": ""}, "VERBINDER_SLACK_BOT_TOKEN is missing"),
        ({"slack_bot_token": "xoxp-user-token"}, "VERBINDER_SLACK_BOT_TOKEN must be a bot token"),
        ({"slack_mode": "socket", "slack_app_token": ""}, "VERBINDER_SLACK_APP_TOKEN"),
        ({"slack_mode": "socket", "slack_app_token": "xoxb-wrong-kind"}, "VERBINDER_SLACK_APP_TOKEN"),
        ({"slack_signing_secret": ""}, "VERBINDER_SLACK_SIGNING_SECRET is missing"),
    ],
)
async def test_start_names_the_missing_or_malformed_setting(fake, runtime, tmp_path, overrides, needle):
    adapter = SlackAdapter(_settings(fake, tmp_path, **overrides), runtime.service())
    with pytest.raises(CredentialError) as err:
        await adapter.start()
    assert needle in str(err.value) and "\n" not in str(err.value)
    assert fake.calls == []


async def test_start_reports_a_rejected_token(fake, runtime, tmp_path):
    fake.fail("auth.test", "invalid_auth")
    adapter = SlackAdapter(_settings(fake, tmp_path), runtime.service())
    with pytest.raises(CredentialError, match=r"^Slack rejected VERBINDER_SLACK_BOT_TOKEN \(invalid_auth\)$"):
        await adapter.start()


async def test_socket_mode_receives_events_over_the_websocket(make_bot, fake):
    bot = await make_bot(slack_mode="socket", slack_app_token=APP_TOKEN, slack_signing_secret="")
    assert bot.adapter.routes() == []
    [opened] = fake.to("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    assert bot.adapter.bot_user_id == BOT_USER
    ts = new_ts()
    envelope_id = await fake.push(envelope(message_event("D0DM00009", KOOR_Q, ts=ts, channel_type="im")))
    [post] = await fake.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == ts
    assert {"envelope_id": envelope_id} in [{"envelope_id": a.get("envelope_id")} for a in fake.acks]


async def test_start_reports_a_rejected_app_token_and_an_unreachable_api(fake, runtime, tmp_path):
    settings = _settings(fake, tmp_path, slack_mode="socket", slack_app_token="xapp-1-revoked")
    with pytest.raises(CredentialError, match=r"^Slack rejected VERBINDER_SLACK_APP_TOKEN \(invalid_auth\)$"):
        await SlackAdapter(settings, runtime.service()).start()
    await fake.close()
    with pytest.raises(CredentialError, match="Cannot reach the Slack Web API at .*VERBINDER_SLACK_API_URL"):
        await SlackAdapter(_settings(fake, tmp_path), runtime.service()).start()


async def test_invalid_unicode_in_an_event_is_cleaned_and_answered(bot):
    # A lone surrogate arrives as a JSON escape in a correctly signed event.
    ts = new_ts()
    assert (
        await bot.event(message_event("D0DM00001", KOOR_Q + " \ud800\x00", ts=ts, channel_type="im")) == 200
    )
    [post] = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert post.args["text"].startswith("Dit staat er in de kennisbank:")
    q = bot.service.store.by_ref("slack", "D0DM00001", ts)
    assert q is not None and q.text == KOOR_Q + " \ufffd"


async def test_a_bad_timestamp_is_401_and_a_signed_malformed_body_is_400(bot, caplog):
    body = json.dumps(envelope(message_event("D0DM00006", KOOR_Q, channel_type="im")))
    bad_stamp = {**sign(body), "X-Slack-Request-Timestamp": "gisteren"}
    assert (await bot.post(body, "application/json", bad_stamp)).status == 401
    for broken, kind in (
        ('{"type": "event_callback", "event": ', "application/json"),
        ("payload=%7Bniet-json", "application/x-www-form-urlencoded"),
        ("%%%=&&", "application/x-www-form-urlencoded"),
    ):
        resp = await bot.post(broken, kind, sign(broken))
        assert resp.status == 400, broken
    # Signed JSON with other types than Slack's: Bolt read "user" as an object and raised.
    for event in (
        {"type": "app_mention", "user": 5, "channel": True, "text": "hoi"},
        ["niet", "een", "event"],
        None,  # an event callback without its event
    ):
        body = json.dumps({"type": "event_callback", "event": event, "event_id": "Ev1", "team_id": 7})
        assert (await bot.post(body, "application/json", sign(body))).status in (200, 400), event
    # A press without actions, or whose action has no action_id: Bolt reads actions[0].action_id.
    for actions in ([], [{"value": "1", "type": "button"}]):
        press = block_actions("helpful", "1", "C0GENERAL", "1.1", thread_ts=None, response_url="https://x/y")
        form = urlencode({"payload": json.dumps({**press, "actions": actions})})
        resp = await bot.post(form, "application/x-www-form-urlencoded", sign(form))
        assert resp.status == 400, actions
    await bot.settle()
    assert "Traceback" not in caplog.text
    assert [c.method for c in bot.fake.calls] == ["auth.test"]


async def test_no_token_secret_or_message_text_in_the_log_at_info(make_bot, fake, tmp_path, caplog):
    import logging

    from app import redaction

    caplog.set_level(logging.INFO)
    redaction.install(_settings(fake, tmp_path))
    logging.getLogger().handlers.append(
        caplog.handler
    ) if caplog.handler not in logging.getLogger().handlers else None
    redaction.install(_settings(fake, tmp_path))
    bot = await make_bot()
    ts = new_ts()
    assert await bot.event(message_event("D0DM00007", KOOR_Q, ts=ts, channel_type="im")) == 200
    await bot.fake.wait_for("chat.postMessage")
    bad = json.dumps(envelope(message_event("D0DM00007", "geheime vraag", channel_type="im")))
    assert (await bot.post(bad, "application/json", sign(bad, secret="not-the-secret"))).status == 401
    await bot.settle()
    logging.getLogger("adapters.slack").info("token in a message: %s", BOT_TOKEN)  # our own slip
    logging.getLogger("httpx").info(
        "HTTP Request: POST https://api.telegram.org/bot123456789:%s/getMe", "A" * 35
    )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert BOT_TOKEN not in text and SIGNING_SECRET not in text and "A" * 35 not in text
    assert KOOR_Q not in text and "geheime vraag" not in text
    assert "token in a message: ***" in text


async def test_a_very_long_slash_question_is_quoted_short_and_answered_in_its_thread(bot):
    # ~35,000 characters, with markup that escaping lengthens: the "asked by" post quoted all of
    # it and Slack refused it (msg_too_long), so there was no thread and the reply went through
    # the command's response_url. Now the post quotes the start; the core's one clear message
    # comes in its thread.
    question = (KOOR_Q + " <koor> & <ouderen> ") * 460
    assert (await bot.command("/vraag", escape(question), "C0VRAGEN")).status == 200  # as Slack sends it
    root, answer = await bot.fake.wait_for("chat.postMessage", 2)
    await bot.settle()
    assert bot.fake.to("chat.postMessage", ok=False) == [] and bot.fake.to("response_url.cmd") == []
    header = root.args["text"]
    assert header.startswith(f"<@{MEMBER}> vroeg: {KOOR_Q} &lt;koor&gt; &amp; &lt;ouderen&gt;")
    assert header.endswith("…") and len(header) <= 400
    assert answer.args["thread_ts"] == root.result["ts"] and answer.args["channel"] == "C0VRAGEN"
    limit = bot.adapter.settings.max_question_chars
    assert answer.args["text"] == t("too_long", "nl", n=len(question.strip()), limit=limit)
