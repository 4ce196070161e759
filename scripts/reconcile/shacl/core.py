"""SHACL Core constraints as SPARQL, so the fast executor runs whole shapes files without pySHACL.

Each constraint component of a targeted shape (sh:minCount, sh:class, sh:node...)
becomes one query that finds every violating focus node at once, following the
SPARQL definitions of the SHACL specification. Nested shapes (sh:node,
sh:qualifiedValueShape) become a pattern that matches when a node violates them.
Components not listed in COMPONENTS stop compilation with a message naming them,
so a shapes file is never checked only in part; pySHACL handles every component.

Tested inside the pattern of each focus node, a nested shape is tested once for every
time a value is counted: a target's two selectors against both selector shapes some
nine times per claim. `conformance_queries` instead tests every candidate node once
and has the store remember (`Store.remember`) the few that are instances of the shape's
classes and still violate it; the patterns given those shapes in `remembered` test
the classes and look the rest up. On sound data nothing is remembered.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ..errors import KbError
from ..store import CONFORMANCE_GRAPH, VIOLATES

# Parameters this compiler understands; any other sh: predicate on a shape is refused.
COMPONENTS = {
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH.minLength, SH.maxLength, SH.pattern,
    SH.flags, SH["in"], SH.hasValue, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.lessThan, SH.lessThanOrEquals, SH.node, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
# Not constraints: targets, paths, messages, documentation and what the SPARQL executor handles (SPARQL constraints and rules).
IGNORED = {
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.path, SH.property,
    SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.deactivated, SH.sparql, SH.rule,
    SH.prefixes, SH.declare, SH.qualifiedValueShapesDisjoint, SH.defaultValue,
}
# Datatypes whose text may be invalid, tested by casting it back (any text is a valid xsd:string).
_CASTABLE = {XSD.boolean, XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.dateTime, XSD.date,
             XSD.time, XSD.duration}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
# Components whose pattern only filters (a value is missing): it reads the focus node from the targets beside it.
# Every other component's pattern on a property shape starts by matching the path from the focus node.
FILTER_ONLY = frozenset({SH.minCount, SH.hasValue, SH.qualifiedMinCount})
TYPE_OF = f"<{RDF.type}>/<{RDFS.subClassOf}>*"  # instances of a class and of its subclasses


class Names:
    """Fresh variable names, so that nested patterns never capture each other's variables."""

    def __init__(self):
        self._counter = itertools.count()

    def __call__(self, hint: str = "v") -> str:
        return f"?core_{hint}{next(self._counter)}"


def constraint_patterns(shapes: Graph, shape, focus: str, names: Names,
                        remembered: Mapping[Node, URIRef] | None = None) -> list[tuple[URIRef, str, str | None]]:
    """(component, pattern, value variable) for each constraint of `shape`; each pattern matches a violation at `focus`.

    The value variable is None for components whose results carry no sh:value (counts, sh:hasValue).
    Nested shapes in `remembered` are looked up under their IRI in the conformance graph.
    """
    remembered = remembered or {}
    _refuse_unknown(shapes, shape)
    path = shapes.value(shape, SH.path)
    if path is None:
        values = lambda v: f"BIND ({focus} AS {v})"  # noqa: E731 - a node shape's value node is its focus node
    else:
        sparql_path = _path(shapes, path)
        values = lambda v: f"{focus} {sparql_path} {v} ."  # noqa: E731
    found = []
    for component in sorted(set(shapes.predicates(shape, None)) & COMPONENTS, key=str):
        if component in (SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount):
            continue  # read together with sh:pattern and sh:qualifiedValueShape
        for parameter in shapes.objects(shape, component):
            found.extend(_component(shapes, shape, component, parameter, focus, values, names, remembered))
    return found


def violation_pattern(shapes: Graph, shape, focus: str, names: Names,
                      remembered: Mapping[Node, URIRef] | None = None) -> str:
    """A pattern that matches when `focus` does not conform to `shape` (for sh:node and qualified shapes)."""
    if remembered and shape in remembered:
        branches = [f"FILTER NOT EXISTS {{ {focus} {TYPE_OF} {_term(c)} }}" for c in _classes(shapes, shape)]
        return " UNION ".join(f"{{ {p} }}" for p in [*branches, _violates(focus, remembered[shape])])
    patterns = [pattern for _, pattern, _ in constraint_patterns(shapes, shape, focus, names, remembered)]
    for property_shape in shapes.objects(shape, SH.property):
        patterns += [pattern for _, pattern, _ in constraint_patterns(shapes, property_shape, focus, names, remembered)]
    if shapes.value(shape, SH.sparql) is not None:
        raise KbError(f"Shape {shape}: SPARQL constraints inside nested shapes need --engine pyshacl.")
    return " UNION ".join(f"{{ {p} }}" for p in patterns) if patterns else "FILTER (false)"


def _violates(node: str, shape_iri: URIRef) -> str:
    return f"GRAPH <{CONFORMANCE_GRAPH}> {{ {node} <{VIOLATES}> <{shape_iri}> }}"


def _classes(shapes: Graph, shape) -> list:
    """The shape's own sh:class values: a node conforming to it is an instance of each."""
    return sorted(shapes.objects(shape, SH["class"]), key=str)


def conformance_queries(shapes: Graph, targeted: Iterable[Node]) -> tuple[dict[Node, URIRef], list[str]]:
    """The nested shapes a store can remember violations of, and for each a CONSTRUCT query finding them.

    A nested shape qualifies when every constraint naming it (sh:node, sh:qualifiedValueShape)
    is on a property shape: the candidates are then the nodes those paths reach from anywhere,
    a superset of its value nodes, and whether a node conforms depends on the node alone.
    What is remembered are the candidates that are instances of the shape's classes and
    violate it all the same; a node that is not an instance is told by its type. The
    queries come innermost first, so each one looks up the shapes nested in it.
    """
    sites: dict[Node, list] = {}  # nested shape -> the paths reaching its value nodes (None: a node shape's own)
    visiting: set[Node] = set()
    order: list[Node] = []

    def visit(shape: Node) -> None:
        if shape in order:
            return
        if shape in visiting:
            raise KbError(f"Shape {_name(shape)} is nested in itself, which the fast engine does not run; "
                          "check with --engine pyshacl.")
        visiting.add(shape)
        for level in [shape, *shapes.objects(shape, SH.property)]:
            if shapes.value(level, SH.deactivated) == Literal(True):
                continue
            for nested in [*shapes.objects(level, SH.node), *shapes.objects(level, SH.qualifiedValueShape)]:
                sites.setdefault(nested, []).append(shapes.value(level, SH.path))
                visit(nested)
        visiting.discard(shape)
        order.append(shape)

    for shape in sorted(targeted, key=str):
        visit(shape)
    remembered: dict[Node, URIRef] = {}
    queries = []
    for nested in order:
        paths = sites.get(nested)
        if not paths or None in paths:
            continue
        iri = _iri(nested, len(remembered))
        candidates = " UNION ".join(sorted({f"{{ ?shAnyFocus {_path(shapes, path)} ?shNode }}" for path in paths}))
        instances = "".join(f"FILTER EXISTS {{ ?shNode {TYPE_OF} {_term(c)} }} " for c in _classes(shapes, nested))
        violation = violation_pattern(shapes, nested, "?shNode", Names(), remembered)
        queries.append(f"CONSTRUCT {{ ?shNode <{VIOLATES}> <{iri}> }} WHERE {{ {candidates} "
                       f"{instances}FILTER EXISTS {{ {violation} }} }}")
        remembered[nested] = iri
    return remembered, queries


def _iri(shape: Node, index: int) -> URIRef:
    """The name a nested shape's violations are remembered under (a blank-node shape has none of its own)."""
    return shape if isinstance(shape, URIRef) else URIRef(f"{CONFORMANCE_GRAPH}:shape{index}")


def _component(shapes, shape, component, parameter, focus, values, names,
               remembered) -> list[tuple[URIRef, str, str | None]]:
    v = names()
    if component == SH.minCount:
        count = int(parameter)
        return [] if count == 0 else [(component, f"FILTER NOT EXISTS {{ {_distinct(values, count, names)} }}", None)]
    if component == SH.maxCount:
        return [(component, _distinct(values, int(parameter) + 1, names), None)]
    if component == SH.hasValue:
        return [(component, f"FILTER NOT EXISTS {{ {values(v)} FILTER (sameTerm({v}, {_term(parameter)})) }}", None)]
    if component == SH["class"]:
        test = f"FILTER NOT EXISTS {{ {v} {TYPE_OF} {_term(parameter)} }}"
    elif component == SH.datatype:
        test = f"FILTER (!{_well_typed(v, parameter)})"
    elif component == SH.nodeKind:
        test = f"FILTER (!{_NODE_KINDS[parameter].format(v=v)})"
    elif component == SH.minLength:
        test = f"FILTER (isBlank({v}) || STRLEN(STR({v})) < {int(parameter)})"
    elif component == SH.maxLength:
        test = f"FILTER (isBlank({v}) || STRLEN(STR({v})) > {int(parameter)})"
    elif component == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        arguments = _string(str(parameter)) + (f", {_string(str(flags))}" if flags is not None else "")
        test = f"FILTER (isBlank({v}) || !REGEX(STR({v}), {arguments}))"
    elif component == SH["in"]:
        members = " || ".join(f"sameTerm({v}, {_term(m)})" for m in Collection(shapes, parameter)) or "false"
        test = f"FILTER (!({members}))"
    elif component in _COMPARISONS:
        test = f"FILTER (!COALESCE({v} {_COMPARISONS[component]} {_term(parameter)}, false))"
    elif component in (SH.lessThan, SH.lessThanOrEquals):
        other = names("other")
        operator = "<" if component == SH.lessThan else "<="
        test = f"{focus} {_term(parameter)} {other} . FILTER (!COALESCE({v} {operator} {other}, false))"
    elif component == SH.node:
        test = f"FILTER EXISTS {{ {violation_pattern(shapes, parameter, v, names, remembered)} }}"
    elif component == SH.qualifiedValueShape:
        return _qualified(shapes, shape, parameter, values, names, remembered)
    else:  # pragma: no cover - COMPONENTS and this chain list the same components
        raise KbError(f"Shape {shape}: {component} is not supported by the fast engine.")
    return [(component, f"{values(v)} {test}", v)]


def _qualified(shapes, shape, qualified, values, names, remembered) -> list[tuple[URIRef, str, str | None]]:
    """sh:qualifiedMinCount / sh:qualifiedMaxCount: how many values conform to the qualified shape."""
    if shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
        raise KbError(f"Shape {shape}: sh:qualifiedValueShapesDisjoint needs --engine pyshacl.")

    def conforming(v: str) -> str:
        if qualified in remembered:
            instances = "".join(f"FILTER EXISTS {{ {v} {TYPE_OF} {_term(c)} }} " for c in _classes(shapes, qualified))
            return f"{instances}FILTER NOT EXISTS {{ {_violates(v, remembered[qualified])} }}"
        return f"FILTER NOT EXISTS {{ {violation_pattern(shapes, qualified, v, names, remembered)} }}"

    found: list[tuple[URIRef, str, str | None]] = []
    minimum = shapes.value(shape, SH.qualifiedMinCount)
    if minimum is not None and int(minimum) > 0:
        found.append((SH.qualifiedMinCount,
                      f"FILTER NOT EXISTS {{ {_distinct_conforming(values, conforming, int(minimum), names)} }}", None))
    maximum = shapes.value(shape, SH.qualifiedMaxCount)
    if maximum is not None:
        found.append((SH.qualifiedMaxCount, _distinct_conforming(values, conforming, int(maximum) + 1, names), None))
    return found


def _distinct_conforming(values, conforming, count: int, names: Names) -> str:
    """A pattern matching `count` pairwise different value nodes that each conform.

    Each further node is looked for with EXISTS, so a store tests each value's conformance
    once per value rather than once per combination of values.
    """
    variables = [names() for _ in range(count)]
    inner = ""
    for i in reversed(range(1, count)):
        different = " && ".join(f"!sameTerm({variables[i]}, {earlier})" for earlier in variables[:i])
        inner = (f"FILTER EXISTS {{ {values(variables[i])} FILTER ({different}) "
                 f"{conforming(variables[i])} {inner} }}")
    return f"{values(variables[0])} {conforming(variables[0])} {inner}"


def _distinct(values, count: int, names: Names) -> str:
    """A pattern matching `count` pairwise different value nodes."""
    variables = [names() for _ in range(count)]
    pattern = " ".join(values(v) for v in variables)
    different = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(variables, 2))
    return f"{pattern} FILTER ({different})" if different else pattern


def _well_typed(v: str, datatype) -> str:
    """A literal of `datatype` whose text is valid for it (casting it back succeeds), as sh:datatype requires."""
    typed = f"(isLiteral({v}) && sameTerm(DATATYPE({v}), {_term(datatype)}))"
    if datatype in _CASTABLE:
        return f"({typed} && COALESCE(isLiteral({_term(datatype)}(STR({v}))), false))"
    return typed


def _path(shapes: Graph, path) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return _term(path)
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_path(shapes, step) for step in Collection(shapes, path)) + ")"
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                                (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return "(" + template.format(_path(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(shapes, step) for step in Collection(shapes, alternatives)) + ")"
    raise KbError(f"Unsupported property path {path} in the shapes.")


def _refuse_unknown(shapes: Graph, shape) -> None:
    for predicate in set(shapes.predicates(shape, None)):
        if str(predicate).startswith(str(SH)) and predicate not in COMPONENTS | IGNORED:
            raise KbError(f"Shape {_name(shape)} uses {predicate}, which the fast engine does not run; "
                          "check with --engine pyshacl.")


def _name(shape) -> str:
    return "(a blank node)" if isinstance(shape, BNode) else str(shape)


def _term(node) -> str:
    if isinstance(node, Literal):
        return node.n3()
    if isinstance(node, URIRef):
        return f"<{node}>"
    raise KbError(f"Blank node {node} cannot be a parameter value in the shapes.")


def _string(text: str) -> str:
    return json.dumps(text)
