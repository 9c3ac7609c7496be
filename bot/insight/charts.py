"""The report's charts as PNG bytes: the weekly numbers and the experts' response times.

matplotlib is imported inside the functions (the bot's start-up does not pay for it) and only its
object-oriented API with the Agg canvas is used: no pyplot, no global figure state, no display,
safe in the worker threads the bot runs reports in. Each chart is `WIDTH` x `HEIGHT` pixels.
"""

from __future__ import annotations

import io
from typing import Any

from bot.insight.figures import MIN_GROUP, Figures
from bot.texts import t

WIDTH, HEIGHT, DPI = 1000, 500, 100  # pixels
COLOURS = {"bot": "#2a9d8f", "expert": "#e9c46a", "expired": "#e76f51", "open": "#8d99ae"}
LINE, CLAIM, ANSWER = "#264653", "#6d597a", "#e56b6f"


def _figure() -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")  # no bbox "tight": the size stays
    return out.getvalue()


def _short(week: str) -> str:
    """'2026-W48' -> 'W48' (the year is in the title)."""
    return week.split("-", 1)[-1]


def weekly_png(f: Figures, lang: str = "nl") -> bytes:
    """Stacked bars of each week's questions by outcome, with the share of 👍 votes as a line."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    labels = [_short(w.week) for w in f.per_week]
    x = list(range(len(labels)))
    bottom = [0] * len(x)
    for outcome, colour in COLOURS.items():
        values = [int(getattr(w, outcome)) for w in f.per_week]
        ax.bar(x, values, bottom=bottom, color=colour, label=t(f"in_chart_{outcome}", lang), width=0.7)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(x, labels)
    ax.set_ylabel(t("in_chart_questions", lang))
    ax.set_ylim(0, max([*bottom, 1]) * 1.15)
    ax.set_title(f"{t('in_chart_weekly', lang)} ({f.weeks[0]} – {f.weeks[-1]})")
    share = ax.twinx()
    rates = [
        100 * w.helpful / (w.helpful + w.not_helpful) if w.helpful + w.not_helpful else float("nan")
        for w in f.per_week
    ]
    share.plot(x, rates, color=LINE, marker="o", linewidth=2, label=t("in_chart_helpful", lang))
    share.set_ylim(0, 105)
    share.set_ylabel(t("in_chart_helpful", lang))
    handles, names = ax.get_legend_handles_labels()
    more, more_names = share.get_legend_handles_labels()
    ax.legend(handles + more, names + more_names, loc="upper left", fontsize=8, ncol=5, frameon=False)
    fig.subplots_adjust(left=0.07, right=0.91, bottom=0.1, top=0.9)
    return _png(fig)


def times_png(f: Figures, lang: str = "nl") -> bytes:
    """Median and p90 hours to claim and to answer per week; per expert as well for 5 experts or more."""
    fig = _figure()
    wide = bool(f.experts)
    ax = fig.add_subplot(1, 2, 1) if wide else fig.add_subplot(1, 1, 1)
    labels = [_short(w.week) for w in f.per_week]
    x = list(range(len(labels)))
    width = 0.2
    series = (
        ("claim", "median", CLAIM, 1.0),
        ("claim", "p90", CLAIM, 0.45),
        ("answer", "median", ANSWER, 1.0),
        ("answer", "p90", ANSWER, 0.45),
    )
    for k, (what, stat, colour, alpha) in enumerate(series):
        values = [  # a week of fewer than MIN_GROUP experts is no bar (their times are theirs)
            (getattr(getattr(w, what), stat) or 0.0) if getattr(w, what).shown else 0.0 for w in f.per_week
        ]
        label = f"{t(f'in_chart_{what}', lang)}, {t(f'in_chart_{stat}', lang)}"
        offsets = [i + (k - 1.5) * width for i in x]
        ax.bar(offsets, values, width=width, color=colour, alpha=alpha, label=label)
    ax.set_xticks(x, labels)
    ax.set_ylabel(t("in_chart_hours", lang))
    hidden = any((w.claim.n and not w.claim.shown) or (w.answer.n and not w.answer.shown) for w in f.per_week)
    note = f"\n({t('in_chart_times_hidden', lang, min=MIN_GROUP)})" if hidden else ""
    ax.set_title(t("in_chart_times", lang) + note, fontsize=10)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    if wide:
        side = fig.add_subplot(1, 2, 2)
        shown = f.experts[:15]
        side.barh(
            [e.expert[:8] for e in shown], [e.answer.median or 0.0 for e in shown], color=ANSWER, alpha=0.8
        )
        side.invert_yaxis()
        side.set_xlabel(t("in_chart_hours", lang))
        side.set_title(t("in_chart_per_expert", lang), fontsize=10)
        side.tick_params(axis="y", labelsize=7)
    fig.subplots_adjust(left=0.07, right=0.97, bottom=0.1, top=0.9, wspace=0.3)
    return _png(fig)
