"""Highlights of a synthetic busy week: the rendered Slack and Telegram messages (for issue 14's note).

Builds a fresh bot in a temporary data directory over the bundled sample knowledge base and lives
through ISO week 49 of 2026 (30 November to 6 December) through the real core: members ask
questions in chat (`core.service.handle`), experts answer with /antwoord and press yes or no for
the knowledge base, members' tips, projects and events are approved in the moderation queue. Then
it composes the week's highlights as on Monday 7 December 09:00 and prints what each platform gets.

    python bench/highlights_week.py               # Dutch
    python bench/highlights_week.py --lang en --json out.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.runtime import BotCore, build_runtime  # noqa: E402
from bot.community.records import PENDING  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.highlights.compose import compose  # noqa: E402
from bot.highlights.render import slack, telegram, tg_len  # noqa: E402
from bot.messages import CLAIM, KB_NO, KB_YES, Action, ChatRef, Incoming  # noqa: E402
from bot.people.store import CLI  # noqa: E402

WEEK = "2026-W49"
AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 30)
EXPERTS = (
    ("Sanne de Vries", "USAN", "dementie en muziek, zingen met ouderen", "dementie, muziek, ouderen"),
    ("Fatima El Amrani", "UFAT", "financiering en fondsen voor kunstprojecten", "financiering"),
    (
        "Joost Bakker",
        "UJOO",
        "jongeren, theater en participatie in de wijk",
        "jongeren, theater, wijkgericht",
    ),
    ("Emma Jansen", "UEMM", "beleid van gemeenten, wmo en sociaal domein", "beleid"),
)
# (day of the week, hour, member, question, expert who answers or claims, what the expert does:
# True/False = answers and says yes/no to publishing, None = answers and does not decide, "claim")
QUESTIONS: tuple[tuple[int, int, str, str, str, bool | str | None], ...] = (
    (0, 9, "Anna", "Wat is kunst op recept?", "", None),
    (0, 11, "Bram", "Welke fondsen zijn er voor kunstprojecten met ouderen?", "", None),
    (0, 14, "Carla", "Is er een zanggroep voor mensen met dementie in Apeldoorn?", "USAN", True),
    (1, 10, "Dirk", "Wat doet zingen in een koor voor je gezondheid?", "", None),
    (
        1,
        15,
        "Eva",
        "Kan iemand meelezen met mijn fondsaanvraag voor een filmproject met jongeren in Enschede?",
        "UFAT",
        False,
    ),
    (1, 20, "Anna", "Hoe organiseer ik een bijeenkomst over kunst en welzijn?", "", None),
    (2, 9, "Fenna", "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?", "", None),
    (2, 13, "Gijs", "Wat is de regeling Samen Cultuurmaken?", "", None),
    (
        2,
        16,
        "Hanna",
        "Hoe krijg ik de wethouder mee met cultuur in het sociaal domein van Zwolle?",
        "UEMM",
        True,
    ),
    (3, 10, "Ilse", "Wat is een cultuurcoach?", "", None),
    (3, 12, "Jan", "Welke subsidie kan ik aanvragen voor een dansproject met ouderen in Limburg?", "", None),
    (3, 18, "Karim", "Hoe schrijf ik een persbericht over ons wijkkoor in Schiedam?", "UJOO", None),
    (4, 9, "Lotte", "Waarom helpt kunst tegen eenzaamheid bij ouderen?", "", None),
    (4, 11, "Mo", "Hoe financier ik een muziekproject in een verpleeghuis in Den Bosch?", "UFAT", True),
    (
        4,
        15,
        "Noor",
        "Waar vind ik een dansdocent die les geeft aan mensen met een rolstoel in Haarlem?",
        "UJOO",
        "claim",
    ),
    (5, 10, "Otto", "Wie helpt met een muziekworkshop voor mantelzorgers in Almere?", "", None),
    (5, 14, "Pien", "Wie kan een fotografieproject met nieuwkomers in Leeuwarden begeleiden?", "", None),
    (6, 20, "Quinten", "Wat is social prescribing?", "", None),
)
CONTRIBUTIONS = (
    (0, "tip", "Anna de Wit", "Samen zingen in de wachtkamer", "Gelderland", "muziek, ouderen", ""),
    (
        1,
        "project",
        "Stichting Kleurrijk",
        "Schilderen met statushouders in Deventer",
        "Overijssel",
        "beeldend, nieuwkomers",
        "https://example.org/kleurrijk",
    ),
    (
        2,
        "tip",
        "Bram Peters",
        "Een voorleesuur met poëzie in het buurthuis",
        "Utrecht",
        "literatuur, eenzaamheid",
        "",
    ),
    (
        3,
        "project",
        "Theater Onder Dak",
        "Wijktheater met jongeren uit Kanaleneiland",
        "Utrecht",
        "theater, jongeren",
        "https://example.org/onderdak",
    ),
    (4, "tip", "", "Dansles op de gang van het verpleeghuis", "Drenthe", "dans, dementie", ""),
    (5, "tip", "Carla Smit", "Fotowandeling voor mantelzorgers", "Noord-Brabant", "mantelzorg", ""),
)
EVENTS = (
    ("Open atelier kunst & zorg", "2026-12-08", "14:00", "De Kunstfabriek, Arnhem", "Gelderland"),
    ("Kerstzingen met bewoners", "2026-12-12", "15:30", "Woonzorgcentrum De Linde, Zwolle", "Overijssel"),
    ("Netwerkmiddag cultuur en welzijn", "2026-12-15", "13:00", "Stadhuis, Utrecht", "Utrecht"),
    ("Dansvoorstelling Grijs Gedraaid", "2026-12-19", "", "Schouwburg Assen", "Drenthe"),
    ("Nieuwjaarsborrel", "2027-01-08", "17:00", "Amsterdam", "Noord-Holland"),  # after the two weeks
)


class Clock:
    """The week's time, moved by hand (naive UTC)."""

    def __init__(self) -> None:
        self.now = MONDAY

    def __call__(self) -> datetime:
        return self.now

    def local(self, day: int, hour: int, minute: int = 0) -> None:
        moment = (MONDAY + timedelta(days=day)).replace(hour=hour, minute=minute, tzinfo=AMS)
        self.now = moment.astimezone(UTC).replace(tzinfo=None)


_ids = itertools.count(1)


def member(core: BotCore, uid: str, name: str, text: str, command: str | None = None) -> int | None:
    """A member writes to the bot on Telegram; the question id of the reply, if any."""
    m = Incoming(
        ChatRef("telegram", uid), str(next(_ids)), uid, text, user_name=name, command=command, direct=True
    )
    replies = core.service.handle(m)
    return replies[0].question_id if replies else None


def expert(core: BotCore, uid: str, qid: int, text: str, publish: bool | str | None) -> None:
    """An expert claims, or answers on Slack and says yes or no to the knowledge base."""
    if publish == "claim":
        core.service.handle_action(Action(ChatRef("slack", f"D{uid[1:]}"), uid, CLAIM, qid))
        return
    m = Incoming(
        ChatRef("slack", f"D{uid[1:]}"),
        str(next(_ids)),
        uid,
        f"{qid} {text}",
        command="antwoord",
        direct=True,
    )
    core.service.handle(m)
    if publish is not None:
        core.service.handle_action(
            Action(ChatRef("slack", f"D{uid[1:]}"), uid, KB_YES if publish else KB_NO, qid)
        )


def live_the_week(core: BotCore, clock: Clock) -> dict[str, int]:
    """Questions, answers, contributions and events through the real core; what happened."""
    for name, uid, expertise, tags in EXPERTS:
        core.experts.add(name, slack_user_id=uid, expertise=expertise, tags=tags)
    routed = answered = 0
    for n, (day, hour, name, text, by, publish) in enumerate(QUESTIONS):
        clock.local(day, hour)
        qid = member(core, f"{700 + n}", name, text)
        q = core.service.store.get(qid) if qid else None
        if q is None or not q.routed:
            continue
        routed += 1
        if by:
            clock.local(day, hour + 2)
            expert(
                core,
                by,
                q.id,
                f"Een goed begin: neem contact op met {name}s gemeente en het regionale fonds.",
                publish,
            )
            answered += publish != "claim"
    queue = core.community.queue
    for n, (day, kind, author, title, region, themes, link) in enumerate(CONTRIBUTIONS):
        clock.local(day, 10 + n)
        person = core.people.person("telegram", f"80{n}", author)
        values = {
            "title": title,
            "text": f"{title}: zo deden we het, met vrijwilligers en bewoners.",
            "region": region,
            "themes": themes,
            "link": link,
        }
        sub = queue.submit(person, "telegram", f"80{n}", f"80{n}", kind, values, "nl")
        if sub.state == PENDING:
            queue.approve(sub.id, CLI, "bench")
    for n, (title, day, start, place, region) in enumerate(EVENTS):
        clock.local(n, 16)
        person = core.people.person("telegram", f"90{n}", f"Organisator {n + 1}")
        values = {"title": title, "date": day, "time": start, "place": place, "region": region, "text": ""}
        sub = queue.submit(person, "telegram", f"90{n}", f"90{n}", "event", values, "nl")
        if sub.state == PENDING:
            queue.approve(sub.id, CLI, "bench")
    return {"questions": len(QUESTIONS), "routed": routed, "answered_by_experts": answered}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=("nl", "en"), default="nl")
    ap.add_argument("--json", type=Path, help="Also write the composed highlights and the renderings here.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rt = build_runtime(Settings(data_dir=Path(tmp), sample_kb=True, _env_file=None))
        rt.ensure_sample()
        clock = Clock()
        core = rt.bot(clock)
        happened = live_the_week(core, clock)
        clock.local(7, 9)  # Monday 7 December, 09:00: the post of week 49
        t0 = time.perf_counter()
        h = compose(rt.sessions, WEEK, clock=clock)
        compose_ms = (time.perf_counter() - t0) * 1000
        text, blocks, thread = slack(h, args.lang)
        parts = telegram(h, args.lang)
    print(f"# {WEEK}: {json.dumps(happened)}; composed in {compose_ms:.0f} ms\n")
    print(f"## Slack: the message ({len(blocks)} blocks; mrkdwn as sent)\n")
    for b in blocks:
        inner = b.get("text") or b["elements"][0]
        print(inner["text"])
    print()
    for i, (_text, reply_blocks) in enumerate(thread, 1):
        print(f"## Slack: thread reply {i} ({len(reply_blocks)} blocks)\n")
        print("\n".join(b["text"]["text"] for b in reply_blocks if b["type"] == "section"))
        print()
    for i, part in enumerate(parts, 1):
        print(f"## Telegram: part {i} of {len(parts)} ({tg_len(part)} of 4096)\n")
        print(part)
        print()
    if args.json:
        out = {
            "highlights": h.to_dict(),
            "slack": {"text": text, "blocks": blocks, "thread": thread},
            "telegram": parts,
        }
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
