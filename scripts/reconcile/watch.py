"""`kb watch`: keep the knowledge base loaded and, after each change of its files, re-check only what it can affect.

`LiveCheck` loads every file once and keeps each file's triples (as N-Triples, so blank
nodes keep their names). `apply(paths)` re-parses only the changed files, swaps their
triples in the store and returns the new result of `kb check` with the lines that are
new, gone or changed. Why re-checking only some subjects and topics gives exactly what a
fresh `kb check` gives:

- A file's triples depend only on its text and path (its base IRI). Removing a file's old
  triples and adding its new ones leaves the store as loading every file would; a triple
  that two files state is counted and stays while either states it.
- The structural shapes on a claim read the claim's own block (its target, selectors, value,
  provenance) and the topic, source and category value it names, never another claim; the
  shapes on sources and topics read no claim. The quote checks read the claim, its source's
  text and its topic. So when only files in `kb/claims/` change, only the claims described in
  them, before or after the change, can gain or lose findings; those are re-checked as focus
  nodes and every other claim keeps its findings, line numbers included.
- The conflict rules and shapes relate positions of one topic, built from the claims on that
  topic and the answers claims on narrower topics imply on it (see cache.py). A changed claim
  on topic N touches N and N's broader topics; those topics are re-checked with only their
  claims as focus nodes, and every other topic keeps its conflicts.
- That argument needs everything else to stay as it was. It does not when a shape changes,
  when a Turtle file outside `kb/claims/` changes (a topic's definition, a source, the
  vocabulary, contexts, reviews: what claims are checked against), or when a claims file
  describes a subject outside the claims or one another file describes too (its line would
  move). Then everything is re-checked, from the store already loaded.
- A changed source text (`kb/sources/`) changes only the source and quote checks, which are
  re-run whole. Conflicts are only looked for on sound structure, as `kb check` does: topics
  touched while there are structural errors are re-checked once the errors are gone.
"""
from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .cache import run_for_topics
from .carried import check_quote_values
from .checks import check_sources, check_structure
from .conflicts import Conflict, conflicts_from_results
from .errors import KbError
from .findings import Finding
from .gate import CheckResult, gate, has_errors
from .implied import compared_claims
from .load import KnowledgeBase, read_turtle, record_subjects, require_folder, turtle_as_ntriples, turtle_files
from .model import CLAIM, Claim, Location, local_name
from .paths import CLAIMS_DIR, CONFLICT_SHAPES, KB_FILES, SOURCES_DIR
from .render import render
from .report import check_summary, conflict_lines
from .shacl import load_shapes, run
from .store import LocalStore

# Views of the knowledge base that read no claim's triples: a change to claims files leaves them as they were.
_NOT_FROM_CLAIMS = ("topics", "_source_rows", "source_keys", "sources", "category_values", "contexts")


@dataclass
class _File:
    """What one Turtle file put in the store: its triples as compressed N-Triples (the watch keeps every
    file's, a tenth of their size), and where its subjects start."""

    ntriples: bytes
    locations: dict[URIRef, Location]

    def quads(self) -> set[ox.Quad]:
        """Its triples, in the default graph, with the blank node names they were added under."""
        return set(ox.parse(zlib.decompress(self.ntriples), format=ox.RdfFormat.N_TRIPLES))


@dataclass
class _ByClaim:
    """One check's findings: those about a claim, by claim id, and the rest (sources, topics)."""

    claims: dict[str, list[Finding]] = field(default_factory=dict)
    rest: list[Finding] = field(default_factory=list)

    def replace(self, findings: list[Finding], claim_ids: set[str] | None = None, known: set[str] | None = None) -> None:
        """Put `findings` in place of those of `claim_ids` (None: of everything); `known` are all claim ids."""
        if claim_ids is None:
            self.claims, self.rest = {}, []
        else:
            for claim_id in claim_ids:
                self.claims.pop(claim_id, None)
        for finding in findings:
            if finding.focus in (claim_ids if claim_ids is not None else known or set()):
                self.claims.setdefault(finding.focus, []).append(finding)
            elif claim_ids is None:
                self.rest.append(finding)

    def all(self) -> list[Finding]:
        return [f for found in self.claims.values() for f in found] + self.rest


@dataclass(frozen=True)
class Update:
    """The result after a change, and the lines of `kb check` that are new, gone or changed."""

    result: CheckResult
    lines: list[str]


class LiveCheck:
    """A knowledge base kept loaded with its check result, brought up to date file by file."""

    def __init__(self, root: Path, shapes_dir: Path, fail_on: str = "new"):
        require_folder(root)
        self.root, self.shapes_dir, self.fail_on = root, shapes_dir, fail_on
        self.store = LocalStore()
        self.files: dict[Path, _File] = {}
        self.copies: dict[ox.Quad, int] = {}  # triples more than one file states: how many do
        for path in turtle_files(root):
            self._swap(path, self._parse(path))
        self.structure, self.quotes, self.values = _ByClaim(), _ByClaim(), _ByClaim()
        self.conflicts: dict[str, list[Conflict]] = {}
        self.unchecked_topics: set[str] = set()
        self.kb = self._view()
        self._check_everything()
        self.result = self._result()
        self.lines = keyed_lines(self.result)

    # --- files -------------------------------------------------------------------------------------

    def _parse(self, path: Path) -> _File:
        text = read_turtle(path)
        locations: dict[URIRef, Location] = {}
        record_subjects(path, text, locations)
        return _File(zlib.compress(turtle_as_ntriples(path, text), 1), locations)

    def _swap(self, path: Path, new: _File | None) -> None:
        """Replace what `path` put in the store by `new` (None: the file is gone).

        The triples are added as parsed here, not by the store's loader, which would rename the
        blank nodes a later swap must find again. A triple stays while another file states it.
        """
        old = self.files.pop(path, None)
        before = old.quads() if old else set()
        after = new.quads() if new else set()
        for quad in before - after:
            count = self.copies.get(quad)
            if count is None:
                self.store.store.remove(quad)
            elif count > 2:
                self.copies[quad] = count - 1
            else:
                del self.copies[quad]
        added = after - before
        for quad in added:
            if quad in self.store.store:
                self.copies[quad] = self.copies.get(quad, 1) + 1
        self.store.store.extend(added)
        if new is not None:
            self.files[path] = new

    def _view(self, claims: list[Claim] | None = None) -> KnowledgeBase:
        """The knowledge base over the store; `claims`, when given, is its claim view, already read."""
        locations: dict[URIRef, Location] = {}
        for path in sorted(self.files):  # as `load` reads them: the first file describing a subject places it
            for subject, location in self.files[path].locations.items():
                locations.setdefault(subject, location)
        kb = KnowledgeBase(root=self.root, store=self.store, locations=locations)
        if claims is not None:
            kb.__dict__["claims"] = claims  # what the cached `claims` property would read, kept from before
        return kb

    # --- changes -----------------------------------------------------------------------------------

    def apply(self, paths: Iterable[Path]) -> Update:
        """Bring the result up to date after `paths` changed (edited, added or removed)."""
        paths = {self._as_given(Path(p)) for p in paths}
        shapes = {p for p in paths if p.suffix == ".ttl" and _inside(p, self.shapes_dir)}
        data = {p for p in paths if p.suffix == ".ttl" and (p.parent == self.root / CLAIMS_DIR
                                                             or (p.parent == self.root and p.name in KB_FILES))}
        texts = {p for p in paths if _inside(p, self.root / SOURCES_DIR)}
        old_subjects = {s for p in data if p in self.files for s in self.files[p].locations}
        parsed = {p: self._parse(p) for p in data if p.exists()}  # parse all before changing anything
        for path in sorted(data):
            self._swap(path, parsed.get(path))
        subjects = old_subjects | {s for found in parsed.values() for s in found.locations}
        if shapes or not self._claims_only(data, subjects):
            self.kb = self._view()
            self._check_everything()
        elif data:
            self._check_claims(subjects)
        if texts and not shapes:
            self._check_sources()
        self.result = self._result()
        before, self.lines = self.lines, keyed_lines(self.result)
        return Update(self.result, differences(before, self.lines))

    def _as_given(self, path: Path) -> Path:
        """A changed path spelled from the knowledge base folder as given, as `kb check` names files."""
        try:
            return self.root / path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return path

    def _claims_only(self, data: set[Path], subjects: set[URIRef]) -> bool:
        """Whether only claims files changed, describing claims that no other file describes."""
        if any(path.parent != self.root / CLAIMS_DIR for path in data):
            return False
        if not all(str(s).startswith(str(CLAIM)) for s in subjects):
            return False
        others = (f for path, f in self.files.items() if path not in data)
        return not any(s in f.locations for f in others for s in subjects)

    # --- checks ------------------------------------------------------------------------------------

    def _check_everything(self) -> None:
        kb = self.kb
        self.store.clear_inferred()  # a fresh check runs the structural shapes before any rule
        ids = {claim.id for claim in kb.claims}
        self.structure.replace(check_structure(kb, self.shapes_dir), known=ids)
        self.quotes.replace(check_sources(kb), known=ids)
        self.values.replace(check_quote_values(kb), known=ids)
        self.conflicts, self.unchecked_topics = {}, set(kb.topics)
        self._check_topics(set(kb.topics), everything=True)

    def _check_sources(self) -> None:
        self.quotes.replace(check_sources(self.kb), known={claim.id for claim in self.kb.claims})

    def _check_claims(self, subjects: set[URIRef]) -> None:
        iris = sorted(subjects)
        ids = {local_name(iri) for iri in iris}
        kept = [claim for claim in self.kb.claims if claim.id not in ids]
        before = [claim for claim in self.kb.claims if claim.id in ids]
        kb = self._view()
        kb.__dict__.update({name: self.kb.__dict__[name] for name in _NOT_FROM_CLAIMS if name in self.kb.__dict__})
        fresh = kb.read_claims(iris)
        kb.__dict__["claims"] = sorted(kept + fresh, key=lambda c: c.id)
        self.kb = kb
        self.store.clear_inferred()
        present = [URIRef(CLAIM[claim.id]) for claim in fresh]
        self.structure.replace(check_structure(kb, self.shapes_dir, focus=present) if present else [], ids)
        self.quotes.replace(check_sources(_with_claims(kb, fresh)), ids)
        self.values.replace(check_quote_values(_with_claims(kb, fresh)), ids)
        touched = {claim.topic for claim in before + fresh}
        touched |= {broader for topic in set(touched) if topic in kb.topics for broader in kb.topics[topic].broader}
        self._check_topics(touched)

    def _check_topics(self, topics: set[str], everything: bool = False) -> None:
        """Re-find the conflicts of `topics`, or remember them for later while the structure is broken."""
        for topic in topics:
            self.conflicts.pop(topic, None)
        self.unchecked_topics |= topics
        if has_errors(self._findings()):
            return
        kb = self.kb
        pending = self.unchecked_topics & set(kb.topics)
        every = [c for c in compared_claims(kb) if c.topic in pending]
        shapes = load_shapes(self.shapes_dir / CONFLICT_SHAPES)
        self.store.clear_inferred()
        if everything:
            results = run(kb, shapes, "fast")
        else:
            results = run_for_topics(kb, shapes, every) if every else []
        for conflict in conflicts_from_results(results, every):
            self.conflicts.setdefault(conflict.topic, []).append(conflict)
        self.unchecked_topics = set()

    def _findings(self) -> list[Finding]:
        structure = sorted(set(self.structure.all()), key=Finding.sort_key)
        return sorted(structure + self.quotes.all() + self.values.all(), key=Finding.sort_key)

    def _result(self) -> CheckResult:
        findings = self._findings()
        if has_errors(findings):
            return CheckResult(findings, [], [])
        found = sorted((c for topic in self.conflicts.values() for c in topic), key=Conflict.sort_key)
        return gate(self.kb, findings, found, self.fail_on)


def _with_claims(kb: KnowledgeBase, claims: list[Claim]) -> KnowledgeBase:
    """The same knowledge base seen with only `claims` and their sources, for the per-claim checks."""
    view = KnowledgeBase(root=kb.root, store=kb.store, locations=kb.locations)
    view.__dict__.update({name: kb.__dict__[name] for name in ("topics", "labels") if name in kb.__dict__})
    keys = {claim.source for claim in claims}
    view.__dict__["sources"] = {key: source for key, source in kb.sources.items() if key in keys}
    view.__dict__["claims"] = claims
    return view


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def keyed_lines(result: CheckResult) -> dict[tuple, list[str]]:
    """The lines `kb check` prints for a result, by finding (code and focus) and by failing conflict."""
    keyed: dict[tuple, list[str]] = {}
    for finding in result.findings:
        keyed.setdefault(("finding", finding.code, finding.focus), []).append(finding.line())
    for conflict in result.failing:
        keyed.setdefault(("conflict", conflict.id), []).extend(conflict_lines(conflict))
    return keyed


def differences(old: dict[tuple, list[str]], new: dict[tuple, list[str]]) -> list[str]:
    """The lines that are new, gone or changed between two results' `keyed_lines`."""
    out = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            out += [f"new: {line}" for line in new[key]]
        elif key not in new:
            out += [f"gone: {line}" for line in old[key]]
        elif sorted(old[key]) != sorted(new[key]):
            out += [f"changed: {line}" for line in new[key]]
    return out


def watch(root: Path, shapes_dir: Path, fail_on: str, echo: Callable[[str], None],
          stop: threading.Event | None = None, site: Path | None = None) -> None:
    """Check once, then re-check after every change of `root` or `shapes_dir` until interrupted (Ctrl-C) or `stop`.

    With `site` (a docs folder), the site's pages are rendered there at start and after every
    change, while the structure is sound, for `kb serve` to reload.
    """
    from watchfiles import watch as changes

    from .report import check_text

    live = LiveCheck(root, shapes_dir, fail_on)
    echo(check_text(live.result, fail_on).rstrip("\n"))
    if site is not None:
        echo(render_site(live, site))
    echo(f"Watching {root} and {shapes_dir}; press Ctrl-C to stop.")
    for batch in changes(root, shapes_dir, raise_interrupt=False, stop_event=stop):
        paths = {Path(path) for _change, path in batch}
        try:
            update = live.apply(paths)
        except KbError as error:  # a file saved half-way through an edit: say so and wait for the next save
            echo(f"{error} Waiting for the next change.")
            continue
        for line in update.lines:
            echo(line)
        echo(check_summary(update.result, fail_on))
        if site is not None:
            echo(render_site(live, site))


def render_site(live: LiveCheck, out: Path) -> str:
    """Render the pages from the live result, as `kb render` would from the files; what to tell the editor.

    Every page is rendered again (a quote or a label shows on several pages) and the folder
    replaced in one step, so `kb serve` never shows half a site. Only the structural report
    offered as a download is made afresh. While the live result has structural errors the
    pages are left as they were.
    """
    if has_errors(live.result.findings):
        return f"The pages under {out}/ were left as they were: fix the structural errors first."
    report = Graph()
    check_structure(live.kb, live.shapes_dir, keep_report=report)
    written = render(live.kb, live.result.conflicts, live.result.findings, report, out)
    return f"Rendered {len(written)} files under {out}/; `kb serve` reloads the pages."
