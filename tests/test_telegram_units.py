"""Telegram rendering (escaping, splitting, buttons) and message translation, without a bot."""

from __future__ import annotations

import pytest
from support.fake_telegram import BOT_USER, FakeBotApi, parse_html, user
from telegram import Message, User

from adapters.telegram.incoming import to_incoming
from adapters.telegram.render import (
    CALLBACK_PREFIX,
    callback_data,
    callback_text,
    keyboard,
    parse_callback,
    render_parts,
    tg_len,
    to_plain,
)
from adapters.telegram.shape import problem, readable_updates
from bot.announcements.model import ACTIONS as ANNOUNCEMENT_ACTIONS
from bot.announcements.model import AN_CANCEL, AN_SEND
from bot.messages import ALL_ACTIONS, ASK_EXPERT, HELPFUL, NOT_HELPFUL, Button, ChatRef, Reply, Source

CHAT = ChatRef("telegram", "4201")
TRICKY = Source("a.md", 'Fondsen <voor> "dans" & beweging', 'https://example.org/a?x=1&y="2"<', "tip", 1.0)


def _reply(text: str, sources: tuple[Source, ...] = (), **kw: object) -> Reply:
    return Reply(chat=CHAT, text=text, sources=sources, **kw)  # type: ignore[arg-type]


def _visible(part: str) -> str:
    text, problems = parse_html(part)
    assert problems == [], (problems, part[:200])
    return text


def test_answer_and_sources_are_escaped():
    sources = (
        TRICKY,
        Source("b.md", "Zonder link", None, "", 0.5),
        Source("c.md", "Script", "javascript:alert(1)", "qa", 0.4),
    )
    reply = _reply("Kosten < 100 & meer > 5 “quote” [1]", sources)
    [part] = render_parts(reply)
    assert part.startswith("Kosten &lt; 100 &amp; meer &gt; 5 “quote” [1]\n\n<b>Bronnen</b>\n")
    assert (
        '[1] <a href="https://example.org/a?x=1&amp;y=&quot;2&quot;&lt;">Fondsen &lt;voor&gt; '
        "&quot;dans&quot; &amp; beweging</a> <i>(tip)</i>"
    ) in part
    assert "[2] Zonder link\n[3] Script <i>(qa)</i>" in part  # only http(s) links
    assert _visible(part).startswith("Kosten < 100 & meer > 5")
    english = render_parts(_reply("x", (TRICKY,), language="en"))[0]
    assert "<b>Sources</b>" in english


@pytest.mark.parametrize("limit", [4096, 300, 40])
def test_splitting_keeps_every_part_valid_and_loses_nothing(limit):
    words = ["a<b", "R&D", "x>y", "😀", "lang" * 30, "&amp;", '"quote"']
    text = "\n".join(" ".join(words[(i + j) % len(words)] for j in range(i % 9 + 1)) for i in range(700))
    text += "\n" + "z" * 9000  # one word longer than a message
    sources = (TRICKY, Source("b.md", "Titel " * 60, "https://example.org/" + "p" * 300, "project", 0.5))
    parts = render_parts(_reply(text, sources), limit=limit)
    assert len(parts) > 1
    visible = []
    for part in parts:
        assert 1 <= tg_len(part) <= limit
        visible.append(_visible(part))
    flat = "".join("".join(visible).split())
    assert flat.startswith("".join(text.split()))  # every character of the answer, in order
    assert 'Fondsen<voor>"dans"&beweging' in flat


def test_a_short_reply_is_one_part_and_blank_replies_none():
    assert render_parts(_reply("Hoi!")) == ["Hoi!"]
    assert render_parts(_reply("  \n ")) == []


def test_plain_text_fallback():
    [part] = render_parts(_reply("a < b", (TRICKY,)))
    plain = to_plain(part)
    assert plain.startswith(
        'a < b\n\nBronnen\n[1] Fondsen <voor> "dans" & beweging (https://example.org/a?x=1&y="2"<) (tip)'
    )
    assert tg_len(to_plain("&lt;" * 5000)) == 4096


def test_callback_data_round_trip_for_every_action():
    # Short prefixes for the question actions and the announcement's send / cancel (already posted);
    # every other feature action travels by its name (see below).
    assert set(CALLBACK_PREFIX) == {*ALL_ACTIONS, AN_SEND, AN_CANCEL}
    for action in (*ALL_ACTIONS, *ANNOUNCEMENT_ACTIONS):
        data = callback_data(Button(action, "x", "123456789012345678"))
        assert data is not None and len(data.encode()) <= 64
        assert parse_callback(data) == (action, 123456789012345678)
    assert callback_data(Button(HELPFUL, "x", "12")) == "fb:h:12"
    assert callback_data(Button(NOT_HELPFUL, "x", "12")) == "fb:n:12"
    assert callback_data(Button(ASK_EXPERT, "x", "12")) == "ex:12"
    for bad in ("", None, "fb:h:", "fb:h:x", "fb:x:1", "ex:1 ", "ex:-1", "ex:1234567890123456789", "Zz:1"):
        assert parse_callback(bad) is None
    # A feature's own action (moderation, highlights) travels by its name; the service knows it or not.
    assert callback_data(Button("sub_approve", "x", "12")) == "sub_approve:12"
    assert parse_callback("sub_approve:12") == ("sub_approve", 12) and parse_callback("zz:1") == ("zz", 1)
    assert (
        callback_data(Button("Dance!", "x", "1")) is None
        and callback_data(Button("x" * 60, "x", "1")) is None
    )
    assert callback_data(Button(HELPFUL, "x", "not a number")) is None


def test_keyboard_layout():
    buttons = (
        Button(HELPFUL, "👍", "7"),
        Button(NOT_HELPFUL, "👎", "7"),
        Button(ASK_EXPERT, "🙋", "7"),
        Button("Dance!", "?", "7"),  # no action name a feature could have: no button
    )
    rows = keyboard(_reply("x", buttons=buttons)).to_dict()["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in rows] == [["fb:h:7", "fb:n:7"], ["ex:7"]]
    assert keyboard(_reply("x")) is None
    assert len(callback_text("x" * 500)) == 200 and callback_text(" a \n b ") == "a b"


# -- translation ------------------------------------------------------------------------------

ME = User(BOT_USER["id"], BOT_USER["first_name"], True, username=BOT_USER["username"])
COMMANDS = ("vraag", "ask", "help")


def _message(fake: FakeBotApi, chat_id: int, text: str | None = None, **kw: object) -> Message:
    return Message.de_json(fake.message(fake.chat(chat_id), kw.pop("sender", user(1)), text, **kw), None)


def test_translation_of_mentions_commands_and_languages():
    fake = FakeBotApi()
    m = to_incoming(_message(fake, -100, "Hoi @VerbinderBot, waar zit het 😀 koor?"), ME, COMMANDS)
    assert m is not None and m.text == "Hoi , waar zit het 😀 koor?" and m.addressed and not m.direct
    assert m.chat == ChatRef("telegram", "-100") and m.language == "nl" and m.user_name == "Anna"
    assert to_incoming(_message(fake, -100, "Hoi @verbinderbot"), ME, COMMANDS).text == "Hoi"
    cmd = to_incoming(_message(fake, -100, "/Vraag@VerbinderBot  Wat\nkost het?"), ME, COMMANDS)
    assert (cmd.command, cmd.text) == ("vraag", "Wat\nkost het?")
    english = _message(fake, 5, "/onbekend", sender=user(5, language_code="en"))
    assert to_incoming(english, ME, COMMANDS).language == "en"
    # a caption mention addresses the bot; the photo is a file
    photo = [{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    msg = fake.message(
        fake.chat(-100),
        user(1),
        photo=photo,
        caption="@VerbinderBot wat is dit?",
        caption_entities=[{"type": "mention", "offset": 0, "length": 13}],
    )
    m = to_incoming(Message.de_json(msg, None), ME, COMMANDS)
    assert (m.text, m.media, m.addressed) == ("wat is dit?", "file", True)


def test_anonymous_admin_is_not_a_bot_but_other_bots_are():
    fake = FakeBotApi()
    group = fake.chat(-100)
    anonymous = user(1087968824, "Group", is_bot=True, username="GroupAnonymousBot")
    msg = fake.message(group, anonymous, "@VerbinderBot hoe werkt het?", sender_chat=group)
    assert to_incoming(Message.de_json(msg, None), ME, COMMANDS).from_bot is False
    msg = fake.message(group, user(9, is_bot=True), "@VerbinderBot hoe werkt het?")
    assert to_incoming(Message.de_json(msg, None), ME, COMMANDS).from_bot is True
    service = fake.message(group, user(1), new_chat_members=[BOT_USER])
    assert to_incoming(Message.de_json(service, None), ME, COMMANDS) is None


def test_updates_as_telegram_sends_them_are_readable():
    fake = FakeBotApi()
    group, forum = fake.chat(-100), fake.chat(-200, forum=True)
    photo = [{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    posted = fake.message(group, BOT_USER, "Antwoord")
    for kind in (
        {"message": fake.message(group, user(1), "@VerbinderBot /vraag wat?", reply_to=posted)},
        {"message": fake.message(forum, user(1), "hoi", thread=7)},
        {"message": fake.message(group, user(1), photo=photo, caption="kijk")},
        {"edited_message": {**fake.message(group, user(1), "hoi"), "edit_date": 1}},
        {"callback_query": fake.callback(user(1), posted, "fb:h:12")},
        {"channel_post": {"message_id": 3, "date": 1, "chat": {"id": -300, "type": "channel"}}},
    ):
        assert problem(fake.update(**kind)) is None, kind


def test_an_update_of_an_impossible_shape_is_named_by_its_field():
    fake = FakeBotApi()
    chat = fake.chat(5)
    good = fake.message(chat, user(5), "hoi @VerbinderBot")
    press = fake.callback(user(5), fake.message(chat, BOT_USER, "Antwoord"), "fb:h:1")
    cases = [
        ([1], "the update is not an object"),
        ({"update_id": "7"}, "update_id is not an integer"),
        ({"update_id": True}, "update_id is not an integer"),
        ({"message": "hallo"}, "message is not an object"),
        ({"message": [1, 2]}, "message is not an object"),
        ({"message": {k: v for k, v in good.items() if k != "from"}}, "message.from is missing"),
        ({"message": {**good, "from": "Anna"}}, "message.from is not an object"),
        ({"message": {**good, "from": {"id": "5", "is_bot": False, "first_name": "A"}}}, "message.from.id"),
        ({"message": {**good, "text": 12345}}, "message.text is not a string"),
        ({"message": {**good, "chat": {"id": 5}}}, "message.chat.type is missing"),
        ({"message": {**good, "entities": "@VerbinderBot"}}, "message.entities is not an array"),
        ({"message": {**good, "entities": [{"type": "mention", "offset": "4", "length": 13}]}}, "offset"),
        ({"message": {**good, "reply_to_message": {**good, "date": "gisteren"}}}, "reply_to_message.date"),
        ({"message": {**good, "sticker": "🙂"}}, "message.sticker is not an object"),
        ({"message": {**good, "new_chat_members": "x"}}, "PTB cannot read it"),
        ({"callback_query": {**press, "data": {"fb": 1}}}, "callback_query.data is not a string"),
        (
            {"callback_query": {k: v for k, v in press.items() if k != "from"}},
            "callback_query.from is missing",
        ),
        ({"inline_query": 5}, "inline_query is not an object"),
    ]
    for update, why in cases:
        if isinstance(update, dict) and "update_id" not in update:
            update = {"update_id": 1, **update}
        found = problem(update)
        assert found is not None and why in found, (update, found)


def test_polled_impossible_updates_keep_only_their_update_id():
    fake = FakeBotApi()
    good = fake.update(message=fake.message(fake.chat(5), user(5), "hoi"))
    result = readable_updates([good, {"update_id": 9, "message": "hallo"}, "noise", {"message": {}}])
    assert result == [good, {"update_id": 9}]  # 9 is confirmed; items without an id cannot be
