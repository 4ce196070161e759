"""Incremental conflict checks: re-run the conflict shapes only for topics whose claims changed.

Every conflict shape relates two positions of the same topic, and a position gathers
claims of that topic only, so a topic's results depend only on its own claims (the answers
claims on narrower topics imply on it included), its definition, the context labels and the
shapes. Each topic gets a key hashed from
exactly those; results of topics whose key is unchanged come from the cache, the rest
are computed with only their claims (and the claims implying answers on them) and positions
as focus nodes.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from .implied import implied_claims
from .load import KnowledgeBase
from .model import CLAIM, Claim, fingerprint, position_iri
from .shacl import Result
from .shacl.engine import compile_shapes, run_compiled
from .store import Terms
from .turtle import write_atomic

CACHE_VERSION = 4


def topic_keys(kb: KnowledgeBase, shapes_text: str, claims: list[Claim]) -> dict[str, str]:
    """Each topic's cache key; `claims` are the knowledge base's claims and the answers they imply."""
    common = hashlib.sha256(json.dumps([CACHE_VERSION, shapes_text, sorted(kb.contexts.items())]).encode()).hexdigest()
    by_topic: dict[str, list[Claim]] = {}
    for claim in claims:
        by_topic.setdefault(claim.topic, []).append(claim)
    keys = {}
    for topic_id, topic in kb.topics.items():
        parts = [common, repr(topic), sorted(fingerprint(c) for c in by_topic.get(topic_id, []))]
        keys[topic_id] = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return keys


def cached_conflict_results(kb: KnowledgeBase, shapes_path: Path, shapes: Graph, cache_file: Path) -> list[Result]:
    """The conflict shapes' results, recomputing only topics whose key changed since the cache was written."""
    every = [*kb.claims, *implied_claims(kb)]
    keys = topic_keys(kb, shapes_path.read_text(encoding="utf-8"), every)
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    reuse = {t for t, key in keys.items() if cached.get(t, {}).get("key") == key}
    stale = set(keys) - reuse
    claims = [claim for claim in every if claim.topic in stale]
    topic_of: dict[Node, str] = {position_iri(claim): claim.topic for claim in claims}
    positions = [position_iri(claim) for claim in claims]
    sources = [kb.claim(claim.implied_by) for claim in claims if claim.implied_by]  # the rules derive them from these
    claims += [claim for claim in sources if claim is not None]
    fresh = run_for_topics(kb, shapes, claims, list(dict.fromkeys(positions))) if claims else []
    results: dict[str, list[list]] = {t: [] for t in stale}
    for result in fresh:
        results[topic_of[result.focus]].append(_encode(result))
    entries: dict[str, dict] = {t: {"key": keys[t], "results": found} for t, found in results.items()}
    for topic in reuse:
        entries[topic] = cached[topic]
    try:
        write_atomic(cache_file, json.dumps(entries, sort_keys=True))
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs speed next time
        pass
    terms = Terms()
    return [_decode(row, terms) for topic in sorted(entries) for row in entries[topic]["results"]]


def run_for_topics(kb: KnowledgeBase, shapes: Graph, claims: list[Claim], positions: list[URIRef]) -> list[Result]:
    """Run the conflict shapes with only the claims of some topics and their positions as focus nodes.

    The rules gather a topic's claims into positions of that topic and relate those
    positions to each other, and every conflict shape relates positions of one topic, so
    these are exactly the results a full run gives for those topics.
    """
    return run_compiled(kb.store, compile_shapes(shapes), positions, [*(URIRef(CLAIM[c.id]) for c in claims), *positions])


def _encode(result: Result) -> list:
    """A result as JSON; blank nodes of the shapes graph (property shapes) are not kept across runs."""
    return [str(result.focus), str(result.value) if result.value is not None else None, str(result.severity), result.message, result.code, result.outcome,
            _text(result.shape), _text(result.component), _text(result.path), _text(result.constraint)]


def _text(term) -> str | None:
    return str(term) if isinstance(term, URIRef) else None


def _decode(row: list, terms: Terms) -> Result:
    focus, value, severity, message, code, outcome, shape, component, path, constraint = row

    def iri(text: str | None) -> URIRef | None:
        return None if text is None else terms.iri(text)

    return Result(iri(focus), iri(value), iri(severity), message, code, outcome,  # type: ignore[arg-type]
                  iri(shape), iri(component), iri(path), iri(constraint))
