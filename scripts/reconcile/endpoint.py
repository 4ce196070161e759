"""Keep the knowledge base in any SPARQL 1.1 store: publish it with the Graph Store Protocol,
check it with the same shapes through the SPARQL protocol.

Only the standard protocols are used, so Oxigraph, Fuseki, GraphDB, Virtuoso or a
clustered store behind one URL all work; the URLs of the query and graph-store
services differ between products and are options. The knowledge base lives in a named
graph (`--graph`, default DEFAULT_GRAPH) and its inferences in `inferred_graph(graph)`;
queries name both as their default graph (`default-graph-uri`), so one store holds many
knowledge bases side by side: main, and a graph per pull request that CI drops after checking.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .errors import KbError
from .load import KnowledgeBase, read_text, turtle_files
from .store import inferred_graph, rdflib_graph, solutions_as_rows, solutions_as_terms

DEFAULT_GRAPH = "urn:reconcile:kb"
PUBLISH_BATCH_BYTES = 64 * 1024 * 1024  # N-Triples sent per request when publishing
# A query parameter some stores take on a Graph Store Protocol POST to load without a transaction
# (Oxigraph's bulk loader); stores that do not know it ignore it.
BULK_PARAMETER = "no_transaction"
_RESULTS = ox.QueryResultsFormat.JSON


class RemoteStore:
    """A SPARQL 1.1 endpoint with a Graph Store Protocol service, holding the knowledge base in `graph`."""

    capabilities: frozenset[str] = frozenset()  # no files: no subject lines, no source texts

    def __init__(self, base: str, query_path: str = "/query", store_path: str = "/store", timeout: float = 600,
                 graph: str = DEFAULT_GRAPH):
        self.query_url = base.rstrip("/") + query_path
        self.store_url = base.rstrip("/") + store_path
        self.timeout = timeout
        self.data_graph = graph
        self.inferred = inferred_graph(graph)

    def _open(self, url: str, data: bytes | None, headers: dict, method: str, missing_ok: bool = False):
        """The store's answer as an open response (to stream), or None for a missing graph when `missing_ok`."""
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            detail = error.read().decode("utf-8", "replace")[:300]
            raise KbError(f"{url}: the store answered {error.code} {error.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            raise KbError(f"{url}: cannot reach the store ({getattr(error, 'reason', error)}); "
                          "check --endpoint and that the server runs.") from None

    def _request(self, url: str, data: bytes | None, headers: dict, method: str, missing_ok: bool = False) -> bytes:
        response = self._open(url, data, headers, method, missing_ok)
        if response is None:
            return b""
        with response:
            return response.read()

    def _graph_url(self, graph: str, bulk: bool = False) -> str:
        return f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}" + (f"&{BULK_PARAMETER}" if bulk else "")

    def _form(self, query: str) -> bytes:
        return urllib.parse.urlencode([("query", query), ("default-graph-uri", self.data_graph),
                                       ("default-graph-uri", self.inferred)]).encode()

    def _query(self, query: str, accept: str) -> bytes:
        return self._request(self.query_url, self._form(query),
                             {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, "POST")

    def _solutions(self, query: str) -> Iterator[ox.QuerySolutions]:
        """The solutions, parsed while they arrive: a million claims' rows never sit in memory as one answer."""
        response = self._open(self.query_url, self._form(query),
                              {"Content-Type": "application/x-www-form-urlencoded", "Accept": _RESULTS.media_type}, "POST")
        with response:
            answer = ox.parse_query_results(response, format=_RESULTS)
            assert isinstance(answer, ox.QuerySolutions), "a SELECT query answers solutions"
            yield answer

    def ask(self, query: str) -> bool:
        return bool(ox.parse_query_results(self._query(query, _RESULTS.media_type), format=_RESULTS))

    def select(self, query: str) -> Iterator[dict[str, Node]]:
        for solutions in self._solutions(query):
            yield from solutions_as_terms(solutions)

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        for solutions in self._solutions(query):
            yield from solutions_as_rows(solutions)

    def infer(self, construct: str) -> None:
        """Add the triples a CONSTRUCT query builds (a SHACL rule) to the inferred graph, beside the data.

        They stay until the next `kb publish` to the same graph, which drops them.
        """
        triples = self._query(construct, "application/n-triples")
        if triples.strip():
            self._request(self._graph_url(self.inferred), triples, {"Content-Type": "application/n-triples"}, "POST")

    def _data(self) -> bytes:
        return self._request(self._graph_url(self.data_graph), None, {"Accept": "application/n-triples"}, "GET",
                             missing_ok=True)

    def triples(self) -> list[ox.Triple]:
        return [quad.triple for quad in ox.parse(self._data(), format=ox.RdfFormat.N_TRIPLES)]

    def graph(self) -> Graph:
        return rdflib_graph(self._data())

    def replace(self, turtle_files: list[Path]) -> None:
        """Make the data graph hold exactly the triples of `turtle_files`, and drop its inferences.

        Each file is parsed here with its own path as base IRI, as `kb check` reads it, and sent
        as N-Triples in large batches through the store's bulk loader where it has one.
        """
        self.drop()
        batch: list[bytes] = []
        size = 0
        for path in turtle_files:
            try:
                quads = ox.parse(read_text(path).encode("utf-8"), format=ox.RdfFormat.TURTLE,
                                 base_iri=path.resolve().as_uri(), rename_blank_nodes=True)
                data = ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES) or b""
            except SyntaxError as error:
                raise KbError(f"{path}:{error.lineno}: Turtle syntax error: {error.msg}. Fix the file and publish again.") from None
            batch.append(data)
            size += len(data)
            if size >= PUBLISH_BATCH_BYTES:
                self._post_data(b"".join(batch))
                batch, size = [], 0
        if batch:
            self._post_data(b"".join(batch))

    def _post_data(self, data: bytes) -> None:
        self._request(self._graph_url(self.data_graph, bulk=True), data, {"Content-Type": "application/n-triples"}, "POST")

    def drop(self) -> None:
        """Delete the data graph and its inferences (a graph that is not there is no error)."""
        for graph in (self.data_graph, self.inferred):
            self._request(self._graph_url(graph), None, {}, "DELETE", missing_ok=True)


def publish(root: Path, store: RemoteStore) -> int:
    """Load every Turtle file of the knowledge base at `root` into the store's graph; returns how many."""
    files = turtle_files(Path(root))
    if not files:
        raise KbError(f"{root}: no Turtle files to publish.")
    store.replace(files)
    return len(files)


def remote_kb(store: RemoteStore) -> KnowledgeBase:
    """The knowledge base as the store holds it. Claims carry no file locations; sources no texts."""
    return KnowledgeBase(root=Path("."), store=store)
