"""The knowledge base as downloadable files: Turtle and JSON-LD with stable blank-node names.

Blank nodes get names from a hash of where they hang and what they hold, so two
exports of the same data are byte for byte identical. That suits the tree-shaped
blank nodes of claims (target, selectors) and validation reports, and takes linear
time where general graph canonicalization does not. Oxigraph serializes, which keeps
exports of large knowledge bases fast.
"""
from __future__ import annotations

import hashlib
import json
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
    has_parent = set()
    for triple in triples:
        outgoing[triple.subject].append((triple.predicate, triple.object))
        if isinstance(triple.object, ox.BlankNode):
            has_parent.add(triple.object)
    content: dict[ox.BlankNode, str] = {}

    def digest(node: ox.BlankNode, seen: frozenset = frozenset()) -> str:
        if node not in content:
            parts = sorted(f"{p} {digest(o, seen | {node}) if isinstance(o, ox.BlankNode) and o not in seen else o}"
                           for p, o in outgoing[node])
            content[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return content[node]

    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def name(node: ox.BlankNode, parent: str) -> None:
        if node in names:
            return
        names[node] = ox.BlankNode("b" + hashlib.sha256(f"{parent} {digest(node)}".encode()).hexdigest()[:20])
        for p, child in sorted(outgoing[node], key=str):
            if isinstance(child, ox.BlankNode):
                name(child, f"{names[node]} {p}")

    for subject in sorted(outgoing, key=str):
        if not isinstance(subject, ox.BlankNode):
            for p, child in sorted(outgoing[subject], key=str):
                if isinstance(child, ox.BlankNode):
                    name(child, f"{subject} {p}")
        elif subject not in has_parent:
            name(subject, "")
    renamed = {ox.Triple(names.get(t.subject, t.subject), t.predicate, names.get(t.object, t.object)) for t in triples}
    return sorted(renamed, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def turtle(triples: list[ox.Triple]) -> str:
    """Turtle with the project's prefixes, declared in a fixed order."""
    text = ox.serialize(stable_triples(triples), format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES).decode("utf-8")
    declarations = sorted(_PREFIX_LINE.findall(text))
    return "".join(declarations) + _PREFIX_LINE.sub("", text)


def json_ld(triples: list[ox.Triple]) -> str:
    """Expanded JSON-LD with every array sorted: multi-valued properties are sets, so order carries no meaning."""
    data = json.loads(ox.serialize(stable_triples(triples), format=ox.RdfFormat.JSON_LD))
    return json.dumps(_sorted_json(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _sorted_json(value):
    if isinstance(value, dict):
        return {key: _sorted_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_sorted_json(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value
