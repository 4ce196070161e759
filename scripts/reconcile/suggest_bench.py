"""How good are the proposals? Leave one source out, propose its claims from the others, compare.

For each source, its claims are set aside (in memory; nothing is written), `kb suggest`'s
proposals are made with the other sources' claims as the reference, and they are compared
with the claims set aside:

- recall: share of the set-aside claims whose quote overlaps some proposal's span;
- top-1 / top-3: among those claims, share whose topic is the proposal's first topic /
  one of its three (the proposal overlapping the claim the most is the one compared);
- precision: share of proposals overlapping some set-aside claim;
- values: among the numeric and yes/no claims whose topic the proposal offers, share for which the
  value read for that topic normalizes to the claim's value.

Run it with `python -m reconcile.suggest_bench [--kb kb]`.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

from .load import KnowledgeBase, load
from .model import Claim
from .similarity import build_index
from .suggest import overlaps, propose
from .values import ValueParseError, parse_value
from .vocab import NUMERIC_KINDS


@dataclass(frozen=True)
class Score:
    source: str
    claims: int
    proposals: int
    recalled: int
    top1: int
    top3: int
    precise: int
    valued: int = 0  # numeric and yes/no claims whose topic was offered
    value_right: int = 0  # ... and whose value was read right

    @property
    def recall(self) -> float:
        return self.recalled / self.claims if self.claims else 0.0

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.recalled if self.recalled else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.recalled if self.recalled else 0.0

    @property
    def precision(self) -> float:
        return self.precise / self.proposals if self.proposals else 0.0

    @property
    def value_accuracy(self) -> float:
        return self.value_right / self.valued if self.valued else 0.0


def score_source(kb: KnowledgeBase, source: str) -> Score:
    """Propose `source`'s claims with every other source's claims as the reference, and compare."""
    held_out = [c for c in kb.claims if c.source == source]
    reference = [c for c in kb.claims if c.source != source]
    proposals = propose(kb, source, reference, build_index(kb, reference))
    recalled = top1 = top3 = valued = value_right = 0
    for claim in held_out:
        touching = [p for p in proposals if overlaps(p.start, p.end, claim.start, claim.end)]
        if not touching:
            continue
        recalled += 1
        closest = max(touching, key=lambda p: (min(p.end, claim.end) - max(p.start, claim.start), -p.start))
        topics = [option.topic for option in closest.options]
        top1 += topics[:1] == [claim.topic]
        top3 += claim.topic in topics
        offered = next((o for o in closest.options if o.topic == claim.topic), None)
        kind = kb.topics[claim.topic].kind if claim.topic in kb.topics else ""
        if offered is not None and (kind in NUMERIC_KINDS or kind == "YesNo"):
            valued += 1
            value_right += _same_value(offered.value, kind, claim)
    precise = sum(any(overlaps(p.start, p.end, c.start, c.end) for c in held_out) for p in proposals)
    return Score(source, len(held_out), len(proposals), recalled, top1, top3, precise, valued, value_right)


def _same_value(stated: str, kind: str, claim: Claim) -> bool:
    try:
        value = parse_value(stated, kind)
    except ValueParseError:
        return False
    if kind == "YesNo":
        return value.yes == claim.yes
    return (value.min, value.max, value.unit) == (claim.min, claim.max, claim.unit)


def run(kb: KnowledgeBase) -> list[Score]:
    """One score per source with claims, then the total over all of them (source '(all)')."""
    scores = [score_source(kb, key) for key in kb.sources if any(c.source == key for c in kb.claims)]
    total = Score("(all)", *(sum(getattr(s, name) for s in scores)
                             for name in ("claims", "proposals", "recalled", "top1", "top3", "precise", "valued",
                                          "value_right")))
    return scores + [total]


def table(scores: list[Score]) -> str:
    """A Markdown table of the scores."""
    lines = ["| Source | Claims | Proposals | Recall | Top-1 topic | Top-3 topic | Precision | Values read right |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in scores:
        lines.append(f"| {s.source} | {s.claims} | {s.proposals} | {s.recall:.2f} | {s.top1_accuracy:.2f} | "
                     f"{s.top3_accuracy:.2f} | {s.precision:.2f} | {s.value_accuracy:.2f} ({s.value_right}/{s.valued}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", default="kb", help="The knowledge base folder [default: kb].")
    args = parser.parse_args(argv)
    print(table(run(load(args.kb))), end="")


if __name__ == "__main__":
    main()
