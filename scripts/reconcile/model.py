"""Names and plain data types shared by every module.

The RDF graph is the store; these dataclasses are read-only views of it that
reports, conflict detection and templates can use without SPARQL.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from .numbers import canonical_decimal

KB = Namespace("https://reconcile-kb.org/vocab#")
TOPIC = Namespace("https://reconcile-kb.org/topic/")
CTX = Namespace("https://reconcile-kb.org/context/")
SOURCE = Namespace("https://reconcile-kb.org/source/")
CLAIM = Namespace("https://reconcile-kb.org/claim/")
EDITOR = Namespace("https://reconcile-kb.org/editor/")
REVIEW = Namespace("https://reconcile-kb.org/review/")
OA = Namespace("http://www.w3.org/ns/oa#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
QUDT = Namespace("http://qudt.org/schema/qudt/")

PREFIXES = {
    "kb": KB, "topic": TOPIC, "ctx": CTX, "source": SOURCE, "claim": CLAIM,
    "editor": EDITOR, "review": REVIEW, "oa": OA, "prov": PROV, "dcterms": DCTERMS,
    "unit": UNIT, "qudt": QUDT, "skos": SKOS, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "foaf": FOAF,
}
SPARQL_PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


def local_name(iri: URIRef | str) -> str:
    """The part of an IRI after its namespace: `topic:nsaid-stop-before` -> `nsaid-stop-before`."""
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Location:
    """Where a subject's block starts in a Turtle file (line is 1-based)."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    definition: str
    kind: str  # local name of the quantity kind: Duration, YesNo, Set...
    comparison: str  # IntervalComparison, EqualityComparison...
    safety: str  # high, medium, low
    unit: str | None  # canonical QUDT unit local name, for numeric kinds
    group: str | None
    broader: tuple[str, ...] = ()  # broader topics (not groups): a claim here implies an answer there


@dataclass(frozen=True)
class CategoryValue:
    """A value a category topic lists: its preferred label, synonyms and the broader value it falls under."""

    id: str
    topic: str
    label: str
    synonyms: tuple[str, ...] = ()
    broader: str | None = None  # id of the broader value


@dataclass(frozen=True)
class Source:
    id: str  # the key, such as "000"
    file_name: str
    title: str
    publisher: str
    kind: str
    sha256: str
    media_type: str
    url: str | None = None
    retrieved: str | None = None
    short_name: str = ""  # what the site calls the source in tables, cards and charts
    published: str | None = None  # publication date, when the text states it
    sells_evidence: str = ""  # words of the text showing its publisher sells the treatment ("" when none seen)
    derived_from: tuple[str, ...] = ()  # keys of the sources this one reads as a paraphrase of

    @property
    def name(self) -> str:
        """The short name, or the key when none is recorded."""
        return self.short_name or self.id

    @property
    def sells_treatment(self) -> bool:
        return bool(self.sells_evidence)


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    source: str  # source key
    source_file: str
    topic: str
    context: str
    quote: str
    prefix: str
    suffix: str
    start: int
    end: int
    stated: str
    min: Decimal | None = None
    max: Decimal | None = None
    min_exclusive: bool = False  # "no duration stated": more than 0, how much not said
    unit: str | None = None
    yes: bool | None = None
    category: str | None = None
    members: tuple[str, ...] = field(default_factory=tuple)
    empty_set: bool = False
    modality: str | None = None  # local name of a kb:Modality concept (Must, MustNot...) on rule claims
    implied_by: str = ""  # for an answer implied on a broader topic: the id of the claim that implies it
    anchor_status: str = ""  # "changed", "vanished" or "orphaned" after `kb reanchor`, until a person clears it
    retracted_at: str = ""  # prov:invalidatedAtTime: when `kb retract` took the claim out of comparisons
    retraction_reason: str = ""  # kb:retractionReason: why, in the words of whoever retracted it
    replaced_by: str = ""  # dcterms:isReplacedBy: the id of the claim that supersedes it
    added_by: str = ""
    added_at: str = ""
    location: Location | None = None

    @property
    def retracted(self) -> bool:
        return bool(self.retracted_at)

    @property
    def state(self) -> str:
        """current, retracted, or replaced (retracted in favour of another claim)."""
        return "replaced" if self.replaced_by else "retracted" if self.retracted_at else "current"


def fingerprint(claim: Claim) -> str:
    """'claim-id=hash' of everything that makes the claim what it is (not where its quote sits).

    Numbers enter in canonical form (3.0 and 3 are the same), as SPARQL stores return them.
    """
    parts = (claim.topic, claim.context, claim.stated, claim.quote, canonical_decimal(claim.min),
             canonical_decimal(claim.max), claim.unit, claim.yes, claim.category, claim.members, claim.empty_set,
             claim.source) + (("min-exclusive",) if claim.min_exclusive else ())
    return f"{claim.id}={hashlib.sha256(repr(parts).encode()).hexdigest()[:12]}"


def position_iri(claim: Claim) -> URIRef:
    """The kb:Position the rule in shapes/conflicts.ttl puts `claim` in (the same key, hashed the same way).

    Claims on one topic and context that state the same normalized value, with or without
    a hedge ("may need to"), share it.
    """
    if claim.yes is not None:
        answer = "true" if claim.yes else "false"
    else:
        answer = claim.category or ""
    key = " ".join([CTX + claim.context, canonical_decimal(claim.min) or "", canonical_decimal(claim.max) or "",
                    answer, "empty" if claim.empty_set else ""]) + (" excluded" if claim.min_exclusive else "")
    key += " hedged" if claim.modality == "May" else ""
    return URIRef(f"{TOPIC}{claim.topic}/position/{hashlib.md5(key.encode()).hexdigest()}")
