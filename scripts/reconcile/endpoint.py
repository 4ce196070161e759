"""Keep the knowledge base in any SPARQL 1.1 store: publish it with the Graph Store Protocol,
check it with the same shapes through the SPARQL protocol.

Only the standard protocols are used, so Oxigraph, Fuseki, GraphDB, Virtuoso or a
clustered store behind one URL all work; the URLs of the query and graph-store
services differ between products and are options.
"""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .errors import KbError
from .load import KnowledgeBase, load, turtle_files
from .store import LocalStore

DEFAULT_TIMEOUT = 30.0  # seconds one request may take; --timeout changes it


class RemoteStore:
    """A SPARQL 1.1 endpoint with a Graph Store Protocol service for its default graph."""

    def __init__(self, base: str, query_path: str = "/query", store_path: str = "/store",
                 timeout: float = DEFAULT_TIMEOUT):
        if not _web_address(base):
            raise KbError(f"--endpoint: '{base}' is not an http:// or https:// address; give the store's base URL, "
                          "such as http://127.0.0.1:7878.")
        self.query_url = base.rstrip("/") + query_path
        self.store_url = base.rstrip("/") + store_path + "?default"
        self.timeout = timeout

    def _request(self, url: str, data: bytes | None, headers: dict, method: str) -> bytes:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            raise KbError(f"{url}: the store answered {error.code} {error.reason}: {detail}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", None) or error
            if isinstance(reason, TimeoutError):
                raise KbError(f"{url}: no answer within {self.timeout:g} seconds; check that the server runs, "
                              "or allow longer with --timeout.") from None
            raise KbError(f"{url}: cannot reach the store ({reason}); "
                          "check --endpoint and that the server runs.") from None

    def _query(self, query: str, accept: str) -> bytes:
        return self._request(self.query_url, urllib.parse.urlencode({"query": query}).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, "POST")

    def _results(self, query: str, part: str):
        """One part ("boolean" or "results") of a SPARQL JSON answer; anything else says it is not a SPARQL store."""
        try:
            answer = json.loads(self._query(query, "application/sparql-results+json"))
            return answer[part] if part == "boolean" else answer[part]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise KbError(f"{self.query_url}: the answer is not SPARQL query results; check --endpoint and "
                          "--query-path point at a SPARQL 1.1 query service.") from None

    def ask(self, query: str) -> bool:
        return bool(self._results(query, "boolean"))

    def select(self, query: str) -> Iterator[dict]:
        for row in self._results(query, "results"):
            yield {name: _term(value) for name, value in row.items()}

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        for row in self._results(query, "results"):
            yield {name: value["value"] for name, value in row.items()}

    def infer(self, construct: str) -> None:
        """Add the triples a CONSTRUCT query builds (a SHACL rule) to the default graph, as SHACL rules do.

        They stay until the next `kb publish` replaces the graph.
        """
        triples = self._query(construct, "application/n-triples")
        if triples.strip():
            self._request(self.store_url, triples, {"Content-Type": "application/n-triples"}, "POST")

    def graph(self) -> Graph:
        """Everything in the default graph, as an rdflib graph."""
        data = self._request(self.store_url, None, {"Accept": "application/n-triples"}, "GET")
        try:
            return Graph().parse(data=data.decode("utf-8"), format="nt")
        except Exception:  # noqa: BLE001 - rdflib raises several exception types for text that is not N-Triples
            raise KbError(f"{self.store_url}: the answer is not N-Triples; check --endpoint and --store-path point "
                          "at a Graph Store Protocol service.") from None

    def replace(self, triples: bytes) -> None:
        """Make the default graph hold exactly `triples` (N-Triples), in one request."""
        self._request(self.store_url, triples, {"Content-Type": "application/n-triples"}, "PUT")


def publish(root: Path, store: RemoteStore) -> int:
    """Replace the store's default graph with the knowledge base at `root`; returns how many files it holds.

    Every file is read and checked first (a syntax error names its file and line, and the store
    is left as it was); then one request replaces the graph. Only the knowledge base's own files
    are published, as `load` reads them: never Turtle among the source texts.
    """
    files = turtle_files(Path(root))
    if not files:
        raise KbError(f"{root}: no Turtle files to publish; point --kb at the knowledge base folder.")
    triples = cast(LocalStore, load(root).store).triples()  # files always load into a local store
    store.replace(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
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
    return KnowledgeBase(root=Path("."), store=store, is_remote=True)


def _term(value: dict):
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    return Literal(value["value"], datatype=URIRef(value["datatype"]) if "datatype" in value else None)
