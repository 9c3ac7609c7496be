"""One report: the figures and the knowledge gaps of a period, with its charts and its CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.highlights.compose import TZ_NAME
from bot.insight import charts, render
from bot.insight.export import questions_csv
from bot.insight.figures import DEFAULT_WEEKS, Figures, bounds, compute
from bot.insight.gaps import Embed, Gaps, find_gaps
from bot.messages import Attachment
from bot.privacy.pseudonyms import Pseudonyms
from storage.db import utcnow

PNG, CSV = "image/png", "text/csv"


@dataclass(frozen=True)
class Report:
    """The figures and the gaps of one period."""

    figures: Figures
    gaps: Gaps

    @property
    def empty(self) -> bool:
        """Nothing to report (no question in the period)."""
        return self.figures.empty

    def text(self, lang: str = "nl", how: bool = False) -> str:
        """The report as text; `how`: with the commands that close a gap (for the terminal)."""
        return render.plain(self.figures, self.gaps, lang, how)

    def span(self) -> str:
        """The weeks as a file-name part: '2026-W45_2026-W48'."""
        weeks = self.figures.weeks
        return weeks[0] if len(weeks) == 1 else f"{weeks[0]}_{weeks[-1]}"

    def charts(self, lang: str = "nl") -> tuple[Attachment, ...]:
        """The two charts as PNG attachments (heavy: run off the event loop)."""
        span = self.span()
        return (
            Attachment(f"vragen-per-week-{span}.png", PNG, charts.weekly_png(self.figures, lang)),
            Attachment(f"reactietijden-{span}.png", PNG, charts.times_png(self.figures, lang)),
        )

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-serialisable data."""
        from dataclasses import asdict

        return {"figures": self.figures.to_dict(), "gaps": asdict(self.gaps)}


class Reports:
    """Builds reports from the database (read only, but for the pseudonym key made on first use)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        tz: str = TZ_NAME,
        embed: Embed | None = None,
        pseudonyms: Pseudonyms | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.tz = tz
        self.embed = embed  # None: the bundled wordllama model, loaded on the first report
        self.pseudonyms = pseudonyms or Pseudonyms(sessions)
        self.clock = clock

    def figures(self, weeks: int = DEFAULT_WEEKS) -> Figures:
        """The figures alone (no gap grouping: what the CSV needs)."""
        return compute(self.sessions, weeks, self.tz, self.clock, self.pseudonyms)

    def build(self, weeks: int = DEFAULT_WEEKS) -> Report:
        """The report of the last `weeks` full weeks (WeeksError outside 1..MAX_WEEKS)."""
        f = self.figures(weeks)
        edges = bounds(f.weeks, self.tz)
        found = (
            find_gaps(self.sessions, edges[0], edges[-1], self.tz, self.embed)
            if not f.empty
            else Gaps((), 0, 0, 0, 0)
        )
        return Report(f, found)

    def csv(self, figures: Figures) -> tuple[Attachment, int]:
        """The questions of a report's period as a CSV attachment, and its number of rows."""
        edges = bounds(figures.weeks, self.tz)
        data, n = questions_csv(
            self.sessions, edges[0], edges[-1], self.tz, self.pseudonyms, experts=bool(figures.experts)
        )
        weeks = figures.weeks
        span = weeks[0] if len(weeks) == 1 else f"{weeks[0]}_{weeks[-1]}"
        return Attachment(f"vragen-{span}.csv", CSV, data), n
