"""Run SHACL shapes with pySHACL and read its report graph into plain rows.

Everything downstream reads these rows, never pySHACL's text output, so another
engine that produces the same rows can replace pySHACL without touching callers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .errors import KbError
from .model import KB


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, with the kb:code and kb:outcome of the shape that produced it."""

    focus: Node
    value: Node | None
    severity: URIRef
    message: str
    code: str
    outcome: str


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


def run_shapes(data: Graph, shapes: Graph, keep_report: Graph | None = None) -> list[Result]:
    """Validate `data` against `shapes` with pySHACL and return its results.

    When `keep_report` is given, the SHACL validation report's triples are added to it.
    """
    from pyshacl import validate  # imported when used: a third of the start-up time of every kb command

    _conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
    )
    if keep_report is not None:
        keep_report += report
    results = []
    for result in report.objects(None, SH.result):  # top-level results; nested ones hang off sh:detail
        shape = report.value(result, SH.sourceShape)
        code = shapes.value(shape, KB.code)
        if code is None:  # constraints declared inside a property or SPARQL constraint node
            constraint = report.value(result, SH.sourceConstraint)
            code = shapes.value(constraint, KB.code) if constraint is not None else None
        results.append(Result(
            focus=report.value(result, SH.focusNode),
            value=report.value(result, SH.value),
            severity=report.value(result, SH.resultSeverity),
            message=str(report.value(result, SH.resultMessage) or ""),
            code=str(code or "shape"),
            outcome=str(shapes.value(shape, KB.outcome) or ""),
        ))
    return results


def add_to_report(report: Graph, results: list[Result]) -> None:
    """Add results found outside pySHACL to a validation report graph, as sh:ValidationResult nodes.

    Starts the report when the graph holds none yet.
    """
    root = next(report.subjects(RDF.type, SH.ValidationReport), None)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        report.add((root, SH.conforms, Literal(True)))
    for result in results:
        node = BNode()
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, result.focus))
        report.add((node, SH.resultSeverity, result.severity))
        report.add((node, SH.resultMessage, Literal(result.message)))
        if result.value is not None:
            report.add((node, SH.value, result.value))
        report.add((root, SH.result, node))
    if results:
        report.set((root, SH.conforms, Literal(False)))
