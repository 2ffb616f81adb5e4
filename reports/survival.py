"""Kaplan-Meier curves and the log-rank test (lifelines), drawn as SVG without matplotlib.

lifelines estimates; the drawing is ours, so a request never needs a plotting backend.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape

DAYS_PER_MONTH = 365.25 / 12
TICK_MONTHS = 12
PALETTE = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6c4f9e", "#555555")


@dataclass(frozen=True)
class Observation:
    days: int
    event: bool
    # How many participants had this time and event: the reports read them grouped in SQL,
    # and lifelines takes the counts as weights (the same estimate as one row each).
    count: int = 1


@dataclass
class Curve:
    label: str
    n: int
    events: int
    steps: list[tuple[float, float]]  # (day, survival) from (0, 1.0), one per event time
    censored: list[tuple[float, float]]  # (day, survival at that day)
    at_risk: list[int] = field(default_factory=list)  # at each tick


@dataclass
class KaplanMeier:
    title: str
    curves: list[Curve]
    ticks: list[int]  # days
    p_value: float | None  # log-rank across the curves; None with fewer than two


def _survival_at(steps: Sequence[tuple[float, float]], day: float) -> float:
    """The curve's value on `day`: that of the last step at or before it (1.0 before any)."""
    index = bisect.bisect_right([time for time, _ in steps], day)
    return steps[index - 1][1] if index else 1.0


def import_estimators() -> None:
    """Import lifelines now rather than at the first `estimate` (1.4-1.7 s, once per process),
    as a running worker has already: `refresh_reports` times the refresh without it."""
    import lifelines  # noqa: F401
    import lifelines.statistics  # noqa: F401


def estimate(title: str, groups: dict[str, list[Observation]]) -> KaplanMeier:
    import numpy
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    groups = {label: obs for label, obs in groups.items() if obs}
    longest = max((o.days for obs in groups.values() for o in obs), default=0)
    tick_step = round(TICK_MONTHS * DAYS_PER_MONTH)
    # Up to the first tick at or after the longest follow-up, so that no curve is cut.
    ticks = list(range(0, max(-(-longest // tick_step), 1) * tick_step + 1, tick_step))
    curves = []
    for label, observations in groups.items():
        durations = [o.days for o in observations]
        events = [o.event for o in observations]
        weights = [o.count for o in observations]
        fitter = KaplanMeierFitter().fit(durations, event_observed=events, weights=weights)
        survival = fitter.survival_function_.iloc[:, 0]
        steps = [(float(t), float(s)) for t, s in survival.items()]
        # One search per censored observation in the step times (sorted), not a walk of
        # the steps: 100,000 participants' curves have thousands of steps.
        times = [time for time, _ in steps]
        censored = []
        for o in observations:
            if not o.event:
                index = bisect.bisect_right(times, o.days)
                censored.append((float(o.days), steps[index - 1][1] if index else 1.0))
        curves.append(
            Curve(
                label=label,
                n=sum(weights),
                events=sum(o.count for o in observations if o.event),
                steps=steps,
                censored=censored,
                at_risk=[sum(o.count for o in observations if o.days >= t) for t in ticks],
            )
        )
    p_value = None
    if len(curves) >= 2:
        durations, labels, events, counts = [], [], [], []
        for label, observations in groups.items():
            for o in observations:
                durations.append(o.days)
                labels.append(label)
                events.append(o.event)
                counts.append(o.count)
        if any(events):
            test = multivariate_logrank_test(
                numpy.asarray(durations),
                numpy.asarray(labels),
                numpy.asarray(events),
                weights=numpy.asarray(counts),
            )
            p_value = float(test.p_value)
    return KaplanMeier(title=title, curves=curves, ticks=ticks, p_value=p_value)


def format_p(p: float | None) -> str:
    if p is None:
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def to_svg(km: KaplanMeier, *, p_label: str, x_label: str, y_label: str, at_risk_label: str) -> str:
    """A self-contained SVG: axes, one step curve per group with censoring marks, a legend,
    the log-rank p-value and the numbers at risk under the axis."""
    width, left, right, top, plot_h = 720, 150, 20, 40, 280
    row_h = 18
    plot_w = width - left - right
    risk_top = top + plot_h + 50
    height = risk_top + row_h * (len(km.curves) + 1) + 10
    x_max = km.ticks[-1] if km.ticks else 1

    def x(day: float) -> float:
        return left + plot_w * min(day, x_max) / x_max

    def y(survival: float) -> float:
        return top + plot_h * (1 - survival)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(km.title)}" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{escape(km.title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(km.title)}</text>',
        f'<text x="{width - right}" y="20" text-anchor="end">'
        f"{escape(p_label)} {escape(format_p(km.p_value))}</text>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
    ]
    for s in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(
            f'<line x1="{left - 4}" y1="{y(s):.1f}" x2="{left}" y2="{y(s):.1f}" stroke="black"/>'
            f'<text x="{left - 8}" y="{y(s) + 4:.1f}" text-anchor="end">{s:.2f}</text>'
        )
    for tick in km.ticks:
        months = round(tick / DAYS_PER_MONTH)
        out.append(
            f'<line x1="{x(tick):.1f}" y1="{top + plot_h}" x2="{x(tick):.1f}" '
            f'y2="{top + plot_h + 4}" stroke="black"/>'
            f'<text x="{x(tick):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{months}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2}" y="{top + plot_h + 36}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text transform="translate(16 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    for i, curve in enumerate(km.curves):
        colour = PALETTE[i % len(PALETTE)]
        points = [f"M{x(0):.1f},{y(1):.1f}"]
        previous = 1.0
        for day, survival in curve.steps:
            points.append(f"H{x(day):.1f}")
            if survival != previous:
                points.append(f"V{y(survival):.1f}")
            previous = survival
        last_day = max([curve.steps[-1][0] if curve.steps else 0, *(d for d, _ in curve.censored)])
        points.append(f"H{x(last_day):.1f}")
        out.append(
            f'<path d="{"".join(points)}" fill="none" stroke="{colour}" stroke-width="2" '
            f'data-curve="{escape(curve.label)}"/>'
        )
        # One tick per censoring mark that shows: at 100,000 participants most marks fall on
        # the same pixel, and one element each made the page megabytes long.
        marks = sorted({(round(x(day), 1), round(y(s), 1)) for day, s in curve.censored})
        if marks:
            ticks = "".join(f"M{mx:.1f},{my - 4:.1f}v8" for mx, my in marks)
            out.append(
                f'<path d="{ticks}" stroke="{colour}" data-censored="{len(curve.censored)}"/>'
            )
        # The legend sits bottom left, where survival curves rarely go.
        legend_y = top + plot_h - 12 - 16 * (len(km.curves) - 1 - i)
        out.append(
            f'<line x1="{left + 12}" y1="{legend_y - 4}" x2="{left + 32}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{left + 37}" y="{legend_y}">{escape(curve.label)} '
            f"(n={curve.n})</text>"
        )
    out.append(f'<text x="8" y="{risk_top}" font-weight="bold">{escape(at_risk_label)}</text>')
    for i, curve in enumerate(km.curves):
        row_y = risk_top + row_h * (i + 1)
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<text x="8" y="{row_y}" fill="{colour}">{escape(curve.label)}</text>')
        for tick, n in zip(km.ticks, curve.at_risk, strict=True):
            out.append(
                f'<text x="{x(tick):.1f}" y="{row_y}" text-anchor="middle" '
                f'data-at-risk="{escape(curve.label)}">{n}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)
