"""Move quotes to their new place when a source text changes, and mark the ones a person must look at.

Nothing is dropped: a quote found unchanged elsewhere is moved; a quote whose words
changed is moved to the closest passage and marked "changed" (with the old words kept);
a quote that cannot be found is marked "vanished". A quote is only ever moved to a
passage whose surroundings still match the recorded context (oa:prefix or oa:suffix):
when the same words appear only among other text (a look-alike passage, or the same
sentence repeated elsewhere), the quote is left where it was and marked "orphaned" for a
person to place, never guessed. Edits touch only the selector lines of each claim's
block, so comments and hand formatting survive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from .errors import KbError
from .load import KnowledgeBase
from .model import Claim, Location
from .paths import SOURCES_FILE, SourceMissing, source_digest
from .quotes import FUZZY_THRESHOLD, Anchor, anchor_at
from .turtle import string, write_turtle

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


CONTEXT_THRESHOLD = 80.0  # how alike (rapidfuzz ratio, 0-100) the text beside a passage and the recorded prefix or suffix must be
NEEDS_A_PERSON = ("changed", "vanished", "orphaned")


@dataclass(frozen=True)
class Move:
    claim: Claim
    status: str  # unchanged, moved, or one of NEEDS_A_PERSON
    anchor: Anchor | None
    similarity: float = 100.0

    @property
    def needs_a_person(self) -> bool:
        return self.status in NEEDS_A_PERSON


def locate(text: str, claim: Claim) -> Move:
    """Where `claim`'s quote sits in `text` now: a passage with its words, or failing that the closest words, in its context."""
    starts = [m.start() for m in re.finditer(re.escape(claim.quote), text)] if claim.quote else []
    placed = [start for start in starts if context_score(text, start, start + len(claim.quote), claim) >= CONTEXT_THRESHOLD]
    if claim.start in placed:
        return Move(claim, "unchanged", anchor_at(text, claim.start, claim.end))
    if placed:
        best = min(placed, key=lambda start: (-context_score(text, start, start + len(claim.quote), claim), abs(start - claim.start)))
        return Move(claim, "moved", anchor_at(text, best, best + len(claim.quote)))
    if starts:
        return Move(claim, "orphaned", None)
    alignment = fuzz.partial_ratio_alignment(claim.quote, text, score_cutoff=FUZZY_THRESHOLD) if claim.quote else None
    if alignment is None:
        return Move(claim, "vanished", None, 0.0)
    if context_score(text, alignment.dest_start, alignment.dest_end, claim) < CONTEXT_THRESHOLD:
        return Move(claim, "orphaned", None, alignment.score)
    return Move(claim, "changed", anchor_at(text, alignment.dest_start, alignment.dest_end), alignment.score)


def context_score(text: str, start: int, end: int, claim: Claim) -> float:
    """How well the text beside `start`-`end` matches the claim's recorded prefix or suffix: the better of the two.

    One side is enough, since an edit next to a quote changes only one of them; a claim
    with no recorded context (a quote at both ends of its text) matches anywhere.
    """
    sides = [(text[max(0, start - len(claim.prefix)):start], claim.prefix)] if claim.prefix else []
    sides += [(text[end:end + len(claim.suffix)], claim.suffix)] if claim.suffix else []
    return max((fuzz.ratio(found, recorded) for found, recorded in sides), default=100.0)


def plan(kb: KnowledgeBase, source_key: str) -> list[Move]:
    text = kb.source_text(source_key)
    return [locate(text, claim) for claim in kb.claims if claim.source == source_key and not claim.anchor_status]


def reanchor(kb: KnowledgeBase, source_keys: list[str] | None = None) -> list[Move]:
    """Re-anchor the claims of changed sources (or of `source_keys`) and record the new hashes."""
    keys = source_keys or [key for key, source in kb.sources.items() if _changed(kb, key)]
    unknown = [key for key in keys if key not in kb.sources]
    if unknown:
        raise KbError(f"Unknown source(s): {', '.join(unknown)}; list them with `kb sources`.")
    moves = [move for key in keys for move in plan(kb, key)]
    edits: dict[Path, str] = {}
    placed = [(move, _block_start(kb, move.claim)) for move in moves if move.status != "unchanged"]
    # Bottom to top: a block rewritten below never shifts the lines of the blocks above it.
    for move, location in sorted(placed, key=lambda pair: pair[1].line, reverse=True):
        edits.setdefault(location.path, location.path.read_text(encoding="utf-8"))
        edits[location.path] = _edit_block(edits[location.path], move, location.line)
    sources_file = kb.root / SOURCES_FILE
    sources_text = sources_file.read_text(encoding="utf-8")
    for key in keys:
        source = kb.sources[key]
        digest = source_digest(kb.source_bytes(key))
        sources_text = sources_text.replace(f'kb:sha256 "{source.sha256}"', f'kb:sha256 "{digest}"')
    for path, text in edits.items():
        write_turtle(path, text)
    write_turtle(sources_file, sources_text)
    return moves


def _changed(kb: KnowledgeBase, key: str) -> bool:
    try:
        return source_digest(kb.source_bytes(key)) != kb.sources[key].sha256
    except SourceMissing:
        return False


def _block_start(kb: KnowledgeBase, claim: Claim) -> Location:
    if claim.location is None:
        raise KbError(f"{kb.claims_file(claim.source)}: cannot find where the block of {claim.id} starts (write its first "
                      f"line as `claim:{claim.id} a kb:Claim ;`), so its quote cannot be updated. Nothing was changed.")
    return claim.location


def _edit_block(text: str, move: Move, line: int) -> str:
    """Rewrite the selector lines of the claim's block starting at `line` (and mark it when a person must look)."""
    claim = move.claim
    lines = _LINE.findall(text)  # each with its line end, counted as the loader counts them
    start = line - 1
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip("\r\n") and not lines[i][0].isspace()),
               len(lines))
    block = "".join(lines[start:end])
    if move.anchor is not None:
        replacements = [
            (r"oa:exact \"(?:[^\"\\]|\\.)*\"", f"oa:exact {string(move.anchor.exact)}"),
            (r"oa:prefix \"(?:[^\"\\]|\\.)*\"", f"oa:prefix {string(move.anchor.prefix)}"),
            (r"oa:suffix \"(?:[^\"\\]|\\.)*\"", f"oa:suffix {string(move.anchor.suffix)}"),
            (r"oa:start \d+", f"oa:start {move.anchor.start}"),
            (r"oa:end \d+", f"oa:end {move.anchor.end}"),
        ]
        for pattern, new in replacements:
            block, count = re.subn(pattern, new.replace("\\", "\\\\"), block, count=1)  # `new` taken literally
            if count != 1:
                raise KbError(f"{claim.location}: cannot find the {pattern.split()[0]} selector of {claim.id} "
                              "to update; update the block by hand. Nothing was changed.")
    if move.needs_a_person:
        marks = f"    kb:anchorStatus {string(move.status)} ;"
        if move.status != "orphaned":  # an orphan keeps its words; a person finds where they belong
            marks += f"\n    kb:previousQuote {string(claim.quote)} ;"
        block, count = re.subn(r"^(claim:\S+ a kb:Claim ;)$", lambda m: m[1] + "\n" + marks, block, count=1, flags=re.M)
        if count != 1:
            raise KbError(f"{claim.location}: the block of {claim.id} does not start with `claim:{claim.id} a kb:Claim ;` "
                          f"on a line of its own, so it cannot be marked {move.status}; write its first line so and run "
                          "kb reanchor again. Nothing was changed.")
    lines[start:end] = [block]
    return "".join(lines)
