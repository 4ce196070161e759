"""Answers a claim implies on broader topics, as the rule kb:ImpliedAnswers in shapes/conflicts.ttl adds them.

A claim on a topic with a broader yes/no topic that states a restriction (a firm yes, or
a duration other than "no wait"; a hedge implies nothing) implies "yes" on the broader
topic: "avoid washing hair for 24 hours" implies that something besides NSAIDs is
restricted after treatment. The conflict shapes compare implied claims like any other;
this module builds the same claims for the sides of conflicts and their messages, and a
test checks it against the rule. A retracted claim (prov:invalidatedAtTime) implies
nothing and is compared with nothing, in the rules as here.
"""
from __future__ import annotations

from dataclasses import replace

from .load import KnowledgeBase
from .model import Claim

IMPLIES = "-implies-"


def compared_claims(kb: KnowledgeBase, claims: list[Claim] | None = None) -> list[Claim]:
    """The claims the conflict shapes compare: every claim (of `claims`) not retracted, then the answers they imply."""
    claims = kb.claims if claims is None else claims
    return [*(claim for claim in claims if not claim.retracted), *implied_claims(kb, claims)]


def implied_claims(kb: KnowledgeBase, claims: list[Claim] | None = None) -> list[Claim]:
    """Every implied claim (of `claims`, or of every claim), in the order of the claims they come from."""
    implied = []
    for claim in kb.claims if claims is None else claims:
        topic = kb.topics.get(claim.topic)
        if topic is None or claim.retracted or claim.modality == "May" or not _states_a_restriction(claim):
            continue
        for broader in topic.broader:
            if broader in kb.topics and kb.topics[broader].kind == "YesNo":
                implied.append(implied_claim(claim, broader, topic.label))
    return implied


def implied_claim(claim: Claim, broader: str, narrower_label: str) -> Claim:
    """The claim `claim` implies on topic `broader`: its source, context and quote, answer yes."""
    return replace(claim, id=f"{claim.id}{IMPLIES}{broader}", topic=broader, implied_by=claim.id, yes=True,
                   stated=f'yes, implied by "{claim.stated}" on {narrower_label}', min=None, max=None,
                   min_exclusive=False, unit=None, category=None, members=(), empty_set=False, modality=None)


def _states_a_restriction(claim: Claim) -> bool:
    return claim.yes is True or (claim.unit is not None and claim.max != 0)
