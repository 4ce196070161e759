"""The before/after rules of every source on one axis, from days before treatment to weeks after.

A rule is a duration claim on a preparation or aftercare topic in the before- or after-treatment
context ("stop NSAIDs 3 days before", "no washing for 24 hours after"). The axis is logarithmic on
each side of the treatment day, so a day and eight weeks are both readable; positions are in per
cent of the width and text in pixels, as in the topic charts.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from .chart import FONT, RELATION_WORDS, fill, patterns
from .model import Claim

BEFORE, AFTER = "before-treatment", "after-treatment"
RULE_GROUPS = ("preparation", "aftercare")
ROW, HEAD, TOP = 34, 18, 4
LINE_CHARACTERS = 44  # about what 12 px text fits across a phone
FADED = ' fill-opacity="0.5"'
LEFT, ZERO, RIGHT = 1.0, 34.0, 97.0  # per cent: the treatment day sits a third of the way across
TICKS = (-14, -7, -3, -1, 0, 1, 3, 7, 14, 28, 56)
TICK_LABELS = {-14: "2 wk", -7: "1 wk", -3: "3 d", -1: "1 d", 0: "treatment", 1: "1 d", 3: "3 d", 7: "1 wk", 14: "2 wk",
               28: "4 wk", 56: "8 wk"}


@dataclass(frozen=True)
class Rule:
    """One row: a source's rule on a topic, as days before (negative) or after (positive) treatment."""

    claim: Claim
    topic_label: str
    source_name: str
    relation: str
    near: Decimal | None  # the bound closest to the treatment day, in days
    far: Decimal | None  # the bound furthest from it; None when open-ended

    @property
    def side(self) -> int:
        return -1 if self.claim.context == BEFORE else 1


def rules(claims: list[Claim], topic_group: Callable[[str], str | None], topic_label: Callable[[str], str],
          source_name: Callable[[str], str], relation_of: Callable[[Claim], str]) -> list[Rule]:
    """The rules among `claims`, before-treatment rules first, then by topic and source."""
    found = []
    for claim in claims:
        if claim.unit != "DAY" or claim.context not in (BEFORE, AFTER) or topic_group(claim.topic) not in RULE_GROUPS:
            continue
        if claim.min is None and claim.max is None:
            continue
        found.append(Rule(claim, topic_label(claim.topic), source_name(claim.source), relation_of(claim),
                          claim.min if claim.min is not None else Decimal(0), claim.max))
    return sorted(found, key=lambda r: (r.side, r.topic_label, r.source_name, r.claim.id))


def _span(rules_: list[Rule], side: int) -> float:
    days = [float(r.far if r.far is not None else r.near or 0) for r in rules_ if r.side == side]
    return max([7.0 if side < 0 else 28.0, *days])


def timeline_svg(rules_: list[Rule], title: str, chart_id: str = "timeline") -> str:
    """An accessible inline SVG of the rules on a shared axis, grouped under their topics ('' when there are none)."""
    if not rules_:
        return ""
    spans = {-1: _span(rules_, -1), 1: _span(rules_, 1)}

    def x(days: float) -> float:
        side = -1 if days < 0 else 1
        room = (ZERO - LEFT) if side < 0 else (RIGHT - ZERO)
        share = min(math.log1p(abs(days)) / math.log1p(spans[side]), 1.0)
        return ZERO + side * share * room

    body, y, topic = [], TOP, None
    for rule in rules_:
        if rule.claim.topic != topic:
            topic = rule.claim.topic
            when = "before" if rule.side < 0 else "after"
            heading = rule.topic_label if when in rule.topic_label.lower() else f"{rule.topic_label} ({when} treatment)"
            for line in textwrap.wrap(heading, LINE_CHARACTERS):
                body.append(f'<text x="{LEFT}%" y="{y + FONT + 2}" class="chart-topic">{escape(line)}</text>')
                y += HEAD
        body += _rule_row(rule, y, x, spans, chart_id)
        y += ROW
    axis_y = y + 4
    parts = [
        f'<svg class="interval-chart timeline" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" width="100%" '
        f'height="{axis_y + 40}" font-size="{FONT}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(rules_))}</desc>',
        patterns(chart_id),
        f'<line x1="{ZERO}%" y1="0" x2="{ZERO}%" y2="{axis_y}" stroke="#333" stroke-dasharray="3 3"/>',
        *body,
        f'<line x1="{LEFT}%" y1="{axis_y}" x2="{RIGHT}%" y2="{axis_y}" stroke="#333"/>',
    ]
    for tick in TICKS:
        if tick < 0 and -tick > spans[-1] or tick > spans[1]:
            continue
        tx = x(float(tick))
        parts.append(f'<line x1="{tx:.2f}%" y1="{axis_y}" x2="{tx:.2f}%" y2="{axis_y + 5}" stroke="#333"/>')
        parts.append(f'<text x="{tx:.2f}%" y="{axis_y + 18}" text-anchor="middle" class="chart-tick">{TICK_LABELS[tick]}</text>')
    parts.append(f'<text x="{LEFT}%" y="{axis_y + 34}" class="chart-unit">← before treatment</text>')
    parts.append(f'<text x="{RIGHT}%" y="{axis_y + 34}" text-anchor="end" class="chart-unit">after treatment →</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rule_row(rule: Rule, y: int, x: Callable[[float], float], spans: dict[int, float], chart_id: str) -> list[str]:
    """A rule's label ("Vinings FAQ: 4 days") and its bar: solid where the rule surely applies, faded beyond."""
    near = float(rule.near or 0) * rule.side
    far = float(rule.far) * rule.side if rule.far is not None else rule.side * spans[rule.side]
    left, right = sorted((x(0.0), x(far)))
    inner_left, inner_right = sorted((x(0.0), x(near)))
    label = f"{rule.source_name}: {rule.claim.stated}"
    label = label if len(label) <= LINE_CHARACTERS else label[:LINE_CHARACTERS - 1] + "…"
    ranged = rule.far is None or rule.near != rule.far
    parts = [f'<text x="{LEFT}%" y="{y + FONT - 1}" class="chart-label">{escape(label)}</text>',
             f'<rect x="{left:.2f}%" y="{y + 15}" width="{max(right - left, 0.8):.2f}%" height="12" rx="2" '
             f'{fill(chart_id, rule.relation)}{FADED if ranged else ""}>'
             f'<title>{escape(rule.topic_label)}, {escape(label)} ({RELATION_WORDS[rule.relation]})</title></rect>']
    if ranged and rule.near:
        parts.append(f'<rect x="{inner_left:.2f}%" y="{y + 15}" width="{max(inner_right - inner_left, 0.8):.2f}%" '
                     f'height="12" rx="2" {fill(chart_id, rule.relation)}/>')
    return parts


def describe(rules_: list[Rule]) -> str:
    """The timeline in words: its text alternative."""
    items = [f"{r.topic_label}, {r.source_name}: {r.claim.stated} {'before' if r.side < 0 else 'after'} treatment "
             f"({RELATION_WORDS[r.relation]})" for r in rules_]
    return "Rules before and after treatment on one axis. " + "; ".join(items) + "."
