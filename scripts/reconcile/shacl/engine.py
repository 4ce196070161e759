"""A fast executor of the SHACL-SPARQL conflict shapes on pyoxigraph.

pySHACL evaluates a SPARQL constraint once per focus node. This executor evaluates
each (shape, constraint) pair once over the whole data: the shape's targets become a
subquery that binds ?this, joined with the constraint's SELECT, as SHACL engines do
for batch validation. SPARQL rules (SHACL Advanced Features) run the same way, before
the constraints, and add what they construct to the store. It reads the same shapes
and returns the same `Result` rows as `reference.run_shapes`, which stays the reference.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ..errors import KbError
from ..model import KB, local_name
from .core import FILTER_ONLY, TYPE_OF, Names, conformance_queries, constraint_patterns
from .results import Result

_THIS = re.compile(r"\$this\b")
_MESSAGE_VARIABLE = re.compile(r"{[$?](\w+)}")
FOCUS_INLINE_LIMIT = 200  # focus nodes written into a query as VALUES; more are filtered after a full run
_TARGET_VARIABLE = re.compile(r"\?(?!this\b)(\w+)")
_AGGREGATES = re.compile(r"\b(GROUP\s+BY|HAVING|LIMIT|OFFSET)\b|(?<![?$\w])(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(",
                         re.IGNORECASE)


@dataclass(frozen=True)
class ShapeQuery:
    """One constraint of one shape as a query over all its focus nodes."""

    shape: Node  # the sh:sourceShape of its results (a property shape may be a blank node)
    prefixes: str
    head: str  # the constraint's SELECT clause
    targets: str  # a group pattern binding ?this to the shape's focus nodes
    body: str  # the constraint's WHERE pattern
    message: str
    severity: URIRef
    code: str
    outcome: str
    component: URIRef  # the sh:sourceConstraintComponent of its results
    path: Node | None = None  # the property shape's sh:path
    constraint: Node | None = None  # the SPARQL constraint node (sh:sourceConstraint)
    tail: str = ""  # solution modifiers after the WHERE pattern (GROUP BY, ORDER BY...)
    value: str | None = None  # a core constraint's value variable
    joins: bool = False  # a core constraint whose pattern binds ?this itself, so it can share one query (see _batches)

    def query(self, focus: list[URIRef] | None = None) -> str:
        """The batch query; with `focus`, only those focus nodes are validated (as pySHACL's focus_nodes).

        The targets are inlined, with their variables renamed apart, so the store can plan
        them together with the constraint; a constraint that aggregates gets them as a
        subquery instead, so that each focus node counts once.
        """
        only = _values(focus)
        if _AGGREGATES.search(self.head + self.body + self.tail):
            return (f"{self.prefixes}\n{self.head} WHERE {{\n"
                    f"{{ SELECT DISTINCT ?this WHERE {{ {only} {self.targets} }} }}\n{self.body}\n}}{self.tail}")
        targets = _TARGET_VARIABLE.sub(r"?shTarget_\1", self.targets)
        return f"{self.prefixes}\n{self.head} WHERE {{\n{only} {targets}\n{self.body}\n}}{self.tail}"

    def has_targets(self, focus: list[URIRef] | None = None) -> str:
        """An ASK query: does the shape have any focus node (among `focus`)?"""
        return f"{self.prefixes}\nASK {{ {_values(focus)} {self.targets} }}"


@dataclass(frozen=True)
class RuleQuery:
    """One SPARQL rule of one shape as a CONSTRUCT over all its focus nodes."""

    shape: Node
    prefixes: str
    head: str  # the rule's CONSTRUCT template
    targets: str
    body: str
    tail: str = ""

    def query(self, focus: list[URIRef] | None = None) -> str:
        """The batch CONSTRUCT; with `focus`, only for those focus nodes."""
        targets = _TARGET_VARIABLE.sub(r"?shTarget_\1", self.targets)
        return f"{self.prefixes}\n{self.head} WHERE {{\n{_values(focus)} {targets}\n{self.body}\n}}{self.tail}"


def _inlined(nodes: list[URIRef] | None, limit: int = FOCUS_INLINE_LIMIT) -> list[URIRef] | None:
    """`nodes` when they are few enough to write into a query as VALUES, else None (all nodes)."""
    return nodes if nodes is not None and len(nodes) <= limit else None


def _values(focus: list[URIRef] | None) -> str:
    return "" if focus is None else f"VALUES ?this {{ {' '.join(f'<{node}>' for node in focus)} }}"


_TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class ConformanceQuery:
    """Which nodes violate one nested shape, found once for the store to remember (see core.py)."""

    construct: str


Compiled = RuleQuery | ConformanceQuery | ShapeQuery


@functools.lru_cache(maxsize=16)  # a shapes graph is parsed once per file version (load_shapes), and compiled once
def compile_shapes(shapes: Graph, remember: bool = False) -> list[Compiled]:
    """One query per targeted shape and rule or constraint: rules first, then SPARQL and core constraints.

    With `remember`, the nodes violating each nested shape are found first, once each, and
    the constraints look them up; for stores with REMEMBERS, on whole runs (a few focus nodes are
    cheaper to test in place). Shapes are visited in a fixed order, so results come out in
    the same order every run.
    """
    targeted = {s for p in _TARGET_PREDICATES for s in shapes.subjects(p, None)}
    active = [s for s in sorted(targeted, key=lambda s: (_order(shapes, s), str(s)))
              if shapes.value(s, SH.deactivated) != Literal(True)]
    remembered, conformance = conformance_queries(shapes, active) if remember else ({}, [])
    rules: list[Compiled] = []
    constraints: list[Compiled] = []
    for shape in active:
        targets = _targets(shapes, shape)
        rules += _sparql_rules(shapes, shape, targets)
        constraints += _sparql_constraints(shapes, shape, targets)
        constraints += _core_constraints(shapes, shape, targets, remembered)
    return [*rules, *(ConformanceQuery(construct) for construct in conformance), *constraints]


def _order(shapes: Graph, node: Node) -> float:
    """sh:order of a shape or rule, 0 when absent: pySHACL runs shapes' rules, and rules, in this order."""
    order = shapes.value(node, SH.order)
    return float(order.toPython()) if isinstance(order, Literal) else 0.0


def _severity(shapes: Graph, node: Node) -> URIRef:
    """sh:severity of a shape, sh:Violation when absent."""
    severity = shapes.value(node, SH.severity)
    return severity if isinstance(severity, URIRef) else SH.Violation


def _sparql_rules(shapes: Graph, shape: Node, targets: str) -> list[RuleQuery]:
    """The shape's SPARQL rules, in sh:order, $this bound by the targets."""
    rules = []
    for rule in shapes.objects(shape, SH.rule):
        if shapes.value(rule, SH.deactivated) == Literal(True):
            continue
        construct = shapes.value(rule, SH.construct)
        if shapes.value(rule, RDF.type) != SH.SPARQLRule or construct is None:
            raise KbError(f"Shape {shape}: only SPARQL rules (sh:SPARQLRule with sh:construct) can run on the fast engine.")
        head, body, tail = split_query(_THIS.sub("?this", str(construct)), shape)
        rules.append((_order(shapes, rule), str(rule), RuleQuery(
            shape=shape, prefixes=_prefixes(shapes), head=head, targets=targets, body=body, tail=tail)))
    return [rule for _order, _name, rule in sorted(rules, key=lambda r: r[:2])]


def _sparql_constraints(shapes: Graph, shape: Node, targets: str) -> list[ShapeQuery]:
    """The shape's SELECT-based SPARQL constraints, $this bound by the targets."""
    compiled = []
    for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
        select = shapes.value(constraint, SH.select)
        if select is None:
            raise KbError(f"Shape {shape}: only SELECT-based SPARQL constraints can run on the fast engine.")
        head, body, tail = split_query(_THIS.sub("?this", str(select)), shape)
        compiled.append(ShapeQuery(
            shape=shape, prefixes=_prefixes(shapes), head=head, targets=targets, body=body, tail=tail,
            message=str(shapes.value(constraint, SH.message) or shapes.value(shape, SH.message) or ""),
            severity=_severity(shapes, shape),
            code=str(shapes.value(shape, KB.code) or shapes.value(constraint, KB.code) or "shape"),
            outcome=str(shapes.value(shape, KB.outcome) or ""),
            component=SH.SPARQLConstraintComponent, constraint=constraint,
        ))
    return compiled


def _core_constraints(shapes: Graph, shape: Node, targets: str, remembered: dict[Node, URIRef]) -> list[ShapeQuery]:
    """The core constraints of the shape and of its property shapes, one query per component."""
    compiled = []
    for level in [shape, *sorted(shapes.objects(shape, SH.property), key=str)]:
        if shapes.value(level, SH.deactivated) == Literal(True):
            continue
        path = shapes.value(level, SH.path)
        for component, pattern, value in constraint_patterns(shapes, level, "?this", Names(), remembered):
            compiled.append(ShapeQuery(
                value=value, joins=path is not None and component not in FILTER_ONLY,
                shape=level, prefixes="", head=f"SELECT DISTINCT ?this{f' ({value} AS ?value)' if value else ''}",
                targets=targets, body=pattern,
                message=str(shapes.value(level, SH.message)
                            or f"{local_name(component)} constraint not met{f' on {path.n3()}' if path else ''}."),
                severity=_severity(shapes, level),
                code=str(shapes.value(level, KB.code) or "shape"),
                outcome="",
                component=component_of(component), path=path,
            ))
    return compiled


def _batches(compiled: list[Compiled]) -> list[RuleQuery | ConformanceQuery | list[int]]:
    """The rules and conformance queries, in order, and between them the constraints' positions in `compiled`,
    in groups that share a query.

    Constraints whose patterns each match the path from ?this and that have the same
    targets are grouped: a UNION of their patterns, joined with the targets once, finds
    what they find one by one (standard SPARQL, evaluated bottom-up), in one pass over
    the focus nodes instead of one per constraint. A rule closes the groups before it.
    """
    batches: list[RuleQuery | ConformanceQuery | list[int]] = []
    open_groups: dict[str, list[int]] = {}
    for position, item in enumerate(compiled):
        if not isinstance(item, ShapeQuery):
            batches.append(item)
            open_groups = {}
        elif item.joins and item.targets in open_groups:
            open_groups[item.targets].append(position)
        else:
            group = [position]
            batches.append(group)
            if item.joins:
                open_groups[item.targets] = group
    return batches


def _union_query(items: list[ShapeQuery], focus: list[URIRef] | None) -> str:
    """One query for several joining constraints; ?shBranch says which one a solution violates."""
    only = _values(focus)
    branches = " UNION ".join(
        f"{{ {only} {item.body} BIND ({index} AS ?shBranch){f' BIND ({item.value} AS ?value)' if item.value else ''} }}"
        for index, item in enumerate(items))
    targets = _TARGET_VARIABLE.sub(r"?shTarget_\1", items[0].targets)
    return f"SELECT DISTINCT ?this ?value ?shBranch WHERE {{\n{only} {targets}\n{branches}\n}}"


def run_compiled(store, compiled: list[Compiled], focus: list[URIRef] | None = None,
                 rule_focus: list[URIRef] | None = None, inline_limit: int = FOCUS_INLINE_LIMIT) -> list[Result]:
    """Run compiled shapes on any store with `ask`, `select` and `infer` (local Oxigraph or a SPARQL endpoint).

    Rules run first, since constraints may read what they add; `rule_focus` limits them
    to those focus nodes (for incremental checks, the nodes whose inferences can change)
    when they are few enough to write into the query; more run the rules for every node.
    With `focus`, only those focus nodes are validated: up to `inline_limit` are written
    into the query; more are kept by filtering a full run, which stores plan far better
    than thousands of nodes written in. What conformance queries find is kept in the store for this run only.
    """
    inline = _inlined(focus, inline_limit)
    keep = set(focus) if focus is not None and inline is None else None
    has_targets: dict[str, bool] = {}  # the constraints of one shape share its targets: ask once
    found: dict[int, list[Result]] = {}  # by position in `compiled`: results come out in its order
    remembers = any(isinstance(item, ConformanceQuery) for item in compiled)
    if remembers:
        store.forget()
    try:
        for batch in _batches(compiled):
            if isinstance(batch, RuleQuery):
                store.infer(batch.query(_inlined(rule_focus)))
            elif isinstance(batch, ConformanceQuery):
                store.remember(batch.construct)
            else:
                items = [cast(ShapeQuery, compiled[position]) for position in batch]
                ask = items[0].has_targets(inline)
                if ask not in has_targets:
                    has_targets[ask] = store.ask(ask)
                if has_targets[ask]:  # like pySHACL, skip shapes without focus nodes
                    found.update(_select(store, batch, items, inline, keep))
    finally:
        if remembers:
            store.forget()
    return [result for position in sorted(found) for result in found[position]]


def _select(store, batch: list[int], items: list[ShapeQuery], inline: list[URIRef] | None,
            keep: set[URIRef] | None) -> dict[int, list[Result]]:
    """The results of one query, for one constraint or a group of them, by position."""
    if len(items) == 1:
        solutions = ((0, bindings) for bindings in store.select(items[0].query(inline)))
    else:
        solutions = ((int(bindings.pop("shBranch")), bindings) for bindings in store.select(_union_query(items, inline)))
    found: list[list[Result]] = [[] for _ in items]
    seen: set[tuple[int, Node | None, Node | None]] = set()
    for index, bindings in solutions:
        item, key = items[index], (index, bindings.get("this"), bindings.get("value"))
        if key in seen or (keep is not None and key[1] not in keep):
            continue
        seen.add(key)
        value = key[2]
        if value is None and item.constraint is not None:
            value = key[1]  # a SPARQL constraint's value node, when ?value is unbound, is the focus node
        found[index].append(Result(focus=key[1], value=value, severity=item.severity,
                                   message=_fill(item.message, bindings), code=item.code, outcome=item.outcome,
                                   shape=item.shape, component=item.component, path=bindings.get("path", item.path),
                                   constraint=item.constraint))
    return dict(zip(batch, found, strict=True))


def _fill(message: str, bindings: dict) -> str:
    """Substitute {?name} and {$name} in a message as pySHACL does: with the bound term's string form."""
    return "".join(str(bindings[part[1]]) if part[1] in bindings else part[0] for part in _message_parts(message))


@functools.lru_cache(maxsize=None)
def _message_parts(message: str) -> tuple[tuple[str, str], ...]:
    """A message split once into (text, variable) parts; plain text has no variable name."""
    parts, start = [], 0
    for match in _MESSAGE_VARIABLE.finditer(message):
        parts += [(message[start:match.start()], ""), (match[0], match[1])]
        start = match.end()
    return tuple(parts + [(message[start:], "")])


def _targets(shapes: Graph, shape: Node) -> str:
    """A SPARQL group pattern binding ?this to the shape's focus nodes."""
    patterns = []
    for cls in shapes.objects(shape, SH.targetClass):
        patterns.append(f"?this {TYPE_OF} <{cls}> .")
    for node in shapes.objects(shape, SH.targetNode):
        patterns.append(f"VALUES ?this {{ {node.n3()} }}")
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        patterns.append(f"?this <{predicate}> ?targetObject .")
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        patterns.append(f"?targetSubject <{predicate}> ?this .")
    for target in shapes.objects(shape, SH.target):
        patterns.append(_custom_target(shapes, target))
    if not patterns:
        raise KbError(f"Shape {shape} has no targets the fast engine understands.")
    return " UNION ".join(f"{{ {p} }}" for p in patterns)


def _custom_target(shapes: Graph, target) -> str:
    """A SPARQL-based target type, with its parameters substituted."""
    target_type = shapes.value(target, RDF.type)
    select = shapes.value(target_type, SH.select) if target_type is not None else None
    if select is None:
        raise KbError(f"Target {target} is not a SPARQL-based target type with sh:select.")
    text = str(select)
    for parameter in shapes.objects(target_type, SH.parameter):
        path = shapes.value(parameter, SH.path)
        name = re.split(r"[#/]", str(path))[-1]
        value = shapes.value(target, path)
        text = re.sub(rf"\$({name})\b", value.n3(), text)
    return split_query(text, target_type)[1]


# What a query's text is made of, as far as finding its WHERE pattern needs: comments, strings, IRIs,
# variables and prefixed names (whose words are never keywords), braces, and any other character.
_QUERY_TOKENS = re.compile(r"""
    (?P<skip> \#[^\n]*
      | "{3}(?:[^"\\]|\\.|"(?!""))*"{3} | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
      | <[^<>"{}|^`\\\s]*> | [?$]\w+ | [\w.-]*:[\w.-]* )
    | (?P<word> [A-Za-z_]\w* ) | (?P<open> \{ ) | (?P<close> \} ) | (?P<other> . )
""", re.VERBOSE | re.DOTALL)


def split_query(text: str, shape: Node) -> tuple[str, str, str]:
    """A SELECT or CONSTRUCT query as (head, WHERE pattern without its braces, solution modifiers).

    The WHERE keyword is matched in any case, as SPARQL keywords are, and may be left out
    of a SELECT or ASK; strings, IRIs, comments and names never count as keywords or braces.
    """
    depth, where, start, keyword = 0, None, None, None
    for token in _QUERY_TOKENS.finditer(text):
        kind, word = token.lastgroup, token[0].upper()
        if kind == "word" and depth == 0:
            if keyword is None and word not in ("PREFIX", "BASE"):
                keyword = word
            if where is None and word == "WHERE":
                where = token.start()
        elif kind == "open":
            if depth == 0 and start is None and (where is not None or keyword in ("SELECT", "ASK")):
                start = token.end()
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                break
            if depth == 0 and start is not None:
                head = text[:where if where is not None else start - 1]
                if keyword == "CONSTRUCT" and "{" not in head:
                    break  # CONSTRUCT WHERE { ... }: the short form has no template to add the targets to
                return head, text[start:token.start()], text[token.end():]
    raise KbError(f"Shape {_shape_name(shape)}: cannot find the WHERE pattern of its SPARQL query (unbalanced "
                  "braces, or a CONSTRUCT with no template); fix the query, or check with --engine pyshacl.")


def _shape_name(shape: Node) -> str:
    return "(a blank node)" if isinstance(shape, BNode) else str(shape)


def component_of(parameter: URIRef) -> URIRef:
    """The constraint component of a parameter, as SHACL names it: sh:minCount -> sh:MinCountConstraintComponent."""
    name = str(parameter)[len(str(SH)):]
    return SH[f"{name[0].upper()}{name[1:]}ConstraintComponent"]


def _prefixes(shapes: Graph) -> str:
    """Every prefix the shapes graph declares (constraints and target types share them)."""
    lines = {}
    for declarations in set(shapes.objects(None, SH.prefixes)):
        for declaration in shapes.objects(declarations, SH.declare):
            lines[str(shapes.value(declaration, SH.prefix))] = str(shapes.value(declaration, SH.namespace))
    return "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in sorted(lines.items()))
