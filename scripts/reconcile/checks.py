"""Structural checks: SHACL shapes for shape, plus quotes and hashes against the source files."""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef

from .carried import check_quote_values
from .errors import KbError
from .findings import Finding
from .load import KnowledgeBase, decode
from .model import CLAIM, SOURCE, TOPIC, Claim, local_name
from .paths import STRUCTURE_SHAPES, SourceMissing, source_digest
from .quotes import verify
from .shacl import load_shapes, run
from .store import FILES
from .vocab import FINDING_SEVERITY


def check_structure(kb: KnowledgeBase, shapes_dir: Path, keep_report: Graph | None = None,
                    engine: str = "fast", focus: list[URIRef] | None = None) -> list[Finding]:
    """Findings of the structural shapes, each placed at its subject's line (with `focus`, of those nodes only).

    The fast engine runs every shape as SPARQL on the store; pySHACL is the reference.
    They check the knowledge base as written, so the conflict rules may run beside them.
    """
    results = run(kb, load_shapes(shapes_dir / STRUCTURE_SHAPES), engine, focus, keep_report, data_only=True)
    findings = []
    for result in results:
        findings.append(Finding(
            code=result.code,
            severity=FINDING_SEVERITY.get(result.severity, "error"),
            message=result.message,
            focus=local_name(str(result.focus)),
            location=kb.location(result.focus) if isinstance(result.focus, URIRef) else None,  # blank nodes have no line
        ))
    return sorted(set(findings), key=Finding.sort_key)


def check_sources(kb: KnowledgeBase) -> list[Finding]:
    """Each source file exists and still has its recorded SHA-256; each quote sits at its offsets."""
    findings = []
    texts: dict[str, str] = {}
    for key, source in kb.sources.items():
        iri_location = kb.location(SOURCE[key])
        path = kb.sources_dir / source.file_name
        try:  # a name leading out of kb/sources/, a link, a FIFO or a device is refused before any read
            data = kb.source_bytes(key)
        except SourceMissing:
            findings.append(Finding("source-missing", "error", f"the file {path} is missing; restore it or remove the source.", key, iri_location))
            continue
        except KbError as error:
            findings.append(Finding("source-unreadable", "error", str(error), key, iri_location))
            continue
        try:
            texts[key] = decode(path, data)
        except KbError as error:
            findings.append(Finding("source-unreadable", "error", str(error), key, iri_location))
            continue
        digest = source_digest(data)
        if source.sha256 and digest != source.sha256:
            findings.append(Finding(
                "source-changed", "error",
                f"{path} has changed since it was recorded (sha256 {digest[:12]}…, recorded {source.sha256[:12]}…); "
                "run `kb reanchor` to move its quotes, then review the changed ones.",
                key, iri_location))
    for claim in kb.claims:
        if claim.anchor_status == "orphaned":
            findings.append(orphan_finding(claim, texts.get(claim.source)))
            continue
        if claim.anchor_status:
            findings.append(Finding(
                f"quote-{claim.anchor_status}", "error",
                f"the source text changed here ({claim.anchor_status}); compare kb:previousQuote with the quote, fix the "
                "value if needed, then delete the kb:anchorStatus and kb:previousQuote lines.", claim.id, claim.location))
            continue
        text = texts.get(claim.source)
        if text is None or not claim.quote:
            continue
        problem = verify(text, claim.start, claim.end, claim.quote)
        if problem:
            code, what = problem
            findings.append(Finding(code, "error", f"{what} in {claim.source_file}.", claim.id, claim.location))
    return findings


# What an id may be: it names pages and files and goes into links, so nothing that could read as a scheme,
# a folder or markup (a hand-written <javascript:alert(1)> topic has the id "javascript:alert(1)").
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_identifiers(kb: KnowledgeBase, claims: list[Claim] | None = None, others: bool = True) -> list[Finding]:
    """Topics, sources, contexts and claims whose id is not letters, digits, dots, dashes and underscores.

    `claims` (every claim when None) and, with `others`, the topics, sources and contexts.
    """
    named = [("topic", t) for t in kb.topics] + [("source", k) for k in kb.sources] if others else []
    named += [("context", c) for c in kb.contexts] if others else []
    named += [("claim", c.id) for c in (kb.claims if claims is None else claims)]
    return [Finding("bad-identifier", "error",
                    f"the {kind} id {name!r} must be letters, digits, dots, dashes and underscores, starting with a "
                    "letter or digit (it names pages and links); rename it.", name, _written_at(kb, name))
            for kind, name in named if not _ID.fullmatch(name)]


def check_repeated_ids(kb: KnowledgeBase) -> list[Finding]:
    """Claims, topics and sources written in more than one block: two of them sharing one id fuse into one."""
    kinds = {CLAIM[c.id]: "claim" for c in kb.claims} | {TOPIC[t]: "topic" for t in kb.topics}
    kinds |= {SOURCE[k]: "source" for k in kb.sources}
    findings = []
    for subject, again in kb.repeated.items():
        kind = kinds.get(subject)
        if kind is None:
            continue
        where = ", ".join(str(location) for location in again)
        findings.append(Finding("duplicate-id", "error",
                                f"the {kind} id {local_name(subject)!r} starts another block at {where}: two "
                                f"{kind}s with one id fuse into one; give one of them another id (or merge the blocks).",
                                local_name(subject), kb.location(subject)))
    return findings


def _written_at(kb: KnowledgeBase, name: str):
    """Where the subject whose IRI ends in `name` is written (looked up for the few bad ids only)."""
    return next((location for iri, location in kb.locations.items() if local_name(iri) == name), None)


def check(kb: KnowledgeBase, shapes_dir: Path, keep_report: Graph | None = None, engine: str = "fast") -> list[Finding]:
    """Every structural finding: shapes, source files, quotes and whether each quote carries its claim's value."""
    sources = check_sources(kb) if FILES in kb.store.capabilities else []  # a remote store holds no source files
    return sorted(check_structure(kb, shapes_dir, keep_report, engine) + sources + check_quote_values(kb)
                  + check_identifiers(kb) + check_repeated_ids(kb), key=Finding.sort_key)


def orphan_finding(claim: Claim, text: str | None) -> Finding:
    """A quote `kb reanchor` left unplaced: its words are in the source only where the surrounding text differs."""
    starts = [str(match.start()) for match in re.finditer(re.escape(claim.quote), text)] if text and claim.quote else []
    where = f"now appears only at offset(s) {', '.join(starts)}, where" if starts else "now appears only in altered form, where"
    return Finding(
        "quote-orphaned", "warning",
        f"the quote \"{claim.quote}\" {where} the text around it differs from the recorded oa:prefix and oa:suffix, so it "
        "may be a look-alike passage; find where the claim belongs in the source, set its selectors there (or remove "
        "the claim if the source no longer says it), then delete the kb:anchorStatus line.", claim.id, claim.location)
