"""Slack rendering (Block Kit, escaping, splitting), received-text cleanup and the app manifest."""

from __future__ import annotations

import json

import pytest
from support.docs import make_settings
from support.fake_slack import check_blocks

from adapters.slack.events import command_text, neutral_mentions, strip_mentions
from adapters.slack.manifest import BOT_EVENTS, BOT_SCOPES, manifest
from adapters.slack.render import (
    MAX_BLOCKS,
    MAX_ECHO,
    echo,
    escape,
    link,
    plain_text,
    render,
    split_text,
    unescape,
)
from app.runtime import ALL_COMMANDS
from bot.messages import Button, ChatRef, Reply, Source
from bot.texts import t

CHAT = ChatRef("slack", "C0RENDER", None)


def _reply(text: str, **kw: object) -> Reply:
    return Reply(chat=CHAT, text=text, **kw)  # type: ignore[arg-type]


def _answer(text: str, lang: str = "nl", sources: tuple[Source, ...] = (), qid: int = 7) -> Reply:
    return Reply(
        chat=CHAT,
        text=text,
        language=lang,
        sources=sources,
        question_id=qid,
        buttons=_buttons(lang, qid),
        reply_to="1.1",
    )


def _buttons(lang: str, qid: int) -> tuple[Button, ...]:
    return (
        Button("helpful", t("btn_helpful", lang), str(qid)),
        Button("not_helpful", t("btn_not_helpful", lang), str(qid)),
        Button("ask_expert", t("btn_ask_expert", lang), str(qid)),
    )


def test_answer_with_quotes_citations_sources_and_buttons():
    text = "Dit staat er in de kennisbank:\n“Zorg & welzijn <samen>” [1]\n“Kunst > niks” [2]"
    sources = (
        Source("a.md", "Fonds A & B", "https://example.org/a?x=1&y=2", "fonds", 1.0),
        Source("b.md", "Titel <B>", None, "tip", 0.5),
    )
    fallback, blocks = render(_answer(text, sources=sources))
    assert check_blocks(blocks) is None
    section, context, actions = blocks
    assert section["text"] == {
        "type": "mrkdwn",
        "verbatim": True,
        "text": (
            "Dit staat er in de kennisbank:\n“Zorg &amp; welzijn &lt;samen&gt;” [1]\n“Kunst &gt; niks” [2]"
        ),
    }
    assert context["elements"][0]["text"] == (
        "*Bronnen*\n[1] <https://example.org/a?x=1&amp;y=2|Fonds A &amp; B> · fonds\n"
        "[2] Titel &lt;B&gt; · tip"
    )
    assert [e["action_id"] for e in actions["elements"]] == ["helpful", "not_helpful", "ask_expert"]
    assert {e["value"] for e in actions["elements"]} == {"7"}
    assert [e.get("style") for e in actions["elements"]] == [None, None, "primary"]
    assert fallback.startswith("Dit staat er in de kennisbank:\n“Zorg &amp; welzijn")
    assert "[1] <https://example.org/a?x=1&amp;y=2|Fonds A &amp; B>" in fallback


def test_routed_answer_says_so_in_the_reply_language():
    reply = Reply(
        chat=CHAT,
        text=t("not_found", "en"),
        language="en",
        routed=True,
        question_id=3,
        buttons=_buttons("en", 3)[2:],
    )
    _, blocks = render(reply)
    assert [b["type"] for b in blocks] == ["section", "context", "actions"]
    assert blocks[1]["elements"][0]["text"] == f"→ {t('routed', 'en')}"
    assert [e["action_id"] for e in blocks[2]["elements"]] == ["ask_expert"]


def test_notice_is_one_section_without_buttons():
    fallback, blocks = render(_reply(t("media_only", "nl"), kind="notice"))
    assert fallback == t("media_only", "nl")
    assert blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": fallback, "verbatim": True}}]


def test_long_answers_are_split_into_sections_of_at_most_3000_chars():
    lines = [f"“{'woord ' * 60}& meer” [{i % 3 + 1}]" for i in range(40)]
    fallback, blocks = render(_answer("\n".join(lines)))
    assert check_blocks(blocks) is None
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s) <= 3000 for s in sections)
    assert "\n".join(sections) == escape("\n".join(lines))  # split at line ends, nothing lost
    assert len(fallback) <= 3000


def test_huge_text_stays_within_the_block_limit():
    _, blocks = render(_answer("x" * 200_000))
    assert len(blocks) == MAX_BLOCKS and check_blocks(blocks) is None
    assert blocks[-1]["type"] == "actions" and blocks[-2]["text"]["text"].endswith("…")


def test_split_never_cuts_an_entity():
    text = escape("a" * 2998 + "&&&&")
    pieces = split_text(text, 3000)
    assert "".join(pieces) == text
    assert all(not p.endswith(("&", "&a", "&am", "&amp")) for p in pieces)


def test_long_button_labels_are_shortened():
    reply = _reply("x", buttons=(Button("helpful", "l" * 200, "1"),))
    _, blocks = render(reply)
    assert len(blocks[-1]["elements"][0]["text"]["text"]) == 75
    assert check_blocks(blocks) is None


def test_asked_by_header_is_kept_unescaped_mrkdwn():
    header = t("asked_by", "nl", user="<@U1>", question=escape("a < b?"))
    fallback, blocks = render(_answer("antwoord"), header)
    assert blocks[0]["text"]["text"] == "<@U1> vroeg: a &lt; b?"
    assert fallback.startswith("<@U1> vroeg: a &lt; b?\nantwoord")


def test_a_quoted_question_is_cut_before_it_is_escaped():
    assert echo("a < b?") == "a &lt; b?"
    long = "a < b & c " * 4000
    quoted = echo(long)
    assert quoted.endswith("…") and len(unescape(quoted)) <= MAX_ECHO
    assert long.startswith(unescape(quoted)[:-1])  # no entity cut in two


@pytest.mark.parametrize(
    ("url", "title", "expected"),
    [
        ("https://x.org/a|b c", "T", "<https://x.org/a%7Cb%20c|T>"),
        ("javascript:alert(1)", "T", "T"),
        (None, "A > B", "A &gt; B"),
        ("mailto:info@x.org", "", "<mailto:info@x.org|mailto:info@x.org>"),
    ],
)
def test_links(url, title, expected):
    assert link(url, title) == expected


def test_plain_text_of_received_markup():
    raw = (
        "Wat is <https://x.org/a?b=1&amp;c=2|deze link> in <#C123|general> en <https://y.org>? &lt;3 <!here>"
    )
    assert plain_text(raw) == "Wat is deze link in #general en https://y.org? <3"


# -- manifest -------------------------------------------------------------------------------------


def test_manifest_for_socket_mode(tmp_path):
    m = manifest(ALL_COMMANDS, make_settings(tmp_path))
    json.dumps(m)  # serialisable as is
    assert set(m) == {"_metadata", "display_information", "features", "oauth_config", "settings"}
    info = m["display_information"]
    assert info["name"] == "Verbinder" and info["description"] == t("slack_app_description", "nl")
    assert len(info["description"]) <= 139 and 174 <= len(info["long_description"]) <= 4000
    features = m["features"]
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is False
    assert features["bot_user"]["display_name"] == "Verbinder"
    commands = {c["command"]: c for c in features["slash_commands"]}
    assert set(commands) == {
        "/vraag",
        "/ask",
        "/expert",
        "/antwoord",
        "/afwezig",
        "/beschikbaar",
        "/expertise",
        "/doorgeven",
        "/vrijgeven",
        "/tip",
        "/project",
        "/evenement",
        "/agenda",
        "/mijn_bijdragen",
        "/wie_ben_ik",
        "/koppel",
        "/mijn_gegevens",
        "/vergeet_mij",
        "/inzendingen",
        "/moderator_toevoegen",
        "/moderator_verwijderen",
        "/hoogtepunten",
        "/aankondiging",
        "/aankondigingen",
        "/rapport",
    }
    assert all(c["description"] and "url" not in c for c in commands.values())
    assert all(len(c["description"]) <= 100 for c in commands.values())
    assert all(len(c.get("usage_hint", "")) <= 100 for c in commands.values())
    assert commands["/antwoord"]["usage_hint"] and "usage_hint" not in commands["/beschikbaar"]
    assert commands["/ask"]["description"] == t("command_ask", "en")
    assert set(m["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert "chat:write.public" not in BOT_SCOPES and "reactions:write" in BOT_SCOPES
    s = m["settings"]
    assert s["socket_mode_enabled"] is True and s["interactivity"] == {"is_enabled": True}
    assert s["event_subscriptions"] == {"bot_events": list(BOT_EVENTS)}
    assert set(BOT_EVENTS) == {"app_mention", "message.im", "message.channels", "message.groups"}


def test_manifest_for_the_events_api(tmp_path):
    url = "https://verbinder.example.org/slack/events"
    m = manifest(ALL_COMMANDS, make_settings(tmp_path, slack_mode="http"), url)
    s = m["settings"]
    assert s["socket_mode_enabled"] is False
    assert s["event_subscriptions"]["request_url"] == url and s["interactivity"]["request_url"] == url
    assert all(c["url"] == url for c in m["features"]["slash_commands"])
    with pytest.raises(ValueError, match="request URL"):
        manifest(ALL_COMMANDS, make_settings(tmp_path, slack_mode="http"))
    with pytest.raises(ValueError, match="https://"):
        manifest(ALL_COMMANDS, make_settings(tmp_path), "http://localhost:3000/slack/events")


def test_strip_mentions():
    assert strip_mentions("<@U123ABC> hoe werkt het?") == "hoe werkt het?"
    assert strip_mentions("<@W1|anna>  vraag") == "vraag"
    assert strip_mentions("@VerbinderBot wat is dit", ("VerbinderBot",)) == "wat is dit"


def test_mentions_of_people_reach_the_core_as_user_ids():
    assert neutral_mentions("12 <@U0SANNE|sanne>") == "12 @U0SANNE"
    assert command_text("5 <@U0SANNE>  ", names_people=True) == "5 @U0SANNE"
    assert command_text("<@U0BOT> Wat kost &lt;dit&gt;?", names_people=False) == "Wat kost <dit>?"
