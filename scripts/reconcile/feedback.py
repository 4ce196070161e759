"""What a new claim means next to the others, in words that name them.

"joins the position '3 days' held by 002 and 004", "contradicts 003's '...' (5 days)",
"is more specific than ...": read from the conflict check's results (`find_conflicts`)
and from the positions the conflict shapes group claims into, never by comparing values
here. A dry run gets the same feedback: the planned block is added to a freshly loaded
store only, never to a file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .conflicts import Conflict, find_conflicts
from .edit import NewClaim, PlannedClaims, add_claims
from .load import KnowledgeBase, load
from .lock import writing
from .model import Claim, position_iri
from .paths import CONFLICT_SHAPES
from .reviews import reviewed_conflicts
from .shacl import load_shapes
from .store import LocalStore
from .turtle import header
from .values import normalized, position
from .vocab import STATUS_LABELS

QUOTE_CHARS = 80
VERBS = {"contradiction": "contradicts", "partial-overlap": "partly overlaps"}


def require_shapes(shapes_dir: Path) -> None:
    """Refuse before writing when the conflict shapes the feedback needs are not there."""
    load_shapes(shapes_dir / CONFLICT_SHAPES)


def with_block(root: Path, block: str, file: Path) -> KnowledgeBase:
    """The knowledge base at `root` as it would be with `block` appended to `file`, in memory only."""
    kb = load(root)
    assert isinstance(kb.store, LocalStore)  # a loaded folder, never a remote store
    kb.store.load_turtle(header("Planned change, in memory only.") + "\n" + block, file.resolve().as_uri())
    return kb


@dataclass(frozen=True)
class AddedClaims:
    """Claims added (or, on a dry run, planned) and what each agrees or conflicts with."""

    news: list[NewClaim]
    planned: PlannedClaims
    kb: KnowledgeBase  # the knowledge base with them in it
    feedback: dict[str, list[str]]
    dry_run: bool

    def lines(self) -> list[str]:
        """What `kb add-claim` prints: where each claim went, its modality and its relations."""
        lines = []
        for claim_id, new in zip(self.planned.ids, self.news, strict=True):
            claim = self.kb.claim(claim_id)
            if self.dry_run:
                lines.append(f"Would add claim {claim_id} to {self.planned.file}.")
            else:
                lines.append(f"Added claim {claim_id} at {claim.location if claim and claim.location else self.planned.file}.")
            if claim and claim.modality:
                how = "as given" if new.modality else "proposed from the quote's words; override with --modality"
                lines.append(f"Modality: kb:{claim.modality} ({how}).")
            lines.append("\n".join(self.feedback[claim_id]) or "It agrees or conflicts with no other claim yet.")
        if self.dry_run:
            lines.append(f"Dry run: the block it would append:\n\n{self.planned.block}\nNothing was written.")
        return lines


def add_with_feedback(root: Path, shapes_dir: Path, news: list[NewClaim], by: str, dry_run: bool = False,
                      wait: float | None = 0.0) -> AddedClaims:
    """Add `news` to the knowledge base at `root` under the write lock (or plan them, on a dry run) and explain them.

    The feedback is read under the same lock, so it describes the claims next to exactly
    the ones written before them.
    """
    require_shapes(shapes_dir)
    if dry_run:
        planned = add_claims(load(root), news, by, dry_run=True)
        kb = with_block(root, planned.block, planned.file)
        return AddedClaims(news, planned, kb, claim_feedback(kb, shapes_dir, planned.ids), dry_run)
    with writing(root, wait) as locked:
        planned = add_claims(locked, news, by)
        kb = load(root)
        return AddedClaims(news, planned, kb, claim_feedback(kb, shapes_dir, planned.ids), dry_run)


def claim_feedback(kb: KnowledgeBase, shapes_dir: Path, claim_ids: list[str]) -> dict[str, list[str]]:
    """For each claim id, one line per relation to other claims (empty when it relates to none)."""
    conflicts = reviewed_conflicts(kb, find_conflicts(kb, shapes_dir))
    return {claim_id: relations(kb, claim_id, conflicts) for claim_id in claim_ids}


def relations(kb: KnowledgeBase, claim_id: str, conflicts: list[Conflict]) -> list[str]:
    """The position `claim_id` joins, then each contradiction, overlap or nesting it takes part in."""
    claim = kb.claim(claim_id)
    if claim is None:
        return []
    lines = []
    joined = [other for other in kb.claims
              if other.id != claim.id and not other.retracted and position_iri(other) == position_iri(claim)]
    if joined:
        listed = "".join(f" ({'; '.join(c.members)})" for c in joined[:1] if c.members)
        lines.append(f"agreement: it joins the position {position(claim)!r} held by {_sources(joined)}{listed}.")
    for conflict in conflicts:
        mine = next((side for side in conflict.sides if any(c.id == claim.id for c in side)), None)
        if mine is None or conflict.outcome == "agreement":
            continue
        other = next((side for side in conflict.sides if side is not mine), ())
        severity = f" ({conflict.severity})" if conflict.is_disagreement else ""
        lines.append(f"{conflict.outcome}{severity} {conflict.id}: it {_verb(conflict, mine, other)} {_side(other)}; "
                     f"status: {STATUS_LABELS.get(conflict.status, conflict.status)}.")
    return lines


def _verb(conflict: Conflict, mine: tuple[Claim, ...], other: tuple[Claim, ...]) -> str:
    """The relation's verb; for a compatible pair, whether this claim's side is the inner one."""
    if conflict.outcome in VERBS:
        return VERBS[conflict.outcome]
    if conflict.inner is None:
        return "is compatible with"
    return "is more specific than" if conflict.sides[conflict.inner] is mine else "is broader than"


def _side(side: tuple[Claim, ...]) -> str:
    """"003's 'Avoid NSAIDs for 5 days.' (5 days)", or the sources holding one position and the first quote."""
    if not side:
        return "another claim"
    first = side[0]
    value = normalized(first)
    if len(side) == 1:
        return f"{first.source}'s {_short(first.quote)!r} ({value})"
    return f"the position {value!r} held by {_sources(list(side))}, such as {first.source}'s {_short(first.quote)!r}"


def _sources(claims: list[Claim]) -> str:
    keys = list(dict.fromkeys(c.source for c in claims))
    return keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]


def _short(quote: str) -> str:
    """A quote cut at a word boundary when it is long."""
    if len(quote) <= QUOTE_CHARS:
        return quote
    return quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
