"""A third, independent SHACL engine for cross-checking: pyrudof (Rust), with our SPARQL rules run first.

pyrudof validates SHACL Core and SPARQL-based constraints but does not run SHACL rules,
and it silently ignores some features (it then reports "conforms"). So the shapes'
sh:SPARQLRule rules run first with the fast engine's rule runner (in sh:order), and what
they construct is validated with the data; a shapes graph using a feature pyrudof does
not run is refused naming it, rather than checked with part of it left out. Which
features pyrudof runs is not assumed: each is probed on a small graph whose result is
known (`missing_features`). pyrudof comes with the test extra; this engine is a
cross-check of pySHACL and the fast engine, not one `kb check` offers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from ..errors import KbError
from ..model import KB
from ..store import LocalStore
from .engine import Compiled, RuleQuery, compile_shapes, run_compiled
from .results import Result

if TYPE_CHECKING:
    from ..load import KnowledgeBase

_PROBE_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""
_PROBE_DATA = "@prefix ex: <http://example.org/> . ex:a a ex:C ; ex:p 1 ; ex:r 0 . ex:b a ex:D ."
_PROBE_PROPERTY = "sh:property [ sh:path ex:q ; sh:minCount 1 ]"


@dataclass(frozen=True)
class Feature:
    """A SHACL feature our shapes may use, how to tell they use it, and a probe whose results are known."""

    name: str
    used: str  # a SPARQL ASK on a shapes graph: does it use the feature?
    probe: str  # shapes (Turtle, after _PROBE_PREFIXES) run on _PROBE_DATA
    expected: tuple[tuple[str, str], ...]  # the (focus node, severity) of every result the probe must give
    message: str | None = None  # the message every result must carry, when the probe's shape declares one


# Features this module makes up for when pyrudof lacks them: it runs the rules itself, and gives the
# results of sh:node the message their shape declares, as SHACL requires.
RULES = Feature("sh:SPARQLRule (SHACL-AF rules)", "ASK { ?shape sh:rule ?rule }",
                'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:rule [ a sh:SPARQLRule ; sh:prefixes ex:prefixes ; '
                f'sh:construct "CONSTRUCT {{ $this ex:q 1 }} WHERE {{ }}" ] ; {_PROBE_PROPERTY} .', ())
NODE_MESSAGES = Feature("sh:message on the results of sh:node", "ASK { ?shape sh:node ?node ; sh:message ?message }",
                        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:N ; sh:message "declared" ] . '
                        "ex:N a sh:NodeShape ; sh:datatype xsd:string .", (("http://example.org/a", "Violation"),), "declared")
FEATURES = (
    RULES,
    Feature("sh:SPARQLTargetType (SHACL-AF custom targets, sh:target)",
            "ASK { ?shape sh:target ?target . ?target a ?type . ?type a sh:SPARQLTargetType }",
            'ex:T a sh:SPARQLTargetType ; rdfs:subClassOf sh:Target ; sh:prefixes ex:prefixes ; sh:parameter [ sh:path ex:cls ] ; '
            'sh:select "SELECT ?this WHERE { ?this a $cls }" . '
            f'ex:S a sh:NodeShape ; sh:target [ a ex:T ; ex:cls ex:C ] ; {_PROBE_PROPERTY} .',
            (("http://example.org/a", "Violation"),)),
    Feature("sh:SPARQLTarget (SHACL-AF SPARQL targets, sh:target)", "ASK { ?shape sh:target ?target . ?target a sh:SPARQLTarget }",
            'ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:prefixes ; '
            f'sh:select "SELECT ?this WHERE {{ ?this a ex:C }}" ] ; {_PROBE_PROPERTY} .',
            (("http://example.org/a", "Violation"),)),
    Feature("sh:sparql (SPARQL-based constraints, with sh:severity)", "ASK { ?shape sh:sparql ?constraint }",
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Warning ; '
            'sh:sparql [ sh:prefixes ex:prefixes ; sh:select "SELECT $this ?value WHERE { $this ex:p ?value }" ] .',
            (("http://example.org/a", "Warning"),)),
    Feature("sh:targetClass", "ASK { ?shape sh:targetClass ?class }",
            f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; {_PROBE_PROPERTY} .", (("http://example.org/a", "Violation"),)),
    Feature("sh:targetNode", "ASK { ?shape sh:targetNode ?node }",
            f"ex:S a sh:NodeShape ; sh:targetNode ex:b ; {_PROBE_PROPERTY} .", (("http://example.org/b", "Violation"),)),
    Feature("sh:targetSubjectsOf", "ASK { ?shape sh:targetSubjectsOf ?predicate }",
            f"ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; {_PROBE_PROPERTY} .", (("http://example.org/a", "Violation"),)),
    Feature("sh:targetObjectsOf", "ASK { ?shape sh:targetObjectsOf ?predicate }",
            "ex:S a sh:NodeShape ; sh:targetObjectsOf rdf:type ; sh:nodeKind sh:Literal .",
            (("http://example.org/C", "Violation"), ("http://example.org/D", "Violation"))),
    NODE_MESSAGES,
    # Core constraints our shapes use that no fixture's mistake sets off, so only a probe shows pyrudof runs them.
    Feature("sh:minInclusive", "ASK { ?shape sh:minInclusive ?bound }",
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minInclusive 2 ] .",
            (("http://example.org/a", "Violation"),)),
    Feature("sh:maxLength", "ASK { ?shape sh:maxLength ?length }",
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxLength 0 ] .",
            (("http://example.org/a", "Violation"),)),
    Feature("sh:lessThan", "ASK { ?shape sh:lessThan ?other }",
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:lessThan ex:r ] .",
            (("http://example.org/a", "Violation"),)),
    Feature("sh:qualifiedValueShape with sh:qualifiedMinCount", "ASK { ?shape sh:qualifiedValueShape ?q ; sh:qualifiedMinCount ?n }",
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
            "sh:qualifiedValueShape [ sh:datatype xsd:string ] ; sh:qualifiedMinCount 1 ] .",
            (("http://example.org/a", "Violation"),)),
    Feature("sh:qualifiedValueShape with sh:qualifiedMaxCount", "ASK { ?shape sh:qualifiedValueShape ?q ; sh:qualifiedMaxCount ?n }",
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
            "sh:qualifiedValueShape [ sh:datatype xsd:integer ] ; sh:qualifiedMaxCount 0 ] .",
            (("http://example.org/a", "Violation"),)),
    Feature("sh:deactivated", "ASK { ?shape sh:deactivated true }",
            f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated true ; {_PROBE_PROPERTY} .", ()),
)


@lru_cache(maxsize=1)
def missing_features() -> tuple[str, ...]:
    """The names of the FEATURES whose probe pyrudof does not answer as SHACL says it must."""
    return tuple(feature.name for feature in FEATURES if not runs(feature))


def runs(feature: Feature) -> bool:
    """Whether pyrudof gives the feature's probe exactly the results SHACL requires."""
    session = _session()
    session.read_data(_PROBE_DATA)
    session.read_shacl(_PROBE_PREFIXES + feature.probe)
    entries = list(session.validate_shacl())
    if feature.message is not None and any(_message(entry.message) != feature.message for entry in entries):
        return False
    return sorted((entry.focus_node, entry.severity) for entry in entries) == sorted(feature.expected)


def features_used(shapes: Graph) -> list[str]:
    """The names of the FEATURES the shapes graph uses."""
    return [feature.name for feature in FEATURES if shapes.query(feature.used, initNs={"sh": SH}).askAnswer]


def run_rudof(kb: KnowledgeBase, shapes: Graph) -> list[Result]:
    """The results of `shapes` on the knowledge base from pyrudof, the SPARQL rules applied first.

    The data is the knowledge base as pySHACL reads it (`kb.graph`, whose blank node
    labels pyrudof keeps) plus what the rules construct, run by the fast engine.
    """
    unsupported = [name for name in features_used(shapes) if name in missing_features() and name not in (RULES.name, NODE_MESSAGES.name)]
    if unsupported:
        raise KbError(f"pyrudof does not run {'; '.join(unsupported)}, which these shapes use: it would report them "
                      "as conforming. Rewrite the shapes with standard targets, or check them with pySHACL.")
    data = kb.graph.serialize(format="nt")
    data += inferred_triples(data, shapes)
    session = _session()
    session.read_data(data, format=_rudof().RDFFormat.NTriples)
    try:
        session.read_shacl(shapes.serialize(format="nt"), format=_rudof().ShaclFormat.NTriples)
    except Exception as error:  # pyrudof raises its own ShaclError, InputError... naming the construct it cannot read
        raise KbError(f"pyrudof cannot read the shapes: {error}") from None
    try:
        entries = list(session.validate_shacl())
    except Exception as error:  # a SPARQL query pyrudof cannot parse fails here, with its position
        raise KbError(f"pyrudof cannot run the shapes: {error}") from None
    return [_result(entry, shapes, kb.graph) for entry in entries]


def inferred_triples(data: str, shapes: Graph) -> str:
    """What the shapes' SPARQL rules construct on `data` (N-Triples), as N-Triples, run in sh:order by the fast engine."""
    if (None, SH.rule, None) not in shapes:
        return ""
    rules: list[Compiled] = [item for item in compile_shapes(shapes) if isinstance(item, RuleQuery)]
    store = LocalStore()
    store.store.load(data.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    run_compiled(store, rules)
    quads = store.store.quads_for_pattern(None, None, None, store.inferred)
    return (ox.serialize([quad.triple for quad in quads], format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def _result(entry: Any, shapes: Graph, data: Graph) -> Result:
    """One of pyrudof's entries as a Result, its terms read back from pyrudof's text form."""
    shape = _term(entry.source_shape, data)
    message = _message(entry.message)
    component = URIRef(entry.constraint_component)
    if component == SH.NodeConstraintComponent and NODE_MESSAGES.name in missing_features():
        message = str(shapes.value(shape, SH.message) or message)  # SHACL: a shape's sh:message is its results' message
    constraint = _source_constraint(shapes, shape, message)
    code = shapes.value(shape, KB.code)
    if code is None and constraint is not None:
        code = shapes.value(constraint, KB.code)
    return Result(
        focus=_term(entry.focus_node, data),
        value=_term(entry.value, data) if entry.value is not None else None,
        severity=SH[entry.severity],
        message=message,
        code=str(code or "shape"),
        outcome=str(shapes.value(shape, KB.outcome) or ""),
        shape=shape,
        component=component,
        path=_term(entry.path, data) if entry.path else None,
        constraint=constraint,
    )


def _source_constraint(shapes: Graph, shape: Node, message: str) -> Node | None:
    """The SPARQL constraint of `shape` whose sh:message gives `message` (pyrudof does not name it).

    A shape whose SPARQL constraints have no messages, or one only, needs no message to tell.
    """
    constraints = sorted(shapes.objects(shape, SH.sparql), key=str)
    if len(constraints) <= 1:
        return constraints[0] if constraints else None
    for constraint in constraints:
        template = str(shapes.value(constraint, SH.message) or "")
        pattern = "".join(".*?" if part.startswith("{") else re.escape(part) for part in re.split(r"({[$?]\w+})", template))
        if template and re.fullmatch(pattern, message, re.DOTALL):
            return constraint
    return None


_LITERAL = re.compile(r'"(?P<lexical>.*)"(?:@(?P<language>[\w-]+)|\^\^(?P<datatype>\S+))?', re.DOTALL)


def _term(text: str, data: Graph) -> Node:
    """A term as pyrudof writes it: an IRI bare, a blank node as _:label, a literal in quotes, its datatype prefixed."""
    if text.startswith("_:"):
        return BNode(text[2:])
    literal = _LITERAL.fullmatch(text)
    if literal is None:
        return URIRef(text.strip("<>"))
    datatype = literal["datatype"]
    if datatype is None:
        return Literal(literal["lexical"], lang=literal["language"])
    if datatype.startswith("<"):
        iri = URIRef(datatype.strip("<>"))
    else:
        prefix, _, name = datatype.partition(":")
        namespace = XSD if prefix == "xsd" else dict(data.namespaces()).get(prefix)
        if namespace is None:
            raise KbError(f"pyrudof wrote the datatype {datatype} with a prefix this check does not know.")
        iri = URIRef(f"{namespace}{name}")
    return Literal(literal["lexical"], datatype=iri)


def _message(text: str) -> str:
    """pyrudof's message without its quotes and language tag ('' when the constraint has none)."""
    literal = _LITERAL.fullmatch(text)
    return literal["lexical"] if literal is not None else text


def _rudof() -> Any:
    try:
        import pyrudof  # with the test extra only
    except ImportError:
        raise KbError("The pyrudof cross-check needs pyrudof: pip install -e '.[test]'.") from None
    return pyrudof


def _session() -> Any:
    pyrudof = _rudof()
    return pyrudof.Rudof(pyrudof.RudofConfig())
