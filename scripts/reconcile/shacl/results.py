"""What every engine returns: SHACL validation results as plain rows; and the shapes files they run."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..errors import KbError


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
