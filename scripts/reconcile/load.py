"""Read the knowledge base folder into one rdflib graph, remembering where each subject is written.

rdflib keeps no line numbers, so the loader records the line each subject's block
starts on; messages and CI annotations point there.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import KbError
from .model import KB, OA, Claim, Location, Source, Topic, local_name

# A subject block starts at column 0 with a prefixed name or an IRI.
_SUBJECT_LINE = re.compile(r"^(?!@|PREFIX\b|BASE\b|#)(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.-]*)\s")


@dataclass
class KnowledgeBase:
    """The loaded graph plus read-only views of its topics, sources and claims."""

    root: Path
    graph: Graph
    locations: dict[URIRef, Location] = field(default_factory=dict)
    remote: object = None  # a SPARQL store the knowledge base was fetched from (see endpoint.py)

    @property
    def is_remote(self) -> bool:
        return self.remote is not None

    def sparql_store(self):
        """Where the fast engine runs its queries: the remote store, or the files loaded into Oxigraph."""
        from .engine import load_store

        return self.remote if self.remote is not None else load_store(self.root)

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def claims_dir(self) -> Path:
        return self.root / "claims"

    def claims_file(self, source_key: str) -> Path:
        return self.claims_dir / f"{source_key}.ttl"

    def location(self, subject: URIRef) -> Location | None:
        return self.locations.get(subject)

    @cached_property
    def topics(self) -> dict[str, Topic]:
        g = self.graph
        topics = {}
        for iri in g.subjects(RDF.type, KB.Topic):
            kind = g.value(iri, KB.quantityKind)
            unit = g.value(kind, KB.unit) if kind else None
            broader = g.value(iri, SKOS.broader)
            topics[local_name(iri)] = Topic(
                id=local_name(iri),
                label=str(g.value(iri, SKOS.prefLabel) or local_name(iri)),
                definition=str(g.value(iri, SKOS.definition) or ""),
                kind=local_name(kind) if kind else "",
                comparison=local_name(g.value(kind, KB.comparison) or "") if kind else "",
                safety=local_name(g.value(iri, KB.safety) or "").lower(),
                unit=local_name(unit) if unit else None,
                group=local_name(broader) if broader else None,
            )
        return dict(sorted(topics.items()))

    @cached_property
    def contexts(self) -> dict[str, str]:
        """Context id -> label."""
        g = self.graph
        return {local_name(c): str(g.value(c, SKOS.prefLabel) or local_name(c))
                for c in sorted(g.subjects(RDF.type, KB.Context))}

    @cached_property
    def sources(self) -> dict[str, Source]:
        g = self.graph
        sources = {}
        for iri in g.subjects(RDF.type, KB.Source):
            key = str(g.value(iri, KB.key) or local_name(iri))
            text = functools.partial(_optional_text, g, iri)
            sources[key] = Source(
                id=key,
                file_name=text(KB.fileName) or "",
                title=text(DCTERMS.title) or key,
                publisher=text(DCTERMS.publisher) or "",
                kind=text(KB.sourceKind) or "",
                sha256=text(KB.sha256) or "",
                media_type=text(DCTERMS["format"]) or "",
                url=text(DCTERMS.source),
                retrieved=text(DCTERMS.date),
            )
        return dict(sorted(sources.items()))

    @cached_property
    def claims(self) -> list[Claim]:
        """Every claim, sorted by id. Structural problems are the shapes' business: missing parts read as empty."""
        g = self.graph
        keys = {iri: str(g.value(iri, KB.key) or local_name(iri)) for iri in g.subjects(RDF.type, KB.Source)}
        claims = []
        for iri in g.subjects(RDF.type, KB.Claim):
            target = g.value(iri, OA.hasTarget)
            source_iri = g.value(target, OA.hasSource) if target is not None else None
            quote = position = None
            for selector in g.objects(target, OA.hasSelector) if target is not None else ():
                if (selector, RDF.type, OA.TextQuoteSelector) in g:
                    quote = selector
                elif (selector, RDF.type, OA.TextPositionSelector) in g:
                    position = selector
            value = lambda s, p: g.value(s, p) if s is not None else None  # noqa: E731
            source_key = keys.get(source_iri, local_name(source_iri) if source_iri else "")
            source = self.sources.get(source_key)
            claims.append(Claim(
                id=local_name(iri),
                source=source_key,
                source_file=source.file_name if source else "",
                topic=local_name(g.value(iri, KB.topic) or ""),
                context=local_name(g.value(iri, KB.context) or ""),
                quote=str(value(quote, OA.exact) or ""),
                prefix=str(value(quote, OA.prefix) or ""),
                suffix=str(value(quote, OA.suffix) or ""),
                start=_int(value(position, OA.start)),
                end=_int(value(position, OA.end)),
                stated=str(g.value(iri, KB.stated) or ""),
                min=_decimal(g.value(iri, KB.min)),
                max=_decimal(g.value(iri, KB.max)),
                unit=local_name(g.value(iri, KB.unit)) if g.value(iri, KB.unit) else None,
                yes=g.value(iri, KB.yes).toPython() if g.value(iri, KB.yes) is not None else None,
                category=str(g.value(iri, KB.category)) if g.value(iri, KB.category) is not None else None,
                members=tuple(sorted(str(m) for m in g.objects(iri, KB.member))),
                empty_set=bool(g.value(iri, KB.emptySet) is not None and g.value(iri, KB.emptySet).toPython()),
                anchor_status=str(g.value(iri, KB.anchorStatus) or ""),
                added_by=local_name(g.value(iri, PROV.wasAttributedTo) or ""),
                added_at=str(g.value(iri, PROV.generatedAtTime) or ""),
                location=self.locations.get(iri),
            ))
        return sorted(claims, key=lambda c: c.id)

    def claim(self, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None)

    def source_text(self, key: str) -> str:
        """The text of a source, read as UTF-8."""
        return read_text(self.sources_dir / self.sources[key].file_name)


def load(root: Path | str) -> KnowledgeBase:
    """Parse every Turtle file under `root` (sorted, so loading is deterministic)."""
    root = Path(root)
    if not root.is_dir():
        raise KbError(f"{root}: no such folder; point --kb at the knowledge base folder (the one holding topics.ttl).")
    graph = Graph()
    locations: dict[URIRef, Location] = {}
    for path in sorted(root.rglob("*.ttl")):
        parse_file(path, graph, locations)
    return KnowledgeBase(root=root, graph=graph, locations=locations)


def parse_file(path: Path, graph: Graph, locations: dict[URIRef, Location]) -> None:
    """Parse one Turtle file into `graph` and record where its subjects start."""
    text = read_text(path)
    part = Graph()
    try:
        part.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as error:
        raise KbError(f"{path}:{error.lines + 1}: Turtle syntax error: {error._why}. Fix the file and run again.") from None
    except Exception as error:  # rdflib raises plain exceptions for some errors, such as bad literals
        raise KbError(f"{path}: cannot read Turtle: {error}") from None
    graph += part
    for prefix, namespace in part.namespaces():
        if prefix and prefix not in dict(graph.namespaces()):
            graph.bind(prefix, namespace)
    namespaces = dict(part.namespaces())
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUBJECT_LINE.match(line)
        if not match:
            continue
        subject = _expand(match[1], namespaces)
        if subject is not None and subject not in locations:
            locations[subject] = Location(path, number)


def read_text(path: Path) -> str:
    """Read a UTF-8 file, naming the file when it is missing or not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise KbError(f"{path}: file not found.") from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise KbError(f"{path}:{line}: not UTF-8 text (byte {error.start}); save the file as UTF-8.") from None
    except OSError as error:
        raise KbError(f"{path}: cannot read: {error.strerror}.") from None


def _expand(name: str, namespaces: dict[str, URIRef]) -> URIRef | None:
    if name.startswith("<"):
        return URIRef(name[1:-1])
    prefix, _, local = name.partition(":")
    namespace = namespaces.get(prefix)
    return URIRef(str(namespace) + local) if namespace is not None else None


def _optional_text(graph: Graph, subject: URIRef, predicate: URIRef) -> str | None:
    value = graph.value(subject, predicate)
    return str(value) if value is not None else None


def _int(literal: Literal | None) -> int:
    try:
        return int(literal) if literal is not None else -1
    except (TypeError, ValueError):
        return -1


def _decimal(literal: Literal | None) -> Decimal | None:
    if literal is None:
        return None
    try:
        return Decimal(str(literal))
    except ArithmeticError:
        return None
