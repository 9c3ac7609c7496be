"""The service layer: which messages get replies, exactly once, with follow-up context and buttons."""

from __future__ import annotations

import pytest

from bot.conversations.records import ANSWERED, ASKED, EXPERT_REQUESTED, ROUTED
from bot.messages import ASK_EXPERT, HELPFUL, NOT_HELPFUL, Action, ChatRef, Incoming
from bot.service import Service
from bot.texts import t

KOOR_Q = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
_counter = iter(range(10_000, 99_999))


def _msg(text: str, chat: str = "D1", *, thread: str | None = None, **kw: object) -> Incoming:
    fields: dict = {"direct": True, "user_id": "U1", "user_name": "Anna"}
    fields.update(kw)
    return Incoming(ChatRef("test", chat, thread), str(next(_counter)), text=text, **fields)


@pytest.fixture
def svc(kb) -> Service:
    return kb.rt.service()


def test_direct_question_gets_sourced_answer_with_three_buttons(svc):
    [r] = svc.handle(_msg(KOOR_Q))
    assert not r.routed and r.sources and "[1]" in r.text
    assert [b.action for b in r.buttons] == [HELPFUL, NOT_HELPFUL, ASK_EXPERT]
    assert {b.value for b in r.buttons} == {str(r.question_id)}
    q = svc.store.get(r.question_id)
    assert q.status == ANSWERED and q.text == KOOR_Q and q.sources[0]["path"] == r.sources[0].path
    assert [e.status for e in svc.store.events(q.id)] == [ASKED, ANSWERED]


def test_unanswerable_question_is_routed_with_only_the_expert_button(svc):
    [r] = svc.handle(_msg("Wat is de hoofdstad van Mongolië?"))
    assert r.routed and not r.sources
    assert [b.action for b in r.buttons] == [ASK_EXPERT]
    assert svc.store.get(r.question_id).status == ROUTED


def test_same_message_twice_is_answered_once(svc):
    m = _msg(KOOR_Q)
    assert len(svc.handle(m)) == 1
    assert svc.handle(m) == []
    assert not svc.accept(m)


def test_channel_message_without_mention_is_ignored_and_not_claimed(svc):
    m = _msg(KOOR_Q, chat="C9", direct=False)
    assert svc.handle(m) == []
    addressed = Incoming(m.chat, m.message_id, m.user_id, m.text, addressed=True)
    assert len(svc.handle(addressed)) == 1  # the same message, mentioned after all: still answerable


def test_bots_and_edits_are_silent(svc):
    assert svc.handle(_msg(KOOR_Q, from_bot=True)) == []
    assert svc.handle(_msg(KOOR_Q, edited=True)) == []


def test_follow_up_in_thread_uses_the_earlier_question(svc):
    root = _msg("Welk fonds steunt dans voor mensen met parkinson?", chat="C5", direct=False, addressed=True)
    [first] = svc.handle(root)
    svc.remember(first, "bot-reply-1")
    # A short follow-up in the thread, without a mention: understood in context.
    follow = _msg(
        "En hoe heet dat fonds?", chat="C5", direct=False, thread=root.message_id, reply_to=root.message_id
    )
    [r] = svc.handle(follow)
    q = svc.store.get(r.question_id)
    assert q.parent_id == first.question_id
    assert "parkinson" in q.context.lower() and q.text == "En hoe heet dat fonds?"
    # A reply to the bot's own message is found through the remembered reference too.
    again = _msg("En voor wie is het?", chat="C5", direct=False, reply_to="bot-reply-1")
    assert svc.accept(again)


def test_commands(svc):
    [h] = svc.handle(_msg("", command="help"))
    assert h.kind == "notice" and "Verbinder" in h.text and h.question_id is None
    [u] = svc.handle(_msg("", command="vraag"))
    assert u.text == t("ask_usage", "nl")
    [a] = svc.handle(_msg(KOOR_Q, command="vraag"))
    assert a.question_id and a.sources
    [x] = svc.handle(_msg("iets", command="frobnicate"))
    assert "/frobnicate" in x.text and x.kind == "notice"
    [en] = svc.handle(_msg("", command="help", language="en-GB"))
    assert en.text.startswith("Hi!")


def test_media_only_message_gets_a_short_explanation(svc):
    [r] = svc.handle(_msg("", media="sticker"))
    assert r.text == t("media_only", "nl")


def test_english_question_gets_english_buttons(svc):
    [r] = svc.handle(_msg("Which foundation funds dance for people with parkinson?"))
    assert r.language == "en" and r.buttons[-1].label == t("btn_ask_expert", "en")


def test_feedback_is_stored_and_replaced(svc):
    [r] = svc.handle(_msg(KOOR_Q))
    chat = r.chat
    [n] = svc.handle_action(Action(chat, "U7", HELPFUL, r.question_id, event_id="a1"))
    assert n.ephemeral_user == "U7" and n.text == t("thanks_feedback", "nl")
    svc.handle_action(Action(chat, "U7", NOT_HELPFUL, r.question_id, event_id="a2"))
    assert svc.store.feedback_for(r.question_id) == {"U7": NOT_HELPFUL}
    assert svc.handle_action(Action(chat, "U7", HELPFUL, r.question_id, event_id="a2")) == []  # redelivery


def test_a_press_naming_a_question_of_another_chat_or_platform_changes_nothing(svc):
    # Callback data is whatever a client sends: a member button for someone else's question.
    [r] = svc.handle(_msg(KOOR_Q))
    for chat in (ChatRef("telegram", "D1"), ChatRef("test", "D2")):
        for action in (ASK_EXPERT, HELPFUL):
            [n] = svc.handle_action(Action(chat, "U9", action, r.question_id))
            assert n.chat == chat and n.text == t("unknown_question", "nl")
    q = svc.store.get(r.question_id)
    assert q.status != EXPERT_REQUESTED and svc.store.feedback_for(q.id) == {}


def test_ask_expert_is_recorded_once(svc):
    [r] = svc.handle(_msg(KOOR_Q))
    [ok] = svc.handle_action(Action(r.chat, "U1", ASK_EXPERT, r.question_id))
    assert ok.text == t("expert_requested", "nl") and ok.ephemeral_user is None
    q = svc.store.get(r.question_id)
    assert q.status == EXPERT_REQUESTED and q.answer and q.sources
    assert svc.store.events(q.id)[-1].actor == "U1"
    [again] = svc.handle_action(Action(r.chat, "U1", ASK_EXPERT, r.question_id))
    assert again.text == t("expert_already", "nl")


def test_unknown_question_id(svc):
    for qid in (987654, 0, -5, 2**31, 10**20):  # the last ones no database integer holds
        [r] = svc.handle_action(Action(ChatRef("test", "D1"), "U1", HELPFUL, qid))
        assert r.text == t("unknown_question", "nl")


def test_state_survives_a_new_service(kb, svc):
    m = _msg(KOOR_Q)
    [r] = svc.handle(m)
    fresh = kb.rt.service()  # e.g. after a restart: same database
    assert fresh.handle(m) == []
    assert fresh.store.get(r.question_id).text == KOOR_Q


def test_a_reply_about_no_stored_question_links_nothing_and_raises_nothing(svc):
    """A notice about a forged id (a button value, `/antwoord 99999`) is sent, but never linked:
    the link would name no question (a foreign key) or no id a database holds (found by fuzzing)."""
    for qid in (99_999, 2**40, 0):
        svc.store.remember("slack", "C1", f"1772440000.{qid % 1000:06d}", qid)
    assert svc.store.by_ref("slack", "C1", "1772440000.000999") is None
