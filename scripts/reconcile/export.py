"""The knowledge base as downloadable files: Turtle and JSON-LD with stable blank-node names, and
claims and conflicts as CSV and JSON tables.

Blank nodes get names from a hash of where they hang and what they hold, so two
exports of the same data are byte for byte identical. That suits the tree-shaped
blank nodes of claims (target, selectors) and validation reports, and takes linear
time where general graph canonicalization does not. Oxigraph serializes, which keeps
exports of large knowledge bases fast.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from .model import PREFIXES, Claim
from .values import normalized, position

if TYPE_CHECKING:  # conflicts imports the SHACL package, whose report writer uses this module's serializers
    from .conflicts import Conflict

_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
_PREFIX_LINE = re.compile(r"^@prefix [^\n]*\n", re.MULTILINE)


def graph_triples(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph's triples as Oxigraph triples."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def stable_triples(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with deterministic blank-node names, sorted."""
    outgoing: dict = defaultdict(list)
    has_parent = set()  # blank nodes something points to
    named_parents = set()  # IRIs that point to a blank node
    for triple in triples:
        outgoing[triple.subject].append((triple.predicate, triple.object))
        if isinstance(triple.object, ox.BlankNode):
            has_parent.add(triple.object)
            if not isinstance(triple.subject, ox.BlankNode):
                named_parents.add(triple.subject)
    content: dict[ox.BlankNode, str] = {}

    def digest(node: ox.BlankNode, seen: frozenset = frozenset()) -> str:
        if node not in content:
            parts = sorted(f"{p} {digest(o, seen | {node}) if isinstance(o, ox.BlankNode) and o not in seen else o}"
                           for p, o in outgoing[node])
            content[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return content[node]

    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def blank_children(node) -> list[tuple[str, ox.BlankNode]]:
        """(predicate, child) for each blank-node value of `node`, in the order of their content."""
        return sorted(((str(p), o) for p, o in outgoing[node] if isinstance(o, ox.BlankNode)),
                      key=lambda pair: (pair[0], digest(pair[1])))

    def name(node: ox.BlankNode, parent: str) -> None:
        if node in names:
            return
        names[node] = ox.BlankNode("b" + hashlib.sha256(f"{parent} {digest(node)}".encode()).hexdigest()[:20])
        for p, child in blank_children(node):
            name(child, f"{names[node]} {p}")

    for subject in sorted(named_parents, key=str):
        for p, child in blank_children(subject):
            name(child, f"{subject} {p}")
    for root in sorted((s for s in outgoing if isinstance(s, ox.BlankNode) and s not in has_parent), key=digest):
        name(root, "")
    renamed = [ox.Triple(_renamed(t.subject, names), t.predicate, _renamed(t.object, names)) for t in triples]
    keyed = {str(t): t for t in renamed}  # its N-Triples line; also drops duplicates
    return [keyed[key] for key in sorted(keyed)]


def _renamed(term, names: dict[ox.BlankNode, ox.BlankNode]):
    return names.get(term, term) if isinstance(term, ox.BlankNode) else term


def turtle(stable: list[ox.Triple]) -> str:
    """Turtle of `stable_triples` output, with the project's prefixes declared in a fixed order."""
    text = _serialized(stable, ox.RdfFormat.TURTLE, _PREFIXES)
    declarations = sorted(_PREFIX_LINE.findall(text))
    return "".join(declarations) + _PREFIX_LINE.sub("", text)


def json_ld(stable: list[ox.Triple]) -> str:
    """Expanded JSON-LD of `stable_triples` output: subjects, and each property's values, in sorted order.

    Oxigraph writes it straight from the sorted triples; parsing it into Python objects
    to re-indent would cost gigabytes at 100,000 claims.
    """
    return _serialized(stable, ox.RdfFormat.JSON_LD) + "\n"


def _serialized(triples: list[ox.Triple], rdf_format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> str:
    data = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    assert data is not None  # without an output file, Oxigraph returns the bytes
    return data.decode("utf-8")


CLAIM_FIELDS = ["id", "source", "source_file", "topic", "context", "quote", "start", "end", "stated",
                "min", "max", "unit", "normalized", "yes", "category", "members", "empty_set",
                "modality", "added_by", "added_at", "state", "retracted_at", "retraction_reason", "replaced_by",
                "file", "line"]


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def claim_dict(claim: Claim) -> dict:
    location = claim.location
    return {
        "id": claim.id, "source": claim.source, "source_file": claim.source_file, "topic": claim.topic,
        "context": claim.context, "quote": claim.quote, "start": claim.start, "end": claim.end,
        "stated": claim.stated, "min": _number(claim.min), "max": _number(claim.max), "unit": claim.unit,
        "normalized": normalized(claim), "yes": claim.yes, "category": claim.category,
        "members": list(claim.members), "empty_set": claim.empty_set, "modality": claim.modality,
        "added_by": claim.added_by,
        "added_at": claim.added_at, "state": claim.state, "retracted_at": claim.retracted_at or None,
        "retraction_reason": claim.retraction_reason or None, "replaced_by": claim.replaced_by or None,
        "file": str(location.path) if location else None,
        "line": location.line if location else None,
    }


def claims_json(claims: list[Claim]) -> str:
    return _json_records(claim_dict(c) for c in claims)


def claims_csv(claims: list[Claim]) -> str:
    rows = []
    for claim in claims:
        row = claim_dict(claim)
        row["members"] = "; ".join(row["members"])
        rows.append(row)
    return _csv(CLAIM_FIELDS, rows)


def conflict_dict(conflict: Conflict) -> dict:
    return {
        "id": conflict.id, "topic": conflict.topic, "kind": conflict.kind, "outcome": conflict.outcome,
        "severity": conflict.severity, "status": conflict.status, "explanation": conflict.explanation,
        "review_note": conflict.review_note, "reviewed_by": conflict.reviewed_by,
        "sides": [{
            "position": position(side[0]),
            "claims": [_conflict_claim(c) for c in side],
        } for side in conflict.sides],
    }


def _conflict_claim(claim: Claim) -> dict:
    return {
        "id": claim.id, "source": claim.source_file, "quote": claim.quote, "start": claim.start, "end": claim.end,
        "stated": claim.stated, "min": _number(claim.min), "max": _number(claim.max), "unit": claim.unit,
        "context": claim.context, "implied_by": claim.implied_by or None,
        "file": str(claim.location.path) if claim.location else None,
        "line": claim.location.line if claim.location else None,
    }


def conflicts_json(conflicts: list[Conflict]) -> str:
    return _json_records(conflict_dict(c) for c in conflicts)


def _json_records(records) -> str:
    """A JSON array with one record per line: easy to grep and diff, and written by the C encoder
    (indenting makes `json` fall back to its pure-Python encoder, several times slower)."""
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return f"[\n{lines}\n]\n" if lines else "[]\n"


def conflicts_csv(conflicts: list[Conflict]) -> str:
    """One row per claim in a conflict; `side` (a, b) says which position the claim holds."""
    fields = ["id", "topic", "kind", "outcome", "severity", "status", "explanation",
              "side", "position", "claim", "source", "stated", "normalized", "quote"]
    rows = []
    for conflict in conflicts:
        common = {field: getattr(conflict, field) for field in fields[:7]}
        for letter, side in zip("ab", conflict.sides, strict=False):
            rows += [{**common, "side": letter, "position": position(claim), "claim": claim.id,
                      "source": claim.source_file, "stated": claim.stated, "normalized": normalized(claim),
                      "quote": claim.quote} for claim in side]
    return _csv(fields, rows)


def _csv(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
