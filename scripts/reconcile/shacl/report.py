"""The SHACL validation report graph (the site's shacl-report.ttl) for results found outside pySHACL."""
from __future__ import annotations

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from .. import export
from .results import Result


def report_turtle(report: Graph) -> str:
    """The report graph as sorted, stable Turtle: the site's data/shacl-report.ttl."""
    return export.turtle(export.stable_triples(export.graph_triples(report)))


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
