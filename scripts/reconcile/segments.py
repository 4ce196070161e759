"""Cut a source text into passages a claim could quote: sentences, list items, table rows, fact-box lines.

Every passage is an exact span of the text (start and end offsets), with list markers,
quote markers and surrounding spaces left out, so it can be anchored as it is.
`is_candidate` says whether a passage states something a claim records: a duration,
count, frequency or amount, a rule, a yes/no answer or a list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Markers in front of a list item or quoted line, left out of the passage.
_MARKER = re.compile(r"^(?:[-*•‣▪●◦·>]+|\d{1,2}[.)](?=\s))\s*")
# A sentence ends at . ! or ? followed by space and what can start a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(‘]?[A-Z0-9])")
_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "dr.", "mr.", "mrs.", "ms.", "approx.", "no.", "st.", "fig.", "cf.", "min."}
_TRIM = " \t\r\n\u00a0*_"

_UNIT_WORDS = (r"minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|sessions?|treatments?|times?|"
               r"mm|cm|ml|millilit(?:er|re)s?|millimet(?:er|re)s?|billion|million|vials?|sites?|injections?|g")
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|a few|a|an"
# A duration, count, frequency or amount: "3–5 days", "two to three months", "30G", "every 6 months", "daily".
AMOUNT = re.compile(
    rf"\b(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS})(?:\s*(?:-|–|—|to|or)\s*(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS}))?"
    rf"\s*-?\s*(?:{_UNIT_WORDS})\b|\b\d+(?:\s*[-–]\s*\d+)?\s*(?:%|g\b)|\b(?:every|per|once|twice|daily|weekly|monthly|"
    r"annually|apart|same day|within (?:hours|days|weeks))\b|\b\d+(?:\s*[-–]\s*\d+)\b",
    re.IGNORECASE)
RULE = re.compile(
    r"\b(?:avoid\w*|do not|don[’']t|does not|no need|may|must|should|never|not|no|refrain|stop\w*|wait\w*|"
    r"recommend\w*|require\w*|advis\w*|only|can|cannot|continue|resume|need\w*|suitable|unsuitable|safe|risk\w*|"
    r"allow\w*|ideal|essential|important|caution|contraindicat\w*)\b", re.IGNORECASE)
YES_NO = re.compile(r"^(?:yes|no|absolutely|definitely)\b", re.IGNORECASE)
# Instructions: a passage that starts with a verb in the imperative ("Wash hair...", "Take baseline photos").
IMPERATIVE = re.compile(
    r"^(?:apply|ask|avoid|be|bring|choose|cleanse|conduct|consider|contact|continue|discuss|drink|eat|encourage|"
    r"follow|get|have|identify|inform|inject|keep|limit|make|massage|plan|prepare|protect|provide|refrain|"
    r"remove|resume|schedule|skip|sleep|space|stay|stop|take|tell|use|wait|wash|wear)\b", re.IGNORECASE)
LIST = re.compile(r"\b(?:include\w*|including|such as|e\.g\.|side effects?|contraindications?|candidates?|"
                  r"suitable for|ideal for|benefits?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str
    line: int
    kind: str  # sentence, item (of a list), row (of a table), fact (a "Label: value" line)
    items: tuple[str, ...] = ()  # for a line ending with ':', the list items that follow it


def passages(text: str) -> list[Passage]:
    """Every passage of `text`, in reading order."""
    found: list[Passage] = []
    lines = _lines(text)
    for index, (line_no, start, end) in enumerate(lines):
        raw = text[start:end]
        marker = _MARKER.match(raw.lstrip(" \t"))
        offset = start + (len(raw) - len(raw.lstrip(" \t"))) + (marker.end() if marker else 0)
        if "\t" in raw.strip():
            kind, pieces = "row", [(offset, end)]
        elif marker:
            kind, pieces = "item", _sentences(text, offset, end)
        elif re.match(r"^[^.!?:]{1,40}:\s*\S", raw.strip()) and len(raw.strip()) <= 120:
            kind, pieces = "fact", [(offset, end)]
        else:
            kind, pieces = "sentence", _sentences(text, offset, end)
        for piece_start, piece_end in pieces:
            span = _trim(text, piece_start, piece_end)
            if span is None:
                continue
            items = _following_items(text, lines, index) if text[span[0]:span[1]].rstrip().endswith(":") else ()
            found.append(Passage(span[0], span[1], text[span[0]:span[1]], line_no, kind, items))
    return found


def is_statement(passage: Passage) -> bool:
    """Not a question, a single word or a heading."""
    words = passage.text.split()
    return not passage.text.rstrip().endswith("?") and len(words) >= 2 and not (passage.kind == "sentence" and _is_title(words))


def is_candidate(passage: Passage) -> bool:
    """Whether the passage states an amount, a rule, a yes/no answer or a list (and is not a question or a title)."""
    words = passage.text.split()
    if not is_statement(passage):
        return False
    if passage.kind in ("row", "fact"):
        return True
    if passage.kind == "item" and not _is_title(words):
        return True  # a member of a list: a contraindication, a side effect, a candidate, a step
    return bool(AMOUNT.search(passage.text) or RULE.search(passage.text) or YES_NO.search(passage.text)
                or LIST.search(passage.text) or IMPERATIVE.search(passage.text))


def is_heading(passage: Passage) -> bool:
    """A title or a line introducing a list ("After Treatment:", "Avoid Chemical Treatments")."""
    return passage.text.rstrip().endswith(":") or _is_title(passage.text.split())


def _is_title(words: list[str]) -> bool:
    """A short line in title case ("Scalp Cleaning", "Rest and Good Sleep"): a heading, not a statement."""
    small = {"a", "an", "and", "or", "of", "the", "to", "for", "in", "on", "with", "vs.", "&"}
    return len(words) <= 6 and all(w[0].isupper() or w in small or not w[0].isalpha() for w in words)


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(line number, start, end) of each non-blank line."""
    result, start = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            result.append((number, start, start + len(line)))
        start += len(line) + 1
    return result


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] at sentence ends, not after abbreviations or inside numbers."""
    pieces, begin = [], start
    for match in _BOUNDARY.finditer(text, start, end):
        before = text[begin:match.start()].split()
        if before and before[-1].lower().lstrip("(") in _ABBREVIATIONS:
            continue
        cut = match.start() + len(match.group(0).rstrip()) if match.group(0)[0] in "\"”’)" else match.start()
        pieces.append((begin, cut))
        begin = match.end()
    pieces.append((begin, end))
    merged: list[tuple[int, int]] = []
    for piece in pieces:
        if merged and re.fullmatch(r"\s*(?:yes|no)[.!]?\s*", text[merged[-1][0]:merged[-1][1]], re.IGNORECASE):
            merged[-1] = (merged[-1][0], piece[1])  # "Yes. Many people combine..." is one answer
        else:
            merged.append(piece)
    return merged


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return (start, end) if end > start else None


def _following_items(text: str, lines: list[tuple[int, int, int]], index: int) -> tuple[str, ...]:
    """The list items on the lines after a line ending with ':' (up to the next line that is not an item)."""
    items = []
    for _, start, end in lines[index + 1:]:
        raw = text[start:end].strip()
        marker = _MARKER.match(raw)
        if not marker:
            break
        items.append(raw[marker.end():].strip(_TRIM))
    return tuple(item for item in items if item)
