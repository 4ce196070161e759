"""Find where claims disagree, by running the conflict shapes in shapes/conflicts.ttl.

`find_conflicts` is the one entry point: it returns conflicts as data whatever
engine evaluated the shapes, so callers never depend on pySHACL itself.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import cached_conflict_results
from .implied import compared_claims
from .load import KnowledgeBase
from .model import KB, Claim, local_name, position_iri
from .paths import CONFLICT_SHAPES
from .shacl import Result, load_shapes, run
from .store import FILES
from .vocab import CONFLICT_SEVERITY, DISAGREEMENTS, SEVERITY_RANK


@dataclass(frozen=True)
class Conflict:
    """Two positions on one topic and context, and how they relate; or, for an agreement, one position.

    A position is a normalized value; `sides` lists, per position, every claim that
    holds it, so five sources saying "two weeks" are one side, not five pairs.
    `outcome` is one of vocab.OUTCOMES; `kind` is the finding
    code of the shape that found it; `status` is filled in from the review register.
    """

    id: str
    topic: str
    kind: str
    outcome: str
    severity: str
    explanation: str
    sides: tuple[tuple[Claim, ...], ...]
    inner: int | None = None  # for one range inside another: which of `sides` is inside, the more specific
    status: str = "new"
    review_note: str = ""
    reviewed_by: str = ""
    reviewed_on: str = ""

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim involved, side by side."""
        return tuple(claim for side in self.sides for claim in side)

    @property
    def sources_on_both_sides(self) -> list[str]:
        """Source keys with claims on both sides: sources that contradict themselves here."""
        if len(self.sides) < 2:
            return []
        return sorted(set.intersection(*({claim.source for claim in side} for side in self.sides)))

    def sort_key(self) -> tuple:
        """Most severe first, then by topic and id: the order every list of conflicts is shown in."""
        return SEVERITY_RANK[self.severity], self.topic, self.id

    @property
    def is_disagreement(self) -> bool:
        return self.outcome in DISAGREEMENTS

    def with_status(self, status: str, note: str = "", by: str = "", on: str = "") -> "Conflict":
        return replace(self, status=status, review_note=note, reviewed_by=by, reviewed_on=on)


def conflict_id(topic: str, position_ids: list[str] | tuple[str, ...]) -> str:
    """An id that depends only on the positions involved: the topic and a hash of their sorted ids.

    A position id hashes its normalized value, so the id survives claims joining or leaving a side.
    """
    digest = hashlib.sha256("\n".join(sorted(position_ids)).encode()).hexdigest()[:8]
    return f"{topic}-{digest}"


def _inner(result: Result, sides: tuple, this: tuple, that: tuple) -> int | None:
    """Which side is inside the other, from the relation the nested shapes give as the result's path."""
    if result.path in (KB.liesInside, KB.fallsUnder):
        return sides.index(this)
    if result.path in (KB.encloses, KB.covers):
        return sides.index(that)
    return None


def _side_order(side: tuple[Claim, ...]) -> tuple:
    """Lower values first; answers and sets by their first claim."""
    first = side[0]
    return (first.min is None, first.min or 0, first.max is None, first.max or 0, first.id)


def conflict_results(kb: KnowledgeBase, shapes_dir: Path, engine: str = "fast",
                     cache_file: Path | None = None) -> list[Result]:
    """The raw SHACL results of the conflict shapes, from pySHACL or the fast executor.

    With `cache_file`, the fast executor re-checks only topics whose claims changed.
    """
    shapes = load_shapes(shapes_dir / CONFLICT_SHAPES)
    if engine == "fast" and cache_file is not None and FILES in kb.store.capabilities:
        return cached_conflict_results(kb, shapes_dir / CONFLICT_SHAPES, shapes, cache_file)
    return run(kb, shapes, engine)


def find_conflicts(kb: KnowledgeBase, shapes_dir: Path, engine: str = "fast",
                   cache_file: Path | None = None) -> list[Conflict]:
    """Every contradiction, partial overlap and agreement between positions, sorted by severity, topic and id.

    A result relates two positions (or, for agreements, a position and one more claim
    holding it); each side lists every claim that holds its position.
    """
    return conflicts_from_results(conflict_results(kb, shapes_dir, engine, cache_file), compared_claims(kb))


def conflicts_from_results(results: list[Result], claims: list[Claim]) -> list[Conflict]:
    """The conflicts the conflict shapes' results describe; `claims` hold their positions (implied ones included).

    Results and claims of some topics only give exactly those topics' conflicts.
    """
    holders: dict[str, list[Claim]] = {}
    for claim in sorted(claims, key=lambda c: c.id):
        holders.setdefault(str(position_iri(claim)), []).append(claim)
    conflicts: dict[str, Conflict] = {}
    results = sorted(results, key=lambda r: (str(r.focus), str(r.value)))
    for result in results:
        if result.value is None or not result.outcome:
            continue
        this = tuple(holders[str(result.focus)])
        topic = this[0].topic
        if result.outcome == "agreement":
            positions = [str(result.focus)]
            sides: tuple[tuple[Claim, ...], ...] = (this,)
            inner = None
        else:
            positions = sorted([str(result.focus), str(result.value)])
            that = tuple(holders[str(result.value)])
            sides = tuple(sorted([this, that], key=_side_order))
            inner = _inner(result, sides, this, that)
        conflict = Conflict(
            id=conflict_id(topic, [local_name(p) for p in positions]),
            topic=topic,
            kind=result.code,
            outcome=result.outcome,
            severity=CONFLICT_SEVERITY.get(result.severity, "low") if result.outcome in DISAGREEMENTS else "none",
            explanation=result.message,
            sides=sides,
            inner=inner,
        )
        conflicts.setdefault(conflict.id, conflict)  # agreements: one per position, worded as its first result
    return sorted(conflicts.values(), key=Conflict.sort_key)
