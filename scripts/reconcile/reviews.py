"""The register of reviewed conflicts (kb/reviews.ttl) and the baseline of known ones (kb/baseline.ttl).

A review names the conflict and fingerprints each of its claims. While exactly those
claims hold its sides unchanged, the decision holds. When a claim joins a side (a
source repeats a disputed value), the conflict has new claims: new guidance that
needs a look, as a new conflict does. When a reviewed claim changes or leaves its
side, the review is stale.

The baseline is not a review: like a linter's baseline, it records the conflicts that were
there when it was taken, so that the gate fails only on new ones, while the site and the
CLI show them as "baseline, not yet reviewed". It names no person and records no decision.
A person's review of a conflict always takes precedence over its baseline entry.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .conflicts import Conflict
from .errors import KbError
from .identity import require_editor
from .load import KnowledgeBase
from .model import SPARQL_PREFIXES, fingerprint, local_name
from .paths import BASELINE_FILE, REVIEWS_FILE
from .provenance import now
from .turtle import append_block, header, string, write_turtle
from .vocab import DECISIONS

BASELINE_FILE_COMMENT = ("The baseline: conflicts known when `kb baseline` was last run, not reviewed by anyone.\n"
                         "Written whole by `kb baseline`; do not edit by hand. Reviews by people are in reviews.ttl.")
REVIEWS_FILE_COMMENT = ("Reviewed conflicts: one block per decision, newest last.\n"
                        "Written by `kb review`; a review goes stale when one of its claims changes.")


@dataclass(frozen=True)
class Review:
    id: str
    conflict_id: str
    decision: str  # acknowledged, resolved, not-a-conflict
    by: str
    at: str
    note: str
    fingerprints: frozenset[str]


_REVIEWS = SPARQL_PREFIXES + """
SELECT ?iri (SAMPLE(?c) AS ?conflict) (SAMPLE(?d) AS ?decision) (SAMPLE(?b) AS ?by) (SAMPLE(?a) AS ?at)
       (SAMPLE(?n) AS ?note) (GROUP_CONCAT(?f; separator=" ") AS ?fingerprints) WHERE {
    ?iri a kb:Review .
    OPTIONAL { ?iri kb:conflictId ?c } OPTIONAL { ?iri kb:decision ?d } OPTIONAL { ?iri prov:wasAssociatedWith ?b }
    OPTIONAL { ?iri prov:endedAtTime ?a } OPTIONAL { ?iri kb:note ?n } OPTIONAL { ?iri kb:claimFingerprint ?f }
} GROUP BY ?iri"""


def read_reviews(kb: KnowledgeBase) -> list[Review]:
    decisions = {v: k for k, v in DECISIONS.items()}
    reviews = []
    for row in kb.store.rows(_REVIEWS):
        reviews.append(Review(
            id=local_name(row["iri"]),
            conflict_id=row.get("conflict", ""),
            decision=decisions.get(local_name(row.get("decision", "")), ""),
            by=local_name(row.get("by", "")),
            at=row.get("at", ""),
            note=row.get("note", ""),
            fingerprints=frozenset(row.get("fingerprints", "").split()),
        ))
    return sorted(reviews, key=lambda r: (r.at, r.id))


_BASELINE = SPARQL_PREFIXES + """
SELECT ?iri (SAMPLE(?c) AS ?conflict) (SAMPLE(?a) AS ?at) (GROUP_CONCAT(?f; separator=" ") AS ?fingerprints) WHERE {
    ?iri a kb:BaselineEntry .
    OPTIONAL { ?iri kb:conflictId ?c } OPTIONAL { ?iri prov:generatedAtTime ?a } OPTIONAL { ?iri kb:claimFingerprint ?f }
} GROUP BY ?iri"""


def read_baseline(kb: KnowledgeBase) -> list[Review]:
    """The baseline's entries, as reviews whose decision is "baseline" and that no one made."""
    return sorted((Review(id=local_name(row["iri"]), conflict_id=row.get("conflict", ""), decision="baseline", by="",
                          at=row.get("at", ""), note="", fingerprints=frozenset(row.get("fingerprints", "").split()))
                   for row in kb.store.rows(_BASELINE)), key=lambda r: r.id)


def apply_reviews(conflicts: list[Conflict], reviews: list[Review], baseline: Sequence[Review] = ()) -> list[Conflict]:
    """Each conflict with the status its latest review (or else its baseline entry) gives it.

    new, new-claims, stale, baseline, or the reviewer's decision.
    """
    latest = {entry.conflict_id: entry for entry in baseline}
    latest.update({review.conflict_id: review for review in reviews})  # sorted by time, so the last one wins
    marked = []
    for conflict in conflicts:
        review = latest.get(conflict.id)
        if review is None:
            marked.append(conflict)
            continue
        current = {fingerprint(claim) for claim in conflict.claims}
        if current == review.fingerprints:
            status = review.decision
        elif review.fingerprints < current:
            status = "new-claims"
        else:
            status = "stale"
        marked.append(conflict.with_status(status, review.note, review.by, review.at))
    return marked


def record_review(kb: KnowledgeBase, conflict: Conflict, decision: str, by: str, note: str,
                  when: str | None = None) -> str:
    """Append a decision on `conflict` by the editor `by` to kb/reviews.ttl and return the review's id.

    A decision is a person's: `by` must be an editor kb/editors.ttl describes, as for claims.
    """
    if decision not in DECISIONS:
        raise KbError(f"--decision: '{decision}' is not one of {', '.join(DECISIONS)}.")
    if not note.strip():
        raise KbError("--note: say in a sentence why you decided this; the note is shown to readers.")
    require_editor(kb, by)
    existing = {review.id for review in read_reviews(kb)}
    number = 1
    while f"{conflict.id}-{number}" in existing:
        number += 1
    review_id = f"{conflict.id}-{number}"
    claims = sorted(conflict.claims, key=lambda c: c.id)
    block = "\n".join([
        f"review:{review_id} a kb:Review ;",
        f"    kb:conflictId {string(conflict.id)} ;",
        f"    kb:decision kb:{DECISIONS[decision]} ;",
        "    kb:reviewedClaim " + ", ".join(f"claim:{c.id}" for c in claims) + " ;",
        "    kb:claimFingerprint " + ", ".join(string(fingerprint(c)) for c in claims) + " ;",
        f"    kb:note {string(note.strip())} ;",
        f"    prov:wasAssociatedWith editor:{by} ;",
        f'    prov:endedAtTime "{when or now()}"^^xsd:dateTime .',
    ]) + "\n"
    append_block(kb.root / REVIEWS_FILE, block, REVIEWS_FILE_COMMENT)
    return review_id


def reviewed_conflicts(kb: KnowledgeBase, conflicts: list[Conflict]) -> list[Conflict]:
    """`conflicts` with their review status from kb/reviews.ttl and kb/baseline.ttl."""
    return apply_reviews(conflicts, read_reviews(kb), read_baseline(kb))


def write_baseline(kb: KnowledgeBase, conflicts: list[Conflict], when: str | None = None) -> int:
    """Replace kb/baseline.ttl with every disagreement no person's review covers; returns how many.

    Conflicts whose review still holds (the decision stands) stay out: they need no baseline.
    """
    marked = apply_reviews(conflicts, read_reviews(kb))
    known = sorted((c for c in marked if c.is_disagreement and c.status not in DECISIONS), key=lambda c: c.id)
    when = when or now()
    blocks = []
    for conflict in known:
        claims = sorted(conflict.claims, key=lambda c: c.id)
        blocks.append("\n".join([
            f"review:baseline-{conflict.id} a kb:BaselineEntry ;",
            f"    kb:conflictId {string(conflict.id)} ;",
            "    kb:claimFingerprint " + ", ".join(string(fingerprint(c)) for c in claims) + " ;",
            f'    prov:generatedAtTime "{when}"^^xsd:dateTime .',
        ]))
    write_turtle(kb.root / BASELINE_FILE, header(BASELINE_FILE_COMMENT) + "".join("\n" + b + "\n" for b in blocks))
    return len(known)
