"""The report as plain text: the same lines in chat and in the terminal (the CLI adds its commands)."""

from __future__ import annotations

from datetime import date

from bot.highlights.outline import theme_name
from bot.insight.figures import MIN_GROUP, Figures
from bot.insight.gaps import Gap, Gaps, clip
from bot.texts import t


def number(value: float, lang: str, digits: int = 1) -> str:
    """A number with a decimal comma in Dutch."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def percent(part: int, whole: int, lang: str) -> str:
    """'61%' ('–' of nothing); a half rounds up (12.5% is 13%), not to the even neighbour."""
    if not whole:
        return t("in_no_value", lang)
    return f"{(200 * part + whole) // (2 * whole)}%"


def duration(hours: float | None, lang: str) -> str:
    """'45 min', '3,2 uur', '2,5 dagen' ('–' for none)."""
    if hours is None:
        return t("in_no_value", lang)
    if hours < 1:
        return t("in_minutes", lang, n=round(hours * 60))
    if hours < 48:
        return t("in_hours", lang, n=number(hours, lang))
    return t("in_days", lang, n=number(hours / 24, lang))


def period_label(f: Figures, lang: str) -> str:
    """'2 november – 29 november 2026' in the language's month names."""
    months = t("months", lang).split()

    def day(iso: str, year: bool) -> str:
        """'2 november', with the year when asked."""
        d = date.fromisoformat(iso)
        return f"{d.day} {months[d.month - 1]}" + (f" {d.year}" if year else "")

    first, last = date.fromisoformat(f.first_day), date.fromisoformat(f.last_day)
    return f"{day(f.first_day, first.year != last.year)} – {day(f.last_day, True)}"


def weeks_label(f: Figures, lang: str) -> str:
    """'4 weken: 2026-W45 – 2026-W48'."""
    count = t("in_week_one", lang) if len(f.weeks) == 1 else t("in_week_count", lang, n=len(f.weeks))
    span = f.weeks[0] if len(f.weeks) == 1 else f"{f.weeks[0]} – {f.weeks[-1]}"
    return f"{count}: {span}"


def _times(key: str, f: Figures, lang: str) -> str:
    """The experts' times, each only when it comes from MIN_GROUP experts or more ('–' otherwise)."""
    claim, answer = f.claim, f.answer

    def shown(x: float | None, ok: bool) -> str:
        return duration(x if ok else None, lang)

    line = t(
        key,
        lang,
        n=f.total("routed"),
        claim=shown(claim.median, claim.shown),
        claim90=shown(claim.p90, claim.shown),
        answer=shown(answer.median, answer.shown),
        answer90=shown(answer.p90, answer.shown),
    )
    hidden = (claim.n and not claim.shown) or (answer.n and not answer.shown)
    return line + (t("in_times_hidden", lang, min=MIN_GROUP) if hidden else "")


def summary(f: Figures, lang: str) -> list[str]:
    """The headline figures."""
    asked = f.asked
    lines = [
        t("in_title", lang, period=period_label(f, lang), weeks=weeks_label(f, lang)),
        "",
        t("in_asked", lang, n=asked, askers=f.askers),
        t(
            "in_outcomes",
            lang,
            **{o: percent(f.total(o), asked, lang) for o in ("bot", "expert", "expired", "open")},
        ),
    ]
    up, down = f.total("helpful"), f.total("not_helpful")
    lines.append(
        t("in_votes", lang, up=up, down=down, rate=percent(up, up + down, lang))
        if up + down
        else t("in_votes_none", lang)
    )
    lines.append(_times("in_experts", f, lang) if f.total("routed") else t("in_experts_none", lang))
    lines.append(t("in_expired", lang, n=f.total("expired")))
    return lines


def weekly(f: Figures, lang: str) -> list[str]:
    """One line per week."""
    lines = [t("in_week_head", lang)]
    for w in f.per_week:
        lines.append(
            "  "
            + t(
                "in_week_line",
                lang,
                week=w.week,
                asked=w.asked,
                bot=w.bot,
                expert=w.expert,
                expired=w.expired,
                open=w.open,
                up=w.helpful,
                down=w.not_helpful,
            )
        )
    return lines


def topics(f: Figures, lang: str) -> list[str]:
    """The most asked topics (each from at least MIN_GROUP askers)."""
    lines = [t("in_topics_head", lang)]
    for topic in f.topics:
        name = theme_name(topic.theme, lang)
        lines.append("  " + t("in_topic", lang, theme=name, n=topic.questions, askers=topic.askers))
    if not f.topics:
        lines.append("  " + t("in_topics_none", lang, min=MIN_GROUP))
    if f.topics_hidden:
        lines.append("  " + t("in_topics_hidden", lang, n=f.topics_hidden, min=MIN_GROUP))
    if f.topic_sample < f.asked:
        lines.append("  " + t("in_topics_sample", lang, n=f.topic_sample))
    return lines


def experts(f: Figures, lang: str) -> list[str]:
    """Figures per expert under pseudonyms, or why they are not shown."""
    if not f.experts:
        if not f.experts_active:
            return []
        key = "in_per_expert_hidden" if f.experts_active < MIN_GROUP else "in_per_expert_hidden_mods"
        return [t(key, lang, n=f.experts_active, min=MIN_GROUP)]
    lines = [t("in_per_expert_head", lang)]
    for e in f.experts:
        median = duration(e.answer.median, lang)
        lines.append("  " + t("in_per_expert", lang, expert=e.expert, n=e.answered, median=median))
    return lines


def gap_line(i: int, g: Gap, lang: str) -> str:
    """One knowledge gap."""
    return t(
        "in_gap",
        lang,
        i=i,
        question=g.question,
        n=g.questions,
        askers=g.askers,
        routed=g.routed,
        down=g.not_helpful,
        expired=g.expired,
        day=g.last_day,
    )


def gaps(g: Gaps, lang: str, how: bool = False) -> list[str]:
    """The knowledge gaps; `how`: with the commands to close each one (the terminal has no buttons)."""
    lines = [t("in_gaps_head", lang)]
    for i, gap in enumerate(g.gaps, 1):
        lines.append(gap_line(i, gap, lang))
        if gap.themes:
            themes = ", ".join(theme_name(x, lang) for x in gap.themes)
            lines.append(t("in_gap_themes", lang, themes=themes))
        if how:
            lines.append(t("in_gaps_cli_how", lang, title=clip(gap.question, 120), question=gap.question))
    if not g.gaps:
        lines.append("  " + t("in_gaps_none", lang, min=MIN_GROUP))
    if g.more:
        lines.append("  " + t("in_gaps_more", lang, n=g.more))
    if g.hidden:
        lines.append("  " + t("in_gaps_hidden", lang, n=g.hidden, min=MIN_GROUP))
    if g.candidates:
        lines.append("  " + t("in_gaps_sample", lang, sampled=g.sampled, total=g.candidates))
    if g.gaps and not how:
        lines.append(t("in_gaps_chat_how", lang))
    return lines


def plain(f: Figures, g: Gaps, lang: str, how: bool = False) -> str:
    """The whole report (or 'nothing to report yet')."""
    if f.empty:
        return t("in_empty", lang, period=period_label(f, lang))
    parts = [summary(f, lang), weekly(f, lang), topics(f, lang), experts(f, lang), gaps(g, lang, how)]
    return "\n\n".join("\n".join(p) for p in parts if p)
