"""Approved events: the events table, what is coming up (by region), and the iCalendar feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.community.dates import TZ
from bot.community.model import Submission
from bot.community.records import EventRecord
from knowledge_base.analysis import places
from knowledge_base.text import normalise

EVENT_LENGTH = timedelta(hours=2)  # what a calendar shows when an event gives no end


@dataclass(frozen=True)
class Event:
    """An event as members see it."""

    id: int
    title: str
    day: date
    start: str  # HH:MM or "" (all day)
    place: str
    region: str
    link: str
    description: str
    author_name: str

    def where(self) -> str:
        """Place and region, as one line (the region left out when the place names it)."""
        if self.region and normalise(self.region) not in normalise(self.place):
            return ", ".join(x for x in (self.place, self.region) if x)
        return self.place or self.region

    def regions(self) -> set[str]:
        """Every region name the event lies in (its region, and the province of its place)."""
        found = {normalise(self.region)} if self.region else set()
        gaz = places()
        for text in (self.place, self.region):
            for part in normalise(text).replace(",", " , ").split(" , "):
                p = gaz.get(part.strip())
                if p is not None:
                    found |= {normalise(p.region), normalise(p.municipality), p.name}
        return {f for f in found if f}


def _event(r: EventRecord) -> Event:
    return Event(
        r.id,
        r.title,
        date.fromisoformat(r.day),
        r.start,
        r.place,
        r.region,
        r.link,
        r.description,
        r.author_name,
    )


class EventBook:
    """Stores approved events and answers what is coming."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def today(self) -> date:
        """Today in the Netherlands, by the book's clock (naive UTC)."""
        return _utc(self.clock()).astimezone(TZ).date()

    def publish(self, sub: Submission) -> str:
        """Add an approved event submission (once per submission); its 'event:<id>'."""
        f = sub.fields
        try:
            with self.sessions.begin() as s:
                known = s.scalar(select(EventRecord).where(EventRecord.submission_id == sub.id))
                if known is not None:
                    return f"event:{known.id}"
                row = EventRecord(
                    submission_id=sub.id,
                    title=str(f.get("title", ""))[:200],
                    description=str(f.get("text", "")),
                    day=str(f["date"]),
                    start=str(f.get("time") or ""),
                    place=str(f.get("place") or "")[:200],
                    region=str(f.get("region") or "")[:100],
                    link=str(f.get("link") or "")[:500],
                    author_name=sub.author_name,
                    cancelled=False,
                    created_at=self.clock(),
                )
                s.add(row)
                s.flush()
                return f"event:{row.id}"
        except IntegrityError:  # published by another process a moment ago
            with self.sessions() as s:
                known = s.scalar(select(EventRecord).where(EventRecord.submission_id == sub.id))
                assert known is not None
                return f"event:{known.id}"

    def upcoming(self, region: str = "", days: int | None = None, limit: int = 10) -> list[Event]:
        """Events from today on (optionally within `days` and in a region), soonest first."""
        first = self.today()
        q = select(EventRecord).where(EventRecord.day >= first.isoformat(), EventRecord.cancelled.is_(False))
        if days is not None:
            q = q.where(EventRecord.day <= (first + timedelta(days=days)).isoformat())
        with self.sessions() as s:
            found = [_event(r) for r in s.scalars(q.order_by(EventRecord.day, EventRecord.start))]
        if region:
            wanted = normalise(region)
            found = [e for e in found if wanted in e.regions()]
        return found[:limit]

    def ics(self, calendar_name: str = "Verbinder") -> bytes:
        """Every upcoming event as an iCalendar feed."""
        from icalendar import Calendar
        from icalendar import Event as IcsEvent

        cal = Calendar()
        cal.add("prodid", "-//Verbinder//community events//NL")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", calendar_name)
        cal.add("x-wr-timezone", "Europe/Amsterdam")
        stamp = _utc(self.clock())
        for e in self.upcoming(limit=10_000):
            item = IcsEvent()
            item.add("uid", f"event-{e.id}@verbinder")
            item.add("dtstamp", stamp)
            item.add("summary", e.title)
            if e.start:
                begin = datetime.combine(e.day, time.fromisoformat(e.start), tzinfo=TZ)
                item.add("dtstart", begin)
                item.add("dtend", begin + EVENT_LENGTH)
            else:
                item.add("dtstart", e.day)
                item.add("dtend", e.day + timedelta(days=1))
            if e.place or e.region:
                item.add("location", e.where())
            if e.description:
                item.add("description", e.description)
            if e.link:
                item.add("url", e.link)
            cal.add_component(item)
        return cal.to_ical()


def _utc(naive: datetime) -> datetime:
    """A stored (naive UTC) moment as an aware one."""
    return naive.replace(tzinfo=UTC)
