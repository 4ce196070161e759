"""Rank topics for a passage by meaning: TF-IDF cosine similarity, written out in plain Python.

A topic is described twice: by its own words (label, definition, synonyms and its
group's label) and by the quotes of the claims already recorded on it. A passage's
score for a topic is the better of its similarity to the description and to the closest
quote, with a small bonus when the passage states a value of the topic's kind. The
corpus is small (hundreds of passages, about a hundred topics), so sparse dictionaries
are fast enough and nothing needs to be downloaded or trained.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from .load import KnowledgeBase
from .model import Claim

_STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how i
if in into is it its itself just me more most my no nor not now of off on once only or other our out over own same she
should so some such than that the their them then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours it's is this
""".split())
# Words that change what a passage is about although TF-IDF would call them common.
_KEEP = frozenset({"before", "after", "during", "no", "not"})


def stem(word: str) -> str:
    """A light suffix stripper: 'sessions' -> 'session', 'injections' -> 'inject', 'washing' -> 'wash'."""
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ions", ""), ("ion", ""), ("ed", ""), ("es", "e"),
                                ("s", ""), ("ly", "")):
        root = word[: len(word) - len(suffix)]
        if word.endswith(suffix) and len(root) >= 3 and not word.endswith("ss") and not root.endswith("ss"):
            return root + replacement
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased word stems without stop words or bare numbers."""
    words = re.findall(r"[a-zß][a-zß0-9-]*", text.lower())
    out = []
    for word in words:
        for part in word.split("-"):
            if part and (part in _KEEP or part not in _STOPWORDS) and not part.isdigit():
                out.append(stem(part))
    return out


class Vectors:
    """TF-IDF vectors (sublinear term frequency, smoothed IDF, unit length) over a fixed corpus."""

    def __init__(self, corpus: list[str]):
        frequency: Counter[str] = Counter()
        for text in corpus:
            frequency.update(set(tokens(text)))
        count = len(corpus)
        self.idf = {term: math.log((1 + count) / (1 + df)) + 1 for term, df in frequency.items()}
        self.unseen = math.log(1 + count) + 1

    def __call__(self, text: str) -> dict[str, float]:
        counts = Counter(tokens(text))
        vector = {t: (1 + math.log(n)) * self.idf.get(t, self.unseen) for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass(frozen=True)
class Match:
    topic: str
    context: str
    score: float


@dataclass
class TopicIndex:
    """Every topic's description and reference quotes as vectors, ready to rank passages against."""

    kb: KnowledgeBase
    claims: list[Claim]
    vectors: Vectors
    descriptions: dict[str, dict[str, float]] = field(default_factory=dict)
    quotes: dict[str, list[tuple[str, dict[str, float]]]] = field(default_factory=dict)  # topic -> (context, vector)

    def describe(self, topic_id: str) -> dict[str, float]:
        return self.descriptions[topic_id]

    def similarity(self, text: str, vector: dict[str, float]) -> float:
        return cosine(self.vectors(text), vector)

    def rank(self, text: str, limit: int = 3, fits=None) -> list[Match]:
        """The `limit` most likely topics for `text` (each with its likeliest context), best first.

        `fits(topic)` may say whether the passage states a value of the topic's kind; such topics
        get a bonus, numeric topics whose value cannot be read get a penalty.
        """
        vector = self.vectors(text)
        scored = []
        for topic_id, topic in self.kb.topics.items():
            score, context = self._score(vector, topic_id)
            if fits is not None:
                score += 0.1 if fits(topic) else (-0.1 if topic.kind in ("Duration", "Number", "Length", "Volume") else 0)
            scored.append((round(score, 4), topic_id, context))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [Match(topic_id, context or self.context_for(topic_id, text), min(max(score, 0.0), 1.0))
                for score, topic_id, context in scored[:limit]]

    def search(self, words: str, limit: int = 10) -> list[tuple[str, float]]:
        """Topics ranked by how close `words` are to their descriptions and quotes: (topic id, score)."""
        vector = self.vectors(words)
        scored = sorted(((round(self._score(vector, t)[0], 4), t) for t in self.kb.topics), key=lambda s: (-s[0], s[1]))
        return [(topic_id, score) for score, topic_id in scored[:limit] if score > 0]

    def _score(self, vector: dict[str, float], topic_id: str) -> tuple[float, str | None]:
        """The better of the similarity to the description and to the closest quote (plus a quarter of
        the other), and the context of that closest quote."""
        description = cosine(vector, self.descriptions[topic_id])
        closest, context = 0.0, None
        for quote_context, quote_vector in self.quotes.get(topic_id, ()):
            similarity = cosine(vector, quote_vector)
            if similarity > closest:
                closest, context = similarity, quote_context
        return max(description, closest) + 0.25 * min(description, closest), context

    def context_for(self, topic_id: str, text: str) -> str:
        """The context a passage on a topic most likely applies to: a word of the passage naming one
        of the contexts the topic's claims use, else the one they use most, else general."""
        used = Counter(context for context, _ in self.quotes.get(topic_id, ()))
        lowered = text.lower()
        for context, _ in used.most_common():
            label = self.kb.contexts.get(context, context).split()[0].lower()
            if label != "general" and re.search(rf"\b{re.escape(label)}\b", lowered):
                return context
        return used.most_common(1)[0][0] if used else "general"


def build_index(kb: KnowledgeBase, claims: list[Claim] | None = None, texts: list[str] | None = None) -> TopicIndex:
    """A topic index over `claims` (default: every claim), with IDF taken from `texts` (default: every
    source's passages) plus the topics' descriptions."""
    from .segments import passages

    claims = kb.claims if claims is None else claims
    if texts is None:
        texts = [p.text for key in kb.sources for p in passages(kb.source_text(key))]
    synonyms = kb.synonyms
    words = {}
    for topic_id, topic in kb.topics.items():
        group = kb.labels.get(topic.group, "") if topic.group else ""
        words[topic_id] = " ".join([topic.label, topic.label, topic.definition, *synonyms.get(topic_id, []), group])
    vectors = Vectors(texts + list(words.values()))
    index = TopicIndex(kb, claims, vectors, {t: vectors(w) for t, w in words.items()})
    for claim in claims:
        if claim.topic in kb.topics:
            index.quotes.setdefault(claim.topic, []).append((claim.context, vectors(claim.quote)))
    return index


def topic_summary(kb: KnowledgeBase, topic_id: str) -> dict[str, str]:
    """What `kb topics --search` shows of a topic: label, definition, group, the contexts its claims use
    and an example quote (the first claim's, by id, among those short enough to read at a glance)."""
    topic = kb.topics[topic_id]
    claims = [c for c in kb.claims if c.topic == topic_id]
    contexts = Counter(c.context for c in claims)
    example = "(no claims yet)"
    if claims:
        claim = min(claims, key=lambda c: (len(c.quote) > 160, c.id))
        quote = " ".join(claim.quote.split())
        example = f'"{quote[:157] + "..." if len(quote) > 160 else quote}" (claim {claim.id})'
    return {
        "label": topic.label,
        "definition": topic.definition,
        "group": f"{topic.group} ({kb.labels.get(topic.group, topic.group)})" if topic.group else "(none)",
        "contexts": ", ".join(f"{c} ({n})" for c, n in sorted(contexts.items(), key=lambda i: (-i[1], i[0])))
                    or "(no claims yet)",
        "example": example,
    }
