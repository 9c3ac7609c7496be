"""The small-group rule where a moderator could still single someone out: linked accounts are one
person, a moderator who is an expert knows their own line, the CSV's expert column follows the
report's per-expert rule, and a gap button acts only on a question a report showed as a gap."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker
from support.chat import World, cmd, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from test_insight import NOW, START, synthetic_month, write

from app.runtime import Runtime, build_runtime
from bot.conversations.records import EXPIRED, QuestionRecord
from bot.experts.records import ExpertRecord, RoutingRecord
from bot.insight.feature import IN_CSV, IN_EXPERT, IN_KB, button_kind
from bot.insight.figures import compute
from bot.insight.report import Reports
from bot.messages import Action, ChatRef
from bot.people.records import AccountRecord, PersonRecord
from bot.privacy.pseudonyms import Pseudonyms
from storage.db import open_database

MOD_TG = "42"
SAME = "Hoe vind ik een koor voor mijn moeder met dementie?"  # themes: dementie, muziek


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    data = tmp_path_factory.mktemp("insight_privacy") / "data"
    return build_runtime(make_settings(data, moderators=f"telegram:{MOD_TG},slack:UMOD"))


@pytest.fixture
def month(base: Runtime) -> World:
    reset_conversations(base)
    clock = Clock(NOW)
    write(base.sessions, synthetic_month())
    return World(base, base.bot(clock), clock)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'privacy.db'}")


def one_vector(texts: list[str]) -> np.ndarray:
    """Every question means the same: one group."""
    return np.ones((len(texts), 4), dtype=np.float32) / 2.0


def routed_question(
    s: Session,
    qid: int,
    platform: str,
    user: str,
    message: str,
    text: str,
    at: datetime,
    updated_at: datetime | None = None,
    user_name: str = "",
) -> None:
    """A question that went to the experts and expired unanswered (what a gap is made of)."""
    s.add(
        QuestionRecord(
            id=qid,
            platform=platform,
            chat_id=user,
            message_id=message,
            user_id=user,
            text=text,
            status=EXPIRED,
            routed=True,
            created_at=at,
            updated_at=updated_at or at,
            user_name=user_name,
        )
    )
    s.flush()
    s.add(RoutingRecord(question_id=qid, routed_at=at))


def test_linked_accounts_are_one_asker(sessions: sessionmaker[Session]) -> None:
    # Five accounts, three people: Anna and Bas each asked from Slack and from Telegram.
    accounts = [("slack", "UANNA", 1), ("telegram", "101", 1), ("slack", "UBAS", 2), ("telegram", "102", 2)]
    accounts.append(("telegram", "103", 3))
    at = START + timedelta(days=3)
    with sessions.begin() as s:
        s.execute(insert(PersonRecord), [{"id": i, "name": f"P{i}", "created_at": at} for i in (1, 2, 3)])
        s.execute(
            insert(AccountRecord),
            [{"platform": p, "user_id": u, "person_id": i, "created_at": at} for p, u, i in accounts],
        )
        for n, (platform, user, _) in enumerate(accounts * 2, 1):  # ten questions, twice per account
            routed_question(s, n, platform, user, f"m{n}", SAME, at + timedelta(hours=n), updated_at=at)
    report = Reports(sessions, embed=one_vector, clock=lambda: NOW).build(4)
    assert report.figures.askers == 3
    assert report.figures.topics == () and report.figures.topics_hidden == 2  # dementie, muziek
    assert report.gaps.gaps == () and report.gaps.hidden == 1
    assert SAME not in report.text("nl")


def test_a_moderator_who_is_one_of_five_experts_does_not_see_the_other_four(
    sessions: sessionmaker[Session],
) -> None:
    m = synthetic_month(experts=5)
    write(sessions, m)
    assert len(compute(sessions, 4, clock=lambda: NOW).experts) == 5  # five experts: shown
    with sessions.begin() as s:
        s.execute(update(ExpertRecord).where(ExpertRecord.id == 1).values(moderator=True))
    reports = Reports(sessions, pseudonyms=Pseudonyms(sessions, "k"), clock=lambda: NOW)
    report = reports.build(4)
    assert report.figures.experts_active == 5 and report.figures.experts == ()
    assert (
        "Per expert: niet getoond (5 experts gaven antwoord, maar minder dan 5 die geen moderator zijn)."
        in (report.text("nl"))
    )
    rows = list(csv.DictReader(io.StringIO(reports.csv(report.figures)[0].data.decode("utf-8-sig"))))
    assert {r["expert"] for r in rows} == {""}


def test_the_csv_names_no_expert_when_the_report_hides_them(sessions: sessionmaker[Session]) -> None:
    write(sessions, synthetic_month(experts=4))
    reports = Reports(sessions, pseudonyms=Pseudonyms(sessions, "k"), clock=lambda: NOW)
    figures = reports.figures(4)
    assert figures.experts == ()
    rows = list(csv.DictReader(io.StringIO(reports.csv(figures)[0].data.decode("utf-8-sig"))))
    answered = [r for r in rows if r["hours_to_answer"]]
    assert answered and {r["expert"] for r in rows} == {""}  # the times stay, whose they are does not


def test_with_six_experts_the_csv_has_their_pseudonyms(sessions: sessionmaker[Session]) -> None:
    write(sessions, synthetic_month(experts=6))
    reports = Reports(sessions, pseudonyms=Pseudonyms(sessions, "k"), clock=lambda: NOW)
    rows = list(csv.DictReader(io.StringIO(reports.csv(reports.figures(4))[0].data.decode("utf-8-sig"))))
    assert len({r["expert"] for r in rows if r["hours_to_answer"]}) == 6


def test_an_expert_is_refused_the_report_and_every_button(month: World) -> None:
    [r] = month.handle(cmd("slack", "UEXP1", "rapport", chat="DEXP1"))
    assert "moderator" in r.text and not r.files and not r.buttons
    for action, item in ((IN_CSV, 4), (IN_KB, 1), (IN_EXPERT, 1)):
        before = month.routings()
        act = Action(ChatRef("slack", "DEXP1"), "UEXP1", action, item, event_id=f"x{action}")
        [r] = month.core.service.handle_action(act)
        assert "moderator" in r.text and not r.files and r.form is None, action
        assert month.routings() == before


def test_a_forged_gap_button_reads_no_other_question(month: World) -> None:
    [report] = month.handle(cmd("telegram", MOD_TG, "rapport"))
    shown = {int(b.value) for b in report.buttons if button_kind(b.action) in (IN_KB, IN_EXPERT)}
    other = next(q for q in range(1, 400) if q not in shown and month.store.get(q) is not None)
    text = month.store.get(other).text  # type: ignore[union-attr]
    for action in (IN_KB, IN_EXPERT):
        before = month.routings()
        act = Action(ChatRef("telegram", MOD_TG), MOD_TG, action, other, event_id=f"forged{action}")
        [r] = month.core.service.handle_action(act)
        assert text not in r.text and r.form is None and month.routings() == before, action
        assert r.text == "Dat bericht ken ik niet (meer)."


def test_a_shown_gap_button_still_works_after_a_restart(month: World) -> None:
    [report] = month.handle(cmd("telegram", MOD_TG, "rapport"))
    qid = next(int(b.value) for b in report.buttons if button_kind(b.action) == IN_KB)
    later = World(month.rt, month.rt.bot(month.clock), month.clock)  # another process, the same database
    [r] = later.core.service.handle_action(
        Action(ChatRef("telegram", MOD_TG), MOD_TG, IN_KB, qid, event_id="k")
    )
    assert "/annuleren" in r.text


PERSONAL = (
    "Ik ben Marieke Jansen (06-12345678, marieke@example.nl) uit Zwolle: mijn zoon van 14 heeft "
    "autisme, welke muziekles past bij hem?"
)


def test_a_gaps_question_is_shown_and_passed_on_anonymised(month: World) -> None:
    # Fourteen members ask it (the biggest gap); the representative is one person's words.
    with month.rt.sessions.begin() as s:
        for n in range(14):
            at = START + timedelta(days=2, hours=n)
            routed_question(
                s, 900 + n, "telegram", f"70{n}", f"p{n}", PERSONAL, at, user_name="Marieke Jansen"
            )
    [report] = month.handle(cmd("telegram", MOD_TG, "rapport"))
    secrets = ("Marieke", "Jansen", "12345678", "example.nl", "Zwolle", "14")
    line = next(x for x in report.text.splitlines() if "autisme" in x)
    quote = line.split("“")[1].split("”")[0]
    assert not [x for x in secrets if x in quote], quote
    qid = next(int(b.value) for b in report.buttons if button_kind(b.action) == IN_KB and int(b.value) >= 900)
    press = Action(ChatRef("slack", "DMOD"), "UMOD", IN_KB, qid, event_id="p-kb", trigger="TRIG")
    [tip] = month.core.service.handle_action(press)  # Slack: the /tip form, its title filled in
    assert tip.form is not None
    title = dict((f.name, f.value) for f in tip.form.fields)["title"]
    assert "autisme" in title and not [x for x in secrets if x in title], title
    before = month.routings()
    act = Action(ChatRef("telegram", MOD_TG), MOD_TG, IN_EXPERT, qid, event_id="p-ex")
    [sent] = month.core.service.handle_action(act)
    assert month.routings() == before + 1
    with month.rt.sessions() as s:
        routed = s.get(QuestionRecord, int(s.scalar(select(func.max(RoutingRecord.question_id))) or 0))
        assert routed is not None and routed.user_id == MOD_TG and "autisme" in routed.text
        assert not [x for x in secrets if x in routed.text], routed.text


def test_a_moderators_re_ask_is_not_a_fifth_asker_of_a_gap_or_topic(sessions: sessionmaker[Session]) -> None:
    # Four members asked it; a moderator sent it to the experts with ❓ (message id insight-…).
    at = START + timedelta(days=3)
    with sessions.begin() as s:
        for n, (user, message) in enumerate(
            [("201", "a"), ("202", "b"), ("203", "c"), ("204", "d"), ("42", "insight-e1")]
        ):
            routed_question(s, n + 1, "telegram", user, message, SAME, at + timedelta(hours=n), updated_at=at)
    report = Reports(sessions, embed=one_vector, clock=lambda: NOW).build(4)
    assert report.gaps.gaps == () and report.gaps.hidden == 1 and report.gaps.candidates == 4
    assert report.figures.topics == () and report.figures.topics_hidden == 2  # 4 askers of each theme
