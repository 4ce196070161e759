"""Add a topic to kb/topics.ttl, the SKOS concept scheme claims are filed under."""
from __future__ import annotations

import re

from .errors import KbError
from .inputs import check_text
from .load import KnowledgeBase
from .paths import TOPICS_FILE
from .turtle import append_block, string
from .vocab import QUANTITY_KINDS, SAFETY_LEVELS

TOPICS_FILE_COMMENT = "Topics that claims are about: a SKOS concept scheme."


def topic_block(kb: KnowledgeBase, topic_id: str, label: str, definition: str, kind: str, safety: str,
                group: str | None = None) -> str:
    """Check a new topic and return the block `new_topic` appends to kb/topics.ttl; writes nothing."""
    for option, value in (("--id", topic_id), ("--label", label), ("--definition", definition), ("--group", group)):
        check_text(option, value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", topic_id):
        raise KbError(f"--id: '{topic_id}' must be lower-case letters, digits and dashes.")
    if topic_id in kb.topics:
        raise KbError(f"--id: topic '{topic_id}' already exists.")
    if kind not in QUANTITY_KINDS:
        raise KbError(f"--kind: '{kind}' is not one of {', '.join(QUANTITY_KINDS)}.")
    if safety not in SAFETY_LEVELS:
        raise KbError(f"--safety: '{safety}' is not one of {', '.join(SAFETY_LEVELS)}.")
    groups = sorted({t.group for t in kb.topics.values() if t.group})
    if group and group not in groups:
        raise KbError(f"--group: '{group}' is not a topic group; use one of {', '.join(groups)}.")
    lines = [f"topic:{topic_id} a skos:Concept, kb:Topic ;", "    skos:inScheme kb:topics ;"]
    if group:
        lines.append(f"    skos:broader topic:{group} ;")
    lines += [f"    skos:prefLabel {string(label)}@en ;", f"    skos:definition {string(definition)}@en ;",
              f"    kb:quantityKind kb:{kind} ;", f"    kb:safety kb:{safety} ."]
    return "\n".join(lines) + "\n"


def new_topic(kb: KnowledgeBase, topic_id: str, label: str, definition: str, kind: str, safety: str,
              group: str | None = None) -> str:
    """Append a topic to kb/topics.ttl (`kb` loaded under the write lock, `lock.writing`)."""
    block = topic_block(kb, topic_id, label, definition, kind, safety, group)
    append_block(kb.root / TOPICS_FILE, block, TOPICS_FILE_COMMENT)
    return topic_id
