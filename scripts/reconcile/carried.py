"""Does a claim's quote carry its value? A claim must say what its words say.

Numeric claims: every number of the stated value (digits or words: "3", "three", "second") and its
unit (any spelling of the same unit: "min" for minutes, "6-month" for months) must be in the quote,
else `claim-quote-value`, an error. Yes/no and category claims: when not one word of the topic's
label, its id, its skos:altLabel synonyms or the category occurs in the quote, `claim-quote-words`,
a warning: the quote may be about something else.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from .findings import Finding
from .load import KnowledgeBase
from .model import Claim, Topic
from .values import MULTIPLIERS, NUMBER_WORDS, UNITS
from .vocab import NUMERIC_KINDS

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "twelfth": 12}
# Words too common in these texts to show what a quote is about.
STOPWORDS = frozenset("""
a an and are as at be been before after by can do does for from has have in is it its may not of on or
the their them they this that to was were what when whether which while who will with without your you
all any both each other than then there these those only also more most some such into over per
hair loss treatment treatments therapy exosome exosomes session sessions patient patients use used
""".split())
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _numbers(words: list[str], ordinals: bool) -> set[Decimal]:
    found = set()
    for word in words:
        if word[0].isdigit():
            try:
                found.add(Decimal(word.replace(",", "")))
            except InvalidOperation:
                continue
        elif word in NUMBER_WORDS and word not in ("a", "an"):
            found.add(Decimal(NUMBER_WORDS[word]))
        elif ordinals and word in ORDINALS:
            found.add(Decimal(ORDINALS[word]))
    return found


def _stem(word: str) -> str:
    for ending in ("ations", "ation", "ness", "ing", "ies", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _same_word(a: str, b: str) -> bool:
    a, b = _stem(a), _stem(b)
    shorter = min(len(a), len(b))
    return a == b or (shorter >= 4 and (a.startswith(b) or b.startswith(a))) or (shorter >= 5 and a[:5] == b[:5])


def missing_value(claim: Claim) -> list[str]:
    """What of a numeric claim's stated value the quote lacks: ["the number 3", "the unit days"...]."""
    stated, quote = tokens(claim.stated), tokens(claim.quote)
    in_quote = _numbers(quote, ordinals=True)
    missing = [f"the number {n}" for n in sorted(_numbers(stated, ordinals=False)) if n not in in_quote]
    quote_units = {UNITS[w][0] for w in quote if w in UNITS}
    for word in stated:
        if word in UNITS and UNITS[word][0] not in quote_units:
            missing.append(f"the unit '{word}'")
        elif word in MULTIPLIERS and word not in quote:
            missing.append(f"'{word}'")
    return missing


def shares_a_word(claim: Claim, topic: Topic, synonyms: Sequence[str] = ()) -> bool:
    """Whether the quote has a word of the topic's label, id or synonyms, or of the claim's category."""
    words = tokens(" ".join([topic.label, topic.id.replace("-", " "), *synonyms, claim.category or ""]))
    wanted = {w for w in words if w not in STOPWORDS and len(w) >= 3}
    quote = [w for w in tokens(claim.quote) if w not in STOPWORDS]
    return not wanted or any(_same_word(w, q) for w in wanted for q in quote)


def check_quote_values(kb: KnowledgeBase, claims: list[Claim] | None = None) -> list[Finding]:
    """Each quote carries its claim's value (`claims`, or every claim)."""
    synonyms = kb.synonyms
    findings = []
    for claim in kb.claims if claims is None else claims:
        topic = kb.topics.get(claim.topic)
        if topic is None or not claim.quote or not claim.stated or claim.anchor_status:
            continue  # a quote `kb reanchor` marked is already an error that asks a person to check the value
        if topic.kind in NUMERIC_KINDS:
            missing = missing_value(claim)
            if missing:
                findings.append(Finding(
                    "claim-quote-value", "error",
                    f"the quote does not carry the stated value \"{claim.stated}\": {', '.join(missing)} "
                    "not in it; widen the quote to the words that state the value, or correct the value.",
                    claim.id, claim.location))
        elif topic.kind in ("YesNo", "Category") and not shares_a_word(claim, topic, synonyms.get(topic.id, [])):
            findings.append(Finding(
                "claim-quote-words", "warning",
                f"no word of the topic \"{topic.label}\" or of the value occurs in the quote; check that the quote "
                "is about this topic, then widen it to the words that say so or move the claim to the right topic.",
                claim.id, claim.location))
    return findings
