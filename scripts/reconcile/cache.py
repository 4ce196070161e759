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
import hmac
import json
import os
import secrets
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from .implied import compared_claims
from .load import KnowledgeBase
from .model import CLAIM, Claim, fingerprint, position_iri
from .shacl import Result
from .shacl.engine import compile_shapes, run_compiled
from .store import Terms
from .turtle import write_atomic

CACHE_VERSION = 5
PACKAGE = Path(__file__).resolve().parent


@cache
def code_version() -> str:
    """A hash of this package's code: results cached by other code are never reused."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _secret() -> bytes | None:
    """This user's key for signing caches, kept outside the repository (None: it cannot be kept, so no cache).

    A cache file committed to a repository, or edited by hand, does not carry a valid
    signature, so it cannot hide conflicts: it is ignored and everything is checked.
    """
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reconcile-kb"
    path = folder / "cache-key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        try:  # another kb command made it at the same moment
            return path.read_bytes()
        except OSError:
            return None


def _signature(secret: bytes, entries: dict) -> str:
    return hmac.new(secret, json.dumps(entries, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def _read_cache(cache_file: Path, secret: bytes | None) -> dict:
    """The cached entries when the file holds them with this user's valid signature, else nothing."""
    if secret is None:
        return {}
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        entries, signature = cached["topics"], cached["signature"]
        if not isinstance(entries, dict) or not hmac.compare_digest(str(signature), _signature(secret, entries)):
            return {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return entries


def topic_keys(kb: KnowledgeBase, shapes_text: str, claims: list[Claim]) -> dict[str, str]:
    """Each topic's cache key; `claims` are the knowledge base's claims and the answers they imply."""
    common = hashlib.sha256(json.dumps([CACHE_VERSION, code_version(), shapes_text,
                                        sorted(kb.contexts.items())]).encode()).hexdigest()
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
    every = compared_claims(kb)
    keys = topic_keys(kb, shapes_path.read_text(encoding="utf-8"), every)
    secret = _secret()
    cached = _read_cache(cache_file, secret)
    reuse = {t for t, key in keys.items() if isinstance(cached.get(t), dict) and cached[t].get("key") == key}
    stale = set(keys) - reuse
    claims = [claim for claim in every if claim.topic in stale]
    topic_of: dict[Node, str] = {position_iri(claim): claim.topic for claim in claims}
    fresh = run_for_topics(kb, shapes, claims) if claims else []
    results: dict[str, list[list]] = {t: [] for t in stale}
    for result in fresh:
        results[topic_of[result.focus]].append(_encode(result))
    entries: dict[str, dict] = {t: {"key": keys[t], "results": found} for t, found in results.items()}
    for topic in reuse:
        entries[topic] = cached[topic]
    if secret is not None:
        try:
            write_atomic(cache_file, json.dumps({"signature": _signature(secret, entries), "topics": entries}, sort_keys=True))
        except Exception:  # noqa: BLE001 - a cache that cannot be written only costs speed next time
            pass
    terms = Terms()
    return [_decode(row, terms) for topic in sorted(entries) for row in entries[topic]["results"]]


def run_for_topics(kb: KnowledgeBase, shapes: Graph, claims: list[Claim]) -> list[Result]:
    """Run the conflict shapes with only `claims`, the compared claims of some topics (see
    `compared_claims`), the claims their implied answers come from, and their positions as focus nodes.

    The rules gather a topic's claims into positions of that topic and relate those
    positions to each other, and every conflict shape relates positions of one topic, so
    these are exactly the results a full run gives for those topics.
    """
    positions = list(dict.fromkeys(position_iri(claim) for claim in claims))
    implying = [kb.claim(claim.implied_by) for claim in claims if claim.implied_by]  # the rules derive them from these
    focus = [*claims, *(claim for claim in implying if claim is not None)]
    return run_compiled(kb.store, compile_shapes(shapes), positions, [*(URIRef(CLAIM[c.id]) for c in focus), *positions])


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
