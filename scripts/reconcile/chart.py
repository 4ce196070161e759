"""Inline SVG charts: each source's interval on one axis, so disagreement is visible at a glance.

Positions are percentages of the chart's width and text sizes are pixels, so the chart fills
any screen while its words stay the same size (12 px on a phone as on a desktop).
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html import escape

from .model import Claim
from .numbers import format_number
from .values import display_unit

ROW, TOP, BAR, FONT = 38, 4, 14, 12  # pixels: one row is a label line above its bar
LEFT, RIGHT = 1.0, 97.0  # per cent of the width the axis spans
COLORS = {"contradiction": "#b3261e", "partial-overlap": "#8a5300", "compatible": "#00607a", "agreement": "#1b6e3a", "none": "#3a4a9a"}
RELATION_WORDS = {"contradiction": "contradicts another claim", "partial-overlap": "partly overlaps another claim",
                  "compatible": "compatible with another claim", "agreement": "agrees with another claim",
                  "none": "not compared"}


def patterns(prefix: str) -> str:
    """One fill per relation, told apart by pattern as well as colour: stripes, dots, lines, solid, outline."""
    red, amber, teal = COLORS["contradiction"], COLORS["partial-overlap"], COLORS["compatible"]
    return (
        "<defs>"
        f'<pattern id="{prefix}-contradiction" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill="{red}"/><rect width="3" height="8" fill="#ffffff" fill-opacity="0.55"/></pattern>'
        f'<pattern id="{prefix}-partial-overlap" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{amber}"/><circle cx="3" cy="3" r="1.4" fill="#ffffff"/></pattern>'
        f'<pattern id="{prefix}-compatible" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{teal}"/><rect y="2" width="6" height="1.6" fill="#ffffff" fill-opacity="0.7"/></pattern>'
        "</defs>"
    )


def fill(prefix: str, relation: str) -> str:
    if relation in ("contradiction", "partial-overlap", "compatible"):
        return f'fill="url(#{prefix}-{relation})"'
    if relation == "agreement":
        return f'fill="{COLORS["agreement"]}"'
    return f'fill="#ffffff" stroke="{COLORS["none"]}" stroke-width="2"'


def interval_chart(claims: list[Claim], outcome_of: dict[str, str], title: str,
                   name_of: Callable[[str], str] = str, chart_id: str = "chart") -> str:
    """An accessible SVG bar chart of the claims' normalized intervals ('' when none are numeric).

    `name_of` turns a source key into the short name each row is labelled with.
    """
    claims = [c for c in claims if c.unit and (c.min is not None or c.max is not None)]
    if not claims:
        return ""
    unit, factor = display_unit(claims[0].unit, max(b for c in claims for b in (c.min, c.max) if b is not None))
    bounds = [b / factor for c in claims for b in (c.min, c.max) if b is not None]
    high = max(bounds) * Decimal("1.15") or Decimal(1)

    def x(value: Decimal) -> float:
        return LEFT + float(value / high) * (RIGHT - LEFT)

    axis_y = TOP + ROW * len(claims) + 4
    height = axis_y + 40
    parts = [
        f'<svg class="interval-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" width="100%" '
        f'height="{height}" font-size="{FONT}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_description(claims, unit, factor, name_of, outcome_of))}</desc>',
        patterns(chart_id),
    ]
    for row, claim in enumerate(claims):
        y = TOP + row * ROW
        low = claim.min / factor if claim.min is not None else Decimal(0)
        top = claim.max / factor if claim.max is not None else high
        relation = outcome_of.get(claim.id, "none")
        left, right = x(low), max(x(top), x(low) + 2.5)  # a single value still shows its fill
        opacity = ' fill-opacity="0.55"' if claim.max is None or claim.min is None else ""
        label = f"{name_of(claim.source)}: {claim.stated}"
        label = label if len(label) <= 44 else label[:43] + "…"  # about what 12 px text fits across a phone
        parts.append(f'<text x="{LEFT}%" y="{y + FONT}" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{left:.2f}%" y="{y + 17}" width="{right - left:.2f}%" height="{BAR}" rx="3" '
                     f'{fill(chart_id, relation)}{opacity}>'
                     f'<title>{escape(name_of(claim.source))}: {escape(claim.stated)} ({RELATION_WORDS[relation]})</title></rect>')
        if claim.max is None:
            parts.append(f'<text x="{right:.2f}%" dx="-2" y="{y + 28}" text-anchor="end" class="chart-open">→</text>')
        if claim.min is None:
            parts.append(f'<text x="{left:.2f}%" dx="2" y="{y + 28}" class="chart-open">←</text>')
    parts.append(f'<line x1="{LEFT}%" y1="{axis_y}" x2="{RIGHT}%" y2="{axis_y}" stroke="#333"/>')
    for tick in _ticks(high):
        tx = x(tick)
        anchor = "start" if tick == 0 else "middle"
        parts.append(f'<line x1="{tx:.2f}%" y1="{axis_y}" x2="{tx:.2f}%" y2="{axis_y + 5}" stroke="#333"/>')
        parts.append(f'<text x="{tx:.2f}%" y="{axis_y + 18}" text-anchor="{anchor}" class="chart-tick">{format_number(tick)}</text>')
    parts.append(f'<text x="{RIGHT}%" y="{axis_y + 34}" text-anchor="end" class="chart-unit">in {escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _description(claims: list[Claim], unit: str, factor: Decimal, name_of: Callable[[str], str],
                 outcome_of: dict[str, str]) -> str:
    def bound(value: Decimal | None, open_word: str) -> str:
        return open_word if value is None else format_number(value / factor)
    items = [f"{name_of(c.source)} ({c.stated}): {bound(c.min, 'no lower bound')} to {bound(c.max, 'no upper bound')}, "
             f"{RELATION_WORDS[outcome_of.get(c.id, 'none')]}" for c in claims]
    return f"Values as compared, in {unit}. " + "; ".join(items) + "."


def _ticks(high: Decimal) -> list[Decimal]:
    """Up to about seven evenly spaced round ticks from 0 to `high` (steps of 1, 2 or 5 times a power of ten)."""
    rough = high / 6
    power = Decimal(10) ** (rough.adjusted() if rough > 0 else 0)
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= rough)
    return [step * i for i in range(int(high / step) + 1)]
