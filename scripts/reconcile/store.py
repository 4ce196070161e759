"""Where the triples are queried: the `Store` protocol, and the in-memory Oxigraph store built from the files.

Every reader of the knowledge base (the claim views, the fast SHACL executor, the
review register) goes through `select`, `rows` and `ask`, which a SPARQL endpoint
(see endpoint.py) offers too, so the same code runs on files and on a server.
What SHACL rules construct (`infer`) goes into a graph of its own, named by
`inferred_graph` in both stores: queries see it, the downloads of the knowledge base do not,
nor do the views of a store's `data_only` copy (the claim views and the structural shapes,
which read the knowledge base as written while the conflict rules may be adding to it).
Both stores hand out Oxigraph terms, which `Terms` turns into rdflib terms.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

INFERRED = "urn:reconcile:inferred"
# Where the fast engine keeps, for one run, which nodes violate a nested shape (see shacl/core.py).
CONFORMANCE_GRAPH = "urn:reconcile:conformance"
VIOLATES = "urn:reconcile:violates"

# What a store can do besides answering queries; code asks for these instead of which store it has.
FILES = "files"  # loaded from the knowledge base's folder: subject lines, source texts and the folder are at hand
REMEMBERS = "remembers"  # keeps what a query found about the data's own blank nodes for later queries (`remember`)


def inferred_graph(graph: str | None = None) -> str:
    """The named graph of the inferences drawn from the knowledge base in `graph` (None: the local store's)."""
    return INFERRED if graph is None else f"{INFERRED}:{graph}"


class Store(Protocol):
    """What the checks need of a store: SPARQL queries, inferences added beside the data, the data itself."""

    capabilities: frozenset[str]

    def ask(self, query: str) -> bool: ...

    def select(self, query: str) -> Iterator[dict[str, Node]]:
        """Solutions as {variable: rdflib term}."""
        ...

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        """Solutions as {variable: lexical value}, for views that need no term types (the fast path)."""
        ...

    def infer(self, construct: str) -> None:
        """Add the triples a CONSTRUCT query builds (a SHACL rule) to the inferred graph."""
        ...

    def data_only(self) -> "Store":
        """The same store, whose queries see the knowledge base's triples without the inferred ones."""
        ...

    def triples(self) -> list[ox.Triple]:
        """Every triple of the knowledge base, without inferred ones (for the downloads)."""
        ...

    def graph(self) -> Graph:
        """The same triples as an rdflib graph, for pySHACL (slow on big knowledge bases)."""
        ...


class Terms:
    """Turns Oxigraph terms into rdflib terms, each distinct term once: the same terms recur in many rows."""

    def __init__(self) -> None:
        self._seen: dict = {}

    def __call__(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        value = self._seen.get(term)
        if value is None:
            value = self._seen[term] = _to_rdflib(term)
        return value

    def iri(self, text: str) -> URIRef:
        """An IRI given as text (as the conflict cache keeps them)."""
        return self(ox.NamedNode(text))  # type: ignore[return-value]


def solutions_as_terms(solutions: ox.QuerySolutions) -> Iterator[dict[str, Node]]:
    """Query solutions as {variable: rdflib term}."""
    names = [variable.value for variable in solutions.variables]
    terms = Terms()
    for row in solutions:
        yield {name: terms(row[name]) for name in names if row[name] is not None}


def solutions_as_rows(solutions: ox.QuerySolutions) -> Iterator[dict[str, str]]:
    """Query solutions as {variable: lexical value}."""
    names = [variable.value for variable in solutions.variables]
    for row in solutions:
        yield {name: row[name].value for name in names if row[name] is not None}


def rdflib_graph(triples: bytes) -> Graph:
    """An rdflib graph of N-Triples."""
    return Graph().parse(data=triples.decode("utf-8"), format="nt")


class LocalStore:
    """An in-memory Oxigraph store of the knowledge base's files (in the default graph)."""

    capabilities = frozenset({FILES, REMEMBERS})

    def __init__(self, store: ox.Store | None = None, with_inferences: bool = True):
        self.store = store if store is not None else ox.Store()
        self.inferred = ox.NamedNode(inferred_graph())
        self.with_inferences = with_inferences

    def load_turtle(self, text: str, base_iri: str) -> None:
        """Add a Turtle document; raises SyntaxError with the line and column of a mistake."""
        self.store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base_iri)

    def _query(self, query: str):
        return self.store.query(query, use_default_graph_as_union=self.with_inferences)

    def data_only(self) -> "LocalStore":
        return LocalStore(self.store, with_inferences=False)

    def ask(self, query: str) -> bool:
        return bool(self._query(query))

    def infer(self, construct: str) -> None:
        """Add the triples a CONSTRUCT query builds (a SHACL rule) to the inferred graph.

        They pass through an N-Triples file, not Python objects nor one string in memory: the
        position rule builds some seven triples per claim (40 MB at 100,000 claims). Where no
        temporary file can be written (a full disk), they pass through memory instead.
        """
        try:
            with tempfile.TemporaryFile() as spool:
                self._query(construct).serialize(spool, format=ox.RdfFormat.N_TRIPLES)
                if spool.tell():
                    spool.seek(0)
                    self.store.load(spool, format=ox.RdfFormat.N_TRIPLES, to_graph=self.inferred)
        except OSError:  # the inferred graph is a set: what a failed load added is added again harmlessly
            data = self._query(construct).serialize(format=ox.RdfFormat.N_TRIPLES)
            if data:
                self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=self.inferred)

    def clear_inferred(self) -> None:
        """Forget every inference (before the rules run again on changed data)."""
        self.store.clear_graph(self.inferred)

    def remember(self, construct: str) -> None:
        """Add what a CONSTRUCT query builds to the conformance graph, as the store's own terms.

        Unlike `infer`, the triples do not pass through a serialization, so a blank node of the
        data stays that node (a selector the query found incomplete is the selector).
        """
        graph = ox.NamedNode(CONFORMANCE_GRAPH)
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in self._query(construct))

    def forget(self) -> None:
        """Empty the conformance graph (what `remember` kept holds for one run only)."""
        self.store.clear_graph(ox.NamedNode(CONFORMANCE_GRAPH))

    def select(self, query: str) -> Iterator[dict[str, Node]]:
        return solutions_as_terms(self._query(query))

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        return solutions_as_rows(self._query(query))

    def triples(self) -> list[ox.Triple]:
        return [quad.triple for quad in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())]

    def graph(self) -> Graph:
        return rdflib_graph(self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"")


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
