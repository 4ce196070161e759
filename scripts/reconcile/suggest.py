"""Propose the claims of a source: every passage that states something, with its value and likely topics.

`propose` cuts the source into passages (segments.py), keeps those that state an
amount, a rule, a yes/no answer or a list and that no claim quotes yet, reads a value
for each of the three likeliest topics (similarity.py) and returns them in reading
order. Nothing is written: `draft.py` turns proposals into a file an editor edits, and
accepted proposals go through `edit.add_claim` like any claim.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import KbError
from .inputs import suggest
from .load import KnowledgeBase
from .model import Claim, Topic
from .segments import Passage, is_candidate, is_heading, is_statement, passages
from .similarity import TopicIndex, build_index, tokens
from .values import UNITS, ValueParseError, parse_value
from .vocab import NUMERIC_KINDS

RESEMBLANCE = 0.3  # a passage this close to a topic's claims or description is proposed even without a cue word
MEANINGFUL = 0.05  # topics scoring less share no word worth the name with the passage: not offered
_NUMBER = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|sixty|an?)"
_VALUE = re.compile(
    r"(?:within\s+)?a\s+few\s+(?:hours|days|weeks|months)|(?:the\s+)?same\s+day|"
    rf"(?:(?:at least|up to|within|in|about|approximately|around|roughly|more than|over|under|less than|no more than|"
    rf"at most|minimum of|as little as)\s+|[≤≥]\s*|[<>]=?\s*)?{_NUMBER}(?:\s+(?:plus\s+)?(?:thousand|million|billion))?"
    rf"(?:\s*(?:-|–|—|to|and)\s*{_NUMBER})?(?:\s+or\s+(?:more|longer))?(?:\s*-?\s*[a-z]+)?(?:\s+(?:or more|or longer|plus))?"
    r"|(?:within\s+)?(?:hours|days|weeks|months)",
    re.IGNORECASE)
_LEADING = re.compile(r"^(?:in|as little as|around the)\s+|^within\s+(?=\S+\s*(?:-|–|—|to)\s*\S)", re.IGNORECASE)
# Words near a value that tie it to a context: "3 days prior ... and 3 weeks after".
_CONTEXT_WORDS = {"before-treatment": {"before", "prior", "pre"}, "after-treatment": {"after", "following", "post"}}
_NEGATION = re.compile(r"\b(?:not|no|never|cannot|can[’']t|isn[’']t|unsuitable|without)\b", re.IGNORECASE)
_LIST_START = re.compile(r"\b(?:include[sd]?|including|such as|e\.g\.,?|like|with|for|:)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Option:
    """One way to read a passage: a topic, a context, the value read for the topic's kind and a score."""

    topic: str
    context: str
    value: str  # "" when no value could be read: the editor gives it
    score: float


@dataclass(frozen=True)
class Proposal:
    source: str
    start: int
    end: int
    quote: str
    line: int
    options: tuple[Option, ...]  # best first, at most three

    @property
    def best(self) -> Option | None:
        return self.options[0] if self.options else None


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def propose(kb: KnowledgeBase, source: str, claims: list[Claim] | None = None,
            index: TopicIndex | None = None, limit: int = 3, resemblance: float = RESEMBLANCE) -> list[Proposal]:
    """Candidate claims of `source`, in reading order, skipping passages a claim already quotes.

    A passage is a candidate when it states an amount, a rule, a yes/no answer or a list
    (segments.is_candidate), or when it reads like the claims already recorded on some topic
    (its best score reaches `resemblance`). `claims` are the claims to rank topics against
    and to skip (default: every claim of the knowledge base); the benchmark leaves a
    source's own claims out of it.
    """
    if source not in kb.sources:
        raise KbError(suggest(source, list(kb.sources), "source"))
    claims = kb.claims if claims is None else claims
    index = index or build_index(kb, claims)
    text = kb.source_text(source)
    taken = [(c.start, c.end) for c in claims if c.source == source]
    proposals = []
    for passage in passages(text):
        if any(overlaps(passage.start, passage.end, s, e) for s, e in taken) or not is_statement(passage):
            continue
        proposal = proposal_for(kb, index, source, passage, limit)
        if is_candidate(passage) or proposal.best and proposal.best.score >= resemblance:
            proposals.append(proposal)
    return proposals


def proposals_lines(kb: KnowledgeBase, source: str, proposals: list[Proposal]) -> list[str]:
    """What `kb suggest SOURCE` prints: each passage at its file and line, with its ranked options."""
    path = kb.sources_dir / kb.sources[source].file_name
    lines = []
    for proposal in proposals:
        lines.append(f"{path}:{proposal.line}: {proposal.quote}")
        for number, option in enumerate(proposal.options, start=1):
            lines.append(f"    {number}. {option.topic} ({option.context}) value {option.value or '?'!r} "
                         f"score {option.score:.2f}")
    lines.append(f"{len(proposals)} proposal(s). Write them to a draft with --out FILE, or walk through them with -i.")
    return lines


def proposal_for(kb: KnowledgeBase, index: TopicIndex, source: str, passage: Passage, limit: int = 3) -> Proposal:
    def fits(topic: Topic) -> bool:
        return topic.kind in NUMERIC_KINDS and read_value(passage, topic, index) != ""

    wording = passage.text + (" " + " ".join(passage.items) if passage.items else "")
    matches = index.rank(wording, limit, fits)
    options = tuple(Option(m.topic, m.context, read_value(passage, kb.topics[m.topic], index, m.context), round(m.score, 2))
                    for m in matches if m.score >= MEANINGFUL)
    return Proposal(source, passage.start, passage.end, passage.text, passage.line, options)


def read_value(passage: Passage, topic: Topic, index: TopicIndex | None = None, context: str | None = None) -> str:
    """The value a passage states for a topic (in a context), as it would be typed into `--value`; '' when
    none can be read."""
    if topic.kind in NUMERIC_KINDS:
        found = _numeric_values(passage.text, topic.kind)
        if len(found) > 1:  # the value whose neighbouring words best match its context, then the topic
            words, cues = set(tokens(f"{topic.label} {topic.definition}")), _CONTEXT_WORDS.get(context or "", set())

            def fit(value: tuple[int, int, str]) -> int:
                start, end, _ = value
                near = set(tokens(passage.text[max(0, start - 15):end + 25]))
                return 2 * len(cues & near) + len(words & set(tokens(passage.text[max(0, start - 30):end + 30])))

            found.sort(key=lambda f: -fit(f))
        return found[0][2] if found else ""
    if topic.kind == "YesNo":
        return "no" if _NEGATION.search(passage.text) and not passage.text.lower().startswith("yes") else "yes"
    if topic.kind == "Set":
        members = passage.items or _listed(passage.text)
        heads = [re.split(r"\s*(?:→|:| - | – )\s*", item)[0].strip(" .") for item in members]
        return "; ".join(h for h in heads if h)
    if topic.kind == "Category" and index is not None:
        lowered = passage.text.lower()
        known = sorted({c.category for c in index.claims if c.topic == topic.id and c.category}, key=len, reverse=True)
        return next((category for category in known if category in lowered), "")
    return ""


def _numeric_values(text: str, kind: str) -> list[tuple[int, int, str]]:
    """Every value of a numeric kind stated in `text`: (start, end, value as it would be typed)."""
    return list(_cached_values(text, kind))


@lru_cache(maxsize=4096)
def _cached_values(text: str, kind: str) -> tuple[tuple[int, int, str], ...]:
    found = []
    for match in _VALUE.finditer(text):
        written = re.sub(r"^([≤≥<>]=?)\s*", r"\1 ", match.group(0))
        for stated in dict.fromkeys([_LEADING.sub("", written), written, _drop_last_word(written)]):
            if stated and _parses(stated, kind) and (kind != "Number" or re.search(r"\d|\w+\s+sessions?", stated)):
                found.append((match.start(), match.end(), stated.strip()))
                break
    return tuple(found)


def _parses(stated: str, kind: str) -> bool:
    try:
        parse_value(stated, kind)
    except ValueParseError:
        return False
    return True


def _drop_last_word(stated: str) -> str:
    """'3–6 every' -> '3–6' when the value pattern took the word after a number for a unit; '3 weeks'
    stays whole (weeks are not a count)."""
    words = stated.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1].lower() not in UNITS else ""


def _listed(text: str) -> list[str]:
    """The things a sentence lists after 'include', 'such as', 'with'...: 'a, b, or c' -> [a, b, c]."""
    match = next(iter(reversed(list(_LIST_START.finditer(text)))), None)  # the last list opener
    if match is None or "," not in text[match.end():] and " or " not in text[match.end():] and " and " not in text[match.end():]:
        return []
    body = text[match.end():].rstrip(" .)")
    return [part.strip() for part in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", body) if part.strip()]


def passages_for_topic(kb: KnowledgeBase, topic_id: str, limit: int = 10, index: TopicIndex | None = None,
                       minimum: float = 0.1) -> list[tuple[str, Passage, float]]:
    """Passages of every source that may belong to a topic, best first: (source key, passage, score)."""
    index = index or build_index(kb)
    description = index.describe(topic_id)
    found = []
    for key in kb.sources:
        for passage in passages(kb.source_text(key)):
            score = index.similarity(passage.text, description)
            if score >= minimum and is_statement(passage) and not is_heading(passage):
                found.append((key, passage, round(score, 2)))
    found.sort(key=lambda f: (-f[2], f[0], f[1].start))
    return found[:limit]

