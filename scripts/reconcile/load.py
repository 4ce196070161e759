"""Read the knowledge base folder into an Oxigraph store, remembering where each subject is written.

The views (topics, sources, claims) are read from the store with SPARQL, so they come
out the same from local files and from a SPARQL endpoint. The loader records the line
each subject's block starts on; messages and CI annotations point there. An rdflib
graph of the same files is built only when asked for (pySHACL, data downloads).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .errors import KbError
from .model import SPARQL_PREFIXES, TOPIC, CategoryValue, Claim, Location, Source, Topic, local_name
from .paths import CLAIMS_DIR, KB_FILES, SOURCES_DIR, read_source_bytes
from .store import LocalStore, Store

# Line ends as Turtle counts them; form feeds, U+2028 and the like inside a literal are not line ends.
_LINE_END = re.compile(r"\r\n|\r|\n")

# A subject block starts at column 0 with a prefixed name or an IRI.
_SUBJECT_LINE = re.compile(r"^(?!@|PREFIX\b|BASE\b|#)(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.-]*)\s")
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)

_TOPICS = SPARQL_PREFIXES + """
SELECT ?iri (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) (SAMPLE(?k) AS ?kind)
       (SAMPLE(?c) AS ?comparison) (SAMPLE(?s) AS ?safety) (SAMPLE(?u) AS ?unit) (SAMPLE(?g) AS ?group)
       (GROUP_CONCAT(DISTINCT STR(?b); separator=" ") AS ?broader) WHERE {
    ?iri a kb:Topic .
    OPTIONAL { ?iri skos:prefLabel ?l } OPTIONAL { ?iri skos:definition ?d } OPTIONAL { ?iri kb:safety ?s }
    OPTIONAL { ?iri kb:quantityKind ?k OPTIONAL { ?k kb:unit ?u } OPTIONAL { ?k kb:comparison ?c } }
    OPTIONAL { ?iri skos:broader ?g . ?g a kb:TopicGroup }
    OPTIONAL { ?iri skos:broader ?b . ?b a kb:Topic }
} GROUP BY ?iri"""

_CATEGORY_VALUES = SPARQL_PREFIXES + """
SELECT ?iri (SAMPLE(?t) AS ?topic) (SAMPLE(?l) AS ?label) (SAMPLE(?b) AS ?broader)
       (GROUP_CONCAT(DISTINCT STR(?a); separator="\\n") AS ?synonyms) WHERE {
    ?iri a kb:CategoryValue ; kb:valueOf ?t ; skos:prefLabel ?l .
    OPTIONAL { ?iri skos:altLabel ?a } OPTIONAL { ?iri skos:broader ?b }
} GROUP BY ?iri"""

_LABELS = SPARQL_PREFIXES + "SELECT ?iri (SAMPLE(?l) AS ?label) WHERE { ?iri a ?type ; skos:prefLabel ?l } GROUP BY ?iri"

_CONTEXTS = SPARQL_PREFIXES + "SELECT ?iri WHERE { ?iri a kb:Context }"
_SYNONYMS = SPARQL_PREFIXES + "SELECT ?iri ?alt WHERE { ?iri a kb:Topic ; skos:altLabel ?alt }"

_SOURCES = SPARQL_PREFIXES + """
SELECT ?iri (SAMPLE(?k) AS ?key) (SAMPLE(?f) AS ?file) (SAMPLE(?t) AS ?title) (SAMPLE(?p) AS ?publisher)
       (SAMPLE(?sk) AS ?kind) (SAMPLE(?h) AS ?sha256) (SAMPLE(?m) AS ?media) (SAMPLE(?u) AS ?url)
       (SAMPLE(?d) AS ?retrieved) (SAMPLE(?n) AS ?short) (SAMPLE(?i) AS ?published) (SAMPLE(?e) AS ?sells)
       (GROUP_CONCAT(DISTINCT STR(?w); separator=" ") AS ?derived) WHERE {
    ?iri a kb:Source .
    OPTIONAL { ?iri kb:shortName ?n } OPTIONAL { ?iri dcterms:issued ?i } OPTIONAL { ?iri kb:sellsTreatmentEvidence ?e }
    OPTIONAL { ?iri prov:wasDerivedFrom ?w . ?w a kb:Source }
    OPTIONAL { ?iri kb:key ?k } OPTIONAL { ?iri kb:fileName ?f } OPTIONAL { ?iri dcterms:title ?t }
    OPTIONAL { ?iri dcterms:publisher ?p } OPTIONAL { ?iri kb:sourceKind ?sk } OPTIONAL { ?iri kb:sha256 ?h }
    OPTIONAL { ?iri dcterms:format ?m } OPTIONAL { ?iri dcterms:source ?u } OPTIONAL { ?iri dcterms:date ?d }
} GROUP BY ?iri"""

# A row per claim, streamed: grouping 100,000 claims held about 190 MB more at its peak. A claim with a
# part given twice (the structural shapes' business) gives several rows; the view keeps the first.
_CLAIMS = SPARQL_PREFIXES + """
SELECT ?iri ?source ?topic ?context ?exact ?prefix ?suffix ?start ?end ?stated ?min ?max ?exclusive ?unit ?yes
       ?category ?empty ?modality ?anchor ?addedBy ?addedAt ?retractedAt ?reason ?replacedBy WHERE {
    ?iri a kb:Claim .
    OPTIONAL { ?iri oa:hasTarget ?target
        OPTIONAL { ?target oa:hasSource ?source }
        OPTIONAL { ?target oa:hasSelector ?q . ?q a oa:TextQuoteSelector
                   OPTIONAL { ?q oa:exact ?exact } OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix } }
        OPTIONAL { ?target oa:hasSelector ?p . ?p a oa:TextPositionSelector
                   OPTIONAL { ?p oa:start ?start } OPTIONAL { ?p oa:end ?end } } }
    OPTIONAL { ?iri kb:topic ?topic } OPTIONAL { ?iri kb:context ?context } OPTIONAL { ?iri kb:stated ?stated }
    OPTIONAL { ?iri kb:min ?min } OPTIONAL { ?iri kb:max ?max } OPTIONAL { ?iri kb:unit ?unit }
    OPTIONAL { ?iri kb:minExclusive ?exclusive }
    OPTIONAL { ?iri kb:yes ?yes } OPTIONAL { ?iri kb:category ?category } OPTIONAL { ?iri kb:emptySet ?empty }
    OPTIONAL { ?iri kb:modality ?modality } OPTIONAL { ?iri kb:anchorStatus ?anchor }
    OPTIONAL { ?iri prov:wasAttributedTo ?addedBy } OPTIONAL { ?iri prov:generatedAtTime ?addedAt }
    OPTIONAL { ?iri prov:invalidatedAtTime ?retractedAt } OPTIONAL { ?iri kb:retractionReason ?reason }
    OPTIONAL { ?iri dcterms:isReplacedBy ?replacedBy }
}"""

_MEMBERS = SPARQL_PREFIXES + "SELECT ?iri ?member WHERE { ?iri a kb:Claim . ?iri kb:member ?member }"
_CLAIM_COUNTS = SPARQL_PREFIXES + """
SELECT ?topic (COUNT(DISTINCT ?iri) AS ?claims) WHERE { ?iri a kb:Claim ; kb:topic ?topic } GROUP BY ?topic"""
_CLAIM_PATTERN = "?iri a kb:Claim ."  # where both claim queries start; read_claims puts VALUES before it


@dataclass
class KnowledgeBase:
    """The loaded triples plus read-only views of its topics, sources and claims.

    `store` answers SPARQL: the files loaded into Oxigraph, or a remote endpoint.
    """

    root: Path
    store: Store
    locations: dict[URIRef, Location] = field(default_factory=dict)
    repeated: dict[URIRef, list[Location]] = field(default_factory=dict)  # subjects starting a second block

    @property
    def sources_dir(self) -> Path:
        return self.root / SOURCES_DIR

    @property
    def claims_dir(self) -> Path:
        return self.root / CLAIMS_DIR

    def claims_file(self, source_key: str) -> Path:
        return self.claims_dir / f"{source_key}.ttl"

    def location(self, subject: URIRef) -> Location | None:
        return self.locations.get(subject)

    @cached_property
    def _data(self) -> Store:
        """The store without the inferences: the views show the knowledge base as written, even while rules run."""
        return self.store.data_only()

    @cached_property
    def graph(self) -> Graph:
        """The same triples as an rdflib graph, for pySHACL and the downloads (slow on big knowledge bases)."""
        return self.store.graph()

    @cached_property
    def labels(self) -> dict[str, str]:
        """Local name -> skos:prefLabel of every labelled resource (topics, topic groups, contexts...)."""
        return {local_name(row["iri"]): row["label"] for row in self._data.rows(_LABELS)}

    @cached_property
    def topics(self) -> dict[str, Topic]:
        topics = {}
        for row in self._data.rows(_TOPICS):
            topic_id = local_name(row["iri"])
            topics[topic_id] = Topic(
                id=topic_id,
                label=row.get("label", topic_id),
                definition=row.get("definition", ""),
                kind=local_name(row.get("kind", "")),
                comparison=local_name(row.get("comparison", "")),
                safety=local_name(row.get("safety", "")).lower(),
                unit=local_name(row["unit"]) if "unit" in row else None,
                group=local_name(row["group"]) if "group" in row else None,
                broader=tuple(sorted(local_name(b) for b in row.get("broader", "").split())),
            )
        return dict(sorted(topics.items()))

    @cached_property
    def category_values(self) -> dict[str, list[CategoryValue]]:
        """Topic id -> the values it lists (category topics only), in label order."""
        values: dict[str, list[CategoryValue]] = {}
        for row in self._data.rows(_CATEGORY_VALUES):
            value = CategoryValue(id=local_name(row["iri"]), topic=local_name(row["topic"]), label=row["label"],
                                  synonyms=tuple(sorted(s for s in row.get("synonyms", "").split("\n") if s)),
                                  broader=local_name(row["broader"]) if "broader" in row else None)
            values.setdefault(value.topic, []).append(value)
        return {topic: sorted(found, key=lambda v: v.label) for topic, found in sorted(values.items())}

    @cached_property
    def synonyms(self) -> dict[str, list[str]]:
        """Topic id -> its skos:altLabel synonyms (the quote checks and the topic suggestions read them)."""
        synonyms: dict[str, list[str]] = {}
        for row in self._data.rows(_SYNONYMS):
            synonyms.setdefault(local_name(row["iri"]), []).append(row["alt"])
        return synonyms

    @cached_property
    def contexts(self) -> dict[str, str]:
        """Context id -> label."""
        ids = sorted(local_name(row["iri"]) for row in self._data.rows(_CONTEXTS))
        return {c: self.labels.get(c, c) for c in ids}

    @cached_property
    def _source_rows(self) -> list[dict[str, str]]:
        return list(self._data.rows(_SOURCES))

    @cached_property
    def source_keys(self) -> dict[str, str]:
        """Source IRI -> key."""
        return {row["iri"]: _source_key(row) for row in self._source_rows}

    @cached_property
    def sources(self) -> dict[str, Source]:
        sources = {}
        for row in self._source_rows:
            key = _source_key(row)
            sources[key] = Source(
                id=key,
                file_name=row.get("file", ""),
                title=row.get("title", key),
                publisher=row.get("publisher", ""),
                kind=row.get("kind", ""),
                sha256=row.get("sha256", ""),
                media_type=row.get("media", ""),
                url=row.get("url"),
                retrieved=row.get("retrieved"),
                short_name=row.get("short", ""),
                published=row.get("published"),
                sells_evidence=row.get("sells", ""),
                derived_from=tuple(sorted(self.source_keys.get(iri, local_name(iri)) for iri in row.get("derived", "").split())),
            )
        return dict(sorted(sources.items()))

    @cached_property
    def claims(self) -> list[Claim]:
        """Every claim, sorted by id. Structural problems are the shapes' business: missing parts read as empty."""
        return self.read_claims()

    def read_claims(self, iris: list[URIRef] | None = None, topics: list[str] | None = None) -> list[Claim]:
        """The claims with these IRIs, or on these topics (every claim when neither), read from the store, by id."""
        only = "" if iris is None else "VALUES ?iri { " + " ".join(f"<{iri}>" for iri in iris) + " }\n"
        if topics is not None:
            only += ("VALUES ?onTopic { " + " ".join(f"<{TOPIC[t]}>" for t in topics) + " }\n"
                     "?iri kb:topic ?onTopic .\n")
        members: dict[str, list[str]] = {}
        for row in self._data.rows(_MEMBERS.replace(_CLAIM_PATTERN, only + _CLAIM_PATTERN)):
            members.setdefault(row["iri"], []).append(row["member"])
        keys = self.source_keys
        claims = []
        seen = set()
        shared: dict = {}  # topics, contexts, units, editors and numbers recur: each claim points at one copy

        def one(value):
            return shared.setdefault(value, value)

        def number(lexical: str | None) -> Decimal | None:  # by its text: 3.0 and 3 are equal Decimals, shown apart
            return None if lexical is None else shared.setdefault(("decimal", lexical), _decimal(lexical))
        for row in self._data.rows(_CLAIMS.replace(_CLAIM_PATTERN, only + _CLAIM_PATTERN)):
            iri = row["iri"]
            if iri in seen:
                continue
            seen.add(iri)
            source_key = keys.get(row.get("source", ""), local_name(row.get("source", "")))
            source = self.sources.get(source_key)
            claims.append(Claim(
                id=local_name(iri),
                source=source_key,
                source_file=source.file_name if source else "",
                topic=one(local_name(row.get("topic", ""))),
                context=one(local_name(row.get("context", ""))),
                quote=row.get("exact", ""),
                prefix=row.get("prefix", ""),
                suffix=row.get("suffix", ""),
                start=_int(row.get("start")),
                end=_int(row.get("end")),
                stated=row.get("stated", ""),
                min=number(row.get("min")),
                max=number(row.get("max")),
                min_exclusive=_boolean(row.get("exclusive")) is True,
                unit=one(local_name(row["unit"])) if "unit" in row else None,
                yes=_boolean(row.get("yes")),
                category=row.get("category"),
                members=tuple(sorted(members.get(iri, ()))),
                empty_set=_boolean(row.get("empty")) is True,
                modality=one(local_name(row["modality"])) if "modality" in row else None,
                anchor_status=row.get("anchor", ""),
                retracted_at=row.get("retractedAt", ""),
                retraction_reason=row.get("reason", ""),
                replaced_by=local_name(row.get("replacedBy", "")),
                added_by=one(local_name(row.get("addedBy", ""))),
                added_at=one(row.get("addedAt", "")),
                location=self.locations.get(URIRef(iri)),
            ))
        return sorted(claims, key=lambda c: c.id)

    def claim_counts(self) -> dict[str, int]:
        """How many claims each topic has, counted by the store (without reading the claims)."""
        return {local_name(row["topic"]): int(row["claims"]) for row in self._data.rows(_CLAIM_COUNTS)}

    def has_claims(self) -> bool:
        return self._data.ask(SPARQL_PREFIXES + "ASK { ?iri a kb:Claim }")

    @cached_property
    def _claims_by_id(self) -> dict[str, Claim]:
        return {claim.id: claim for claim in self.claims}

    def claim(self, claim_id: str) -> Claim | None:
        return self._claims_by_id.get(claim_id)

    def source_bytes(self, key: str) -> bytes:
        """The bytes of a source's file, which must be a regular file inside kb/sources/."""
        return read_source_bytes(self.sources_dir, self.sources[key].file_name)

    def source_text(self, key: str) -> str:
        """The text of a source, read as UTF-8."""
        return decode(self.sources_dir / self.sources[key].file_name, self.source_bytes(key))


def turtle_files(root: Path) -> list[Path]:
    """The Turtle files of a knowledge base (KB_FILES and claims/*.ttl), sorted so that loading is deterministic."""
    files = [root / name for name in KB_FILES if (root / name).exists() or (root / name).is_symlink()]
    return sorted(files + list((root / CLAIMS_DIR).glob("*.ttl")))


def require_folder(root: Path) -> None:
    if not root.is_dir():
        raise KbError(f"{root}: no such folder; point --kb at the knowledge base folder (the one holding topics.ttl).")


def load(root: Path | str) -> KnowledgeBase:
    """Parse the knowledge base's Turtle files into an in-memory store."""
    root = Path(root)
    require_folder(root)
    store = LocalStore()
    locations: dict[URIRef, Location] = {}
    repeated: dict[URIRef, list[Location]] = {}
    for path in turtle_files(root):
        parse_file(path, store, locations, repeated)
    return KnowledgeBase(root=root, store=store, locations=locations, repeated=repeated)


def parse_file(path: Path, store: LocalStore, locations: dict[URIRef, Location],
               repeated: dict[URIRef, list[Location]] | None = None) -> None:
    """Parse one Turtle file into `store` and record where its subjects start (and, in `repeated`,
    where a subject already seen starts another block)."""
    text = read_turtle(path)
    with turtle_errors(path):
        store.load_turtle(text, path.resolve().as_uri())
    record_subjects(path, text, locations, repeated)


def read_turtle(path: Path) -> str:
    """The text of one of the knowledge base's Turtle files, which must be the file itself, not a link."""
    if path.is_symlink():
        raise KbError(f"{path}: is a symbolic link; the knowledge base reads only its own files. Replace the link "
                      "with the file itself.")
    text = read_text(path)
    if text.startswith("\ufeff"):
        raise KbError(f"{path}:1: the file starts with a byte order mark (an invisible U+FEFF), which Turtle does not "
                      "allow; save it as UTF-8 without a byte order mark.")
    return text


def turtle_as_ntriples(path: Path, text: str) -> bytes:
    """One Turtle file's triples as N-Triples, parsed with its path as base IRI as `load` reads it;
    its blank nodes get names of their own, as they belong to their document."""
    with turtle_errors(path):
        quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                         rename_blank_nodes=True)
        return ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES) or b""


@contextmanager
def turtle_errors(path: Path) -> Iterator[None]:
    """Turn a parser's mistake in `path` into a KbError naming the file and line."""
    try:
        yield
    except SyntaxError as error:
        reason = str(error.msg).split(": ", 1)[-1]
        raise KbError(f"{path}:{error.lineno}: Turtle syntax error: {reason}. Fix the file and run again.") from None
    except (ValueError, OSError) as error:
        raise KbError(f"{path}: cannot read Turtle: {error}") from None


def record_subjects(path: Path, text: str, locations: dict[URIRef, Location],
                    repeated: dict[URIRef, list[Location]] | None = None) -> None:
    """Record the line each subject block of a Turtle file starts on (the first, when written twice; the
    others, when given, in `repeated`)."""
    namespaces: dict[str, str] = {}
    for number, line in enumerate(lines(text), start=1):
        declared = _PREFIX_LINE.match(line)
        if declared:
            namespaces[declared[1]] = declared[2]
            continue
        match = _SUBJECT_LINE.match(line)
        if not match:
            continue
        subject = _expand(match[1], namespaces)
        if subject is None:
            continue
        if subject not in locations:
            locations[subject] = Location(path, number)
        elif repeated is not None:
            repeated.setdefault(subject, []).append(Location(path, number))


def lines(text: str) -> list[str]:
    """The lines of a Turtle file as its grammar counts them: split at \\n, \\r\\n and \\r only."""
    return _LINE_END.split(text)


def read_text(path: Path) -> str:
    """Read a UTF-8 file, naming the file when it is missing or not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KbError(f"{path}: file not found.") from None
    except OSError as error:
        raise KbError(f"{path}: cannot read: {error.strerror}.") from None
    return decode(path, data)


def decode(path: Path, data: bytes) -> str:
    """`data` read from `path` as UTF-8, naming the file and line when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise KbError(f"{path}:{line}: not UTF-8 text (byte {error.start}); save the file as UTF-8.") from None


def _expand(name: str, namespaces: dict[str, str]) -> URIRef | None:
    if name.startswith("<"):
        return URIRef(name[1:-1])
    prefix, _, local = name.partition(":")
    namespace = namespaces.get(prefix)
    return URIRef(namespace + local) if namespace is not None else None


def _source_key(row: dict[str, str]) -> str:
    return row.get("key", local_name(row["iri"]))


def _int(lexical: str | None) -> int:
    try:
        return int(lexical) if lexical is not None else -1
    except ValueError:
        return -1


def _decimal(lexical: str | None) -> Decimal | None:
    try:
        return Decimal(lexical) if lexical is not None else None
    except InvalidOperation:
        return None


def _boolean(lexical: str | None) -> bool | None:
    return None if lexical is None else lexical in ("true", "1")
