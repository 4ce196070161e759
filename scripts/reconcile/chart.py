"""Inline SVG charts: each source's interval on one axis, so disagreement is visible at a glance."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from .model import Claim
from .values import DISPLAY_DURATION, UNIT_SYMBOL, format_number

WIDTH, ROW, LEFT, RIGHT, TOP = 720, 28, 150, 24, 10
COLORS = {"contradiction": "#b3261e", "partial-overlap": "#8a5300", "compatible": "#00607a", "agreement": "#1b6e3a", "none": "#3a4a9a"}


def _display_unit(claims: list[Claim]) -> tuple[str, Decimal]:
    unit = claims[0].unit
    if unit != "DAY":
        return UNIT_SYMBOL.get(unit or "", unit or ""), Decimal(1)
    largest = max(b for c in claims for b in (c.min, c.max) if b is not None)
    name, factor, _ = next(d for d in DISPLAY_DURATION if largest >= d[2])
    return name, factor


def interval_chart(claims: list[Claim], outcome_of: dict[str, str], title: str) -> str:
    """An accessible SVG bar chart of the claims' normalized intervals ('' when none are numeric)."""
    claims = [c for c in claims if c.unit and (c.min is not None or c.max is not None)]
    if not claims:
        return ""
    unit, factor = _display_unit(claims)
    bounds = [b / factor for c in claims for b in (c.min, c.max) if b is not None]
    high = max(bounds) * Decimal("1.15") or Decimal(1)
    span = WIDTH - LEFT - RIGHT
    x = lambda v: LEFT + float(v / high) * span  # noqa: E731
    height = TOP + ROW * len(claims) + 34
    parts = [
        f'<svg class="interval-chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(_description(claims, unit, factor))}</desc>',
    ]
    for row, claim in enumerate(claims):
        y = TOP + row * ROW
        low = claim.min / factor if claim.min is not None else Decimal(0)
        top = claim.max / factor if claim.max is not None else high
        color = COLORS[outcome_of.get(claim.id, "none")]
        left, right = x(low), max(x(top), x(low) + 6)
        opacity = ' fill-opacity="0.45"' if claim.max is None or claim.min is None else ""
        label = f"{claim.source}: {claim.stated}"
        label = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="{LEFT - 8}" y="{y + 17}" text-anchor="end" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{left:.1f}" y="{y + 6}" width="{right - left:.1f}" height="14" rx="3" fill="{color}"'
                     f'{opacity}>'
                     f'<title>{escape(claim.source_file)}: {escape(claim.stated)}</title></rect>')
        if claim.max is None:
            parts.append(f'<text x="{right - 2:.1f}" y="{y + 18}" text-anchor="end" class="chart-open">→</text>')
        if claim.min is None:
            parts.append(f'<text x="{left + 2:.1f}" y="{y + 18}" class="chart-open">←</text>')
    axis_y = TOP + ROW * len(claims) + 6
    parts.append(f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" stroke="#333"/>')
    for tick in _ticks(high):
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{axis_y + 5}" stroke="#333"/>')
        parts.append(f'<text x="{tx:.1f}" y="{axis_y + 18}" text-anchor="middle" class="chart-tick">{_fmt(tick)}</text>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{axis_y + 30}" text-anchor="end" class="chart-tick">{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _description(claims: list[Claim], unit: str, factor: Decimal) -> str:
    def bound(value: Decimal | None, open_word: str) -> str:
        return open_word if value is None else _fmt(value / factor)
    items = [f"source {c.source} ({c.stated}): {bound(c.min, 'no lower bound')} to {bound(c.max, 'no upper bound')}"
             for c in claims]
    return f"Normalized values in {unit}. " + "; ".join(items) + "."


def _ticks(high: Decimal) -> list[Decimal]:
    """Up to about eight evenly spaced round ticks from 0 to `high` (steps of 1, 2 or 5 times a power of ten)."""
    rough = high / 8
    power = Decimal(10) ** (rough.adjusted() if rough > 0 else 0)
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= rough)
    return [step * i for i in range(int(high / step) + 1)]


def _fmt(value: Decimal) -> str:
    return format_number(value)
