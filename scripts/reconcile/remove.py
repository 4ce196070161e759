"""`kb remove-claim`: take one claim's block out of its file, every other byte kept, and say what it touches.

The block runs from the claim's subject line to the next subject (comments and blank lines
just before the next subject belong to it); before writing, the file without the block is
parsed again and must hold exactly the old triples minus the claim's own. A claim that a
person's review cites is refused unless forced: its review would go stale.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef

from .conflicts import Conflict, find_conflicts
from .errors import KbError
from .inputs import suggest
from .load import KnowledgeBase, read_text
from .model import CLAIM, REVIEW, Claim
from .reviews import Review, read_baseline, read_reviews, reviewed_conflicts
from .turtle import write_atomic
from .values import position

# A subject block starts at column 0 with a prefixed name or an IRI (as the loader reads them).
_SUBJECT_LINE = re.compile(r"^(?!@|PREFIX\b|BASE\b|#)(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.-]*)\s")
_LINES = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.DOTALL)


@dataclass(frozen=True)
class Removal:
    """A claim's block and the file without it, with the conflicts, reviews and baseline entries it touches."""

    claim: Claim
    file: Path
    first_line: int
    last_line: int
    block: str
    text: str
    conflicts: list[Conflict]
    reviews: list[Review]
    baseline: list[Review]

    def touches(self, kb: KnowledgeBase) -> list[str]:
        """One line per conflict, review and baseline entry the removal changes."""
        lines = []
        for conflict in self.conflicts:
            side = next(s for s in conflict.sides if any(_from_claim(c, self.claim.id) for c in s))
            rest = [c for c in side if not _from_claim(c, self.claim.id)]
            if conflict.outcome == "agreement":
                effect = (f"the position {position(self.claim)!r} is left to {', '.join(c.id for c in rest)}"
                          if len(rest) > 1 else "the agreement goes away")
            elif rest:
                effect = f"it stays: {', '.join(c.id for c in rest)} still hold {position(rest[0])!r}"
            else:
                effect = "it goes away"
            severity = f" ({conflict.severity})" if conflict.is_disagreement else ""
            lines.append(f"{conflict.outcome}{severity} {conflict.id}: {effect}.")
        for review in self.reviews:
            lines.append(f"{kb.location(REVIEW[review.id]) or kb.root / 'reviews.ttl'}: review {review.id} "
                         f"({review.decision}) cites it and goes stale.")
        for entry in self.baseline:
            lines.append(f"{kb.location(REVIEW[entry.id]) or kb.root / 'baseline.ttl'}: baseline entry {entry.id} "
                         "cites it and no longer matches; run `kb baseline` to record the conflicts as they are.")
        return lines


def plan_removal(kb: KnowledgeBase, claim_id: str, shapes_dir: Path, force: bool = False) -> Removal:
    """Everything `remove_claim` would do, checked; writes nothing."""
    claim = kb.claim(claim_id)
    if claim is None:
        raise KbError(suggest(claim_id, [c.id for c in kb.claims], "claim"))
    if claim.location is None:
        raise KbError(f"Claim {claim_id} is not in a file of {kb.root}; nothing was changed.")
    path = claim.location.path
    old = read_text(path)
    lines = _LINES.findall(old)
    start = claim.location.line - 1
    end = next((i for i in range(start + 1, len(lines)) if _SUBJECT_LINE.match(lines[i])), len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    cut_from = start - 1 if start > 0 and not lines[start - 1].strip() else start
    text = "".join(lines[:cut_from] + lines[end:])
    _check_cut(path, old, text, claim)
    cites = f"{claim_id}="
    reviews = [r for r in read_reviews(kb) if any(f.startswith(cites) for f in r.fingerprints)]
    if reviews and not force:
        where = "; ".join(f"review {r.id} ({r.decision}) at {kb.location(REVIEW[r.id])}" for r in reviews)
        raise KbError(f"Claim {claim_id} is cited by {where}: removing it makes that review stale. "
                      "Pass --force to remove it anyway. Nothing was changed.")
    baseline = [entry for entry in read_baseline(kb) if any(f.startswith(cites) for f in entry.fingerprints)]
    conflicts = [c for c in reviewed_conflicts(kb, find_conflicts(kb, shapes_dir))
                 if any(_from_claim(x, claim_id) for x in c.claims)]
    return Removal(claim, path, start + 1, end, "".join(lines[start:end]), text, conflicts, reviews, baseline)


def remove_claim(kb: KnowledgeBase, claim_id: str, shapes_dir: Path, force: bool = False,
                 dry_run: bool = False) -> Removal:
    """Take the claim's block out of its file atomically (`kb` loaded under the write lock, `lock.writing`)."""
    removal = plan_removal(kb, claim_id, shapes_dir, force)
    if not dry_run:
        write_atomic(removal.file, removal.text)
    return removal


def _from_claim(claim: Claim, claim_id: str) -> bool:
    """The claim itself, or an answer it implies on a broader topic."""
    return claim.id == claim_id or claim.implied_by == claim_id


def _check_cut(path: Path, old: str, new: str, claim: Claim) -> None:
    """The file without the block must hold the old triples minus exactly the claim's own (and its nodes)."""
    before, after = Graph(), Graph()
    before.parse(data=old, format="turtle", publicID=path.resolve().as_uri())
    try:
        after.parse(data=new, format="turtle", publicID=path.resolve().as_uri())
        parsed = True
    except Exception:  # rdflib raises several exception types for bad Turtle
        parsed = False
    own: set = set()
    todo: list[URIRef | BNode] = [URIRef(CLAIM[claim.id])]
    while todo:
        for triple in before.triples((todo.pop(), None, None)):
            own.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    if not parsed or len(after) != len(before) - len(own) or _ground(after) != _ground(before) - own:
        raise KbError(f"{path}:{claim.location.line if claim.location else 1}: cannot cut the block of claim "
                      f"{claim.id} out cleanly (it shares lines with other statements); remove it by hand. "
                      "Nothing was changed.")


def _ground(graph: Graph) -> set:
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}
