"""Privacy in the core: the data export holds everything, forget-me leaves no trace in any table
(every text and JSON column of every table is searched), the grace period and its cancel, and
refusals. Real database, outbox, scheduler and knowledge base; the platforms are small fakes that
post, update and delete (the real adapters are faked at the HTTP boundary elsewhere)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from support.chat import World, cmd, msg, reset_conversations
from support.clock import Clock
from support.docs import make_settings

from app.runtime import Runtime, build_runtime
from bot.community.model import SUB_APPROVE
from bot.messages import CLAIM, HELPFUL, KB_YES, Action, ChatRef, Posted, Reply
from bot.privacy.catalog import rows_about
from bot.privacy.feature import PV_FORGET_CANCEL, PV_FORGET_NO, PV_FORGET_OK
from bot.privacy.subject import Subject, subject_of, table
from bot.privacy.traces import find
from bot.texts import t
from knowledge_base.records import ChunkRecord

MEMBER = ("telegram", "730012345")
MEMBER_SLACK = ("slack", "UMARIEKE7")
NAME = "Marieke Zonnebloem"
EXPERT = ("slack", "USANNE001")
EXPERT_NAME = "Sanne Vlinderbloem"
ADMIN = ("slack", "UADMIN001")
GROUP = "-1001234"
ASK_KOOR = "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?"
ANSWER = "Probeer het buurtkoor Stemmig; daar zingen mensen met dementie samen met hun mantelzorgers."
TIP = (
    "De Zingende Tram in Zwolle",
    "Op lijn 5 zingt elke woensdag een koor van vrijwilligers met bewoners van een verpleeghuis die "
    "dementie hebben. Het koor stapt in bij het ziekenhuis en zingt liedjes van vroeger.",
)


class Net:
    """Both platforms: posts, updates and deletes, recorded."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.posts: list[Reply] = []
        self.updates: list[tuple[Posted, str]] = []
        self.deletes: list[Posted] = []
        self.n = 0

    async def send(self, reply: Reply) -> list[Posted]:
        self.n += 1
        self.posts.append(reply)
        chat = reply.chat.chat_id
        if self.platform == "slack" and chat.startswith("U"):
            chat = "D" + chat[1:]  # a post to a user lands in the DM with them
        mid = f"17724{self.n:05d}.000100" if self.platform == "slack" else str(5000 + self.n)
        return [Posted(chat, mid)]

    async def update(self, posted: Posted, reply: Reply) -> None:
        self.updates.append((posted, reply.text))

    async def delete(self, posted: Posted) -> None:
        self.deletes.append(posted)


class Privacy:
    """A world with both fake platforms."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.slack, self.telegram = Net("slack"), Net("telegram")

    def deliver(self) -> list[Reply]:
        start = len(self.slack.posts) + len(self.telegram.posts)
        nets = {"slack": self.slack, "telegram": self.telegram}
        while asyncio.run(self.w.core.outbox.deliver(nets)):
            pass
        return (self.slack.posts + self.telegram.posts)[start:]

    def do(self, who: tuple[str, str], command: str, arg: str = "", **kw: object) -> list[Reply]:
        return self.w.handle(cmd(who[0], who[1], command, arg, **kw))  # type: ignore[arg-type]

    def say(self, who: tuple[str, str], text: str, **kw: object) -> Reply:
        [r] = self.w.handle(msg(who[0], who[1], text, **kw))  # type: ignore[arg-type]
        return r

    def press(self, who: tuple[str, str], action: str, item: int, chat: str | None = None) -> Reply:
        act = Action(ChatRef(who[0], chat or who[1]), who[1], action, item)
        [r] = self.w.core.service.handle_action(act)
        return r

    def subject(self, person_id: int) -> Subject:
        with self.w.rt.sessions() as s:
            sub = subject_of(s, person_id)
        assert sub is not None
        return sub


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("privacy") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
def make(base: Runtime):  # type: ignore[no-untyped-def]
    def make(**overrides: object) -> Privacy:
        reset_conversations(base)
        settings = {"admins": f"{ADMIN[0]}:{ADMIN[1]}", **overrides}
        rt = replace(base, settings=base.settings.model_copy(update=settings))
        clock = Clock()
        return Privacy(World(rt, rt.bot(clock), clock))

    return make


def active_member(p: Privacy) -> tuple[int, int]:
    """The member asks, is answered by an expert who publishes it, votes, links Slack, shares two
    tips (one approved, one waiting) and leaves a form half done. (person id, question id)"""
    core = p.w.core
    core.experts.add(
        EXPERT_NAME,
        slack_user_id=EXPERT[1],
        expertise="dementie, zingen en koren voor ouderen in Utrecht",
        tags="dementie, muziek, ouderen",
        regions="Utrecht",
    )
    r = p.say(MEMBER, ASK_KOOR, chat=GROUP, name=NAME, addressed=True)
    assert r.routed
    qid = r.question_id
    assert qid is not None
    p.w.core.service.remember(r, "4000")  # the adapter posted the bot's reply as message 4000
    offers = p.deliver()
    [offer] = [o for o in offers if o.chat.chat_id == EXPERT[1]]
    assert ASK_KOOR in offer.text and NAME in offer.text
    assert p.press(EXPERT, CLAIM, qid).text == t("claimed_ok", "nl", id=qid)
    p.do(EXPERT, "antwoord", f"{qid} {ANSWER}")
    sent = p.deliver()
    # The delivered answer quotes the question.
    assert any(s.chat.chat_id == GROUP and ASK_KOOR in s.text and ANSWER in s.text for s in sent)
    assert "kennisbank" in p.press(EXPERT, KB_YES, qid).text.lower()
    # An answer the bot gives itself, and the member's vote on it.
    answered = p.say(MEMBER, "Wat is kunst op recept?", name=NAME)
    assert not answered.routed and answered.question_id is not None
    p.w.core.service.handle_action(Action(ChatRef(*MEMBER), MEMBER[1], HELPFUL, answered.question_id))
    # Slack joins the same person.
    [code] = p.do(MEMBER_SLACK, "koppel", name=NAME)
    token = code.text.split("koppelcode: ")[1].split()[0]
    p.do(MEMBER, "koppel", token)
    # A tip a moderator approves, one still waiting, one form left half done.
    for title, text in (
        TIP,
        ("Zingen in de bibliotheek", "Elke maand een zangmiddag in de bieb voor ouderen."),
    ):
        p.do(MEMBER, "tip", name=NAME)
        for answer in (title, text, "dementie, muziek", "Overijssel"):
            p.say(MEMBER, answer, name=NAME)
    p.deliver()
    person = p.w.core.people.find(*MEMBER)
    assert person is not None
    mine = p.w.core.community.queue.list(author_id=person.id)
    assert len(mine) == 2
    approved = min(s.id for s in mine)
    assert "kennisbank" in p.press(ADMIN, SUB_APPROVE, approved).text
    p.deliver()
    p.do(MEMBER, "project", name=NAME)
    p.say(MEMBER, "Half af", name=NAME)
    return person.id, qid


def exported(replies: list[Reply]) -> tuple[dict, list[list[str]]]:
    files = {f.name.rsplit(".", 1)[1]: f for r in replies for f in r.files}
    assert set(files) == {"json", "csv"} and files["json"].mime == "application/json"
    doc = json.loads(files["json"].data.decode("utf-8"))
    rows = list(csv.reader(io.StringIO(files["csv"].data.decode("utf-8"))))
    return doc, rows


def test_my_data_sends_everything_about_the_member_privately_as_json_and_csv(make):
    p = make()
    pid, qid = active_member(p)
    replies = p.do(MEMBER, "mijn_gegevens", chat=GROUP, addressed=True)  # asked in the group ...
    [files, notice] = replies
    assert files.chat == ChatRef("telegram", MEMBER[1]) and files.files  # ... sent in the private chat
    assert notice.chat.chat_id == GROUP and not notice.files and notice.text == t("pv_export_elsewhere", "nl")
    doc, rows = exported([files])
    tables = doc["tables"]
    assert doc["person"]["id"] == pid and sorted(doc["person"]["accounts"]) == [
        f"{MEMBER_SLACK[0]}:{MEMBER_SLACK[1]}",
        f"{MEMBER[0]}:{MEMBER[1]}",
    ]
    assert {q["text"] for q in tables["questions"]} >= {ASK_KOOR, "Wat is kunst op recept?"}
    assert tables["feedback"][0]["value"] == HELPFUL
    assert [r["answer"] for r in tables["routings"]] == [ANSWER]
    assert {s["state"] for s in tables["submissions"]} == {"approved", "pending"}
    assert tables["form_drafts"][0]["form"] == "project"
    assert {a["user_id"] for a in tables["accounts"]} == {MEMBER[1], MEMBER_SLACK[1]}
    assert any(e["action"] == "link" for e in tables["audit_log"])
    assert any(path.startswith("community/tip-") for path in (d["path"] for d in tables["kb_documents"]))
    assert any(d["path"] == f"qa/vraag-{qid}.md" for d in tables["kb_documents"])
    # The CSV holds the same rows, one value a line.
    csv_rows = {(r[0], r[1]) for r in rows[1:]}
    assert {(name, str(i)) for name, rs in tables.items() for i in range(1, len(rs) + 1)} == csv_rows
    # "Everything": every row in which any table mentions them (the whole database searched) is in it.
    sub = p.subject(pid)
    with p.w.rt.sessions() as s:
        traces = find(s, sub.needles())
        assert {tr.table for tr in traces} >= {"questions", "accounts", "submissions", "outbox", "kb_chunks"}
        for tr in traces:
            key = [c.name for c in table(tr.table).primary_key.columns]
            covered = {tuple(r[k] for k in key) for r in rows_about(s, tr.table, sub)}
            assert tr.key in covered, tr
    # Their expert profile: the expert's export holds her answer and profile, not the member's account.
    expert_doc, _ = exported(p.do(EXPERT, "my_data"))
    assert expert_doc["tables"]["experts"][0]["name"] == EXPERT_NAME
    assert "accounts" in expert_doc["tables"] and MEMBER[1] not in json.dumps(
        expert_doc["tables"]["accounts"]
    )


def test_forget_me_leaves_no_trace_in_any_table_and_keeps_public_entries_anonymous(make):
    p = make(forget_grace_hours=0)
    pid, qid = active_member(p)
    sub = p.subject(pid)
    assert set(sub.needles()) >= {MEMBER[1], MEMBER_SLACK[1], NAME}
    with p.w.rt.sessions() as s:
        assert find(s, sub.needles())  # before: everywhere
    [ask] = p.do(MEMBER, "vergeet_mij")
    assert ask.buttons[0].action == PV_FORGET_OK and "een lid" in ask.text
    planned = p.press(MEMBER, PV_FORGET_OK, pid)
    assert planned.buttons[0].action == PV_FORGET_CANCEL
    p.w.clock.advance(minutes=1)
    assert any(name.startswith("privacy.forget") for name in p.w.core.scheduler.run_due())
    told = p.deliver()
    assert [r.text for r in told if r.text] == [t("pv_forgotten", "nl")]
    # The bot's messages that quoted the question: the offer to the expert (Slack), the reply in the
    # group and the delivered answer (Telegram, within 48 hours) are deleted.
    assert {d.chat_id for d in p.slack.deletes} == {"D" + EXPERT[1][1:]}
    # The moderation notices about their tips stay in the moderator's direct messages, without them.
    notices = [text for posted, text in p.slack.updates if posted.chat_id == "D" + ADMIN[1][1:]]
    assert len(notices) == 2 and all(NAME not in n and "een lid" in n for n in notices), notices
    assert {(d.chat_id, d.message_id) for d in p.telegram.deletes} >= {(GROUP, "4000")}
    with p.w.rt.sessions() as s:
        left = find(s, [*sub.needles(), "Marieke", "Zonnebloem"])
    assert left == [], left
    # What stays public stays, without them: the Q&A entry and the approved tip.
    docs = {d.path: d for d in p.w.rt.kb.documents()}
    with p.w.rt.sessions() as s:
        text = {
            c.doc_path: c.text for c in s.query(ChunkRecord).filter(ChunkRecord.doc_path.like("community/%"))
        }
    [tip] = [path for path in docs if path.startswith("community/tip-")]
    assert "Tip van een lid" in text[tip] and "lijn 5" in text[tip] and docs[tip].title == TIP[0]
    assert f"qa/vraag-{qid}.md" in docs
    found = p.w.core.service.assistant.ask("Wat is de zingende tram in Zwolle?")
    assert found.sources and found.sources[0].path == tip
    assert p.w.core.people.find(*MEMBER) is None and p.w.core.people.find(*MEMBER_SLACK) is None


def test_the_expert_forgotten_their_answer_stays_credited_to_an_expert(make):
    p = make(forget_grace_hours=0)
    _, qid = active_member(p)
    expert = p.w.core.people.person(*EXPERT)
    sub = p.subject(expert.id)
    assert sub.expert_ids and f"qa/vraag-{qid}.md" in sub.kb_paths
    [ask] = p.do(EXPERT, "forget_me")
    assert p.press(EXPERT, ask.buttons[0].action, expert.id).text.startswith("All right")
    p.w.clock.advance(minutes=1)
    p.w.core.scheduler.run_due()
    p.deliver()
    with p.w.rt.sessions() as s:
        assert find(s, [*sub.needles(), "Vlinderbloem"]) == []
        [entry] = s.query(ChunkRecord).filter(ChunkRecord.doc_path == f"qa/vraag-{qid}.md").all()
    assert "een expert" in entry.text and "Stemmig" in entry.text
    assert p.w.core.experts.by_identity(*EXPERT) is None


def test_older_telegram_messages_are_edited_not_deleted(make):
    p = make()  # the default grace period: 72 hours, so Telegram's 48 hours have passed
    pid, _ = active_member(p)
    p.do(MEMBER, "vergeet_mij")
    p.press(MEMBER, PV_FORGET_OK, pid)
    p.w.clock.advance(hours=73)
    p.w.core.scheduler.run_due()
    p.deliver()
    assert p.telegram.deletes == []
    assert (Posted(GROUP, "4000"), t("pv_message_removed", "nl")) in p.telegram.updates
    assert p.slack.deletes  # Slack deletes at any age


def test_the_grace_period_and_cancel_with_the_clock(make):
    p = make(forget_grace_hours=24)
    asked = p.say(MEMBER, "Wat is kunst op recept?", name=NAME).question_id
    person = p.w.core.people.person(*MEMBER)
    p.do(MEMBER, "vergeet_mij")
    planned = p.press(MEMBER, PV_FORGET_OK, person.id)
    assert "2026-03-03 10:00" in planned.text  # 24 hours on, Amsterdam time
    [again] = p.do(MEMBER, "vergeet_mij")
    assert "2026-03-03 10:00" in again.text and again.buttons[0].action == PV_FORGET_CANCEL
    p.w.clock.advance(hours=23)
    assert not any(name.startswith("privacy.forget") for name in p.w.core.scheduler.run_due())
    assert p.press(MEMBER, PV_FORGET_CANCEL, person.id).text == t("pv_forget_cancelled", "nl")
    p.w.clock.advance(hours=48)
    assert not any(name.startswith("privacy.forget") for name in p.w.core.scheduler.run_due())
    assert p.w.core.people.find(*MEMBER) is not None and p.w.store.get(asked) is not None
    # Asked again, and stopped with the command this time; "no" changes nothing at all.
    p.press(MEMBER, PV_FORGET_OK, person.id)
    [stopped] = p.do(MEMBER, "vergeet_mij", "annuleren")
    assert stopped.text == t("pv_forget_cancelled", "nl")
    [nothing] = p.do(MEMBER, "vergeet_mij", "annuleren")
    assert nothing.text == t("pv_forget_nothing", "nl")
    assert p.press(MEMBER, PV_FORGET_NO, person.id).text == t("pv_forget_kept", "nl")
    p.w.clock.advance(hours=100)
    p.w.core.scheduler.run_due()
    assert p.w.core.people.find(*MEMBER) is not None


def test_nobody_exports_or_forgets_someone_else(make):
    p = make()
    p.say(MEMBER, "Wat is kunst op recept?", name=NAME)
    person = p.w.core.people.person(*MEMBER)
    other = ("telegram", "730099999")
    [r] = p.do(other, "mijn_gegevens", f"@{MEMBER[1]}")
    assert r.text == t("pv_only_own", "nl") and not r.files
    [r] = p.do(other, "vergeet_mij", NAME)
    assert r.text == t("pv_only_own", "nl")
    p.do(other, "vergeet_mij")
    assert p.press(other, PV_FORGET_OK, person.id).text == t("pv_not_yours", "nl")
    assert p.press(other, PV_FORGET_CANCEL, person.id).text == t("pv_not_yours", "nl")
    assert p.w.core.privacy is not None and p.w.core.privacy.pending(person.id) is None
    # The other member's own export does not hold the member's question.
    [mine] = p.do(other, "mijn_gegevens")
    doc, _ = exported([mine])
    assert "kunst op recept" not in json.dumps(doc)


def test_english_for_people_who_write_english(make):
    p = make()
    who = ("slack", "UENGLISH1")
    [r] = p.do(who, "my_data")
    assert r.language == "en" and r.text.startswith("This is everything")
    [r] = p.do(who, "forget_me")
    assert r.text.startswith("Are you sure?") and r.buttons[0].label == t("btn_pv_forget_ok", "en")
    [r] = p.do(who, "forget_me", "cancel")
    assert r.text == t("pv_forget_nothing", "en")
    [r] = p.do(who, "mijn_gegevens", "please send me the data of my colleague Piet")
    assert r.text == t("pv_only_own", "en")


def test_unpublished_questions_are_published_anonymised(make):
    p = make()
    _, qid = active_member(p)
    docs = {d.path: d for d in p.w.rt.kb.documents()}
    entry = docs[f"qa/vraag-{qid}.md"]
    assert "Utrecht" not in entry.title and "koor" in entry.title and "moeder" in entry.title
    with p.w.rt.sessions() as s:
        [chunk] = s.query(ChunkRecord).filter(ChunkRecord.doc_path == entry.path).all()
    assert "Utrecht" not in chunk.text.split("Antwoord:")[0] and NAME not in chunk.text
    assert EXPERT_NAME in chunk.text  # the expert agreed to be credited
