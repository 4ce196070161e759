"""The register of reviewed conflicts (kb/reviews.ttl).

A review names the conflict and fingerprints each of its claims. While exactly those
claims hold its sides unchanged, the decision holds. When a claim joins a side (a
source repeats a disputed value), the conflict has new claims: new guidance that
needs a look, as a new conflict does. When a reviewed claim changes or leaves its
side, the review is stale.
"""
from __future__ import annotations

from dataclasses import dataclass

from .conflicts import Conflict
from .edit import editor_id, now
from .errors import KbError
from .load import KnowledgeBase
from .model import SPARQL_PREFIXES, fingerprint, local_name
from .turtle import append_block, string

DECISIONS = {"acknowledged": "Acknowledged", "resolved": "Resolved", "not-a-conflict": "NotAConflict"}
STATUSES = ("new", "new-claims", "stale", "acknowledged", "resolved", "not-a-conflict")
REVIEWS_FILE = "reviews.ttl"
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


def apply_reviews(conflicts: list[Conflict], reviews: list[Review]) -> list[Conflict]:
    """Each conflict with the status its latest review gives it: new, new-claims, stale, or the decision."""
    latest = {review.conflict_id: review for review in reviews}  # sorted by time, so the last one wins
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


def record_review(kb: KnowledgeBase, conflict: Conflict, decision: str, by: str | None, note: str,
                  when: str | None = None) -> str:
    """Append a decision on `conflict` to kb/reviews.ttl and return the review's id."""
    if decision not in DECISIONS:
        raise KbError(f"--decision: '{decision}' is not one of {', '.join(DECISIONS)}.")
    if not note.strip():
        raise KbError("--note: say in a sentence why you decided this; the note is shown to readers.")
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
        f"    prov:wasAssociatedWith editor:{editor_id(by)} ;",
        f'    prov:endedAtTime "{when or now()}"^^xsd:dateTime .',
    ]) + "\n"
    append_block(kb.root / REVIEWS_FILE, block, REVIEWS_FILE_COMMENT)
    return review_id


def reviewed_conflicts(kb: KnowledgeBase, conflicts: list[Conflict]) -> list[Conflict]:
    """`conflicts` with their review status from kb/reviews.ttl."""
    return apply_reviews(conflicts, read_reviews(kb))
