"""Where the triples are queried: an in-memory Oxigraph store built from the Turtle files.

Every reader of the knowledge base (the claim views, the fast SHACL executor, the
review register) goes through `select`, `rows` and `ask`, which a SPARQL endpoint
(see endpoint.py) offers too, so the same code runs on files and on a server.
What SHACL rules construct (`infer`) goes into a graph of its own: queries see it,
the downloads of the knowledge base do not.
"""
from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

INFERRED = ox.NamedNode("urn:reconcile:inferred")


class LocalStore:
    """An in-memory Oxigraph store; `select` returns rdflib terms, `rows` plain lexical strings."""

    def __init__(self, store: ox.Store | None = None):
        self.store = store if store is not None else ox.Store()

    def load_turtle(self, text: str, base_iri: str) -> None:
        """Add a Turtle document; raises SyntaxError with the line and column of a mistake."""
        self.store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base_iri)

    def _query(self, query: str):
        return self.store.query(query, use_default_graph_as_union=True)

    def ask(self, query: str) -> bool:
        return bool(self._query(query))

    def infer(self, construct: str) -> None:
        """Add the triples a CONSTRUCT query builds (a SHACL rule) to the inferred graph.

        They pass through N-Triples inside Oxigraph, not as Python objects: the position
        rule builds some seven triples per claim.
        """
        data = self._query(construct).serialize(format=ox.RdfFormat.N_TRIPLES)
        if data:
            self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=INFERRED)

    def select(self, query: str) -> Iterator[dict]:
        solutions = self._query(query)
        names = [variable.value for variable in solutions.variables]
        converted: dict = {}  # the same terms recur in many rows (labels, keys): convert each once
        for row in solutions:
            values = {}
            for name in names:
                term = row[name]
                if term is not None:
                    value = converted.get(term)
                    if value is None:
                        value = converted[term] = _to_rdflib(term)
                    values[name] = value
            yield values

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        """Solutions as {variable: lexical value}, for views that need no term types (the fast path)."""
        solutions = self._query(query)
        names = [variable.value for variable in solutions.variables]
        for row in solutions:
            yield {name: row[name].value for name in names if row[name] is not None}

    def triples(self) -> list[ox.Triple]:
        """Every triple of the default graph, without inferred ones (for the downloads)."""
        return [quad.triple for quad in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def _to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
