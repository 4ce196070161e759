"""Add claims to the knowledge base, checking everything first.

Each claim is validated completely (quote found in its source, value parsed, topic and
context known, no duplicate id), then appended as one readable block to its source's
claims file atomically; on any error nothing on disk changes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .categories import add_value, check_category, listed_value
from .errors import KbError
from .identity import require_editor
from .inputs import check_text, suggest
from .load import KnowledgeBase, read_text
from .modality import from_option
from .model import Claim, position_iri
from .numbers import format_decimal
from .paths import TOPICS_FILE
from .provenance import now
from .quotes import Anchor, QuoteError, find_quote
from .turtle import append_block, string, write_atomic
from .values import Value, ValueParseError, normalized, parse_value

CLAIMS_FILE_COMMENT = "Claims of source {key} ({file}), one block per claim.\nEach block quotes the source exactly; see README.md for how to add one by hand."


@dataclass(frozen=True)
class NewClaim:
    """A claim as an editor gives it, before it is anchored and normalized."""

    source: str
    topic: str
    quote: str
    value: str
    context: str = "general"
    occurrence: int | None = None
    note: str | None = None
    modality: str | None = None  # a kb:modalities option ("must-not"...), "none", or None to propose one from the quote
    new_value: bool = False  # a category the topic does not list yet is added to its values

    @classmethod
    def from_options(cls, fields: dict) -> NewClaim:
        """A claim from `kb add-claim`'s options, refused when one it cannot do without is missing."""
        missing = [name for name in ("source", "topic", "quote", "value") if not fields.get(name)]
        if missing:
            raise KbError(f"Missing {', '.join('--' + m for m in missing)}; give them or use --interactive.")
        return cls(**fields)


def prepare_claim(kb: KnowledgeBase, new: NewClaim, taken: set[str] | None = None) -> tuple[str, Anchor, Value]:
    """Check a new claim against the knowledge base; returns its id, anchor and value or raises KbError.

    `taken` holds ids already given to claims planned alongside this one.
    """
    for option in ("source", "topic", "quote", "value", "context", "note"):
        check_text(f"--{option}", getattr(new, option))
    if new.source not in kb.sources:
        raise KbError(suggest(new.source, list(kb.sources), "source"))
    if new.topic not in kb.topics:
        raise KbError(suggest(new.topic, list(kb.topics), "topic"))
    if new.context not in kb.contexts:
        raise KbError(suggest(new.context, list(kb.contexts), "context"))
    text = kb.source_text(new.source)
    try:
        anchor = find_quote(text, new.quote, new.occurrence)
    except QuoteError as error:
        raise KbError(f"{kb.sources_dir / kb.sources[new.source].file_name}: {error}") from None
    topic = kb.topics[new.topic]
    try:
        value = parse_value(new.value, topic.kind)
    except ValueParseError as error:
        raise KbError(f"--value: {error.for_topic(new.topic)}") from None
    if value.category is not None:
        value = replace(value, category=check_category(kb, new.topic, value.category, new.new_value))
    for claim in kb.claims:
        if (claim.source, claim.topic, claim.context, claim.start, claim.end) == (
                new.source, new.topic, new.context, anchor.start, anchor.end):
            raise KbError(f"{claim.location}: claim {claim.id} already records this quote for this topic and context.")
    existing = {c.id for c in kb.claims} | (taken or set())
    base = f"{new.source}-{new.topic}"
    claim_id, number = base, 1
    while claim_id in existing:
        number += 1
        claim_id = f"{base}-{number}"
    return claim_id, anchor, value


@dataclass(frozen=True)
class PlannedClaims:
    """Claims checked and ready to append to one claims file, with warnings about likely duplicates."""

    ids: list[str]
    file: Path
    block: str
    warnings: list[str]
    new_values: list[tuple[str, str]]  # (topic, category) to add to a topic's values first


def plan_claims(kb: KnowledgeBase, news: list[NewClaim], by: str, when: str | None = None) -> PlannedClaims:
    """Check every claim in `news` (all quoting one source) and build the block that adds them; writes nothing."""
    require_editor(kb, by)
    if len({new.source for new in news}) != 1:
        raise KbError("Claims added together must quote one source; add the others separately.")
    ids: list[str] = []
    blocks, warnings, new_values = [], [], []
    planned: dict[tuple, str] = {}
    when = when or now()
    for new in news:
        claim_id, anchor, value = prepare_claim(kb, new, set(ids))
        key = (new.topic, new.context, anchor.start, anchor.end)
        if key in planned:
            raise KbError(f"Claim {planned[key]} already records this quote for topic {new.topic} and context "
                          f"{new.context}; give each --also a different topic or context.")
        planned[key] = claim_id
        warnings += duplicate_warnings(kb, claim_id, new, anchor, value)
        if (value.category is not None and kb.category_values.get(new.topic)
                and not listed_value(kb, new.topic, value.category)):
            new_values.append((new.topic, value.category))  # asked for with new_value; check_category refused it otherwise
        ids.append(claim_id)
        blocks.append(claim_block(claim_id, new, anchor, value, by, when))
    return PlannedClaims(ids, kb.claims_file(news[0].source), "\n".join(blocks), warnings, new_values)


def duplicate_warnings(kb: KnowledgeBase, claim_id: str, new: NewClaim, anchor: Anchor, value: Value) -> list[str]:
    """Claims of the same source, topic and context that state the same value or quote overlapping words.

    Retracted claims are left out: restating what a retracted claim got wrong is how it is corrected.
    """
    position = position_iri(Claim(
        id=claim_id, source=new.source, source_file="", topic=new.topic, context=new.context, quote=anchor.exact,
        prefix="", suffix="", start=anchor.start, end=anchor.end, stated=new.value, min=value.min, max=value.max,
        min_exclusive=value.min_exclusive, unit=value.unit, yes=value.yes, category=value.category,
        members=value.members, empty_set=value.empty_set))
    warnings = []
    for claim in kb.claims:
        if claim.retracted or (claim.source, claim.topic, claim.context) != (new.source, new.topic, new.context):
            continue
        if claim.start < anchor.end and anchor.start < claim.end:
            why = "quotes overlapping words"
        elif position_iri(claim) == position:
            why = f"states the same value ({normalized(claim)})"
        else:
            continue
        warnings.append(f"{claim.location}: warning: claim {claim.id} of the same source, topic and context {why}: "
                        f"{claim.quote!r}. If {claim_id} repeats it, take one out with `kb remove-claim`.")
    return warnings


def also_claims(new: NewClaim, specs: tuple[str, ...] | list[str]) -> list[NewClaim]:
    """`new` and one claim per --also TOPIC[:CONTEXT][=VALUE]: the same quote on other topics or contexts.

    A missing context or value is the first claim's.
    """
    claims = [new]
    for spec in specs:
        check_text("--also", spec)
        target, has_value, value = spec.partition("=")
        topic, _, context = target.partition(":")
        if not topic.strip() or (has_value and not value.strip()):
            raise KbError(f"--also: '{spec}' must be TOPIC, TOPIC:CONTEXT or TOPIC:CONTEXT=VALUE, "
                          "such as 'nsaid-stop-before:before-treatment=3 days'.")
        claims.append(replace(new, topic=topic.strip(), context=context.strip() or new.context,
                              value=value.strip() if has_value else new.value))
    return claims


def claim_block(claim_id: str, new: NewClaim, anchor: Anchor, value: Value, by: str, when: str) -> str:
    """The Turtle block for one claim: quote first, so a reader sees what the source says."""
    lines = [
        f"claim:{claim_id} a kb:Claim ;",
        f"    kb:topic topic:{new.topic} ;",
        f"    kb:context ctx:{new.context} ;",
        f"    kb:stated {string(new.value.strip())} ;",
    ]
    bounds = []
    if value.min is not None:
        bounds.append(f"kb:min {format_decimal(value.min)}")
    if value.max is not None:
        bounds.append(f"kb:max {format_decimal(value.max)}")
    if value.min_exclusive:
        bounds.append("kb:minExclusive true")
    if value.unit:
        bounds.append(f"kb:unit unit:{value.unit}")
    if value.stated_unit:
        bounds.append(f"kb:statedUnit unit:{value.stated_unit}")
    if bounds:
        lines.append("    " + " ; ".join(bounds) + " ;")
    if value.yes is not None:
        lines.append(f"    kb:yes {'true' if value.yes else 'false'} ;")
    if value.category is not None:
        lines.append(f"    kb:category {string(value.category)} ;")
    if value.members:
        lines.append("    kb:member " + ", ".join(string(m) for m in value.members) + " ;")
    if value.empty_set:
        lines.append("    kb:emptySet true ;")
    modality = from_option(new.modality, anchor.exact)
    if modality:
        lines.append(f"    kb:modality kb:{modality} ;")
    if new.note:
        lines.append(f"    kb:note {string(new.note)} ;")
    lines += [
        "    oa:hasTarget [",
        f"        oa:hasSource source:{new.source} ;",
        "        oa:hasSelector [ a oa:TextQuoteSelector ;",
        f"            oa:exact {string(anchor.exact)} ;",
        f"            oa:prefix {string(anchor.prefix)} ;",
        f"            oa:suffix {string(anchor.suffix)} ] ,",
        f"          [ a oa:TextPositionSelector ; oa:start {anchor.start} ; oa:end {anchor.end} ]",
        "    ] ;",
        f"    prov:wasDerivedFrom source:{new.source} ;",
        f"    prov:wasAttributedTo editor:{by} ;",
        f'    prov:generatedAtTime "{when}"^^xsd:dateTime .',
    ]
    return "\n".join(lines) + "\n"


def add_claims(kb: KnowledgeBase, news: list[NewClaim], by: str, when: str | None = None,
               dry_run: bool = False) -> PlannedClaims:
    """Check every claim of `news` first, then append them all to their source's claims file in one write.

    `kb` must be loaded under the write lock (`lock.writing`), so that ids and the duplicate
    check see every claim written before. With `dry_run` nothing is written.
    """
    planned = plan_claims(kb, news, by, when)
    if dry_run:
        return planned
    topics_file = kb.root / TOPICS_FILE
    topics_before = read_text(topics_file) if planned.new_values else None
    for topic, category in dict.fromkeys(planned.new_values):
        add_value(kb, topic, category)
    source = kb.sources[news[0].source]
    try:
        append_block(planned.file, planned.block, CLAIMS_FILE_COMMENT.format(key=source.id, file=source.file_name))
    except (KbError, OSError):
        if topics_before is not None:
            _restore(topics_file, topics_before)  # the new values go with the claims that needed them
        raise
    return planned


def add_claim(kb: KnowledgeBase, new: NewClaim, by: str, when: str | None = None) -> str:
    """Validate `new`, append it to its source's claims file and return the new claim's id (see `add_claims`)."""
    return add_claims(kb, [new], by, when).ids[0]


def _restore(path: Path, text: str | None) -> None:
    """Put `path` back as it was (`text`, or no file) after a later step of the same change failed."""
    if text is None:
        path.unlink(missing_ok=True)
    else:
        write_atomic(path, text)
