"""Keep the knowledge base in any SPARQL 1.1 store: publish it with the Graph Store Protocol,
check it with the same shapes through the SPARQL protocol.

Only the standard protocols are used, so Oxigraph, Fuseki, GraphDB, Virtuoso or a
clustered store behind one URL all work; the URLs of the query and graph-store
services differ between products and are options.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from .errors import KbError
from .load import KnowledgeBase, read_text


class RemoteStore:
    """A SPARQL 1.1 endpoint with a Graph Store Protocol service for its default graph."""

    def __init__(self, base: str, query_path: str = "/query", store_path: str = "/store", timeout: float = 600):
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
        except (urllib.error.URLError, OSError) as error:
            raise KbError(f"{url}: cannot reach the store ({getattr(error, 'reason', error)}); "
                          "check --endpoint and that the server runs.") from None

    def _query(self, query: str, accept: str) -> bytes:
        return self._request(self.query_url, urllib.parse.urlencode({"query": query}).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, "POST")

    def ask(self, query: str) -> bool:
        return bool(json.loads(self._query(query, "application/sparql-results+json"))["boolean"])

    def select(self, query: str) -> Iterator[dict]:
        answer = json.loads(self._query(query, "application/sparql-results+json"))
        for row in answer["results"]["bindings"]:
            yield {name: _term(value) for name, value in row.items()}

    def rows(self, query: str) -> Iterator[dict[str, str]]:
        answer = json.loads(self._query(query, "application/sparql-results+json"))
        for row in answer["results"]["bindings"]:
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
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def replace(self, turtle_files: list[Path]) -> None:
        """Make the default graph hold exactly the triples of `turtle_files`."""
        self._request(self.store_url, b"", {"Content-Type": "application/n-triples"}, "PUT")
        for path in turtle_files:
            self._request(self.store_url, read_text(path).encode("utf-8"),
                          {"Content-Type": "text/turtle"}, "POST")


def publish(root: Path, store: RemoteStore) -> int:
    """Load every Turtle file of the knowledge base at `root` into the store; returns how many."""
    files = sorted(Path(root).rglob("*.ttl"))
    if not files:
        raise KbError(f"{root}: no Turtle files to publish.")
    store.replace(files)
    return len(files)


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
