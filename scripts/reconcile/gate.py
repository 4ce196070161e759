"""`kb check` as a library call: structure, quotes and conflicts, and whether CI should fail."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .checks import check
from .conflicts import Conflict, find_conflicts
from .errors import EXIT_FINDINGS, KbError
from .findings import Finding
from .load import KnowledgeBase
from .parts import run_check_in_parts
from .paths import TOPICS_FILE
from .reviews import reviewed_conflicts
from .store import FILES

# Which review statuses make the gate fail, per --fail-on choice.
FAIL_ON = {
    "new": {"new", "new-claims"},
    "unreviewed": {"new", "new-claims", "stale", "baseline"},
    "any": {"new", "new-claims", "stale", "baseline", "acknowledged", "resolved", "not-a-conflict"},
    "never": set(),
}


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    conflicts: list[Conflict]
    failing: list[Conflict]
    counted: dict[str, int] | None = None  # conflicts by outcome, when they were counted instead of kept

    def outcomes(self) -> Counter[str]:
        """How many conflicts of each outcome were found."""
        return Counter(self.counted) if self.counted is not None else Counter(c.outcome for c in self.conflicts)

    @property
    def exit_code(self) -> int:
        failed = any(f.severity == "error" for f in self.findings) or bool(self.failing)
        return EXIT_FINDINGS if failed else 0


def require_content(kb: KnowledgeBase) -> None:
    """Refuse to pass a knowledge base that is not there: a folder without topics.ttl, or a store holding none."""
    if FILES not in kb.store.capabilities:
        if not kb.topics and not kb.has_claims():
            raise KbError("The store holds no topics and no claims; publish the knowledge base to it with "
                          "`kb publish` first, or check the --endpoint.")
        return
    if not (kb.root / TOPICS_FILE).is_file():
        raise KbError(f"{kb.root / 'topics.ttl'}: file not found; point --kb at the knowledge base folder "
                      "(the one holding topics.ttl).")
    if not kb.topics:
        raise KbError(f"{kb.root / 'topics.ttl'}: defines no topic; the knowledge base is empty.")


def run_check(kb: KnowledgeBase, shapes_dir: Path, fail_on: str = "new", keep_report: Graph | None = None,
              engine: str = "fast", cache_file: Path | None = None, keep_conflicts: bool = True) -> CheckResult:
    """Run every check. Conflicts are only looked for when the structure is sound.

    `keep_report`, when given, receives the structural SHACL validation report. A knowledge
    base in a remote store is checked a part of its topics at a time (see parts.py); without
    `keep_conflicts` only the failing conflicts are kept, and the others counted.
    """
    require_content(kb)
    if FILES not in kb.store.capabilities and engine == "fast" and keep_report is None:
        return run_check_in_parts(kb, shapes_dir, FAIL_ON[fail_on], keep_conflicts)
    if engine != "fast" or cache_file is not None:
        findings = check(kb, shapes_dir, keep_report, engine)
        if has_errors(findings):
            return CheckResult(findings, [], [])
        return gate(kb, findings, find_conflicts(kb, shapes_dir, engine, cache_file), fail_on)
    # The fast engine looks for conflicts while the structure is checked: the structural shapes and the
    # claim views read the data as written, not the rules' inferences, and the store answers both at once.
    # What was found is dropped when the structure is broken, as if conflicts had not been looked for; with
    # a cache they are looked for after, so a broken knowledge base never fills it.
    _ = kb.claims  # both sides read the claim views: build them once, first
    with ThreadPoolExecutor(1) as pool:  # leaving it waits for the conflict search
        conflicts = pool.submit(find_conflicts, kb, shapes_dir, engine)
        findings = check(kb, shapes_dir, keep_report, engine)
    if has_errors(findings):
        return CheckResult(findings, [], [])
    return gate(kb, findings, conflicts.result(), fail_on)


def has_errors(findings: list[Finding]) -> bool:
    """Whether the structure is broken, so that conflicts are not looked for."""
    return any(f.severity == "error" for f in findings)


def gate(kb: KnowledgeBase, findings: list[Finding], conflicts: list[Conflict], fail_on: str) -> CheckResult:
    """The check's result from its findings and the conflicts found: review statuses, and which conflicts fail."""
    reviewed = reviewed_conflicts(kb, conflicts)
    failing = [c for c in reviewed if c.is_disagreement and c.status in FAIL_ON[fail_on]]
    return CheckResult(findings, reviewed, failing)
