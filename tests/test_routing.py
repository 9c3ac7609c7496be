"""Expert routing end to end in the core: route, offer, claim, answer, deliver, follow up, learn.

Only the platforms are fake: the outbox senders (tests/support/chat.py) record what would have been
posted and hand back message ids the way Slack (a DM channel + ts) and Telegram (a message id) do. Everything
else (matching, claims, the outbox, timers, the knowledge base) is the real code on a real
(SQLite) database with the fixture corpus ingested.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from support.chat import FakePlatforms, Sent, World, cmd, msg, one, reset_conversations, to
from support.clock import START, Clock
from support.docs import make_settings
from typer.testing import CliRunner

from app.cli import app
from app.runtime import BotCore, Runtime, build_runtime
from bot.conversations.records import (
    ANSWERED,
    ASKED,
    CLAIMED,
    EXPERT_ANSWERED,
    EXPIRED,
    ROUTED,
)
from bot.conversations.records import RESOLVED as ST_RESOLVED
from bot.experts.directory import FOREVER, Expert
from bot.experts.records import OfferRecord
from bot.messages import (
    ASK_EXPERT,
    CLAIM,
    KB_APPROVE,
    KB_NO,
    KB_REJECT,
    KB_YES,
    RELEASE,
    RESOLVED,
    ChatRef,
    Reply,
)
from bot.texts import t

ASK_KOOR = "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?"
PARA_KOOR = "Waar kan mijn moeder met dementie in Utrecht zingen?"
ANSWER_KOOR = (
    "Probeer het buurtkoor Stemmig in Utrecht-Oost; daar zingen mensen met dementie samen met "
    "hun mantelzorgers, elke donderdagmiddag."
)
ASK_ZANG = "Hoe organiseer ik een zangmiddag voor mensen met dementie in Groningen?"
ASK_FONDS = "Welk fonds betaalt een theaterproject met jongeren in Rotterdam?"
ASK_MUSEUM = "Which museum in Manchester offers programmes for people with dementia?"
KOOR_ANSWERABLE = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
cli = CliRunner()


# ---------------------------------------------------------------------------------------------
# The team of experts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    fatima: Expert
    joost: Expert
    sanne: Expert
    emma: Expert


def add_team(core: BotCore) -> Team:
    """Four experts on both platforms with distinct expertise, regions and languages."""
    x = core.experts
    return Team(
        x.add(
            "Fatima",
            slack_user_id="UFAT",
            expertise="financiering en fondsen voor kunstprojecten",
            tags="financiering, fondsen",
        ),
        x.add(
            "Joost",
            telegram_user_id="777",
            expertise="ouderen, eenzaamheid en dementie; muziek in verpleeghuizen",
            tags="ouderen, eenzaamheid, dementie",
            regions="Utrecht",
        ),
        x.add(
            "Sanne",
            slack_user_id="USAN",
            expertise="dementie en muziek, zingen met ouderen",
            tags="dementie, muziek",
            regions="Groningen",
        ),
        x.add(
            "Emma",
            slack_user_id="UEMM",
            expertise="dementia, museums and care homes",
            tags="dementia, museum",
            languages="en",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Fixtures: one ingested runtime per module; every test starts from empty routing tables
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("routing") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
def make_world(base: Runtime):  # type: ignore[no-untyped-def]
    def make(**overrides: object) -> World:
        reset_conversations(base)
        rt = replace(base, settings=base.settings.model_copy(update=overrides))
        clock = Clock()
        return World(rt, rt.bot(clock), clock)

    return make


@pytest.fixture
def w(make_world) -> World:  # type: ignore[no-untyped-def]
    return make_world()


def route_koor(w: World, asker: str = "555") -> tuple[int, list[Sent]]:
    """A Telegram member asks the unanswerable choir question in a forum topic; offers are sent."""
    [r] = w.handle(msg("telegram", asker, ASK_KOOR, chat="-1001", thread="42", name="Anna", addressed=True))
    assert r.routed
    return r.question_id, w.deliver()


def answer_by_reply(w: World, offer: Sent, user: str, text: str) -> list[Reply]:
    """An expert replies to the message that carried the question (in the chat it landed in)."""
    return w.handle(
        msg(
            offer.platform, user, text, chat=offer.chat_id, thread=offer.message_id, reply_to=offer.message_id
        )
    )


# ---------------------------------------------------------------------------------------------
# Routing and matching
# ---------------------------------------------------------------------------------------------


def test_unanswerable_question_is_routed_honestly_and_committed_before_the_reply(w):
    team = add_team(w.core)
    [r] = w.handle(msg("telegram", "555", ASK_KOOR, chat="-1001", thread="42", name="Anna", addressed=True))
    # The reply says plainly that the KB has no answer and that an expert will answer here.
    assert r.routed and r.chat == ChatRef("telegram", "-1001", "42")
    assert t("not_found", "nl") in r.text and t("routed_to_expert", "nl") in r.text
    # By the time the adapter gets the reply, the routing and its offers are committed.
    q = w.store.get(r.question_id)
    assert q.status == ROUTED and w.statuses(q.id) == [ASKED, ROUTED, ROUTED]
    assert w.routing(q.id).claimed_by is None
    assert w.core.outbox.pending_count() == 2
    sent = w.deliver()
    assert w.core.outbox.pending_count() == 0
    # The two best matches: Joost (dementie + Utrecht, on Telegram) and Sanne (dementie, on Slack).
    assert {(s.platform, s.reply.chat.chat_id) for s in sent} == {("telegram", "777"), ("slack", "USAN")}
    joost = one(sent, "telegram", "777")
    assert joost.actions == [CLAIM] and joost.reply.buttons[0].value == str(q.id)
    assert f"#{q.id}" in joost.reply.text and "Anna" in joost.reply.text and ASK_KOOR in joost.reply.text
    assert "dementie" in joost.reply.text and "Utrecht" in joost.reply.text  # why it fits
    assert f"/antwoord {q.id}" in joost.reply.text
    assert w.offered(q.id) == {team.joost.name, team.sanne.name}


def test_matching_uses_tags_region_and_language(w):
    add_team(w.core)
    expected = {
        ASK_ZANG: {("slack", "USAN"), ("telegram", "777")},  # Groningen: Sanne first
        ASK_FONDS: {("slack", "UFAT")},  # only Fatima knows funds ...
        ASK_MUSEUM: {("slack", "UEMM")},  # ... only Emma speaks English about museums
    }
    for i, (question, who) in enumerate(expected.items()):
        [r] = w.handle(msg("slack", "UASK", question, chat="C1", addressed=True))
        assert r.routed
        sent = w.deliver()
        assert who <= {(s.platform, s.reply.chat.chat_id) for s in sent}, question
        with w.rt.sessions() as s:
            best = s.scalar(
                select(OfferRecord.expert_id)
                .where(OfferRecord.question_id == r.question_id)
                .order_by(OfferRecord.score.desc())
            )
        name = {ASK_ZANG: "Sanne", ASK_FONDS: "Fatima", ASK_MUSEUM: "Emma"}[question]
        assert w.core.experts.get(best).name == name, (i, question)


def test_away_and_full_experts_are_skipped(w):
    team = add_team(w.core)
    w.core.experts.set_away(team.sanne.id, datetime(2026, 12, 24))
    qid, sent = route_koor(w)
    offered = w.offered(qid)
    assert "Sanne" not in offered and "Joost" in offered and len(offered) == 2  # the next best instead
    # Joost can hold one open question at a time; once he claims one he is full.
    w.core.experts.add(
        "Joost",
        telegram_user_id="777",
        tags="ouderen, eenzaamheid, dementie",
        expertise=team.joost.expertise,
        regions="Utrecht",
        capacity=1,
        update=True,
    )
    assert w.say("telegram", "777", CLAIM, qid) == t("claimed_ok", "nl", id=qid)
    [r] = w.handle(msg("telegram", "556", PARA_KOOR))
    assert r.routed and "Joost" not in w.offered(r.question_id)
    # Back from being away (the date passed): Sanne is offered again.
    w.clock.now = datetime(2026, 12, 24, 0, 0)
    [r] = w.handle(msg("telegram", "557", "Is er een zanggroep voor mensen met dementie in Utrecht?"))
    assert r.routed and "Sanne" in w.offered(r.question_id) and "Joost" not in w.offered(r.question_id)
    # A full expert cannot claim either.
    assert w.say("telegram", "777", CLAIM, r.question_id) == t("claim_full", "nl", n=1)


def test_load_is_spread_between_equal_experts(make_world):
    w = make_world(route_experts=1)
    for name, uid in (("Kees", "UKEE"), ("Lotte", "ULOT")):
        w.core.experts.add(name, slack_user_id=uid, expertise="dementie en zingen", tags="dementie")
    first = w.handle(msg("slack", "UASK", ASK_KOOR))[0].question_id
    second = w.handle(msg("slack", "UASK", ASK_ZANG))[0].question_id
    third = w.handle(msg("slack", "UASK", PARA_KOOR))[0].question_id
    assert w.offered(first) | w.offered(second) == {"Kees", "Lotte"}
    assert len(w.offered(first)) == len(w.offered(second)) == 1
    # Once one of them claims their question, the other has more open offers: the third goes
    # to the one whose offer was taken care of.
    [holder] = w.offered(first)
    w.say("slack", "UKEE" if holder == "Kees" else "ULOT", CLAIM, first)
    assert w.offered(third) == {holder}


ASK_BTW = "Hoe zet ik de btw goed op mijn factuur als zzp'er?"


def test_a_question_no_expert_fits_goes_to_the_channel_and_the_moderators(make_world):
    w = make_world(experts_channel_slack="CEXPERTS", moderators="slack:UMOD")
    add_team(w.core)
    [r] = w.handle(msg("telegram", "555", ASK_BTW, addressed=True))
    assert r.routed and t("routed_to_expert", "nl") in r.text
    sent = w.deliver()
    assert w.offered(r.question_id) == set()  # not the least bad of the four
    assert ASK_BTW in one(sent, "slack", "CEXPERTS").reply.text
    assert ASK_BTW in one(sent, "slack", "UMOD").reply.text
    assert "no expert fits" in w.store.events(r.question_id)[-1].detail


def test_without_a_channel_or_moderators_the_best_experts_still_get_it(w):
    add_team(w.core)
    [r] = w.handle(msg("telegram", "555", ASK_BTW, addressed=True))
    assert r.routed and len(w.offered(r.question_id)) == 2


def test_no_available_expert_goes_to_the_moderators(make_world):
    w = make_world(moderators="slack:UMOD")
    e = w.core.experts.add("Kees", slack_user_id="UKEE", tags="dementie")
    w.core.experts.set_away(e.id, FOREVER)
    [r] = w.handle(msg("telegram", "555", ASK_KOOR))
    assert t("routed_no_expert", "nl") in r.text and t("routed_to_expert", "nl") not in r.text
    [s] = w.deliver()
    assert s.reply.chat == ChatRef("slack", "UMOD") and ASK_KOOR in s.reply.text


def test_experts_channel_gets_every_routed_question(make_world):
    w = make_world(experts_channel_slack="CEXPERTS")
    add_team(w.core)
    qid, sent = route_koor(w)
    post = one(sent, "slack", "CEXPERTS")
    assert post.actions == [CLAIM]
    # Any expert can answer in the channel thread; a member there is refused politely.
    [no] = answer_by_reply(w, post, "UMEMBER", "Ik weet het ook niet")
    assert no.text == t("not_expert", "nl")
    assert answer_by_reply(w, post, "UFAT", ANSWER_KOOR) == []
    assert w.store.get(qid).status == EXPERT_ANSWERED


# ---------------------------------------------------------------------------------------------
# Claims, answers, delivery, follow-ups, resolving, and the knowledge base learning
# ---------------------------------------------------------------------------------------------


def test_claims_exactly_one_expert_wins_and_members_are_refused(w):
    add_team(w.core)
    qid, _ = route_koor(w)
    assert w.say("slack", "USAN", CLAIM, qid) == t("claimed_ok", "nl", id=qid)
    assert w.say("telegram", "777", CLAIM, qid) == t("claimed_taken", "nl", id=qid, name="Sanne")
    assert w.say("slack", "UMEMBER", CLAIM, qid) == t("not_expert", "nl")
    assert w.say("slack", "USAN", CLAIM, qid) == t("claimed_ok", "nl", id=qid)  # pressing twice: fine
    assert w.routing(qid).claimed_by == w.core.experts.find("Sanne").id
    sent = w.deliver()
    asker = one(sent, "telegram", "-1001")
    assert asker.reply.text == t("asker_claimed", "nl", name="Sanne")
    assert asker.reply.chat.thread_id == "42"
    # 777 pressed too and was told who has it in the answer to that press: no second message.
    assert to(sent, "telegram", "777") == []
    assert to(sent, "slack", "USAN") == []
    assert w.store.get(qid).status == CLAIMED


def test_experts_who_did_not_press_hear_who_claimed(w):
    add_team(w.core)
    qid, _ = route_koor(w)
    assert w.say("slack", "USAN", CLAIM, qid) == t("claimed_ok", "nl", id=qid)
    sent = w.deliver()
    assert one(sent, "telegram", "777").reply.text == t("claimed_by_other", "nl", id=qid, name="Sanne")


def test_the_whole_loop_and_the_knowledge_base_learns(w):
    add_team(w.core)
    [r] = w.handle(msg("telegram", "555", ASK_KOOR, chat="-1001", thread="42", name="Anna", addressed=True))
    qid, asked_in = r.question_id, w.store.get(r.question_id).message_id
    offers = w.deliver()
    w.clock.advance(hours=1)
    w.say("slack", "USAN", CLAIM, qid)
    w.deliver()

    # Sanne answers on Slack by replying (in her DM with the bot) to the message with the question.
    w.clock.advance(hours=1)
    offer = one(offers, "slack", "USAN")
    assert offer.chat_id == "DSAN"
    assert answer_by_reply(w, offer, "USAN", ANSWER_KOOR) == []
    q = w.store.get(qid)
    assert q.status == EXPERT_ANSWERED and w.routing(qid).answer == ANSWER_KOOR
    sent = w.deliver()
    delivery = one(sent, "telegram", "-1001")
    # Back to the asker's own platform, chat and topic, as a reply to the question, with the name.
    assert delivery.reply.chat == ChatRef("telegram", "-1001", "42") and delivery.reply.reply_to == asked_in
    assert delivery.reply.text == t("delivered", "nl", name="Sanne", question=ASK_KOOR, answer=ANSWER_KOOR)
    assert delivery.actions == [RESOLVED]
    thanks = one(sent, "slack", "USAN")
    assert thanks.actions == [KB_YES, KB_NO] and "Anna" in thanks.reply.text
    # The other offered expert hears nothing more; a second answer is refused.
    assert to(sent, "telegram", "777") == []
    [late] = answer_by_reply(w, one(offers, "telegram", "777"), "777", "Ook een idee: ...")
    assert late.text == t("question_closed", "nl", id=qid)

    # The asker replies to the delivered answer: a follow-up that goes to Sanne directly.
    follow = msg(
        "telegram",
        "555",
        "Kan mijn moeder daar ook in een rolstoel komen?",
        chat="-1001",
        thread="42",
        reply_to=delivery.message_id,
        name="Anna",
    )
    [r] = w.handle(follow)
    assert r.text == t("followup_routed", "nl", name="Sanne") and r.chat.thread_id == "42"
    fid = r.question_id
    assert fid != qid and w.store.get(fid).parent_id == qid and w.store.get(fid).status == CLAIMED
    sent = w.deliver()
    [fo] = sent
    assert (
        fo.reply.chat == ChatRef("slack", "USAN")
        and f"#{fid}" in fo.reply.text
        and f"#{qid}" in fo.reply.text
    )
    # ... and she answers that one with the command.
    assert (
        w.handle(cmd("slack", "USAN", "antwoord", f"{fid} Ja, het buurthuis is rolstoeltoegankelijk.")) == []
    )
    [second] = to(w.deliver(), "telegram", "-1001")
    assert "rolstoeltoegankelijk" in second.reply.text and second.reply.chat.thread_id == "42"
    assert second.reply.reply_to == follow.message_id

    # Resolved: only the asker can say so.
    w.clock.advance(hours=1)
    assert w.say("telegram", "999", RESOLVED, qid) == t("only_asker", "nl")
    assert w.say("telegram", "555", RESOLVED, qid) == t("resolved_thanks", "nl")
    assert w.store.get(qid).status == ST_RESOLVED
    [note] = w.deliver()
    assert note.reply.chat == ChatRef("slack", "USAN") and "Anna" in note.reply.text

    # Consent: only the answering expert decides, once.
    assert w.say("telegram", "777", KB_YES, qid) == t("not_claimer", "nl", id=qid, name="Sanne")
    assert w.say("slack", "USAN", KB_YES, qid) == t("kb_published", "nl")
    assert w.say("slack", "USAN", KB_NO, qid) == t("kb_done", "nl")
    assert w.routing(qid).kb_status == "published" and w.routing(qid).kb_path == f"qa/vraag-{qid}.md"

    # THE KEY LOOP: another member asks the same thing in other words and the bot answers it,
    # quoting the expert with a credit line, without bothering an expert again.
    routings = w.routings()
    [a] = w.handle(msg("slack", "UOTHER", PARA_KOOR, chat="C1", addressed=True))
    assert not a.routed and a.sources and a.sources[0].kind == "qa"
    assert a.sources[0].path == f"qa/vraag-{qid}.md"
    assert f"“{ANSWER_KOOR}” [1]" in a.text
    assert t("qa_credit", "nl", name="Sanne", date="2026-03-02") in a.text
    assert "Vraag:" not in a.text  # the stored question line is matched on but not quoted
    assert w.store.get(a.question_id).status == ANSWERED
    assert w.routings() == routings and w.deliver() == []


def test_answer_with_the_command_and_who_may_answer(w):
    add_team(w.core)
    qid, offers = route_koor(w)
    assert w.say("telegram", "777", CLAIM, qid) == t("claimed_ok", "nl", id=qid)
    w.deliver()
    [r] = w.handle(cmd("slack", "USAN", "antwoord", f"{qid} Mijn antwoord"))
    assert r.text == t("not_claimer", "nl", id=qid, name="Joost")
    [r] = w.handle(cmd("slack", "UMEMBER", "antwoord", f"{qid} Ik weet het"))
    assert r.text == t("not_expert", "nl")
    [r] = w.handle(cmd("telegram", "777", "antwoord", f"{qid}"))
    assert r.text == t("answer_usage", "nl")
    [r] = w.handle(cmd("telegram", "777", "antwoord", "9999 Iets"))
    assert r.text == t("unknown_qid", "nl", id=9999)
    huge = "99999999999999999999"  # more than any database's integer: no question, no crash
    for command, arg in (("antwoord", f"{huge} Iets"), ("vrijgeven", huge), ("doorgeven", f"{huge} Sanne")):
        [r] = w.handle(cmd("telegram", "777", command, arg))
        assert r.text == t("unknown_qid", "nl", id=huge)
    # A member replying to an offer message that is not theirs is no expert either.
    [r] = answer_by_reply(w, one(offers, "telegram", "777"), "778", "Hallo?")
    assert r.text == t("not_expert", "nl")
    assert w.handle(cmd("telegram", "777", "antwoord", f"#{qid} {ANSWER_KOOR}")) == []
    delivered = one(w.deliver(), "telegram", "-1001").reply.text
    assert ANSWER_KOOR in delivered and "Joost" in delivered
    # Answering an offered but unclaimed question claims it on the way.
    [r] = w.handle(msg("telegram", "556", ASK_ZANG))
    assert w.handle(cmd("slack", "USAN", "antwoord", f"{r.question_id} Bel de Zangschool.")) == []
    assert w.routing(r.question_id).answered_by == w.core.experts.find("Sanne").id


def test_kb_approval_by_a_moderator(make_world):
    w = make_world(kb_approval=True, moderators="slack:UMOD")
    add_team(w.core)
    qid, offers = route_koor(w)
    answer_by_reply(w, one(offers, "telegram", "777"), "777", ANSWER_KOOR)
    w.deliver()
    assert w.say("telegram", "777", KB_YES, qid) == t("kb_pending", "nl")
    assert w.routing(qid).kb_status == "pending"
    [ask] = w.deliver()
    assert ask.reply.chat == ChatRef("slack", "UMOD") and ask.actions == [KB_APPROVE, KB_REJECT]
    assert ANSWER_KOOR in ask.reply.text and "Joost" in ask.reply.text
    # Not published yet: the same question is still routed.
    [r] = w.handle(msg("slack", "UOTHER", PARA_KOOR))
    assert r.routed
    # Only a moderator approves.
    assert w.say("telegram", "777", KB_APPROVE, qid) == t("mod_only", "nl")
    assert w.say("slack", "UMEMBER", KB_APPROVE, qid) == t("mod_only", "nl")
    assert w.say("slack", "UMOD", KB_APPROVE, qid) == t("kb_approved", "nl")
    assert w.say("slack", "UMOD", KB_REJECT, qid) == t("kb_done", "nl")
    assert w.routing(qid).kb_status == "published"
    [a] = w.handle(msg("slack", "UOTHER2", PARA_KOOR))
    assert not a.routed and a.sources[0].kind == "qa" and "Joost" in a.text


def test_kb_reject_and_no_keep_it_out(make_world):
    w = make_world(kb_approval=True, moderators="slack:UMOD")
    add_team(w.core)
    qid, offers = route_koor(w)
    answer_by_reply(w, one(offers, "slack", "USAN"), "USAN", ANSWER_KOOR)
    w.say("slack", "USAN", KB_YES, qid)
    assert w.say("slack", "UMOD", KB_REJECT, qid) == t("kb_rejected", "nl")
    assert w.routing(qid).kb_status == "declined"
    [r] = w.handle(msg("slack", "UOTHER", PARA_KOOR))
    assert r.routed
    # An expert may also say no straight away.
    w.handle(cmd("slack", "USAN", "antwoord", f"{r.question_id} {ANSWER_KOOR}"))
    assert w.say("slack", "USAN", KB_NO, r.question_id) == t("kb_declined", "nl")
    assert w.routing(r.question_id).kb_status == "declined"
    assert not [d for d in w.rt.kb.documents() if d.path.startswith("qa/")]


def test_release_and_pass_on(w):
    add_team(w.core)
    qid, offers = route_koor(w)
    w.say("telegram", "777", CLAIM, qid)
    w.deliver()
    # Only the claimer can release.
    [r] = w.handle(cmd("slack", "USAN", "vrijgeven", str(qid)))
    assert r.text == t("not_claimer", "nl", id=qid, name="Joost")
    [r] = w.handle(cmd("telegram", "777", "vrijgeven", f"#{qid}"))
    assert r.text == t("released", "nl", id=qid)
    assert w.store.get(qid).status == ROUTED and w.routing(qid).claimed_by is None
    [again] = w.deliver()  # offered again to the other expert (not to the one who let go)
    assert again.reply.chat == ChatRef("slack", "USAN") and again.actions == [CLAIM]
    # The release button does the same.
    w.say("slack", "USAN", CLAIM, qid)
    assert w.say("slack", "USAN", RELEASE, qid) == t("released", "nl", id=qid)
    w.deliver()

    # Pass on: Joost claims it and hands it to Fatima by name.
    w.say("telegram", "777", CLAIM, qid)
    w.deliver()
    [r] = w.handle(cmd("telegram", "777", "doorgeven", f"{qid} Nobody"))
    assert r.text == t("unknown_expert", "nl", name="Nobody")
    [r] = w.handle(cmd("telegram", "777", "doorgeven", f"{qid}"))
    assert r.text == t("pass_usage", "nl")
    [r] = w.handle(cmd("slack", "USAN", "doorgeven", f"{qid} Fatima"))
    assert r.text == t("not_claimer", "nl", id=qid, name="Joost")
    [r] = w.handle(cmd("telegram", "777", "doorgeven", f"{qid} fatima"))
    assert r.text == t("passed", "nl", id=qid, name="Fatima")
    assert w.routing(qid).claimed_by == w.core.experts.find("Fatima").id
    assert w.statuses(qid)[-1] == CLAIMED
    [handed] = w.deliver()
    assert handed.reply.chat == ChatRef("slack", "UFAT") and "Joost" in handed.reply.text
    # Fatima answers by replying to the hand-over message.
    assert answer_by_reply(w, handed, "UFAT", ANSWER_KOOR) == []
    assert "Fatima" in one(w.deliver(), "telegram", "-1001").reply.text
    # Nothing left to release or pass on.
    [r] = w.handle(cmd("slack", "UFAT", "vrijgeven", str(qid)))
    assert r.text == t("question_closed", "nl", id=qid)


def test_pass_on_refuses_an_away_colleague(w):
    team = add_team(w.core)
    qid, _ = route_koor(w)
    w.say("telegram", "777", CLAIM, qid)
    w.core.experts.set_away(team.fatima.id, FOREVER)
    [r] = w.handle(cmd("telegram", "777", "doorgeven", f"{qid} Fatima"))
    assert r.text == t("unknown_expert", "nl", name="Fatima")
    assert w.routing(qid).claimed_by == team.joost.id
    [r] = w.handle(cmd("telegram", "777", "doorgeven", f"{qid} Joost"))  # not to oneself
    assert r.text == t("unknown_expert", "nl", name="Joost")


# ---------------------------------------------------------------------------------------------
# Expert and moderator commands
# ---------------------------------------------------------------------------------------------


def test_away_available_and_expertise_commands(w):
    team = add_team(w.core)
    [r] = w.handle(cmd("slack", "USAN", "afwezig", "tot 2026-12-24"))
    assert r.text == t("away_set", "nl", date="2026-12-24")
    assert w.core.experts.get(team.sanne.id).away_until == datetime(2026, 12, 24)
    qid, _ = route_koor(w)
    assert "Sanne" not in w.offered(qid)
    [r] = w.handle(cmd("slack", "USAN", "afwezig", "morgen misschien"))
    assert r.text == t("away_bad_date", "nl")
    [r] = w.handle(cmd("slack", "USAN", "afwezig"))
    assert r.text == t("away_open", "nl") and w.core.experts.get(team.sanne.id).away_until == FOREVER
    [r] = w.handle(cmd("slack", "USAN", "beschikbaar"))
    assert r.text == t("available_set", "nl") and w.core.experts.get(team.sanne.id).away_until is None
    [r] = w.handle(cmd("telegram", "777", "away", "24-12"))  # English alias, short date
    assert w.core.experts.get(team.joost.id).away_until == datetime(2026, 12, 24)

    [r] = w.handle(cmd("slack", "USAN", "expertise"))
    assert "dementie en muziek" in r.text and "dementie, muziek" in r.text
    [r] = w.handle(cmd("slack", "USAN", "expertise", "Koren en zanggroepen in het noorden #zang #Koren"))
    assert r.text.startswith(t("expertise_set", "nl"))
    sanne = w.core.experts.get(team.sanne.id)
    assert sanne.expertise == "Koren en zanggroepen in het noorden" and sanne.tags == ("zang", "koren")
    [r] = w.handle(cmd("slack", "USAN", "expertise", "#dementie"))  # only tags: description kept
    sanne = w.core.experts.get(team.sanne.id)
    assert sanne.expertise == "Koren en zanggroepen in het noorden" and sanne.tags == ("dementie",)
    # A description of thousands of characters is refused with its length, and nothing changes
    # (its echo was two Telegram messages: found by fuzzing).
    [r] = w.handle(cmd("telegram", "777", "expertise", "koor " * 800))
    assert "3999" in r.text and "1500" in r.text and len(r.text) < 300
    assert w.core.experts.get(team.joost.id).expertise != ("koor " * 800).strip()

    for command in ("afwezig", "beschikbaar", "expertise", "antwoord", "vrijgeven", "doorgeven"):
        [r] = w.handle(cmd("slack", "UMEMBER", command, "1 iets"))
        assert r.text == t("not_expert", "nl"), command


def test_moderator_commands(make_world):
    w = make_world(moderators="slack:UMOD")
    add_team(w.core)
    [r] = w.handle(cmd("slack", "UMOD", "experts"))
    assert all(name in r.text for name in ("Fatima", "Joost", "Sanne", "Emma"))
    [r] = w.handle(
        cmd("slack", "UMOD", "expert_toevoegen", "@UNEW Nina | kunst op recept | kunst op recept, ggz")
    )
    assert r.text == t("expert_added", "nl", name="Nina")
    nina = w.core.experts.by_identity("slack", "UNEW")
    assert nina and nina.expertise == "kunst op recept" and nina.tags == ("kunst op recept", "ggz")
    [r] = w.handle(cmd("slack", "UMOD", "expert_toevoegen", "UNEW"))
    assert r.text == t("expert_add_usage", "nl")
    [r] = w.handle(cmd("slack", "UMOD", "expert_verwijderen", "Nina"))
    assert r.text == t("expert_removed", "nl", name="Nina")
    assert w.core.experts.by_identity("slack", "UNEW") is None
    [r] = w.handle(cmd("slack", "UMOD", "expert_verwijderen", "Nina"))
    assert r.text == t("unknown_expert", "nl", name="Nina")
    # An expert flagged as moderator may do the same; other experts and members may not.
    w.core.experts.add("Mila", telegram_user_id="888", moderator=True)
    [r] = w.handle(cmd("telegram", "888", "experts"))
    assert "Mila" in r.text
    for user, platform in (("UMEMBER", "slack"), ("USAN", "slack"), ("777", "telegram")):
        for command, arg in (("experts", ""), ("expert_toevoegen", "U1 X"), ("expert_verwijderen", "Emma")):
            [r] = w.handle(cmd(platform, user, command, arg))
            assert r.text == t("mod_only", "nl"), (user, command)
    assert w.core.experts.find("Emma") is not None


# ---------------------------------------------------------------------------------------------
# Asking for an expert explicitly
# ---------------------------------------------------------------------------------------------


def test_expert_command_and_ask_expert_button(w):
    add_team(w.core)
    # /expert <question>: routed even when the knowledge base has something.
    [r] = w.handle(cmd("telegram", "555", "expert", ASK_KOOR))
    assert r.text == t("routed_to_expert", "nl") and w.store.get(r.question_id).status == ROUTED
    assert len(w.deliver()) == 2
    # /expert without a question and without a reply: usage.
    [u] = w.handle(cmd("telegram", "555", "expert"))
    assert u.text == t("expert_usage", "nl")
    # /expert in reply to the routed question: it is already with the experts.
    asked = w.store.get(r.question_id).message_id
    [again] = w.handle(cmd("telegram", "555", "expert", reply_to=asked))
    assert again.text == t("expert_already", "nl") and w.deliver() == []
    # /expert in reply to a question the bot answered: now it goes to an expert.
    [a] = w.handle(msg("telegram", "555", KOOR_ANSWERABLE))
    assert not a.routed
    [x] = w.handle(cmd("telegram", "555", "expert", reply_to=w.store.get(a.question_id).message_id))
    assert x.text == t("routed_to_expert", "nl") and w.store.get(a.question_id).status == ROUTED
    assert w.deliver()
    # The ask-an-expert button on an answered question routes it too.
    [b] = w.handle(msg("slack", "UOTHER", KOOR_ANSWERABLE))
    assert not b.routed and ASK_EXPERT in [x.action for x in b.buttons]
    [pressed] = w.press("slack", "UOTHER", ASK_EXPERT, b.question_id)
    assert pressed.text == t("routed_to_expert", "nl")
    assert w.statuses(b.question_id) == [ASKED, ANSWERED, ROUTED]
    offers = w.deliver()
    assert offers and all(s.actions == [CLAIM] for s in offers)
    [twice] = w.press("slack", "UOTHER", ASK_EXPERT, b.question_id)
    assert twice.text == t("expert_already", "nl")


def test_questions_cli_shows_the_lifecycle(w):
    add_team(w.core)
    qid, offers = route_koor(w)
    w.clock.advance(minutes=30)
    w.say("telegram", "777", CLAIM, qid)
    w.clock.advance(minutes=30)
    answer_by_reply(w, one(offers, "telegram", "777"), "777", ANSWER_KOOR)
    w.clock.advance(minutes=30)
    w.say("telegram", "555", RESOLVED, qid)
    [open_q] = w.handle(msg("slack", "UOTHER", ASK_ZANG))
    env = {"VERBINDER_DATA_DIR": str(w.rt.settings.data_dir), "COLUMNS": "200"}
    out = cli.invoke(app, ["questions", "list", "--status", "routed"], env=env)
    assert out.exit_code == 0, out.output
    assert "zangmiddag" in out.output and "koor" not in out.output
    out = cli.invoke(app, ["questions", "list", "--status", "resolved", "--json"], env=env)
    assert [q["id"] for q in json.loads(out.output)] == [qid]
    out = cli.invoke(app, ["questions", "show", str(qid)], env=env)
    assert out.exit_code == 0, out.output
    lines = [line.split() for line in out.output.splitlines() if line.startswith("  2026-")]
    assert [(d, h, s) for d, h, s, *_ in lines] == [
        ("2026-03-02", "09:00:00", ASKED),
        ("2026-03-02", "09:00:00", ROUTED),
        ("2026-03-02", "09:00:00", ROUTED),
        ("2026-03-02", "09:30:00", CLAIMED),
        ("2026-03-02", "10:00:00", EXPERT_ANSWERED),
        ("2026-03-02", "10:30:00", ST_RESOLVED),
    ]
    assert "Joost" in lines[3] and "Joost" in lines[4]
    assert open_q.question_id != qid


# ---------------------------------------------------------------------------------------------
# Timers
# ---------------------------------------------------------------------------------------------


def test_timers_remind_widen_and_give_up(make_world):
    w = make_world(moderators="slack:UMOD")
    team = add_team(w.core)
    w.core.experts.set_away(team.fatima.id, FOREVER)
    # A moderator who is an expert on both platforms: one person, so one message each time.
    mila = w.core.experts.add(
        "Mila", telegram_user_id="888", slack_user_id="UMIL", moderator=True, expertise="beleid"
    )
    qid, offers = route_koor(w)
    assert {s.reply.chat.chat_id for s in offers} == {"777", "USAN"}
    tm = w.core.router.timers

    w.clock.now = START + tm.remind - timedelta(minutes=1)
    assert not any(w.tick().values()) and w.deliver() == []
    w.clock.now = START + tm.remind
    assert w.tick()["reminded"] == 1
    assert not any(w.tick().values())  # the same moment twice: nothing twice
    sent = w.deliver()
    assert {(s.platform, s.reply.chat.chat_id) for s in sent} == {("telegram", "777"), ("slack", "USAN")}
    assert all(s.actions == [CLAIM] and "Herinnering" in s.reply.text for s in sent)
    # A reminder is a new offer message: replying to it answers as well.
    assert len(sent) == 2

    w.clock.now = START + tm.widen
    assert w.tick()["widened"] == 1 and not any(w.tick().values())
    sent = w.deliver()
    # Everyone available who had not been offered (Emma; Fatima is away) plus the moderators
    # (the configured one and the expert flagged as moderator), each exactly once.
    got = sorted((s.platform, s.reply.chat.chat_id) for s in sent)
    assert got == [("slack", "UEMM"), ("slack", "UMOD"), ("telegram", "888")]
    for s in sent:  # in each expert's own language; a moderator who is no expert cannot claim
        lang = "en" if s.reply.chat.chat_id == "UEMM" else "nl"
        assert t("offer_widened", lang, id=qid, question=ASK_KOOR) in s.reply.text
        assert s.actions == ([] if s.reply.chat.chat_id == "UMOD" else [CLAIM])
    assert w.offered(qid) == {"Joost", "Sanne", "Emma", "Mila"} and mila.moderator

    w.clock.now = START + tm.give_up - timedelta(minutes=1)
    assert not any(w.tick().values())
    w.clock.now = START + tm.give_up
    assert w.tick()["expired"] == 1 and not any(w.tick().values())
    [told] = w.deliver()
    assert told.reply.chat == ChatRef("telegram", "-1001", "42")
    assert told.reply.text == t("expired_asker", "nl", question=ASK_KOOR)
    assert w.store.get(qid).status == EXPIRED
    w.clock.advance(days=30)
    assert not any(w.tick().values()) and w.deliver() == []


def test_the_timers_run_as_the_scheduled_job_of_the_expert_feature(make_world):
    """What `verbinder run` does every VERBINDER_TIMER_INTERVAL_SECONDS: the scheduler runs the timers."""
    w = make_world(timer_interval_seconds=600)
    add_team(w.core)
    qid, _ = route_koor(w)
    # Due at once, nothing to do yet (the community feature's housekeeping job runs beside it).
    assert "experts.timers" in w.core.scheduler.run_due()
    assert w.deliver() == []
    w.clock.now = START + w.core.router.timers.remind
    assert "experts.timers" in w.core.scheduler.run_due()
    assert {s.reply.chat.chat_id for s in w.deliver()} == {"777", "USAN"}  # the T1 reminders
    assert w.core.scheduler.run_due() == []  # the next run is ten minutes later
    [job] = [j for j in w.core.scheduler.rows() if j.name == "experts.timers"]
    assert job.due_at == w.clock.now + timedelta(seconds=600) and job.runs == 2


def test_claimed_but_unanswered_is_reminded_then_released_and_offered_again(w):
    add_team(w.core)
    qid, _ = route_koor(w)
    tm = w.core.router.timers
    w.clock.advance(hours=1)
    claimed_at = w.clock.now
    w.say("telegram", "777", CLAIM, qid)
    w.deliver()
    # The unclaimed-question timers no longer apply.
    w.clock.now = START + tm.widen
    assert not any(w.tick().values()) and w.deliver() == []

    w.clock.now = claimed_at + tm.claim_remind
    assert w.tick()["claim_reminded"] == 1 and not any(w.tick().values())
    [nudge] = w.deliver()
    assert nudge.reply.chat == ChatRef("telegram", "777")
    assert nudge.reply.text == t("claim_reminder", "nl", id=qid, question=ASK_KOOR)

    w.clock.now = claimed_at + 2 * tm.claim_remind - timedelta(minutes=1)
    assert not any(w.tick().values())
    w.clock.now = claimed_at + 2 * tm.claim_remind
    assert w.tick()["released"] == 1 and not any(w.tick().values())
    sent = w.deliver()
    assert one(sent, "telegram", "777").reply.text == t("claim_timed_out", "nl", id=qid)
    reoffer = one(sent, "slack", "USAN")
    assert reoffer.actions == [CLAIM] and ASK_KOOR in reoffer.reply.text
    assert w.routing(qid).claimed_by is None and w.store.get(qid).status == ROUTED

    # Released late: the question is widened after T1 and then the widened experts get their
    # time too, before the asker is told nobody could help.
    w.clock.advance(hours=tm.remind.total_seconds() / 3600)
    assert w.tick()["widened"] == 1
    w.deliver()
    w.clock.advance(minutes=1)
    assert not any(w.tick().values())
    w.clock.advance(hours=(tm.give_up - tm.widen).total_seconds() / 3600)
    assert w.tick()["expired"] == 1
    # Someone claims the late question after all: the claimer gets the normal claim timers.
    assert w.say("slack", "UFAT", CLAIM, qid) == t("claimed_ok", "nl", id=qid)


# ---------------------------------------------------------------------------------------------
# A restart between every step
# ---------------------------------------------------------------------------------------------


def test_every_step_survives_a_restart(tmp_path, corpus_dir):
    settings = make_settings(tmp_path / "data")
    build_runtime(settings).ingest([corpus_dir])
    clock, net = Clock(), FakePlatforms()

    def restart() -> World:
        rt = build_runtime(settings)
        return World(rt, rt.bot(clock), clock, net)

    w = restart()
    add_team(w.core)
    w = restart()
    [r] = w.handle(msg("telegram", "555", ASK_KOOR, chat="-1001", thread="42", name="Anna", addressed=True))
    qid = r.question_id
    # The process dies before sending anything: the next one sends the offers.
    w = restart()
    offers = w.deliver()
    assert {s.reply.chat.chat_id for s in offers} == {"777", "USAN"}
    w = restart()
    assert w.say("slack", "USAN", CLAIM, qid) == t("claimed_ok", "nl", id=qid)
    w = restart()
    assert w.say("telegram", "777", CLAIM, qid) == t("claimed_taken", "nl", id=qid, name="Sanne")
    w = restart()
    assert answer_by_reply(w, one(offers, "slack", "USAN"), "USAN", ANSWER_KOOR) == []
    w = restart()
    sent = w.deliver()
    delivery = [s for s in sent if s.reply.text.startswith("Antwoord van Sanne")]
    assert len(delivery) == 1 and delivery[0].reply.chat == ChatRef("telegram", "-1001", "42")
    w = restart()
    [r] = w.handle(
        msg(
            "telegram",
            "555",
            "Is het koor ook rolstoeltoegankelijk?",
            chat="-1001",
            thread="42",
            reply_to=delivery[0].message_id,
        )
    )
    assert r.text == t("followup_routed", "nl", name="Sanne")
    w = restart()
    assert w.say("slack", "USAN", KB_YES, qid) == t("kb_published", "nl")
    w = restart()
    [a] = w.handle(msg("slack", "UOTHER", PARA_KOOR))
    assert not a.routed and a.sources[0].kind == "qa" and ANSWER_KOOR in a.text
    w = restart()
    assert [s.reply.chat.chat_id for s in w.deliver()] == ["USAN"]  # the follow-up offer
    assert w.deliver() == []


def test_an_approved_entry_is_published_after_a_crash(tmp_path, corpus_dir):
    """Consent commits 'approved' first; a process that dies before writing the KB catches up on tick."""
    settings = make_settings(tmp_path / "data")
    rt = build_runtime(settings)
    rt.ingest([corpus_dir])
    clock = Clock()
    w = World(rt, rt.bot(clock), clock)
    add_team(w.core)
    qid, offers = route_koor(w)
    answer_by_reply(w, one(offers, "telegram", "777"), "777", ANSWER_KOOR)
    w.core.expert_feature.learning.publisher = None  # this process cannot write the knowledge base
    assert w.say("telegram", "777", KB_YES, qid) == t("kb_published", "nl")
    assert w.routing(qid).kb_status == "approved"
    rt2 = build_runtime(settings)
    w2 = World(rt2, rt2.bot(clock), clock)
    w2.tick()
    assert w2.routing(qid).kb_status == "published"
    [a] = w2.handle(msg("slack", "UOTHER", PARA_KOOR))
    assert not a.routed and a.sources[0].kind == "qa"


def test_a_replica_with_a_stale_view_repeats_no_timer_step(w):
    """Two replicas read the same due row; the one that acts second must do nothing."""
    add_team(w.core)
    qid, _ = route_koor(w)
    tm = w.core.router.timers

    def race() -> None:
        stale = w.routing(qid)  # replica B reads the due row ...
        w.tick()  # ... replica A runs the step ...
        first = w.deliver()
        assert first
        assert w.core.expert_feature.timers.step(stale, w.clock.now) is None  # ... B must not repeat it
        assert w.deliver() == []

    for at in (tm.remind, tm.widen):  # remind, widen
        w.clock.now = START + at
        race()
    w.say("telegram", "777", CLAIM, qid)
    w.deliver()
    claimed_at = w.clock.now
    for at in (tm.claim_remind, 2 * tm.claim_remind):  # remind the claimer, release
        w.clock.now = claimed_at + at
        race()
    assert w.routing(qid).claimed_by is None


def test_slack_asker_in_a_channel_thread_and_a_telegram_expert(w):
    add_team(w.core)
    ask = msg("slack", "UANNA", ASK_KOOR, chat="C1", name="Anna", addressed=True)
    [r] = w.handle(ask)
    qid = r.question_id
    offers = w.deliver()
    assert answer_by_reply(w, one(offers, "telegram", "777"), "777", ANSWER_KOOR) == []
    delivery = one(w.deliver(), "slack", "C1")
    # In the channel, in the thread of the question.
    assert delivery.reply.chat == ChatRef("slack", "C1") and delivery.reply.reply_to == ask.message_id
    assert "Joost" in delivery.reply.text
    # On Slack a follow-up is a reply in that thread (its thread_ts is the question), without mention.
    follow = msg(
        "slack",
        "UANNA",
        "En is er ook een koor op zaterdag?",
        chat="C1",
        thread=ask.message_id,
        reply_to=ask.message_id,
    )
    [f] = w.handle(follow)
    assert f.text == t("followup_routed", "nl", name="Joost") and f.chat.thread_id == ask.message_id
    [fo] = w.deliver()
    assert fo.reply.chat == ChatRef("telegram", "777") and "zaterdag" in fo.reply.text
    assert answer_by_reply(w, fo, "777", "Ja, De Zaterdagzangers.") == []
    second = one(w.deliver(), "slack", "C1")
    assert "Zaterdagzangers" in second.reply.text
    assert second.reply.reply_to == follow.message_id and qid != f.question_id


def test_a_follow_up_for_an_expert_who_left_or_is_away_goes_to_the_others(w):
    team = add_team(w.core)
    qid, offers = route_koor(w)
    answer_by_reply(w, one(offers, "telegram", "777"), "777", ANSWER_KOOR)
    delivery = one(w.deliver(), "telegram", "-1001")

    def follow_up(text: str) -> Reply:
        [r] = w.handle(msg("telegram", "555", text, chat="-1001", thread="42", reply_to=delivery.message_id))
        return r

    w.core.experts.set_away(team.joost.id, FOREVER)
    r = follow_up("Hebben ze ook een koor voor mensen met dementie op zaterdag?")
    assert r.text == t("routed_to_expert", "nl") and "Joost" not in w.offered(r.question_id)
    assert w.routing(r.question_id).claimed_by is None
    w.core.experts.set_away(team.joost.id, None)
    w.core.experts.remove("Joost")
    r = follow_up("En is er in Utrecht ook een koor voor mensen met dementie op zondag?")
    assert t("routed_to_expert", "nl") in r.text and "Joost" not in w.offered(r.question_id)


@pytest.mark.parametrize("text", ["hallo", "dank je wel!", "thanks", "👍", "Goedemorgen allemaal!"])
def test_small_talk_gets_a_friendly_reply_and_never_pages_an_expert(make_world, text):
    w = make_world(experts_channel_slack="CEXPERTS", moderators="slack:UMOD")
    add_team(w.core)
    [r] = w.handle(msg("telegram", "555", text, addressed=True))
    assert not r.routed and r.question_id is None
    assert r.text in (t("smalltalk_greeting", r.language), t("smalltalk_thanks", r.language))
    assert w.deliver() == []  # nothing to the experts, the channel or the moderators
