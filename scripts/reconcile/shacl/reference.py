"""Run SHACL shapes with pySHACL, the reference engine, and read its report graph into plain rows.

Everything downstream reads these rows, never pySHACL's text output, so another
engine that produces the same rows can replace pySHACL without touching callers.
"""
from __future__ import annotations

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from ..model import KB
from .results import Result


def run_shapes(data: Graph, shapes: Graph, keep_report: Graph | None = None,
               focus: list[URIRef] | None = None) -> list[Result]:
    """Validate `data` against `shapes` with pySHACL and return its results.

    With `focus`, only those focus nodes are validated. When `keep_report` is given,
    the SHACL validation report's triples are added to it.
    """
    _conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
        focus_nodes=list(focus) if focus is not None else None,
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
