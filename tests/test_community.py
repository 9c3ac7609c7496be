"""Contributions through the core: members share, moderators decide, the knowledge base and the agenda learn.

Reads as chat: a member types /tip and answers the steps, a moderator presses a button, the member
sees the outcome. The Slack modal and the Telegram adapter are tested in test_community_adapters.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.chat import World, cmd, dm, msg, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.race import at_once

from app.runtime import Runtime, build_runtime
from bot.community.model import SUB_APPROVE, SUB_EDIT, SUB_REJECT, SUB_SEND, SUB_WITHDRAW
from bot.community.records import EventRecord, SubmissionRecord
from bot.messages import Action, ChatRef, FormSubmit, Reply
from bot.people.store import People, PeopleError

ADMIN = ("slack", "UADMIN")
MOD_TG = ("telegram", "900")  # a moderator on Telegram only
MEMBER = ("telegram", "555")

TRAM = (
    "De Zingende Tram in Zwolle",
    "Op lijn 5 zingt elke woensdag een koor van vrijwilligers met bewoners van verpleeghuis De Linde "
    "die dementie hebben. Het koor stapt in bij het ziekenhuis en zingt liedjes van vroeger.",
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("community") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
def make_world(base: Runtime):  # type: ignore[no-untyped-def]
    def make(**overrides: object) -> World:
        reset_conversations(base)
        settings = {"admins": "slack:UADMIN", **overrides}
        rt = replace(base, settings=base.settings.model_copy(update=settings))
        clock = Clock()
        world = World(rt, rt.bot(clock), clock)
        # The admin names a Telegram moderator in chat.
        [r] = world.handle(cmd("slack", "UADMIN", "moderator_toevoegen", "telegram:900"))
        assert "moderator" in r.text
        return world

    return make


@pytest.fixture
def w(make_world) -> World:  # type: ignore[no-untyped-def]
    return make_world()


def say(w: World, who: tuple[str, str], text: str, **kw: object) -> str:
    """A person types in their direct chat with the bot; the one reply they see."""
    [r] = w.handle(msg(who[0], who[1], text, **kw))  # type: ignore[arg-type]
    return r.text


def command(w: World, who: tuple[str, str], name: str, arg: str = "", **kw: object) -> list[Reply]:
    return w.handle(cmd(who[0], who[1], name, arg, **kw))


def press(w: World, who: tuple[str, str], action: str, item: int, trigger: str | None = None) -> list[Reply]:
    act = Action(ChatRef(who[0], dm(*who)), who[1], action, item, trigger=trigger)
    return w.core.service.handle_action(act)


def share_tip(w: World, who: tuple[str, str] = MEMBER, title: str = TRAM[0], text: str = TRAM[1]) -> int:
    """The member shares a tip step by step; its submission id."""
    [r] = command(w, who, "tip")
    assert "(1/4) Titel" in r.text and "/annuleren" in r.text
    assert "(2/4) Beschrijving" in say(w, who, title)
    assert "(3/4) Thema's" in say(w, who, text)
    assert "(4/4) Regio" in say(w, who, "dementie, muziek")
    done = say(w, who, "Overijssel")
    assert "wacht nu op een moderator" in done, done
    with w.rt.sessions() as s:
        return int(s.scalar(select(func.max(SubmissionRecord.id))) or 0)


def test_a_member_shares_a_tip_and_a_moderator_on_the_other_platform_approves_it(w):
    before = w.core.service.assistant.ask("Wat is de zingende tram in Zwolle?")
    assert not any(src.path.startswith("community/") for src in before.sources)
    sid = share_tip(w)
    sent = w.deliver()
    to_mods = {(s.platform, s.reply.chat.chat_id) for s in sent}
    assert to_mods == {ADMIN, MOD_TG}  # every moderator, on the platform they use
    offer = next(s for s in sent if s.platform == "telegram")
    assert "De Zingende Tram" in offer.reply.text and offer.actions == [SUB_APPROVE, SUB_EDIT, SUB_REJECT]
    [r] = press(w, MOD_TG, SUB_APPROVE, sid)
    assert "staat nu in de kennisbank" in r.text and r.chat.chat_id == "900"  # in the moderator's chat
    told = w.deliver()
    author = [s for s in told if s.reply.chat.chat_id == "555"]
    assert len(author) == 1 and "goedgekeurd" in author[0].reply.text
    assert any(s.reply.chat.chat_id == "UADMIN" and "heeft #" in s.reply.text for s in told)
    # Answerable in the very next question, with the tip as its source.
    after = w.core.service.assistant.ask("Wat is de zingende tram in Zwolle?")
    assert after.status == "answered" and after.sources[0].path == f"community/tip-{sid}.md"
    assert after.sources[0].kind == "tip"
    doc = w.rt.kb.documents()
    entry = next(d for d in doc if d.path == f"community/tip-{sid}.md")
    assert entry.meta["region"] == "Overijssel" and "dementie" in entry.meta["tags"]
    # Pressed again, or by the other moderator: nothing is published twice.
    [again] = press(w, ADMIN, SUB_APPROVE, sid)
    assert "al goedgekeurd" in again.text and w.deliver() == []


def test_steps_refuse_bad_values_and_keep_the_step(w):
    command(w, MEMBER, "evenement")
    assert "(2/7) Datum" in say(w, MEMBER, "Open atelier")
    assert "begrijp ik niet" in say(w, MEMBER, "blah") and "(2/7) Datum" in say(w, MEMBER, "ook geen datum")
    assert "al voorbij" in say(w, MEMBER, "1 januari 2020")
    assert "(3/7) Tijd" in say(w, MEMBER, "volgende week dinsdag")
    assert "(4/7) Plaats" in say(w, MEMBER, "19.30 uur")
    assert "(5/7) Regio" in say(w, MEMBER, "Arnhem, Rozet")
    assert "(6/7) Beschrijving" in say(w, MEMBER, "-")  # optional: skipped
    too_long = say(w, MEMBER, "x" * 5000)
    assert "te lang (5000 tekens; maximaal 2000)" in too_long and "(6/7)" in too_long
    d = w.core.community.drafts.get(*MEMBER)
    assert d is not None and d.values["date"] == "2026-03-10" and d.values["time"] == "19:30"


def test_huge_and_empty_fields_and_bad_links_get_a_clear_message(w):
    command(w, MEMBER, "project")
    assert "is nodig" in say(w, MEMBER, "-")  # the title is required
    assert "te lang" in say(w, MEMBER, "T" * 500)
    say(w, MEMBER, "Kunst in de wijk")
    assert "te lang" in say(w, MEMBER, "w " * 2000)
    say(w, MEMBER, "Buurtbewoners maken samen een muurschildering.")
    say(w, MEMBER, "-")
    say(w, MEMBER, "-")
    say(w, MEMBER, "-")
    assert "http" in say(w, MEMBER, "javascript:alert(1)")
    assert "wacht nu op een moderator" in say(w, MEMBER, "https://example.org/wijk")


def test_cancel_at_any_step_and_nothing_is_stored(w):
    command(w, MEMBER, "tip")
    say(w, MEMBER, "Iets halfs")
    [r] = command(w, MEMBER, "annuleren")
    assert "niet ingestuurd" in r.text
    [r] = command(w, MEMBER, "cancel")
    assert "niets om te stoppen" in r.text
    with w.rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SubmissionRecord)) == 0
    # The next message is a question again, not a form step.
    assert w.handle(msg(*MEMBER, "Wat is kunst op recept?"))[0].kind == "answer"


def test_a_restart_in_the_middle_loses_nothing(w):
    command(w, MEMBER, "tip")
    say(w, MEMBER, "Samen tekenen")
    w2 = World(w.rt, w.rt.bot(w.clock), w.clock)  # another process on the same database
    assert "(3/4)" in say(w2, MEMBER, "Elke maandag tekenen buurtbewoners samen in de bibliotheek van Ede.")


def test_an_abandoned_form_expires_and_the_member_is_told(w):
    command(w, MEMBER, "tip")
    say(w, MEMBER, "Samen tekenen")
    w.clock.advance(minutes=31)
    assert w.core.housekeeping()["expired"] == 1
    [told] = w.deliver()
    assert told.reply.chat.chat_id == "555" and "niet ingestuurd" in told.reply.text
    assert w.handle(msg(*MEMBER, "Wat is kunst op recept?"))[0].kind == "answer"


def test_in_a_group_the_form_moves_to_a_private_chat(w):
    [r] = command(w, MEMBER, "tip", chat="-100123")
    assert "privégesprek" in r.text and w.core.community.drafts.get(*MEMBER) is None


def test_reject_asks_a_reason_which_reaches_the_author_with_their_text(w):
    sid = share_tip(w)
    w.deliver()
    [r] = press(w, MOD_TG, SUB_REJECT, sid)
    assert "Reden" in r.text
    [claimed] = w.deliver()  # the other moderator hears who took it
    assert claimed.reply.chat.chat_id == "UADMIN" and "heeft #" in claimed.reply.text
    [other] = press(w, ADMIN, SUB_APPROVE, sid)  # the second moderator sees who has it
    assert "al opgepakt" in other.text and "900" in other.text or "telegram:900" in other.text
    assert "De inzender krijgt je reden" in say(w, MOD_TG, "Dit staat al in de kennisbank.")
    [author] = [s for s in w.deliver() if s.reply.chat.chat_id == "555"]
    assert "Dit staat al in de kennisbank." in author.reply.text and TRAM[1][:40] in author.reply.text
    [mine] = command(w, MEMBER, "mijn_bijdragen")
    assert "afgewezen" in mine.text and "Reden: Dit staat al" in mine.text


def test_edit_changes_fields_before_approving(w):
    sid = share_tip(w)
    w.deliver()
    [r] = press(w, MOD_TG, SUB_EDIT, sid)
    assert "Nu: De Zingende Tram in Zwolle" in r.text
    say(w, MOD_TG, "De Zingende Tram (Zwolle)")
    say(w, MOD_TG, ".")
    say(w, MOD_TG, ".")
    assert "staat nu in de kennisbank" in say(w, MOD_TG, "Zwolle")
    sub = w.core.community.queue.get(sid)
    assert (
        sub is not None
        and sub.fields["title"] == "De Zingende Tram (Zwolle)"
        and sub.fields["region"] == "Zwolle"
    )
    assert sub.fields["text"] == TRAM[1]


def test_members_cannot_moderate_and_are_told_who_can(w):
    sid = share_tip(w)
    [r] = press(w, ("telegram", "556"), SUB_APPROVE, sid)
    assert "alleen een moderator" in r.text and "UADMIN" in r.text
    [r] = command(w, ("telegram", "556"), "moderator_toevoegen", "telegram:556")
    assert "beheerder" in r.text
    head, item = command(w, MOD_TG, "inzendingen")
    assert "1 inzending(en) wachten" in head.text and "De Zingende Tram" in item.text
    assert [b.action for b in item.buttons] == [SUB_APPROVE, SUB_EDIT, SUB_REJECT]
    [r] = command(w, ("telegram", "556"), "inzendingen")
    assert "alleen een moderator" in r.text


def test_two_moderators_at_once_one_decision(w):
    sid = share_tip(w)
    out = at_once(lambda who: press(w, who, SUB_APPROVE, sid), (ADMIN, MOD_TG))
    texts = sorted(r[0].text for r in out)
    assert sum("staat nu in de kennisbank" in t for t in texts) == 1, texts
    assert w.rt.kb.documents() and sum(d.path.startswith("community/") for d in w.rt.kb.documents()) == 1


def test_a_near_duplicate_is_shown_first_and_can_be_sent_anyway(w):
    sid = share_tip(w)
    press(w, MOD_TG, SUB_APPROVE, sid)
    w.deliver()
    [r] = command(w, ("telegram", "557"), "tip")
    say(w, ("telegram", "557"), "Zingen in de tram")
    say(w, ("telegram", "557"), TRAM[1])
    say(w, ("telegram", "557"), "-")
    [held] = w.handle(msg("telegram", "557", "-"))
    assert "Bedoel je dit?" in held.text and "De Zingende Tram" in held.text
    assert [b.action for b in held.buttons] == [SUB_SEND, SUB_WITHDRAW]
    assert w.deliver() == []  # the moderators are not asked yet
    new = int(held.buttons[0].value)
    [r] = press(w, ("telegram", "557"), SUB_SEND, new)
    assert "wacht nu op een moderator" in r.text
    assert {s.reply.chat.chat_id for s in w.deliver()} == {"UADMIN", "900"}
    [r] = press(w, ("telegram", "558"), SUB_WITHDRAW, new)  # not theirs
    assert "niet jouw" in r.text


def test_the_number_of_waiting_submissions_is_limited(make_world):
    w = make_world(max_waiting_submissions=1)
    share_tip(w)
    [r] = command(w, MEMBER, "tip")
    assert "al 1 bijdragen" in r.text


def test_a_removed_member_cannot_submit_and_their_waiting_tip_cannot_be_approved(w):
    sid = share_tip(w)
    people = w.core.people
    people.set_blocked("cli", people.person(*MEMBER), True)
    [r] = press(w, MOD_TG, SUB_APPROVE, sid)
    assert "verwijderd" in r.text
    [r] = command(w, MEMBER, "tip")
    assert "niets insturen" in r.text


def test_stale_submissions_remind_the_moderators_once_per_period(w):
    share_tip(w)
    w.deliver()
    assert w.core.housekeeping()["reminded"] == 0
    w.clock.advance(hours=49)
    assert w.core.housekeeping()["reminded"] == 1
    assert {s.reply.chat.chat_id for s in w.deliver()} == {"UADMIN", "900"}
    assert w.core.housekeeping()["reminded"] == 0


def share_event(w: World, title: str, day: str, place: str, region: str = "-") -> int:
    command(w, MEMBER, "evenement")
    for answer in (title, day, "14:00", place, region, "-", "-"):
        last = say(w, MEMBER, answer)
    assert "wacht nu op een moderator" in last, last
    with w.rt.sessions() as s:
        sid = int(s.scalar(select(func.max(SubmissionRecord.id))) or 0)
    press(w, MOD_TG, SUB_APPROVE, sid)
    return sid


def test_approved_events_answer_what_is_coming_by_region_and_past_ones_stop(make_world):
    w = make_world(max_waiting_submissions=10)
    share_event(w, "Dansmiddag voor ouderen", "volgende week dinsdag", "Arnhem")  # 2026-03-10
    share_event(w, "Open repetitie koor", "20 maart", "Zwolle", "Overijssel")
    binnenkort = say(w, MEMBER, "Wat is er binnenkort?")
    assert "Dansmiddag" in binnenkort and "Open repetitie" in binnenkort and "di 10 maart 14:00" in binnenkort
    gelderland = say(w, MEMBER, "Welke evenementen zijn er in Gelderland?")
    assert "Dansmiddag" in gelderland and "Open repetitie" not in gelderland
    assert "geen evenementen" in say(w, MEMBER, "Welke evenementen zijn er in Limburg?")
    english = say(w, ("telegram", "560"), "Are there any events coming up?")
    assert "Coming up" in english and "Tue 10 March" in english
    w.clock.advance(days=9)  # Wednesday 11 March: the dance afternoon is past
    assert "Dansmiddag" not in say(w, MEMBER, "wat is er binnenkort?")
    ics = w.core.community.events.ics().decode()
    assert "Open repetitie koor" in ics and "Dansmiddag" not in ics and "BEGIN:VCALENDAR" in ics
    # How to organise an event is a question for the knowledge base, not the agenda.
    assert w.handle(msg(*MEMBER, "Hoe organiseer ik een evenement voor ouderen?"))[0].kind == "answer"
    # So is a question that asks for something else about events: funds, subsidies, organisations.
    for other in ("Welke fondsen financieren een evenement in de wijk?", "Is er subsidie voor activiteiten?"):
        assert "Open repetitie" not in say(w, MEMBER, other), other
    assert "Open repetitie" in say(w, MEMBER, "Welke workshops en voorstellingen zijn er binnenkort?")
    with w.rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(EventRecord)) == 2


def test_roles_whoami_and_linking_accounts(w):
    [r] = command(w, MEMBER, "wie_ben_ik")
    assert "lid" in r.text and "moderator" not in r.text and "/koppel" in r.text
    [code] = command(w, ("slack", "UMEM"), "koppel")
    token = code.text.split("koppelcode: ")[1].split()[0]
    [bad] = command(w, MEMBER, "koppel", "XXXXXX")
    assert "ken ik niet" in bad.text
    [same] = command(w, ("slack", "UMEM2"), "koppel", token)
    assert "andere platform" in same.text
    [ok] = command(w, MEMBER, "koppel", token.lower())
    assert "slack:UMEM" in ok.text and "telegram:555" in ok.text
    [again] = command(w, MEMBER, "koppel", token)  # one-time
    assert "ken ik niet" in again.text
    # One person on both platforms: a tip from Telegram is listed on Slack.
    share_tip(w)
    [mine] = command(w, ("slack", "UMEM"), "mijn_bijdragen")
    assert "De Zingende Tram" in mine.text
    [who] = command(w, ADMIN, "whoami")
    assert "beheerder" in who.text


def test_the_last_admin_cannot_be_removed_and_changes_are_audited(w):
    people = w.core.people
    admin = people.person(*ADMIN)
    [r] = command(w, ADMIN, "moderator_verwijderen", "slack:UADMIN")
    assert "VERBINDER_ADMINS" in r.text
    assert people.get(admin.id) is not None
    other = people.grant("cli", people.person("telegram", "901"), "admin")
    people.revoke("cli", other, "admin")  # another admin exists (the configured one)
    # Without admins in the settings, the last admin named in the database stays.
    bare = People(w.rt.sessions, clock=w.clock)
    only = bare.grant("cli", bare.person("telegram", "902"), "admin")
    with pytest.raises(PeopleError, match="last_admin"):
        bare.revoke("cli", only, "admin")
    assert bare.is_admin("telegram", "902")
    [r] = command(w, ADMIN, "moderator_verwijderen", "telegram:900")
    assert "geen moderator meer" in r.text
    actions = [a.action for a in people.audit_log()]
    assert actions[:1] == ["revoke_moderator"] and "grant_moderator" in actions


def test_forms_validate_like_the_steps(w):
    service = w.core.service
    chat = ChatRef("slack", "UMEM")

    def submit(form: str, state: str = "", **values: str) -> object:
        return service.handle_form(FormSubmit(chat, "UMEM", form, tuple(values.items()), state))

    bad = submit("event", title="", date="blah", place="Ede", link="ftp://x")
    assert dict(bad.errors).keys() == {"title", "date", "link"}  # type: ignore[attr-defined]
    good = submit("event", title="Open dag", date="15 maart", place="Ede", time="", link="")
    assert not good.errors and "wacht nu op een moderator" in good.replies[0].text  # type: ignore[attr-defined]
    forged = submit("reject", state='{"submission": 1}', reason="nee")
    assert "alleen een moderator" in forged.replies[0].text  # type: ignore[attr-defined]
    assert "ken ik niet" in submit("nonsense").replies[0].text  # type: ignore[attr-defined]
    garbage = submit("edit:tip", state="{not json", title="x", text="y")
    assert "ken ik niet" in garbage.replies[0].text  # type: ignore[attr-defined]
    assert timedelta(0) == timedelta(0)
