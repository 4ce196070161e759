"""From a knowledge base to the site's Markdown: check, then render.

The one way there, taken by `kb render`, the tests' site builds and the benchmark, so that
none of them renders a knowledge base the check has not passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .errors import FindingsError
from .gate import CheckResult, has_errors, run_check
from .load import KnowledgeBase
from .render import render
from .report import check_text


@dataclass(frozen=True)
class BuiltDocs:
    check: CheckResult
    report: Graph  # the structural SHACL validation report, offered as a download on the data page
    written: list[Path]


def build_docs(kb: KnowledgeBase, shapes_dir: Path, out: Path, engine: str = "fast",
               refuse_errors: bool = True) -> BuiltDocs:
    """Check `kb` and write its pages and downloads into `out`.

    Conflicts do not stop it (they are what the site shows); structural errors do, with the
    check's report in the message, and `out` is left as it was. `refuse_errors=False` renders
    anyway, for proving that even data the check refuses cannot inject markup into the site.
    """
    report = Graph()
    result = run_check(kb, shapes_dir, "never", keep_report=report, engine=engine)
    if refuse_errors and has_errors(result.findings):
        raise FindingsError("The knowledge base has structural errors; fix them before rendering:\n" + check_text(result, "never"))
    written = render(kb, result.conflicts, result.findings, report, out)
    return BuiltDocs(result, report, written)
