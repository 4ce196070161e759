"""Retract a claim, or mark it replaced by another: it stays in the knowledge base, out of every comparison.

Guidance changes and editors make mistakes, but a claim that was published and
reviewed is part of the record. So a claim is never deleted: it gets
prov:invalidatedAtTime (when), kb:retractionReason (why; PROV-O has no term for the
reason of an invalidation) and, when another claim supersedes it, dcterms:isReplacedBy.
The conflict rules skip claims with prov:invalidatedAtTime. The lines are added under
the claim's subject line, so its block, comments and the rest of the file stay as written.
"""
from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from .errors import KbError
from .inputs import check_text, suggest
from .load import KnowledgeBase
from .model import CLAIM, Claim
from .provenance import now
from .turtle import string, write_atomic

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def retract(kb: KnowledgeBase, claim_id: str, reason: str, replaced_by: str | None = None, at: str | None = None) -> Claim:
    """Mark `claim_id` retracted at `at` (now, UTC) for `reason`, replaced by `replaced_by` if given; returns the claim.

    Call holding the knowledge base's lock. Nothing is written unless every check passes.
    """
    claim = _known_claim(kb, claim_id, "CLAIM")
    check_text("--reason", reason)
    if not reason.strip():
        raise KbError("--reason: say in a sentence why the claim no longer holds; it is kept with the claim. Nothing was changed.")
    if claim.retracted:
        raise KbError(f"{claim.location}: claim {claim_id} was already retracted at {claim.retracted_at} "
                      f"({claim.retraction_reason}); nothing was changed.")
    if replaced_by is not None:
        replacement = _known_claim(kb, replaced_by, "--replaced-by")
        if replacement.id == claim.id:
            raise KbError(f"--replaced-by: a claim cannot replace itself; give the id of the claim that supersedes {claim_id}.")
        if replacement.retracted:
            raise KbError(f"--replaced-by: claim {replaced_by} is itself retracted ({replacement.retraction_reason}); "
                          "give a current claim.")
    when = at or now()
    lines = [f"    prov:invalidatedAtTime {string(when)}^^xsd:dateTime ;", f"    kb:retractionReason {string(reason.strip())} ;"]
    if replaced_by is not None:
        lines.append(f"    dcterms:isReplacedBy claim:{replaced_by} ;")
    _insert_after_subject_line(claim, lines, Literal(when, datatype=XSD.dateTime))
    return claim


def _known_claim(kb: KnowledgeBase, claim_id: str, option: str) -> Claim:
    claim = kb.claim(claim_id)
    if claim is None or claim.location is None:
        raise KbError(f"{option}: {suggest(claim_id, [c.id for c in kb.claims], 'claim')}")
    return claim


def _insert_after_subject_line(claim: Claim, new_lines: list[str], when: Literal) -> None:
    """Add predicate lines under the line where the claim's block starts, then check the file still says what it should."""
    assert claim.location is not None
    path, number = claim.location.path, claim.location.line
    text = path.read_text(encoding="utf-8")
    lines = _LINE.findall(text)
    subject = lines[number - 1] if number <= len(lines) else ""
    by_hand = "\n".join(new_lines)
    if not re.match(rf"claim:{re.escape(claim.id)}\b", subject) or not subject.rstrip().endswith(";"):
        raise KbError(f"{claim.location}: the block of {claim.id} does not start with a line `claim:{claim.id} ... ;`, so the "
                      f"retraction cannot be added safely; add these lines to the block by hand:\n{by_hand}")
    end = subject[len(subject.rstrip("\r\n")):] or "\n"
    lines.insert(number, "".join(line + end for line in new_lines))
    new_text = "".join(lines)
    _check_written(path.name, new_text, claim, when)
    write_atomic(path, new_text)


def _check_written(name: str, text: str, claim: Claim, when: Literal) -> None:
    """The edited file must parse and give the claim its invalidation time, or nothing is written."""
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=f"file:///{name}")
    except Exception as error:  # rdflib raises several exception types for bad Turtle
        raise KbError(f"{claim.location}: adding the retraction would break the file ({error}); nothing was changed. "
                      "Check the file's prefixes (prov, kb, xsd, dcterms, claim) and the claim's block.") from None
    if graph.value(URIRef(CLAIM[claim.id]), PROV.invalidatedAtTime) != when:
        raise KbError(f"{claim.location}: the retraction did not land on {claim.id}; nothing was changed.")
