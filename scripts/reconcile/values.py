"""Turn a value as a source states it ("two to three months") into a comparable one.

Numeric values become an interval [min, max] in the canonical QUDT unit of the
topic's quantity kind, so that "72 hours" and "3 days" compare equal. A bound the
source leaves open ("at least 24 hours", "up to a year") is None.

A duration topic also takes a rule with no duration: "no duration stated" (something
is required or forbidden for an unstated time: more than nothing, so kb:min 0 with
the bound excluded) and "no wait" ("immediately", "none": the interval [0, 0]).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .model import Claim
from .numbers import format_number
from .vocab import CANONICAL_UNIT, NUMERIC_KINDS

# Stated unit words -> (QUDT unit local name, quantity kind, factor to the kind's canonical unit).
_UNIT_TABLE: list[tuple[tuple[str, ...], str, str, Decimal]] = [
    (("minute", "minutes", "min", "mins"), "MIN", "Duration", Decimal(1) / Decimal(1440)),
    (("hour", "hours", "hr", "hrs", "h"), "HR", "Duration", Decimal(1) / Decimal(24)),
    (("day", "days"), "DAY", "Duration", Decimal(1)),
    (("week", "weeks", "wk", "wks"), "WK", "Duration", Decimal(7)),
    (("month", "months", "mo"), "MO", "Duration", Decimal("30.4375")),
    (("year", "years", "yr", "yrs"), "YR", "Duration", Decimal("365.25")),
    (("mm", "millimeter", "millimeters", "millimetre", "millimetres"), "MilliM", "Length", Decimal(1)),
    (("cm", "centimeter", "centimeters", "centimetre", "centimetres"), "CentiM", "Length", Decimal(10)),
    (("ml", "milliliter", "milliliters", "millilitre", "millilitres"), "MilliL", "Volume", Decimal(1)),
]
UNITS: dict[str, tuple[str, str, Decimal]] = {
    word: (unit, kind, factor) for words, unit, kind, factor in _UNIT_TABLE for word in words}

UNIT_SYMBOL = {"DAY": "days", "MilliM": "mm", "MilliL": "mL", "NUM": ""}

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60,
}
MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
# What a topic of each kind takes, for messages: the kind's name and values an editor can copy.
EXAMPLES = {
    "Duration": "'3–5 days', 'two to three months', '≤30 minutes', 'at least 24 hours', 'by the sixth month', "
                "'no wait' or 'no duration stated'",
    "Number": "'3–6', '5 sessions', '3,000–15,000', 'at least 400 billion' or 'by the third session'",
    "Length": "'2 mm', '0.5–1 cm' or 'up to 4 mm'",
    "Volume": "'0.1 mL', '0.1–0.2 mL' or 'up to 5 ml'",
    "YesNo": "'yes' or 'no'",
    "Category": "one of the topic's values, such as 'non-invasive'",
    "Set": "'cancer; active scalp infection' (separated by ;) or 'none'",
    "Text": "any words",
}
# "a few days" and a bare plural ("within hours") are read as two to five of the unit.
FEW = (Decimal(2), Decimal(5))
PLACES = Decimal("0.000001")

_NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_SCALE = r"(?:\s+(?:" + "|".join(MULTIPLIERS) + r"))?"
_UNIT = r"(?:\s*(?P<unit>[a-z]+))?"
_RANGE = re.compile(rf"^(?P<a>{_NUMBER}{_SCALE})\s*(?:-|to|and)\s*(?P<b>{_NUMBER}{_SCALE}){_UNIT}$")
_SINGLE = re.compile(rf"^(?P<a>{_NUMBER}{_SCALE}){_UNIT}$")
_FEW = re.compile(r"^(?:a\s+)?few\s+(?P<unit>[a-z]+)$|^(?P<plural>minutes|hours|days|weeks|months|years)$")
_LOWER = re.compile(r"^(?:(?:at least|minimum of|min\.?|more than|over)\s+|(?:>=?|≥)\s*)(?P<rest>.+)$")
_LOWER_SUFFIX = re.compile(r"^(?P<rest>.+?)\s*(?:or more|or longer|plus|\+)(?P<tail>(?:\s+[a-z]+)*)$")
_UPPER = re.compile(r"^(?:(?:up to|within|no more than|no later than|at most|less than|under|by)\s+|(?:<=?|≤)\s*)(?P<rest>.+)$")
# "in the sixth month" is the month from five to six months; "the third session" is the count 3.
_ORDINAL = re.compile(r"^(?:(?:in|during|at)\s+)?(?:the\s+)?(?P<ordinal>" + "|".join(ORDINALS)
                      + r"|\d+(?:st|nd|rd|th))\s+(?P<unit>[a-z]+)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_APPROX = re.compile(r"^(?:about|approximately|approx\.?|around|roughly|~|circa|the)\s+(?P<rest>.+)$")
_SAME_DAY = re.compile(r"^(?:the\s+)?same\s+day$")
_NO_WAIT = re.compile(r"^(?:none|no wait|no waiting|no need to wait|not needed|immediately|right away|straight away)$")
_NO_DURATION = re.compile(r"^(?:no duration(?: stated| given)?|duration not stated|not stated|for an unstated time)$")


class ValueParseError(ValueError):
    """A stated value that cannot be normalized: what was understood, then what the topic's kind takes."""

    def __init__(self, reason: str, kind: str | None = None):
        self.reason, self.kind = reason, kind
        super().__init__(self.for_topic(None))

    def for_topic(self, topic_id: str | None) -> str:
        """The message, naming the topic when it is known: "... Topic x's value kind is Duration: give ..."."""
        if self.kind not in EXAMPLES:
            return self.reason
        whose = f"Topic {topic_id}'s" if topic_id else "This topic's"
        return f"{self.reason} {whose} value kind is {self.kind}: give a value such as {EXAMPLES[self.kind]}."


@dataclass(frozen=True)
class Value:
    """A normalized value. Only the fields that fit the quantity kind are set."""

    min: Decimal | None = None
    max: Decimal | None = None
    min_exclusive: bool = False
    unit: str | None = None
    stated_unit: str | None = None
    yes: bool | None = None
    category: str | None = None
    members: tuple[str, ...] = ()
    empty_set: bool = False


def parse_value(stated: str, kind: str) -> Value:
    """Normalize `stated` for a topic whose quantity kind is `kind`."""
    text = stated.strip()
    if not text:
        raise ValueParseError("The value is empty; give the value as the source states it.", kind)
    if kind in NUMERIC_KINDS:
        return _parse_interval(text, kind)
    if kind == "YesNo":
        answer = text.lower().rstrip(".!")
        if answer in ("yes", "true", "y"):
            return Value(yes=True)
        if answer in ("no", "false", "n"):
            return Value(yes=False)
        raise ValueParseError(f"'{stated}' is not yes or no.", kind)
    if kind == "Category":
        return Value(category=" ".join(text.lower().split()))
    if kind == "Set":
        if text.lower() in ("none", "no", "nothing", "empty"):
            return Value(empty_set=True)
        members = tuple(sorted({" ".join(m.lower().split()) for m in re.split(r"[;\n]", text) if m.strip()}))
        return Value(members=members)
    if kind == "Text":
        return Value()
    raise ValueParseError(f"Unknown quantity kind '{kind}'.")


def _parse_interval(stated: str, kind: str) -> Value:
    text = " ".join(stated.lower().replace("–", "-").replace("—", "-").replace("‑", "-").split())
    text = _THOUSANDS.sub("", re.sub(r"\s*-\s*", "-", text))
    if _NO_WAIT.match(text):
        return Value(min=Decimal(0), max=Decimal(0), unit=CANONICAL_UNIT[kind])
    if _NO_DURATION.match(text):
        if kind != "Duration":
            raise ValueParseError(f"'{stated}' says a rule holds for an unstated time, but this topic takes a "
                                  f"{kind.lower()}.", kind)
        return Value(min=Decimal(0), min_exclusive=True, unit=CANONICAL_UNIT[kind])
    lower_open = upper_open = False
    for pattern, flag in ((_LOWER, "lower"), (_UPPER, "upper"), (_APPROX, None)):
        match = pattern.match(text)
        if match:
            text = match["rest"]
            lower_open, upper_open = lower_open or flag == "upper", upper_open or flag == "lower"
    match = _LOWER_SUFFIX.match(text)
    if match:
        text, upper_open = (match["rest"] + match["tail"]).strip(), True
    if _SAME_DAY.match(text):
        low, high, unit_word = Decimal(0), Decimal(1), "day"
    elif match := _FEW.match(text):
        low, high = FEW
        unit_word = match["unit"] or match["plural"]
    elif match := _RANGE.match(text):
        low, high, unit_word = _number(match["a"]), _number(match["b"]), match["unit"]
    elif match := _SINGLE.match(text):
        low = high = _number(match["a"])
        unit_word = match["unit"]
    elif match := _ORDINAL.match(text):
        high = Decimal(ORDINALS.get(match["ordinal"]) or int(match["ordinal"][:-2]))
        low = high - 1 if kind == "Duration" else high
        unit_word = match["unit"]
    else:
        raise ValueParseError(f"Could not read '{stated}' as a {kind.lower()}.", kind)
    stated_unit, factor = _unit(unit_word, kind, stated)
    low, high = low * factor, high * factor
    if low > high:
        raise ValueParseError(f"In '{stated}' the lower bound is larger than the upper bound.", kind)
    return Value(
        min=None if lower_open else _round(low),
        max=None if upper_open else _round(high),
        unit=CANONICAL_UNIT[kind],
        stated_unit=stated_unit,
    )


def _number(text: str) -> Decimal:
    word, _, scale = text.partition(" ")
    value = Decimal(NUMBER_WORDS[word]) if word in NUMBER_WORDS else Decimal(word)
    return value * MULTIPLIERS[scale] if scale else value


def _unit(word: str | None, kind: str, stated: str) -> tuple[str, Decimal]:
    if kind == "Number":
        if word and word not in ("sessions", "session", "times", "treatments", "exosomes", "g", "gauge"):
            raise ValueParseError(f"'{stated}' has a unit '{word}', but this topic takes a plain number.", kind)
        return "NUM", Decimal(1)
    if word is None:
        raise ValueParseError(f"'{stated}' has no unit; say which.", kind)
    if word not in UNITS:
        known = sorted(w for w, (_, unit_kind, _) in UNITS.items() if unit_kind == kind)
        raise ValueParseError(f"'{stated}': unknown unit '{word}'. Known {kind.lower()} units: {', '.join(known)}.", kind)
    unit, unit_kind, factor = UNITS[word]
    if unit_kind != kind:
        raise ValueParseError(f"'{stated}' is a {unit_kind.lower()}, but this topic takes a {kind.lower()}.", kind)
    return unit, factor


def _round(value: Decimal) -> Decimal:
    rounded = value.quantize(PLACES).normalize()
    exponent = rounded.as_tuple().exponent
    return rounded if isinstance(exponent, int) and exponent <= 0 else rounded.quantize(Decimal(1))


# Units a duration in days is shown in, largest first, with the smallest size each reads well from.
DISPLAY_DURATION = [
    ("years", Decimal("365.25"), Decimal("730")),
    ("months", Decimal("30.4375"), Decimal("60")),
    ("weeks", Decimal(7), Decimal(14)),
    ("days", Decimal(1), Decimal(1)),
    ("hours", Decimal(1) / Decimal(24), Decimal(1) / Decimal(24)),
    ("minutes", Decimal(1) / Decimal(1440), Decimal(0)),
]


def display_unit(unit: str | None, largest: Decimal) -> tuple[str, Decimal]:
    """The symbol a value in `unit` is shown with, and the factor to divide it by: a duration in days
    whose largest bound is `largest` reads in years, months, weeks, days, hours or minutes."""
    if unit != "DAY":
        return UNIT_SYMBOL.get(unit or "", unit or ""), Decimal(1)
    symbol, factor, _ = next(d for d in DISPLAY_DURATION if largest >= d[2])
    return symbol, factor


def describe(min_: Decimal | None, max_: Decimal | None, unit: str | None, min_exclusive: bool = False) -> str:
    """A normalized interval in words, in a unit that reads well: '3–5 days', '≥ 1 days', '2–3 months'.

    The two rules without a number read as words: 'no wait' and 'no duration stated'.
    """
    if min_ is None and max_ is None:
        return ""
    if min_exclusive and min_ == 0 and max_ is None:
        return "no duration stated"
    if min_ == 0 and max_ == 0:
        return "no wait" if unit == "DAY" else "0"
    symbol, factor = display_unit(unit, max(b for b in (min_, max_) if b is not None))

    def show(d: Decimal | None) -> str:
        assert d is not None  # each branch below shows only a bound it has checked
        return format_number(d / factor)

    if min_ is None:
        body = f"≤ {show(max_)}"
    elif max_ is None:
        body = f"≥ {show(min_)}"
    elif min_ == max_:
        body = show(min_)
    else:
        body = f"{show(min_)}–{show(max_)}"
    return f"{body} {symbol}".strip()


def normalized(claim: Claim) -> str:
    """A claim's normalized value in words, whatever the topic's kind."""
    numeric = describe(claim.min, claim.max, claim.unit, claim.min_exclusive)
    if numeric:
        return numeric
    if claim.yes is not None:
        return "yes" if claim.yes else "no"
    if claim.category is not None:
        return claim.category
    if claim.empty_set:
        return "none"
    if claim.members:
        return ", ".join(claim.members)
    return "—"


def position(claim: Claim) -> str:
    """The value every claim sharing `claim`'s position states; lists of members count as one position."""
    return "names at least one" if claim.members and not claim.empty_set else normalized(claim)
