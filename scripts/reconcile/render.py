"""Render the knowledge base into Markdown pages (and data downloads) that MkDocs builds into the site.

Rendering takes loaded data and already-found conflicts; it never runs SHACL itself.
Output is sorted and free of timestamps, so two renders of the same data are identical.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from html import escape
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from rdflib import Graph

from . import export
from .chart import interval_chart
from .conflicts import Conflict
from .errors import KbError
from .findings import Finding
from .identity import editor_names
from .load import KnowledgeBase
from .model import Claim
from .paths import overlaps
from .reviews import read_reviews
from .shacl.report import report_turtle
from .store import FILES
from .swap import replacing_folder
from .timeline import rules, timeline_svg
from .values import normalized, position
from .vocab import DISAGREEMENTS, OUTCOMES, RELATION_LABELS, RELATION_MARKS, SEVERITIES, SEVERITY_RANK, STATUS_LABELS, STATUSES

KB_DOWNLOAD = "data/kb.ttl"  # the knowledge base version printed on every page is the start of this file's SHA-256
SEARCH_ENTRIES = "data/search-entries.json"  # one search entry per claim and conflict; kb fix-site adds them to the index
GENERATED = ["index.md", "conflicts.md", "matrix.md", "compare.md", "timeline.md", "reviews.md", "data.md", "topics", "sources", "data"]
OVERVIEW_LIMIT = 30  # open contradictions shown in full on the overview; the conflicts page has every one
CONFLICT_CARDS = 300  # conflicts shown as cards with their quotes on the conflicts page; the rest as table rows
MATRIX_SOURCES = 40  # columns of the matrix: the sources with the most claims; beyond that a table is unreadable
QUOTES_PER_SIDE = 5  # quotes a conflict card shows per side; further claims on that side are listed by source
_SOURCE_MENTION = re.compile(r"\b(sources?) ([a-z0-9][a-z0-9-]*)(?: and ([a-z0-9][a-z0-9-]*))?")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def web_address(url: str | None) -> str | None:
    """`url` when it is an http(s) address the site may link to; anything else (javascript:...) is shown as text."""
    if url and re.fullmatch(r"https?://[^\s\x00-\x1f\x7f]+", url, re.IGNORECASE):
        return url
    return None


def url_part(name: str) -> str:
    """An id as one segment of a relative link: every character but letters, digits and -._~ percent-encoded,
    so a hand-written id such as `javascript:alert(1)` stays a harmless file name, never a scheme."""
    return quote(str(name), safe="-._~")


def md(text: str) -> Markup:
    """Escape text for Markdown context: HTML-escape, then backslash Markdown syntax."""
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", escape(str(text), quote=False)))


@dataclass(frozen=True)
class Site:
    """Everything the templates need, computed once."""

    kb: KnowledgeBase
    conflicts: list[Conflict]
    findings: list[Finding]

    @cached_property
    def disagreements(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.is_disagreement]

    def conflicts_on(self, topic: str) -> list[Conflict]:
        return self._conflicts_by_topic.get(topic, [])

    def claims_on(self, topic: str) -> list[Claim]:
        return self._claims_by_topic.get(topic, [])

    def claims_of(self, source: str) -> list[Claim]:
        return self._claims_by_source.get(source, [])

    def retracted_of(self, source: str) -> list[Claim]:
        """The source's retracted claims, kept for the record and shown apart from the current ones."""
        return [claim for claim in self.kb.claims if claim.source == source and claim.retracted]

    @cached_property
    def carded_conflicts(self) -> set[str]:
        """Ids of the disagreements the conflicts page shows as cards: the CONFLICT_CARDS most serious."""
        return {c.id for c in self.disagreements[:CONFLICT_CARDS]}

    @cached_property
    def matrix_sources(self) -> list:
        """The sources the matrix has columns for: all of them, or the MATRIX_SOURCES with the most claims."""
        sources = list(self.kb.sources.values())
        if len(sources) <= MATRIX_SOURCES:
            return sources
        chosen = sorted(sources, key=lambda s: (-len(self.claims_of(s.id)), s.id))[:MATRIX_SOURCES]
        return sorted(chosen, key=lambda s: s.id)

    def outcome_of(self, topic: str) -> dict[str, str]:
        """Per claim on `topic`, the worst relation it has: contradiction, partial-overlap or agreement."""
        return self._worst_outcomes.get(topic, {})

    # Indexes built once, so that pages cost time in proportion to what they show.

    @cached_property
    def _conflicts_by_topic(self) -> dict[str, list[Conflict]]:
        found: dict[str, list[Conflict]] = defaultdict(list)
        for conflict in self.conflicts:
            found[conflict.topic].append(conflict)
        return found

    @cached_property
    def _claims_by_topic(self) -> dict[str, list[Claim]]:
        found: dict[str, list[Claim]] = defaultdict(list)
        for claim in sorted(self.kb.claims, key=lambda c: (c.context, c.source, c.id)):
            if not claim.retracted:
                found[claim.topic].append(claim)
        return found

    @cached_property
    def _claims_by_source(self) -> dict[str, list[Claim]]:
        found: dict[str, list[Claim]] = defaultdict(list)
        for claim in sorted(self.kb.claims, key=lambda c: (c.start, c.id)):
            if not claim.retracted:
                found[claim.source].append(claim)
        return found

    @cached_property
    def _worst_outcomes(self) -> dict[str, dict[str, str]]:
        order = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
        worst: dict[str, dict[str, str]] = defaultdict(dict)
        for conflict in self.conflicts:
            on_topic = worst[conflict.topic]
            for claim in conflict.claims:
                if claim.id not in on_topic or order[conflict.outcome] < order[on_topic[claim.id]]:
                    on_topic[claim.id] = conflict.outcome
        return worst

    def source_name(self, key: str) -> str:
        """The short name of the source with `key` (the key itself for a source not in the knowledge base)."""
        return self.kb.sources[key].name if key in self.kb.sources else key

    def with_names(self, message: str) -> str:
        """A conflict's explanation with each 'source 004' as 'source Vinings FAQ (004)': names a reviewer knows."""
        def name(match: re.Match) -> str:
            keys = [k for k in match.groups()[1:] if k]
            if not all(k in self.kb.sources for k in keys):
                return match.group(0)
            return f"{match.group(1)} " + " and ".join(f"{self.source_name(k)} ({k})" for k in keys)
        return _SOURCE_MENTION.sub(name, message)

    def sources_in(self, claims) -> list:
        """The sources of `claims`, once each, in key order."""
        return [self.kb.sources[key] for key in sorted({c.source for c in claims}) if key in self.kb.sources]

    def independent_sources(self, claims) -> int:
        """How many of the sources of `claims` are independent: a source copied from another of them counts once."""
        keys = {c.source for c in claims}
        return sum(1 for key in keys if not set(self.kb.sources[key].derived_from if key in self.kb.sources else ()) & keys)

    def scope(self, conflict: Conflict) -> str:
        """'within' when one source is on every side (a source against itself), else 'between'."""
        return "within" if len({c.source for c in conflict.claims}) == 1 else "between"

    def source_keys_of(self, conflict: Conflict) -> str:
        """The keys of the conflict's sources, space-separated, for the filter's data attribute."""
        return " ".join(sorted({c.source for c in conflict.claims}))

    def copies_of(self, source: str) -> list:
        """The sources recorded as paraphrases of `source`."""
        return [s for s in self.kb.sources.values() if source in s.derived_from]

    def rivals_of(self, source: str) -> list[tuple]:
        """(other source, number of disagreements with it), the most first: whom `source` disagrees with most."""
        counts: Counter = Counter()
        for conflict in self.disagreements:
            sides = [{c.source for c in side} for side in conflict.sides]
            for mine, theirs in ((sides[0], sides[-1]), (sides[-1], sides[0])):
                if source in mine:
                    counts.update(theirs - {source})
        return sorted(((self.kb.sources[k], n) for k, n in counts.items() if k in self.kb.sources),
                      key=lambda row: (-row[1], row[0].id))

    @cached_property
    def contested_claims(self) -> set[str]:
        """Ids of the claims in a contradiction or partial overlap (and of the claims implying them)."""
        return {c.implied_by or c.id for conflict in self.disagreements for c in conflict.claims}

    @cached_property
    def topics_with_claims(self) -> set[str]:
        return set(self._claims_by_topic)

    def relation_of(self, claim: Claim) -> str:
        """The worst relation `claim` is in on its topic ('none' when it was not compared)."""
        return self.outcome_of(claim.topic).get(claim.id, "none")

    @cached_property
    def pair_relations(self) -> dict[str, dict[str, str]]:
        """Topic -> 'a b' (two source keys, sorted) -> the worst relation between their claims there."""
        order = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for conflict in self.conflicts:
            sides = [{c.source for c in side} for side in conflict.sides]
            pairs = ({(a, b) for a in sides[0] for b in sides[0] if a < b} if conflict.outcome == "agreement"
                     else {tuple(sorted((a, b))) for a in sides[0] for b in sides[-1] if a != b})
            on_topic = found[conflict.topic]
            for a, b in pairs:
                key = f"{a} {b}"
                if key not in on_topic or order[conflict.outcome] < order[on_topic[key]]:
                    on_topic[key] = conflict.outcome
        return found

    def default_pair(self) -> tuple[str, str]:
        """The two sources the comparison page opens with: the pair with the most disagreements."""
        counts: Counter = Counter()
        for pairs in self.pair_relations.values():
            counts.update(pair for pair, outcome in pairs.items() if outcome in DISAGREEMENTS)
        keys = list(self.kb.sources)
        pair = counts.most_common(1)[0][0] if counts else " ".join((keys + keys)[:2])
        first, second = pair.split(" ")
        return first, second

    def contradicted_topics(self) -> list[tuple]:
        """(topic, number of contradictions, worst severity), most severe first."""
        found: dict[str, list[Conflict]] = defaultdict(list)
        for conflict in self.disagreements:
            if conflict.outcome == "contradiction":
                found[conflict.topic].append(conflict)
        rows = [(self.kb.topics[t], len(cs), min((c.severity for c in cs), key=SEVERITY_RANK.__getitem__)) for t, cs in found.items()]
        return sorted(rows, key=lambda row: (SEVERITY_RANK[row[2]], -row[1], row[0].label))

    def topic_state(self, topic: str) -> str:
        outcomes = {c.outcome for c in self.conflicts_on(topic)}
        for state in OUTCOMES:
            if state in outcomes:
                return state
        return "single" if len({c.source for c in self.claims_on(topic)}) <= 1 else "none"

    def values_by_source(self, topic: str) -> dict[str, str]:
        """Source key -> what its claims on `topic` are coded as, joined; in key order."""
        found: dict[str, list[str]] = defaultdict(list)
        for claim in self.claims_on(topic):
            if claim.stated not in found[claim.source]:
                found[claim.source].append(claim.stated)
        return {key: "; ".join(found[key]) for key in sorted(found)}

    def matrix_cell(self, topic: str, source: str) -> tuple[str, str]:
        """The text and state of one matrix cell: the source's values on the topic."""
        claims = [c for c in self.claims_on(topic) if c.source == source]
        if not claims:
            return "", "empty"
        worst = self.outcome_of(topic)
        states = {worst.get(c.id, "none") for c in claims}
        state = next((s for s in OUTCOMES if s in states), "none")
        return "; ".join(dict.fromkeys(c.stated for c in claims)), state


def lead_in(prefix: str) -> str:
    """The stored text before a quote, from its first whole word, as it is shown before the quote."""
    words = prefix.split(" ", 1)
    return "…" + (words[1] if len(words) == 2 and len(prefix) >= 20 else prefix) if prefix.strip() else ""


def lead_out(suffix: str) -> str:
    """The stored text after a quote, up to its last whole word."""
    words = suffix.rsplit(" ", 1)
    return (words[0] if len(words) == 2 and len(suffix) >= 20 else suffix) + "…" if suffix.strip() else ""


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reconcile", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = md
    env.filters["web_address"] = web_address
    env.filters["url_part"] = url_part
    env.filters["lead_in"] = lead_in
    env.filters["lead_out"] = lead_out
    env.filters["normalized"] = normalized
    env.filters["position"] = position
    env.filters["status_label"] = STATUS_LABELS.get
    env.filters["location"] = lambda c: f"{c.location.path.name}:{c.location.line}" if c.location else ""
    env.globals["quotes_per_side"] = QUOTES_PER_SIDE  # read by the conflict_card macro
    env.globals["relation_labels"] = RELATION_LABELS
    env.globals["relation_marks"] = RELATION_MARKS
    env.globals["severities"] = SEVERITIES
    env.globals["disagreement_outcomes"] = [outcome for outcome in OUTCOMES if outcome in DISAGREEMENTS]
    return env


def highlighted_text(text: str, claims: list[Claim], contested: AbstractSet[str] = frozenset()) -> Markup:
    """The source text, HTML-escaped, with each quoted passage marked and linked to its topic page.

    Passages of claims in `contested` (in a contradiction or partial overlap) are marked apart from the rest.
    """
    cuts = sorted({0, len(text)} | {c.start for c in claims} | {c.end for c in claims if c.end <= len(text)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        pieces += [f'<span id="{escape(c.id)}"></span>' for c in claims if c.start == start]
        covering = [c for c in claims if c.start <= start and end <= c.end]
        segment = escape(text[start:end])
        if not covering:
            pieces.append(segment)
            continue
        first = covering[0]
        label = "; ".join(f"{c.id} ({c.topic})" for c in covering)
        marked = ' class="contested"' if any(c.id in contested for c in covering) else ""
        ids = " ".join(escape(c.id) for c in covering)
        link = f'../topics/{url_part(first.topic)}.html#{url_part(first.id)}'
        pieces.append(f'<mark{marked} data-claims="{ids}"><a href="{link}" title="{escape(label)}">{segment}</a></mark>')
    return Markup("".join(pieces))


def render(kb: KnowledgeBase, conflicts: list[Conflict], findings: list[Finding], report_graph: Graph,
           out: Path) -> list[Path]:
    """Write every generated page and download under `out` (the docs folder); returns the files written.

    Each file goes into a new copy of the folder as soon as it is made, so memory holds one page
    or download at a time (the downloads of 100,000 claims are hundreds of megabytes of text);
    the copy replaces the folder in one step once every file is written (swap.py), so the
    folder holds the old output or the new one, never a mix.
    An output folder that is, holds or lies inside the knowledge base folder is refused.
    """
    if FILES in kb.store.capabilities and overlaps(out, kb.root):
        raise KbError(f"--out {out}: the output folder must be outside the knowledge base folder {kb.root} "
                      "(rendering replaces sources/, topics/ and data/ in it); choose another, such as docs. "
                      "Nothing was changed.")
    with replacing_folder(out, GENERATED) as staging:
        names = [_stage(staging, name, text) for name, text in _documents(kb, conflicts, findings, report_graph)]
    return [out / name for name in sorted(names)]


def _stage(staging: Path, name: str, text: str) -> str:
    path = staging / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise KbError(f"{path}: cannot write ({error.strerror}); nothing was changed.") from None
    return name


def _documents(kb: KnowledgeBase, conflicts: list[Conflict], findings: list[Finding],
               report_graph: Graph) -> Iterator[tuple[str, str]]:
    """(file name under docs/, text) of every page and download, made one at a time."""
    site = Site(kb, conflicts, findings)
    env = environment()
    env.globals["editor_names"] = editor_names(kb)  # reviews name their reviewer
    version = hashlib.sha256()
    for name, text in _downloads(kb, conflicts, report_graph):
        if name == KB_DOWNLOAD:
            version.update(text.encode("utf-8"))
        yield name, text
    common = {"site": site, "kb": kb, "severity_rank": SEVERITY_RANK, "statuses": STATUSES,
              "kb_version": version.hexdigest()[:12]}
    yield "index.md", env.get_template("overview.md.j2").render(
        **common, counts=_counts(site), overview_limit=OVERVIEW_LIMIT)
    yield "conflicts.md", env.get_template("conflicts.md.j2").render(**common)
    yield "matrix.md", env.get_template("matrix.md.j2").render(**common, groups=_groups(kb))
    yield "compare.md", env.get_template("compare.md.j2").render(**common, pair=site.default_pair())
    timeline = rules([claim for claim in kb.claims if not claim.retracted], lambda t: kb.topics[t].group if t in kb.topics else None,
                     lambda t: kb.topics[t].label if t in kb.topics else t, site.source_name, site.relation_of)
    yield "timeline.md", env.get_template("timeline.md.j2").render(
        **common, rules=timeline, svg=Markup(timeline_svg(timeline, "Rules before and after treatment, per source")))
    yield "reviews.md", env.get_template("reviews.md.j2").render(
        **common, reviews=read_reviews(kb), status_of={c.id: c.status for c in conflicts},
        baseline_count=sum(c.status == "baseline" for c in conflicts))
    yield "data.md", env.get_template("data.md.j2").render(**common)
    yield "topics/index.md", env.get_template("topics.md.j2").render(**common, groups=_groups(kb))
    for topic in kb.topics.values():
        claims = site.claims_on(topic.id)
        chart = interval_chart(claims, site.outcome_of(topic.id), f"{topic.label}: values as compared, per claim",
                               site.source_name, f"chart-{topic.id}")
        yield f"topics/{topic.id}.md", env.get_template("topic.md.j2").render(
            **common, topic=topic, claims=claims, chart=Markup(chart))
    yield SEARCH_ENTRIES, search_entries(site)
    yield "sources/index.md", env.get_template("sources.md.j2").render(**common)
    for source in kb.sources.values():
        claims = site.claims_of(source.id)
        yield f"sources/{source.id}.md", env.get_template("source.md.j2").render(
            **common, source=source, claims=claims, retracted=site.retracted_of(source.id),
            text=highlighted_text(kb.source_text(source.id), claims, site.contested_claims))


def search_entries(site: Site) -> str:
    """One search entry per claim (topic, source, coded value; the quote) and per conflict (both sides; the
    explanation), as JSON in the search index's own form: HTML-escaped text, sorted, so a reviewer's query
    lands on the answer itself. The pages' filter widgets and repeated tables stay out of the index."""
    kb = site.kb
    entries = []
    for claim in kb.claims:
        if claim.topic not in kb.topics or claim.retracted:
            continue
        source = kb.sources.get(claim.source)
        kind = f" ({source.kind})" if source else ""
        entries.append({"location": f"topics/{claim.topic}.html#{claim.id}",
                        "title": escape(f"{kb.topics[claim.topic].label}: {site.source_name(claim.source)}{kind} — coded as {claim.stated}"),
                        "text": escape(f"“{claim.quote}”")})
    for conflict in site.disagreements:
        sides = " vs ".join(f"{position(side[0])} ({', '.join(s.name for s in site.sources_in(side))})" for side in conflict.sides)
        page = "conflicts.html" if conflict.id in site.carded_conflicts else f"topics/{conflict.topic}.html"
        entries.append({"location": f"{page}#{conflict.id}",
                        "title": escape(f"{RELATION_LABELS[conflict.outcome].capitalize()}: {kb.topics[conflict.topic].label} — {sides}"),
                        "text": escape(site.with_names(conflict.explanation))})
    return json.dumps(sorted(entries, key=lambda e: e["location"]), ensure_ascii=False, indent=0) + "\n"


def _counts(site: Site) -> dict:
    disagreements = site.disagreements
    return {
        "sources": len(site.kb.sources), "claims": len(site.kb.claims), "topics": len(site.kb.topics),
        "topics_with_claims": len({c.topic for c in site.kb.claims}),
        "contradictions": sum(c.outcome == "contradiction" for c in disagreements),
        "partial": sum(c.outcome == "partial-overlap" for c in disagreements),
        "within": sum(site.scope(c) == "within" for c in disagreements),
        "compatible": sum(c.outcome == "compatible" for c in site.conflicts),
        "agreements": sum(c.outcome == "agreement" for c in site.conflicts),
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


def _downloads(kb: KnowledgeBase, conflicts: list[Conflict], report_graph: Graph) -> Iterator[tuple[str, str]]:
    stable = export.stable_triples(kb.store.triples())
    yield KB_DOWNLOAD, export.turtle(stable)
    yield "data/kb.jsonld", export.json_ld(stable)
    del stable
    yield "data/claims.csv", export.claims_csv(kb.claims)
    yield "data/claims.json", export.claims_json(kb.claims)
    yield "data/conflicts.json", export.conflicts_json(conflicts)
    yield "data/conflicts.csv", export.conflicts_csv(conflicts)
    yield "data/shacl-report.ttl", report_turtle(report_graph)
