"""Propose a claim's modality from its quote's words: how strongly the source words its guidance.

The concepts are in kb/vocab.ttl (kb:modalities). A proposal is a starting point for the
editor, who confirms it or overrides it (`kb add-claim --modality ...`); it never decides alone.
Descriptive sentences get no proposal: "may" that hedges a fact ("the area may feel tender")
is not guidance, and neither is "may not" ("may not be sufficient").
"""
from __future__ import annotations

import re

# The concepts of kb:modalities: option name -> local name in the kb: namespace.
MODALITIES = {
    "must": "Must", "must-not": "MustNot", "should": "Should", "should-not": "ShouldNot",
    "may": "May", "no-need": "NoNeed",
}

# "Do not" and "never" give an instruction only at the start of a clause ("they do not cause cancer" does not).
_CLAUSE = r"(?:^|[.;:!]\s|\band\s)\W*"
_REFRAIN = r"(?:avoid\w*|stop\w*|paus\w*|refrain\w*|wait\w*|not\b)"

# Checked in order: the first pattern that matches gives the proposal.
_RULES: list[tuple[str, re.Pattern]] = [(name, re.compile(pattern)) for name, pattern in [
    ("NoNeed", r"\bno need\b|\bnot (?:necessary|required|needed)\b|\bneed not\b|\b(?:do not|don't) need\b"),
    ("May", r"\bmay (?:need|have) to\b|\bmight need\b|\bmay (?:be )?(?:recommended|advised|required|require|needed|necessary)\b"
            r"|\bif (?:necessary|needed|required)\b|\(optional\)|\boptional\b|\bper (?:the )?doctor'?s? advice\b"
            r"|\b(?:you|patients?) (?:may|can) (?!feel|be |notice|experience)\w+|\bcan be (?:combined|used)\b|^\W*resume\b"),
    ("ShouldNot", rf"\bshould not\b|\bshouldn't\b|\bnot (?:recommended|advised)\b|\bshould {_REFRAIN}"
                  rf"|\badvised? (?:\w+ )?to {_REFRAIN}|\bit is ideal (?:for [\w ]+ )?to {_REFRAIN}"
                  rf"|\brecommend(?:s|ed)? (?:\w+ )?(?:to )?{_REFRAIN}"),
    ("Should", r"\bshould\b|\brecommend\w*|\badvis(?:e|ed)\b|\bit is ideal\b|\bencourage\b|\bbest to\b"),
    ("MustNot", rf"\bmust not\b|\bmustn't\b|{_CLAUSE}(?:do not|don't|never)\b|\bavoid\w*|\brefrain\b|\bstop\b"
                r"|\bnot suitable\b|^\W*no\b|\bthe only restriction\b"),
    ("Must", r"\bmust\b|\b(?:is|are) required\b|\bessential\b|\bneeds? to\b|\bhave to\b|\balways\b|\bbe sure\b"),
]]

# A quote that starts with one of these verbs is a plain instruction: kb:Must.
_IMPERATIVES = frozenset("""
apply cleanse conduct identify take wash use inject space remove sanitize provide drink have eat stay
choose prefer follow maintain minimize keep contact massage disinfect perform administer
""".split())


def propose(quote: str) -> str | None:
    """The modality (local name, such as "MustNot") the quote's words suggest, or None for a description."""
    text = " ".join(quote.lower().replace("\u2019", "'").replace("\u2018", "'").split())
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    first = re.match(r"\W*([a-z]+)", text)
    if first and first[1] in _IMPERATIVES:
        return "Must"
    return None


def from_option(option: str | None, quote: str) -> str | None:
    """The modality to record: the editor's choice ("none" for no modality), else the proposal."""
    if option is None:
        return propose(quote)
    if option == "none":
        return None
    return MODALITIES[option]
