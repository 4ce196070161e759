"""SHACL shapes and the engines that run them, behind one entry point: `run`.

Modules: `results` (the rows every engine returns, and shapes files), `reference` (pySHACL),
`engine` (the fast engine: every shape as SPARQL on the store), `core` (SHACL Core
constraints translated to SPARQL for it) and `report` (the validation report graph).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from ..errors import KbError
from ..store import REMEMBERS
from .engine import compile_shapes, run_compiled
from .reference import run_shapes
from .report import add_to_report
from .results import Result, load_shapes

if TYPE_CHECKING:
    from ..load import KnowledgeBase

ENGINES = ("fast", "pyshacl")  # fast: every shape as SPARQL on the store (engine.py); pyshacl: the reference

__all__ = ["ENGINES", "Result", "add_to_report", "load_shapes", "run", "run_shapes"]


def run(kb: KnowledgeBase, shapes: Graph, engine: str, focus: list[URIRef] | None = None,
        keep_report: Graph | None = None, data_only: bool = False) -> list[Result]:
    """The results of `shapes` on the knowledge base, from the engine named (one of ENGINES).

    With `focus`, only those focus nodes are validated; `keep_report`, when given,
    receives the SHACL validation report, the same from either engine. With `data_only`
    the shapes see the knowledge base as written, not what rules have inferred (pySHACL
    always does: it validates `kb.graph`).
    """
    if engine == "pyshacl":
        return run_shapes(kb.graph, shapes, keep_report, focus)
    if engine == "fast":
        store = kb.store.data_only() if data_only else kb.store
        remember = focus is None and REMEMBERS in store.capabilities
        results = run_compiled(store, compile_shapes(shapes, remember), focus)
        if keep_report is not None:
            add_to_report(keep_report, results, shapes)
        return results
    raise KbError(f"--engine: unknown engine '{engine}'; choose one of {', '.join(ENGINES)}.")
