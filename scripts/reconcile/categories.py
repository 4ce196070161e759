"""The values a category topic lists (kb/topics.ttl): finding a stated category among them, adding one.

A category claim states one of its topic's values, by preferred label or synonym; the
claim records the preferred label, so synonyms hold the same position and agree. A
topic that lists no values takes any category.
"""
from __future__ import annotations

import re

from .errors import KbError
from .load import KnowledgeBase
from .model import CategoryValue
from .paths import TOPICS_FILE
from .turtle import append_block, string


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def listed_value(kb: KnowledgeBase, topic: str, category: str) -> CategoryValue | None:
    """The value of `topic` whose preferred label or a synonym is `category` (case and spacing aside)."""
    wanted = _words(category)
    return next((value for value in kb.category_values.get(topic, ())
                 if wanted in {_words(value.label), *map(_words, value.synonyms)}), None)


def describe_values(values: list[CategoryValue]) -> str:
    """'non-invasive (also: noninvasive), minimally invasive (under non-surgical)...' for messages."""
    parts = []
    for value in values:
        extra = [f"also: {', '.join(value.synonyms)}"] if value.synonyms else []
        extra += [f"under {value.broader}"] if value.broader else []
        parts.append(value.label + (f" ({'; '.join(extra)})" if extra else ""))
    return ", ".join(parts)


def check_category(kb: KnowledgeBase, topic: str, category: str, add_if_new: bool) -> str:
    """The preferred label to record for `category`; refuses a value the topic does not list unless asked to add it."""
    values = kb.category_values.get(topic, [])
    found = listed_value(kb, topic, category)
    if found is not None:
        return found.label
    if values and not add_if_new:
        raise KbError(f"--value: '{category}' is not a value of topic {topic}. Its values are: {describe_values(values)}. "
                      "Use one of them, or pass --new-value to add it to the topic's values.")
    return _words(category)


def add_value(kb: KnowledgeBase, topic: str, label: str) -> str:
    """Append `label` as a new value of `topic` to kb/topics.ttl; returns the value's id."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "value"
    taken = {value.id for values in kb.category_values.values() for value in values}
    value_id, number = f"{topic}-{slug}", 1
    while value_id in taken:
        number += 1
        value_id = f"{topic}-{slug}-{number}"
    block = (f"<https://reconcile-kb.org/value/{value_id}> a skos:Concept, kb:CategoryValue ; kb:valueOf topic:{topic} ;\n"
             f"    skos:prefLabel {string(label)}@en .\n")
    append_block(kb.root / TOPICS_FILE, block, "Topics that claims are about: a SKOS concept scheme.")
    return value_id
