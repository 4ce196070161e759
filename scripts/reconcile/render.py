"""Render the knowledge base into Markdown pages (and data downloads) that MkDocs builds into the site.

Rendering takes loaded data and already-found conflicts; it never runs SHACL itself.
Output is sorted and free of timestamps, so two renders of the same data are identical.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from rdflib import BNode, Graph

from . import report
from .chart import interval_chart
from .conflicts import SEVERITY_RANK, Conflict
from .findings import Finding
from .load import KnowledgeBase
from .model import PREFIXES, Claim
from .reviews import STATUSES, read_reviews
from .turtle import write_atomic
from .values import describe

GENERATED = ["index.md", "conflicts.md", "matrix.md", "reviews.md", "data.md", "topics", "sources", "data"]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(text: str) -> Markup:
    """Escape text for Markdown context: HTML-escape, then backslash Markdown syntax."""
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", escape(str(text), quote=False)))


@dataclass(frozen=True)
class Site:
    """Everything the templates need, computed once."""

    kb: KnowledgeBase
    conflicts: list[Conflict]
    findings: list[Finding]

    @property
    def disagreements(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.is_disagreement]

    def conflicts_on(self, topic: str) -> list[Conflict]:
        return [c for c in self.conflicts if c.topic == topic]

    def claims_on(self, topic: str) -> list[Claim]:
        return sorted((c for c in self.kb.claims if c.topic == topic), key=lambda c: (c.context, c.source, c.id))

    def claims_of(self, source: str) -> list[Claim]:
        return sorted((c for c in self.kb.claims if c.source == source), key=lambda c: (c.start, c.id))

    def outcome_of(self, topic: str) -> dict[str, str]:
        """Per claim on `topic`, the worst relation it has: contradiction, partial-overlap or agreement."""
        order = {"contradiction": 0, "partial-overlap": 1, "agreement": 2}
        worst: dict[str, str] = {}
        for conflict in self.conflicts_on(topic):
            for claim in conflict.claims:
                if claim.id not in worst or order[conflict.outcome] < order[worst[claim.id]]:
                    worst[claim.id] = conflict.outcome
        return worst

    def contradicted_topics(self) -> list[tuple]:
        """(topic, number of contradictions, worst severity), most severe first."""
        found: dict[str, list[Conflict]] = defaultdict(list)
        for conflict in self.disagreements:
            if conflict.outcome == "contradiction":
                found[conflict.topic].append(conflict)
        rows = [(self.kb.topics[t], len(cs), min((c.severity for c in cs), key=SEVERITY_RANK.get)) for t, cs in found.items()]
        return sorted(rows, key=lambda row: (SEVERITY_RANK[row[2]], -row[1], row[0].label))

    def topic_state(self, topic: str) -> str:
        outcomes = {c.outcome for c in self.conflicts_on(topic)}
        for state in ("contradiction", "partial-overlap", "agreement"):
            if state in outcomes:
                return state
        return "single" if len({c.source for c in self.claims_on(topic)}) <= 1 else "none"

    def matrix_cell(self, topic: str, source: str) -> tuple[str, str]:
        """The text and state of one matrix cell: the source's values on the topic."""
        claims = [c for c in self.claims_on(topic) if c.source == source]
        if not claims:
            return "", "empty"
        worst = self.outcome_of(topic)
        states = {worst.get(c.id, "none") for c in claims}
        state = next((s for s in ("contradiction", "partial-overlap", "agreement") if s in states), "none")
        return "; ".join(dict.fromkeys(c.stated for c in claims)), state


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reconcile", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = md
    env.filters["normalized"] = lambda c: describe(c.min, c.max, c.unit) or _non_numeric(c)
    env.filters["location"] = lambda c: f"{c.location.path.name}:{c.location.line}" if c.location else ""
    return env


def _non_numeric(claim: Claim) -> str:
    if claim.yes is not None:
        return "yes" if claim.yes else "no"
    if claim.category is not None:
        return claim.category
    if claim.empty_set:
        return "none"
    if claim.members:
        return ", ".join(claim.members)
    return "—"


def highlighted_text(text: str, claims: list[Claim]) -> Markup:
    """The source text, HTML-escaped, with each quoted passage marked and linked to its topic page."""
    cuts = sorted({0, len(text)} | {c.start for c in claims} | {c.end for c in claims if c.end <= len(text)})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        pieces += [f'<span id="{escape(c.id)}"></span>' for c in claims if c.start == start]
        covering = [c for c in claims if c.start <= start and end <= c.end]
        segment = escape(text[start:end])
        if not covering:
            pieces.append(segment)
            continue
        first = covering[0]
        label = "; ".join(f"{c.id} ({c.topic})" for c in covering)
        pieces.append(f'<mark><a href="../topics/{escape(first.topic)}.html#{escape(first.id)}" title="{escape(label)}">{segment}</a></mark>')
    return Markup("".join(pieces))


def render(kb: KnowledgeBase, conflicts: list[Conflict], findings: list[Finding], report_graph: Graph,
           out: Path) -> list[Path]:
    """Write every generated page and download under `out` (the docs folder); returns the files written."""
    site = Site(kb, conflicts, findings)
    env = environment()
    pages: dict[str, str] = {}
    common = {"site": site, "kb": kb, "severity_rank": SEVERITY_RANK}
    pages["index.md"] = env.get_template("overview.md.j2").render(**common, counts=_counts(site), statuses=STATUSES)
    pages["conflicts.md"] = env.get_template("conflicts.md.j2").render(**common)
    pages["matrix.md"] = env.get_template("matrix.md.j2").render(**common)
    pages["reviews.md"] = env.get_template("reviews.md.j2").render(
        **common, reviews=read_reviews(kb), status_of={c.id: c.status for c in conflicts})
    pages["data.md"] = env.get_template("data.md.j2").render(**common)
    pages["topics/index.md"] = env.get_template("topics.md.j2").render(**common, groups=_groups(kb))
    for topic in kb.topics.values():
        claims = site.claims_on(topic.id)
        chart = interval_chart(claims, site.outcome_of(topic.id), f"{topic.label}: normalized values per claim")
        pages[f"topics/{topic.id}.md"] = env.get_template("topic.md.j2").render(
            **common, topic=topic, claims=claims, chart=Markup(chart))
    pages["sources/index.md"] = env.get_template("sources.md.j2").render(**common)
    for source in kb.sources.values():
        claims = site.claims_of(source.id)
        pages[f"sources/{source.id}.md"] = env.get_template("source.md.j2").render(
            **common, source=source, claims=claims, text=highlighted_text(kb.source_text(source.id), claims))
    downloads = _downloads(kb, conflicts, report_graph)
    _clear(out)
    written = []
    for name, text in sorted({**pages, **downloads}.items()):
        path = out / name
        write_atomic(path, text)
        written.append(path)
    return written


def _clear(out: Path) -> None:
    """Remove earlier generated output so deleted topics and sources do not linger."""
    for name in GENERATED:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _counts(site: Site) -> dict:
    disagreements = site.disagreements
    return {
        "sources": len(site.kb.sources), "claims": len(site.kb.claims), "topics": len(site.kb.topics),
        "topics_with_claims": len({c.topic for c in site.kb.claims}),
        "contradictions": sum(c.outcome == "contradiction" for c in disagreements),
        "partial": sum(c.outcome == "partial-overlap" for c in disagreements),
        "agreements": sum(not c.is_disagreement for c in site.conflicts),
        "by_severity": Counter(c.severity for c in disagreements),
        "by_severity_status": Counter((c.severity, c.status) for c in disagreements),
    }


def _groups(kb: KnowledgeBase) -> list[tuple[str, list]]:
    labels = {g: kb.labels.get(g, g)
              for g in {t.group for t in kb.topics.values() if t.group}}
    grouped = defaultdict(list)
    for topic in kb.topics.values():
        grouped[topic.group or ""].append(topic)
    return [(labels.get(g, "Other"), grouped[g]) for g in sorted(grouped, key=lambda g: labels.get(g, "~"))]


def _downloads(kb: KnowledgeBase, conflicts: list[Conflict], report_graph: Graph) -> dict[str, str]:
    graph = _canonical(kb.graph)
    jsonld = json.loads(graph.serialize(format="json-ld", context={p: str(n) for p, n in PREFIXES.items()}))
    jsonld = _sorted_json(jsonld)
    return {
        "data/kb.ttl": graph.serialize(format="turtle"),
        "data/kb.jsonld": json.dumps(jsonld, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        "data/claims.csv": report.claims_csv(kb.claims),
        "data/claims.json": report.claims_json(kb.claims),
        "data/conflicts.json": report.conflicts_json(conflicts),
        "data/conflicts.csv": report.conflicts_csv(conflicts),
        "data/shacl-report.ttl": _canonical(report_graph).serialize(format="turtle"),
    }


def _sorted_json(value):
    """JSON-LD with every array sorted: multi-valued properties are sets, so order carries no meaning."""
    if isinstance(value, dict):
        return {key: _sorted_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_sorted_json(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _canonical(source: Graph) -> Graph:
    """A copy with deterministic blank-node labels and the usual prefixes, so downloads are stable.

    Each blank node is named by a hash of the node that points to it and of its own
    content; that suits the tree-shaped blank nodes claims and reports use, and takes
    linear time where general graph canonicalization does not.
    """
    content: dict[BNode, str] = {}

    def digest(node: BNode, seen: frozenset = frozenset()) -> str:
        if node not in content:
            parts = sorted(f"{p} {digest(o, seen | {node}) if isinstance(o, BNode) and o not in seen else o.n3()}"
                           for p, o in source.predicate_objects(node))
            content[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return content[node]

    names: dict[BNode, BNode] = {}

    def name(node: BNode, parent: str) -> None:
        if node in names:
            return
        names[node] = BNode(hashlib.sha256(f"{parent} {digest(node)}".encode()).hexdigest()[:20])
        for p, child in sorted(source.predicate_objects(node)):
            if isinstance(child, BNode):
                name(child, f"{names[node]} {p}")

    for subject in sorted(set(source.subjects())):
        if not isinstance(subject, BNode):
            for p, child in sorted(source.predicate_objects(subject)):
                if isinstance(child, BNode):
                    name(child, f"{subject} {p}")
        elif next(source.subjects(None, subject), None) is None:
            name(subject, "")
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for s, p, o in source:
        graph.add((names.get(s, s), p, names.get(o, o)))
    return graph

