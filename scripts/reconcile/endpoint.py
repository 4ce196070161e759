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

import copy
import http.client
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .errors import KbError
from .load import KnowledgeBase, read_turtle, turtle_as_ntriples, turtle_files
from .store import inferred_graph, rdflib_graph, solutions_as_rows, solutions_as_terms

DEFAULT_GRAPH = "urn:reconcile:kb"
DEFAULT_TIMEOUT = 30.0  # seconds one request may take; --timeout changes it
PUBLISH_BATCH_BYTES = 64 * 1024 * 1024  # N-Triples sent per request when publishing
SPOOL_CHUNK_BYTES = 1024 * 1024  # spooled N-Triples are copied and sent in pieces of this size
# A query parameter some stores take on a Graph Store Protocol POST to load without a transaction
# (Oxigraph's bulk loader); stores that do not know it ignore it.
BULK_PARAMETER = "no_transaction"
_RESULTS = ox.QueryResultsFormat.JSON
T = TypeVar("T")


class RemoteStore:
    """A SPARQL 1.1 endpoint with a Graph Store Protocol service, holding the knowledge base in `graph`."""

    capabilities: frozenset[str] = frozenset()  # no files: no subject lines, no source texts

    def __init__(self, base: str, query_path: str = "/query", store_path: str = "/store",
                 timeout: float = DEFAULT_TIMEOUT, graph: str = DEFAULT_GRAPH):
        if not _web_address(base):
            raise KbError(f"--endpoint: '{base}' is not an http:// or https:// address; give the store's base URL, "
                          "such as http://127.0.0.1:7878.")
        self.query_url = base.rstrip("/") + query_path
        self.store_url = base.rstrip("/") + store_path
        self.timeout = timeout
        self.data_graph = graph
        self.inferred = inferred_graph(graph)
        self.with_inferences = True

    def _open(self, url: str, data: bytes | IO[bytes] | Iterable[bytes] | None, headers: dict, method: str,
              missing_ok: bool = False):
        """The store's answer as an open response (to stream), or None for a missing graph when `missing_ok`."""
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            detail = error.read().decode("utf-8", "replace")[:300]
            raise KbError(f"{url}: the store answered {error.code} {error.reason}: {detail}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", None) or error
            if isinstance(reason, TimeoutError):
                raise KbError(f"{url}: no answer within {self.timeout:g} seconds; check that the server runs, "
                              "or allow longer with --timeout.") from None
            raise KbError(f"{url}: cannot reach the store ({reason}); "
                          "check --endpoint and that the server runs.") from None

    def _request(self, url: str, data: bytes | IO[bytes] | Iterable[bytes] | None, headers: dict, method: str,
                 missing_ok: bool = False) -> bytes:
        response = self._open(url, data, headers, method, missing_ok)
        if response is None:
            return b""
        with response:
            return response.read()

    def _graph_url(self, graph: str, bulk: bool = False) -> str:
        return f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}" + (f"&{BULK_PARAMETER}" if bulk else "")

    def _form(self, query: str) -> bytes:
        graphs = [self.data_graph, self.inferred] if self.with_inferences else [self.data_graph]
        return urllib.parse.urlencode([("query", query), *(("default-graph-uri", g) for g in graphs)]).encode()

    def data_only(self) -> "RemoteStore":
        view = copy.copy(self)
        view.with_inferences = False
        return view

    def _query(self, query: str, accept: str) -> bytes:
        return self._request(self.query_url, self._form(query),
                             {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, "POST")

    def _solutions(self, query: str, rows: Callable[[ox.QuerySolutions], Iterator[T]]) -> Iterator[T]:
        """The solutions as `rows` reads them, parsed while they arrive: a million claims' rows never sit in
        memory as one answer."""
        response = self._open(self.query_url, self._form(query),
                              {"Content-Type": "application/x-www-form-urlencoded", "Accept": _RESULTS.media_type}, "POST")
        with response, self._sparql_answer():
            answer = ox.parse_query_results(response, format=_RESULTS)
            if not isinstance(answer, ox.QuerySolutions):
                raise ValueError("a SELECT query answers solutions")
            yield from rows(answer)

    @contextmanager
    def _sparql_answer(self) -> Iterator[None]:
        """Anything but SPARQL query results says that the URL is not a SPARQL store."""
        try:
            yield
        except (SyntaxError, ValueError, TypeError):
            raise KbError(f"{self.query_url}: the answer is not SPARQL query results; check --endpoint and "
                          "--query-path point at a SPARQL 1.1 query service.") from None

    def ask(self, query: str) -> bool:
        answer = self._query(query, _RESULTS.media_type)
        with self._sparql_answer():
            result = ox.parse_query_results(answer, format=_RESULTS)
            if not isinstance(result, ox.QueryBoolean):
                raise ValueError("an ASK query answers a boolean")
            return bool(result)

    def select(self, query: str) -> Iterator[dict[str, Node]]:
        return self._solutions(query, solutions_as_terms)

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        return self._solutions(query, solutions_as_rows)

    def infer(self, construct: str) -> None:
        """Add the triples a CONSTRUCT query builds (a SHACL rule) to the inferred graph, beside the data.

        The answer is spooled to a temporary file and sent back from there in one request, so it
        never sits in memory (the position rule builds some 400 bytes per claim). They stay until
        the next `kb publish` to the same graph, which drops them.
        """
        with _spool("the check stopped") as spool:
            response = self._open(self.query_url, self._form(construct),
                                  {"Content-Type": "application/x-www-form-urlencoded",
                                   "Accept": "application/n-triples"}, "POST")
            with response:
                while piece := response.read(SPOOL_CHUNK_BYTES):
                    with _spooling("the check stopped"):
                        spool.write(piece)
            size = spool.tell()
            spool.seek(0)
            if size:
                self._request(self._graph_url(self.inferred), spool,
                              {"Content-Type": "application/n-triples", "Content-Length": str(size)}, "POST")

    def _data(self) -> bytes:
        return self._request(self._graph_url(self.data_graph), None, {"Accept": "application/n-triples"}, "GET",
                             missing_ok=True)

    def triples(self) -> list[ox.Triple]:
        with self._graph_answer():
            return [quad.triple for quad in ox.parse(self._data(), format=ox.RdfFormat.N_TRIPLES)]

    def graph(self) -> Graph:
        with self._graph_answer():
            return rdflib_graph(self._data())

    @contextmanager
    def _graph_answer(self) -> Iterator[None]:
        try:
            yield
        except KbError:
            raise
        except Exception:  # noqa: BLE001 - parsers raise several exception types for text that is not N-Triples
            raise KbError(f"{self.store_url}: the answer is not N-Triples; check --endpoint and --store-path point "
                          "at a Graph Store Protocol service.") from None

    def replace(self, turtle_files: list[Path]) -> None:
        """Make the data graph hold exactly the triples of `turtle_files`, and drop its inferences.

        Every file is parsed first, with its own path as base IRI as `kb check` reads it, into
        N-Triples spooled to a temporary file: a syntax error names its file and line and leaves
        the store as it was. Then the first batch replaces the graph (PUT) and the rest are added
        through the store's bulk loader where it has one; a knowledge base under
        PUBLISH_BATCH_BYTES is replaced in one request. A batch holds whole files: a blank node
        is one node only within one request, so a file's triples are never split between two.
        Batches are sent from the spool in pieces, so publishing holds no batch in memory.
        """
        with _spool("nothing was published") as spool:
            ends = []  # where each file's N-Triples end in the spool
            for path in turtle_files:
                data = turtle_as_ntriples(path, read_turtle(path))
                with _spooling("nothing was published"):
                    spool.write(data)
                ends.append(spool.tell())
            method = "PUT"
            for start, end in _file_batches(ends):
                self._request(self._graph_url(self.data_graph, bulk=method == "POST"), _pieces(spool, start, end),
                              {"Content-Type": "application/n-triples", "Content-Length": str(end - start)}, method)
                method = "POST"
            if method == "PUT":  # nothing to load: the graph is emptied
                self._request(self._graph_url(self.data_graph), None, {}, "DELETE", missing_ok=True)
        self._request(self._graph_url(self.inferred), None, {}, "DELETE", missing_ok=True)

    def drop(self) -> None:
        """Delete the data graph and its inferences (a graph that is not there is no error)."""
        for graph in (self.data_graph, self.inferred):
            self._request(self._graph_url(graph), None, {}, "DELETE", missing_ok=True)


@contextmanager
def _spool(outcome: str) -> Iterator[IO[bytes]]:
    """A temporary file for N-Triples on their way to or from the store."""
    with _spooling(outcome):
        spool = tempfile.TemporaryFile()
    with spool:
        yield spool


@contextmanager
def _spooling(outcome: str) -> Iterator[None]:
    """A temporary file that cannot be made or written (a full disk) is a message, not a traceback."""
    try:
        yield
    except OSError as error:
        raise KbError(f"{tempfile.gettempdir()}: cannot write a temporary file for the store's N-Triples "
                      f"({error.strerror or error}); {outcome}. Free some space there, or set TMPDIR to a "
                      "folder with room, and run it again.") from None


def _file_batches(ends: list[int]) -> Iterator[tuple[int, int]]:
    """Where each batch of whole files starts and ends in the spool, given where each file ends: about
    PUBLISH_BATCH_BYTES each, or one file larger than that."""
    start = cut = 0
    for end in ends:
        if end - start > PUBLISH_BATCH_BYTES and cut > start:
            yield start, cut
            start = cut
        cut = end
    if cut > start:
        yield start, cut


def _pieces(spool: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The spool's bytes from `start` to `end`, SPOOL_CHUNK_BYTES at a time (a request body sent as it is read)."""
    spool.seek(start)
    while start < end:
        piece = spool.read(min(SPOOL_CHUNK_BYTES, end - start))
        start += len(piece)
        yield piece


def publish(root: Path, store: RemoteStore) -> int:
    """Replace the store's graph with the knowledge base at `root`; returns how many files it holds.

    Only the knowledge base's own files are published, as `load` reads them: never Turtle
    among the source texts.
    """
    files = turtle_files(Path(root))
    if not files:
        raise KbError(f"{root}: no Turtle files to publish; point --kb at the knowledge base folder.")
    store.replace(files)
    return len(files)


def _web_address(base: str) -> bool:
    if not base.isprintable() or " " in base:
        return False
    try:
        parts = urllib.parse.urlsplit(base)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def remote_kb(store: RemoteStore) -> KnowledgeBase:
    """The knowledge base as the store holds it. Claims carry no file locations; sources no texts."""
    return KnowledgeBase(root=Path("."), store=store)
