"""The knowledge base as downloadable files: Turtle and JSON-LD with stable blank-node names.

Blank nodes get names from a hash of where they hang and what they hold, so two
exports of the same data are byte for byte identical. That suits the tree-shaped
blank nodes of claims (target, selectors) and validation reports, and takes linear
time where general graph canonicalization does not. Oxigraph serializes, which keeps
exports of large knowledge bases fast.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import pyoxigraph as ox
from rdflib import Graph

from .model import PREFIXES

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
    for subject in sorted((s for s in outgoing if isinstance(s, ox.BlankNode) and s not in has_parent), key=digest):
        name(subject, "")
    renamed = [ox.Triple(names.get(t.subject, t.subject), t.predicate, names.get(t.object, t.object))
               if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) else t for t in triples]
    keyed = {str(t): t for t in renamed}  # its N-Triples line; also drops duplicates
    return [keyed[key] for key in sorted(keyed)]


def turtle(stable: list[ox.Triple]) -> str:
    """Turtle of `stable_triples` output, with the project's prefixes declared in a fixed order."""
    text = ox.serialize(stable, format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES).decode("utf-8")
    declarations = sorted(_PREFIX_LINE.findall(text))
    return "".join(declarations) + _PREFIX_LINE.sub("", text)


def json_ld(stable: list[ox.Triple]) -> str:
    """Expanded JSON-LD of `stable_triples` output: subjects, and each property's values, in sorted order.

    Oxigraph writes it straight from the sorted triples; parsing it into Python objects
    to re-indent would cost gigabytes at 100,000 claims.
    """
    return ox.serialize(stable, format=ox.RdfFormat.JSON_LD).decode("utf-8") + "\n"
