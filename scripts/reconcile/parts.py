"""The check of a knowledge base held in a store too big to hold in memory: a part of the topics at a time.

`kb check --endpoint` against a million claims cannot keep every claim and conflict
at once (about 2.5 kB a claim). Here the structural shapes run once over the store,
and so do the conflict rules; then the claims of a few topics at a time are read,
checked (quotes carry their values, ids) and compared (the conflict shapes with those
topics' positions as focus nodes), and only the counts and the failing conflicts are
kept. Every conflict relates positions of one topic, and the rules already ran over
every claim, so the results of a part are exactly a whole run's results for its
topics (as for the conflict cache, see cache.run_for_topics); a broader yes/no topic
is read with the claims of its narrower topics, whose restrictions imply answers on it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .carried import check_quote_values
from .checks import check_identifiers, check_structure
from .conflicts import Conflict, conflicts_from_results
from .findings import Finding
from .implied import compared_claims
from .load import KnowledgeBase
from .model import Claim, position_iri
from .paths import CONFLICT_SHAPES
from .reviews import apply_reviews, read_baseline, read_reviews
from .shacl import load_shapes
from .shacl.engine import Compiled, RuleQuery, compile_shapes, run_compiled

PART_CLAIMS = 1000  # claims read and compared at once; their positions are written into the queries


def topic_parts(kb: KnowledgeBase, size: int = PART_CLAIMS) -> Iterator[list[str]]:
    """The topics, in groups of about `size` claims (a topic with more claims is a group of its own)."""
    counts = kb.claim_counts()
    part: list[str] = []
    claims = 0
    for topic in sorted(kb.topics):
        if part and claims + counts.get(topic, 0) > size:
            yield part
            part, claims = [], 0
        part.append(topic)
        claims += counts.get(topic, 0)
    if part:
        yield part


def compared_in_part(kb: KnowledgeBase, topics: list[str]) -> tuple[list[Claim], list[Claim]]:
    """The claims of `topics`, and the claims the conflict shapes compare on them (implied answers included)."""
    wanted = set(topics)
    narrower = {t for t, topic in kb.topics.items() if wanted & set(topic.broader)}
    read = kb.read_claims(topics=sorted(wanted | narrower))
    own = [claim for claim in read if claim.topic in wanted]
    return own, [claim for claim in compared_claims(kb, read) if claim.topic in wanted]


def run_check_in_parts(kb: KnowledgeBase, shapes_dir: Path, fail_on_statuses: set[str],
                       keep_conflicts: bool = False, size: int = PART_CLAIMS):
    """`run_check`'s result, holding only the counts and failing conflicts unless `keep_conflicts`.

    Conflicts are looked for while the parts' quotes are checked; when the structure turns
    out broken, none is reported, as `run_check` does.
    """
    from .gate import CheckResult, has_errors  # gate calls this module: imported when it runs

    findings: list[Finding] = check_structure(kb, shapes_dir) + check_identifiers(kb, claims=[])
    compiled = compile_shapes(load_shapes(shapes_dir / CONFLICT_SHAPES))
    run_compiled(kb.store, [item for item in compiled if isinstance(item, RuleQuery)])
    constraints: list[Compiled] = [item for item in compiled if not isinstance(item, RuleQuery)]
    reviews, baseline = read_reviews(kb), read_baseline(kb)
    counts: Counter[str] = Counter()
    failing: list[Conflict] = []
    kept: list[Conflict] = []
    for topics in topic_parts(kb, size):
        own, compared = compared_in_part(kb, topics)
        findings += check_quote_values(kb, own) + check_identifiers(kb, claims=own, others=False)
        positions = list(dict.fromkeys(position_iri(claim) for claim in compared))
        if not positions:
            continue
        results = run_compiled(kb.store, constraints, positions, inline_limit=len(positions))
        for conflict in apply_reviews(conflicts_from_results(results, compared), reviews, baseline):
            counts[conflict.outcome] += 1
            if conflict.is_disagreement and conflict.status in fail_on_statuses:
                failing.append(conflict)
            if keep_conflicts:
                kept.append(conflict)
    findings = sorted(findings, key=Finding.sort_key)
    if has_errors(findings):
        return CheckResult(findings, [], [])
    return CheckResult(findings, sorted(kept, key=Conflict.sort_key), sorted(failing, key=Conflict.sort_key),
                       counted=None if keep_conflicts else dict(counts))
