"""Run SHACL shapes with pySHACL and read its report graph into plain rows.

Everything downstream reads these rows, never pySHACL's text output, so another
engine that produces the same rows can replace pySHACL without touching callers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .errors import KbError
from .model import KB

if TYPE_CHECKING:
    from .load import KnowledgeBase

ENGINES = ("fast", "pyshacl")  # fast: every shape as SPARQL on the store (engine.py); pyshacl: the reference


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, with the kb:code and kb:outcome of the shape that produced it.

    `shape`, `component`, `path` and `constraint` are the result's sh:sourceShape,
    sh:sourceConstraintComponent, sh:resultPath and sh:sourceConstraint (None when absent);
    blank nodes among them belong to the shapes graph.
    """

    focus: Node
    value: Node | None
    severity: URIRef
    message: str
    code: str
    outcome: str
    shape: Node | None = None
    component: URIRef | None = None
    path: Node | None = None
    constraint: Node | None = None


@lru_cache(maxsize=8)
def _parse_shapes(path: str, mtime: float) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as error:  # rdflib raises several exception types for bad Turtle
        raise KbError(f"{path}: cannot read SHACL shapes: {error}") from None
    return graph


def load_shapes(path: Path) -> Graph:
    """Parse a shapes file (cached while the file is unchanged)."""
    if not path.is_file():
        raise KbError(f"{path}: shapes file not found; pass --shapes with the folder holding the SHACL shapes.")
    return _parse_shapes(str(path), path.stat().st_mtime)


def run(kb: KnowledgeBase, shapes: Graph, engine: str, focus: list[URIRef] | None = None,
        keep_report: Graph | None = None) -> list[Result]:
    """The results of `shapes` on the knowledge base, from the engine named (one of ENGINES).

    With `focus`, only those focus nodes are validated; `keep_report`, when given,
    receives the SHACL validation report, the same from either engine.
    """
    if engine == "pyshacl":
        return run_shapes(kb.graph, shapes, keep_report, focus)
    if engine == "fast":
        from .engine import compile_shapes, run_compiled  # the fast engine builds on Result

        results = run_compiled(kb.store, compile_shapes(shapes), focus)
        if keep_report is not None:
            add_to_report(keep_report, results, shapes)
        return results
    raise KbError(f"--engine: unknown engine '{engine}'; choose one of {', '.join(ENGINES)}.")


def run_shapes(data: Graph, shapes: Graph, keep_report: Graph | None = None,
               focus: list[URIRef] | None = None) -> list[Result]:
    """Validate `data` against `shapes` with pySHACL and return its results.

    With `focus`, only those focus nodes are validated. When `keep_report` is given,
    the SHACL validation report's triples are added to it.
    """
    _conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
        focus_nodes=focus,
    )
    if keep_report is not None:
        keep_report += report
    results = []
    for result in report.objects(None, SH.result):  # top-level results; nested ones hang off sh:detail
        shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        code = shapes.value(shape, KB.code)
        if code is None and constraint is not None:  # constraints declared inside a property or SPARQL constraint node
            code = shapes.value(constraint, KB.code)
        results.append(Result(
            focus=report.value(result, SH.focusNode),
            value=report.value(result, SH.value),
            severity=report.value(result, SH.resultSeverity),
            message=str(report.value(result, SH.resultMessage) or ""),
            code=str(code or "shape"),
            outcome=str(shapes.value(shape, KB.outcome) or ""),
            shape=shape,
            component=report.value(result, SH.sourceConstraintComponent),
            path=report.value(result, SH.resultPath),
            constraint=constraint,
        ))
    return results


def add_to_report(report: Graph, results: list[Result], shapes: Graph | None = None) -> None:
    """Add results found outside pySHACL to a validation report graph, as pySHACL writes them.

    Each result becomes a sh:ValidationResult with its focus node, severity, message, value,
    source shape, constraint component, result path and source constraint where it has them;
    blank nodes of the shapes graph (property shapes, complex paths) are copied along with
    their description from `shapes`, keeping their ids, as pySHACL does. Starts the report
    when the graph holds none yet.
    """
    root = next(report.subjects(RDF.type, SH.ValidationReport), None)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        report.add((root, SH.conforms, Literal(True)))
    copied: set[BNode] = set()
    for result in results:
        node = BNode()
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, result.focus))
        report.add((node, SH.resultSeverity, result.severity))
        report.add((node, SH.resultMessage, Literal(result.message)))
        for predicate, term in ((SH.value, result.value), (SH.sourceShape, result.shape),
                                (SH.sourceConstraintComponent, result.component), (SH.resultPath, result.path),
                                (SH.sourceConstraint, result.constraint)):
            if term is None:
                continue
            report.add((node, predicate, term))
            if predicate != SH.value and isinstance(term, BNode) and shapes is not None and term not in copied:
                copied.add(term)
                report += shapes.cbd(term)
        report.add((root, SH.result, node))
    if results:
        report.set((root, SH.conforms, Literal(False)))
