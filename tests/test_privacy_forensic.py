"""Forget-me searched like an auditor would: one person who asked, answered as an expert, approved a
tip as a moderator, shared a tip and is linked on both platforms, with a name ("Jan") that other
members' names and words contain ("Janssen", "Jan Pietersen"). After the erasure every table (raw,
JSON decoded), the knowledge base's files on disk (BM25 snapshot, Chroma), and every file under the
data directory are searched; the other members' rows must be exactly as they were."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.chat import cmd, msg, reset_conversations
from support.clock import Clock
from support.docs import make_settings

from adapters.console import save_file
from app.runtime import Runtime, build_runtime
from bot.community.model import SUB_APPROVE
from bot.messages import CLAIM, HELPFUL, KB_YES, Action, ChatRef, Posted, Reply
from bot.privacy.export import attachments, export
from bot.privacy.feature import PV_FORGET_OK
from bot.texts import t

JAN_TG = ("telegram", "730055501")
JAN_SLACK = ("slack", "UJANKOSTR")
JAN_FULL = "Jan Köster"
PIET = ("telegram", "730066602")
PIET_NAME = "Piet Janssen"
OTHER_JAN = ("telegram", "730077703")
OTHER_JAN_NAME = "Jan Pietersen"
ADMIN = ("slack", "UADMIN001")
GROUP = "-1009876"
JAN_ASKS = "Waar vind ik een zangkoor voor mijn vader met dementie? Groet, Jan Köster"
PIET_ASKS = "Kan mijn buurman met eenzaamheid en een rolstoel bij een koor? Janssen zoekt hulp."
OTHER_ASKS = "Is er een koor bij de Jan Steenschool voor ouderen met dementie?"
JAN_ANSWERS = "Probeer het buurtkoor Stemmig, daar zingen mensen met dementie samen."


class Net:
    """Both platforms at the outbox boundary: posts, updates and deletes, recorded."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.posts: list[Reply] = []
        self.deletes: list[Posted] = []
        self.n = 0

    async def send(self, reply: Reply) -> list[Posted]:
        self.n += 1
        self.posts.append(reply)
        chat = reply.chat.chat_id
        if self.platform == "slack" and chat.startswith("U"):
            chat = "D" + chat[1:]
        return [Posted(chat, f"17724{self.n:05d}.000100" if self.platform == "slack" else str(7000 + self.n))]

    async def update(self, posted: Posted, reply: Reply) -> None:
        pass

    async def delete(self, posted: Posted) -> None:
        self.deletes.append(posted)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("forensic") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


class Scene:
    def __init__(self, base: Runtime) -> None:
        reset_conversations(base)
        settings = {
            "admins": f"{ADMIN[0]}:{ADMIN[1]}",
            "moderators": f"{JAN_SLACK[0]}:{JAN_SLACK[1]}",
            "forget_grace_hours": 0,
        }
        self.rt = replace(base, settings=base.settings.model_copy(update=settings))
        self.clock = Clock()
        self.core = self.rt.bot(self.clock)
        self.nets = {"slack": Net("slack"), "telegram": Net("telegram")}

    def deliver(self) -> list[Reply]:
        start = sum(len(n.posts) for n in self.nets.values())
        while asyncio.run(self.core.outbox.deliver(self.nets)):
            pass
        return [p for n in self.nets.values() for p in n.posts][start:]

    def do(self, who: tuple[str, str], command: str, arg: str = "", **kw: Any) -> list[Reply]:
        return self.core.service.handle(cmd(who[0], who[1], command, arg, **kw))

    def say(self, who: tuple[str, str], text: str, **kw: Any) -> list[Reply]:
        return self.core.service.handle(msg(who[0], who[1], text, **kw))

    def press(self, who: tuple[str, str], action: str, item: int) -> list[Reply]:
        return self.core.service.handle_action(Action(ChatRef(who[0], who[1]), who[1], action, item))

    def tip(self, who: tuple[str, str], name: str, title: str, text: str) -> None:
        self.do(who, "tip", name=name)
        for answer in (title, text, "muziek, ouderen", "Utrecht"):
            self.say(who, answer, name=name)


def build(base: Runtime) -> Scene:
    sc = Scene(base)
    core = sc.core
    core.experts.add(
        JAN_FULL,
        slack_user_id=JAN_SLACK[1],
        expertise="zingen, koren en muziek voor ouderen met dementie of eenzaamheid",
        tags="dementie, muziek, ouderen, eenzaamheid",
        regions="Utrecht",
    )
    # Piet asks; Jan (the expert) claims, answers and publishes it.
    [r] = sc.say(PIET, PIET_ASKS, name=PIET_NAME)
    assert r.routed and r.question_id is not None
    piet_q = r.question_id
    sc.deliver()
    sc.press(JAN_SLACK, CLAIM, piet_q)
    sc.do(JAN_SLACK, "antwoord", f"{piet_q} {JAN_ANSWERS}", name=JAN_FULL)
    sc.deliver()
    sc.press(JAN_SLACK, KB_YES, piet_q)
    sc.deliver()
    # Jan asks in a group on Telegram (under his first name only), and votes on an answer.
    [mine] = sc.say(JAN_TG, JAN_ASKS, chat=GROUP, name="Jan", addressed=True)
    assert mine.question_id is not None
    core.service.remember(mine, "4001")
    [bot_answer] = sc.say(JAN_TG, "Wat is kunst op recept?", name="Jan")
    assert bot_answer.question_id is not None
    core.service.handle_action(Action(ChatRef(*JAN_TG), JAN_TG[1], HELPFUL, bot_answer.question_id))
    # The other Jan asks too.
    sc.say(OTHER_JAN, OTHER_ASKS, name=OTHER_JAN_NAME)
    # Linked on both platforms.
    [code] = sc.do(JAN_SLACK, "koppel", name=JAN_FULL)
    token = code.text.split("koppelcode: ")[1].split()[0]
    sc.do(JAN_TG, "koppel", token, name="Jan")
    # Jan's tip (approved by the admin) and Piet's tip (approved by Jan, the moderator).
    sc.tip(
        JAN_TG,
        "Jan",
        "Zingen met Jan Köster",
        "Elke vrijdag zingt Jan Köster met bewoners van het verpleeghuis.",
    )
    sc.tip(PIET, PIET_NAME, "Koor De Janssen-zangers", "Piet Janssen leidt elke week een koor voor ouderen.")
    sc.deliver()
    jan = core.people.find(*JAN_TG)
    piet = core.people.find(*PIET)
    assert jan is not None and piet is not None
    [jan_tip] = core.community.queue.list(author_id=jan.id)
    [piet_tip] = core.community.queue.list(author_id=piet.id)
    sc.press(ADMIN, SUB_APPROVE, jan_tip.id)
    sc.press(JAN_SLACK, SUB_APPROVE, piet_tip.id)
    sc.deliver()
    return sc


def dump(db: Path) -> dict[str, list[dict[str, Any]]]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    out: dict[str, list[dict[str, Any]]] = {}
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
        out[name] = [dict(r) for r in con.execute(f'SELECT * FROM "{name}"')]
    con.close()
    return out


def as_text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    s = "" if v is None else str(v)
    try:
        return json.dumps(json.loads(s), ensure_ascii=False)
    except (ValueError, TypeError):
        return s


def data_files(folder: Path) -> dict[Path, str]:
    """Every file under the data folder as text (JSON escapes undone)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            raw = p.read_bytes().decode("utf-8", "replace")
            out[p] = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw)
    return out


STRONG = re.compile(r"(?i)(730055501|UJANKOSTR|DJANKOSTR|köster|k\\u00f6ster)")
# "Jan" as a word, except inside the other Jan's name and the school named after Jan Steen.
JAN = re.compile(r"(?<!\w)Jan(?!\w)(?! Pietersen)(?! Steenschool)")


def traces(rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, str]]:
    found = []
    for name, table_rows in rows.items():
        for r in table_rows:
            for k, v in r.items():
                text = as_text(v)
                if STRONG.search(text) or JAN.search(text):
                    found.append((name, k, text[:200]))
    return found


def others(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The other members' own rows (people, accounts, questions), minus what changes on its own."""
    mine = {PIET[1], OTHER_JAN[1]}
    return {
        "accounts": sorted((r for r in rows["accounts"] if r["user_id"] in mine), key=str),
        "questions": sorted(
            (
                {k: v for k, v in r.items() if k != "updated_at"}
                for r in rows["questions"]
                if r["user_id"] in mine
            ),
            key=str,
        ),
        "people": sorted((r for r in rows["people"] if r["name"] in (PIET_NAME, OTHER_JAN_NAME)), key=str),
    }


def test_forget_me_leaves_nothing_anywhere_and_touches_nobody_else(base: Runtime) -> None:
    sc = build(base)
    data = sc.rt.settings.data_dir
    jan = sc.core.people.find(*JAN_TG)
    assert jan is not None
    # His data export, saved by the console into the data folder (as `verbinder chat` does).
    doc = export(sc.rt.sessions, jan.id, sc.clock())
    assert doc is not None
    for f in attachments(doc):
        save_file(data / "files", f)
    text = json.dumps(doc, ensure_ascii=False)
    assert JAN_ASKS in text and JAN_ANSWERS in text and "Zingen met Jan Köster" in text
    # Nothing of the other Jan; of Piet only that Jan answered him (not what he asked or wrote):
    # the offers and moderation notices Jan received keep their address, not the other's words.
    assert "Pietersen" not in text and OTHER_ASKS not in text
    assert (
        PIET_ASKS not in text and "Piet Janssen leidt" not in text and t("pv_export_withheld", "nl") in text
    )
    before = dump(data / "verbinder.db")
    assert traces(before)
    sc.do(JAN_TG, "vergeet_mij")
    sc.press(JAN_TG, PV_FORGET_OK, jan.id)
    sc.clock.advance(minutes=1)
    sc.core.scheduler.run_due()
    sc.deliver()
    sc.clock.advance(minutes=11)  # the database is compacted once the last messages went
    sc.core.scheduler.run_due()
    after = dump(data / "verbinder.db")
    assert traces(after) == []
    assert others(after) == others(before)  # not one character of theirs changed
    # The knowledge base on disk (the BM25 snapshot, Chroma) and every other file: nothing left.
    left = {p: STRONG.findall(t) + JAN.findall(t) for p, t in data_files(data).items()}
    assert {p: f for p, f in left.items() if f} == {}
    # What stays public stays, without him: his tip, and his answer to Piet.
    chunks = {r["doc_path"]: r["text"] for r in after["kb_chunks"]}
    tips = [t for p, t in chunks.items() if p.startswith("community/") and "verpleeghuis" in t]
    assert len(tips) == 1 and "een lid" in tips[0]
    [qa] = [t for p, t in chunks.items() if p.startswith("qa/")]
    assert "Stemmig" in qa and "een expert" in qa
    assert any("Piet Janssen leidt" in t for t in chunks.values())
