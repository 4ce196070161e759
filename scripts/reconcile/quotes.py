"""Anchor quotes in source texts, W3C Web Annotation style.

A quote is stored twice: as a TextQuoteSelector (exact words plus a little text
before and after) and as a TextPositionSelector (character offsets). The offsets
make checking fast; the prefix and suffix let a quote be found again when the
source text moves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

CONTEXT_CHARS = 32
FUZZY_THRESHOLD = 80.0
PARAPHRASE_THRESHOLD = 50.0  # token-set similarity below which no sentence is offered

_EQUIVALENT = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ",
})


class QuoteError(ValueError):
    """A quote that cannot be anchored; the message says why and what to do.

    `lines` holds the line of each occurrence when the quote was found more than once.
    """

    def __init__(self, message: str, lines: tuple[int, ...] = ()):
        super().__init__(message)
        self.lines = lines


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """The selectors for text[start:end]."""
    return Anchor(start, end, text[start:end], text[max(0, start - CONTEXT_CHARS):start], text[end:end + CONTEXT_CHARS])


def find_quote(text: str, quote: str, occurrence: int | None = None) -> Anchor:
    """Anchor `quote` in `text`: exactly, then ignoring differences in case, spaces, quote marks and dashes.

    A quote found more than once, exactly or ignoring those differences, needs
    `occurrence` (1-based, in reading order) or more words: an exact match is not
    preferred silently over one in other case. When neither way finds it, the error
    names the closest passage (or, for a paraphrase, the closest sentence) and its
    line, as a suggestion only: a fuzzy match is never accepted silently.
    """
    if not quote.strip():
        raise QuoteError("The quote is empty; copy the exact words from the source.")
    exact = _exact_spans(text, quote)
    folded = [span for span in _normalized_spans(text, quote)
              if not any(span[0] < end and start < span[1] for start, end in exact)]
    spans = sorted(exact + folded)
    if not spans:
        raise QuoteError(_not_found_message(text, quote))
    if occurrence is not None:
        if not 1 <= occurrence <= len(spans):
            raise QuoteError(f"The quote occurs {len(spans)} time(s) in the source; occurrence {occurrence} does not exist.")
        return anchor_at(text, *spans[occurrence - 1])
    if len(spans) > 1:
        lines = ", ".join(str(line_of(text, s)) for s, _ in spans)
        which = ", ".join(f"{number} for line {line_of(text, s)}" for number, (s, _) in enumerate(spans, start=1))
        how = " (ignoring case, spacing, quote marks and dashes)" if folded else ""
        raise QuoteError(
            f"The quote occurs {len(spans)} times in the source{how} (lines {lines}); say which with "
            f"--occurrence N ({which}), or add more words so it is found once.",
            tuple(line_of(text, s) for s, _ in spans))
    return anchor_at(text, *spans[0])


def verify(text: str, start: int, end: int, exact: str) -> tuple[str, str] | None:
    """None when `exact` sits at [start, end) in `text`, else a finding code and what is wrong."""
    if end > len(text):
        return "quote-missing", f"the quote's offsets {start}-{end} lie beyond the end of the source ({len(text)} characters)"
    found = text[start:end]
    if found == exact:
        return None
    elsewhere = text.find(exact)
    if elsewhere >= 0:
        return "quote-moved", f"the quote is no longer at {start}-{end} but at {elsewhere}-{elsewhere + len(exact)} (line {line_of(text, elsewhere)})"
    return "quote-missing", f"the source no longer contains the quote; at {start}-{end} it now reads {found[:60]!r}"


def _exact_spans(text: str, quote: str) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]


def _normalize(text: str) -> tuple[str, list[int]]:
    """Text lower-cased, with equivalent characters folded and whitespace runs collapsed, and for each
    character of the result the offset it came from in the original."""
    folded = text.translate(_EQUIVALENT)
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(folded):
        lower = char.lower()
        char = lower if len(lower) == 1 else char
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
        origin.append(index)
    return "".join(out), origin


def _normalized_spans(text: str, quote: str) -> list[tuple[int, int]]:
    norm_text, origin = _normalize(text)
    norm_quote = _normalize(quote)[0].strip()
    spans = []
    for match in re.finditer(re.escape(norm_quote), norm_text):
        last = origin[match.end() - 1]
        spans.append((origin[match.start()], last + 1))
    return spans


def _not_found_message(text: str, quote: str) -> str:
    alignment = fuzz.partial_ratio_alignment(quote, text, score_cutoff=FUZZY_THRESHOLD)
    if alignment is None:
        return _closest_sentence_message(text, quote)
    start, end = _whole_words(text, alignment.dest_start, alignment.dest_end, one_line="\n" not in quote)
    return (
        f"The quote is not in the source. The closest passage, on line {line_of(text, start)} "
        f"({alignment.score:.0f}% similar), reads: {text[start:end]!r}. If that is what you meant, use those exact words."
    )


def _whole_words(text: str, start: int, end: int, one_line: bool) -> tuple[int, int]:
    """[start, end) without surrounding spaces, neither beginning nor ending inside a word (nor, for a
    one-line quote, running into the next line)."""
    if one_line:  # the longest line of the span
        pieces = [m.span() for m in re.finditer(r"[^\n]+", text[start:end])] or [(0, end - start)]
        piece = max(pieces, key=lambda span: span[1] - span[0])
        start, end = start + piece[0], start + piece[1]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _closest_sentence_message(text: str, quote: str) -> str:
    """For a paraphrase: the sentence (or list item, row, fact line) sharing the most words with the quote."""
    from .segments import passages

    found = process.extractOne(quote, [p.text for p in passages(text)], scorer=fuzz.token_set_ratio,
                               processor=default_process, score_cutoff=PARAPHRASE_THRESHOLD)
    if found is None:
        return "The quote is not in the source, not even approximately; copy the exact words from the source file."
    sentence, score, index = found
    return (f"The quote is not in the source, not even approximately. The closest sentence, on line "
            f"{passages(text)[index].line} ({score:.0f}% of words in common), reads: {sentence!r}. "
            "A claim quotes the source's own words: copy the part that states the value.")
