"""Add sources, claims and topics to the knowledge base, checking everything first.

Each function validates its input completely, then appends one readable block to
one file atomically; on any error nothing on disk changes.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from rapidfuzz import process

from .categories import add_value, check_category, listed_value
from .errors import KbError
from .identity import require_editor
from .load import KnowledgeBase, read_text
from .modality import from_option
from .model import Claim, position_iri
from .numbers import format_decimal
from .paths import SOURCES_FILE, TOPICS_FILE, source_digest
from .provenance import now
from .quotes import Anchor, QuoteError, find_quote
from .turtle import TEMPORARY_SUFFIX, append_block, string, write_atomic
from .values import Value, ValueParseError, normalized, parse_value
from .vocab import QUANTITY_KINDS, SAFETY_LEVELS

CLAIMS_FILE_COMMENT = "Claims of source {key} ({file}), one block per claim.\nEach block quotes the source exactly; see README.md for how to add one by hand."
SOURCES_FILE_COMMENT = "The source documents whose claims are compared. Their texts are in kb/sources/."
TOPICS_FILE_COMMENT = "Topics that claims are about: a SKOS concept scheme."
MAX_SOURCE_BYTES = 20 * 1024 * 1024  # a web page's text is far smaller; anything bigger is a mistake
MEDIA_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".html": "text/html", ".htm": "text/html"}


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


def suggest(name: str, choices: list[str], what: str) -> str:
    """'Unknown topic x; did you mean a, b or c?' with the closest names."""
    close = [match for match, score, _ in process.extract(name, choices, limit=3) if score >= 50]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return f"Unknown {what} '{name}'.{hint} List them with `kb {what}s`."


def check_text(option: str, value: str | None) -> None:
    """Refuse an option whose value is not valid UTF-8 (the shell hands such bytes over as lone surrogates)."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise KbError(f"{option}: the value is not valid UTF-8 text (character {error.start + 1}); "
                      "give it as UTF-8. Nothing was changed.") from None


def check_date(option: str, value: str | None) -> None:
    """Refuse anything but a real calendar date written YYYY-MM-DD in ASCII digits."""
    if value is None:
        return
    check_text(option, value)
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise KbError(f"{option}: '{value}' is not a date like 2026-11-24; nothing was changed.") from None


def check_url(option: str, value: str | None) -> None:
    """Only http:// and https:// addresses are recorded: the site links to them."""
    if value is None:
        return
    check_text(option, value)
    parts = urlsplit(value) if not re.search(r"[\x00-\x20\x7f-\x9f]", value) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise KbError(f"{option}: '{value}' is not an http:// or https:// address; give the web address the text "
                      "was retrieved from. Nothing was changed.")


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
    """Claims of the same source, topic and context that state the same value or quote overlapping words."""
    position = position_iri(Claim(
        id=claim_id, source=new.source, source_file="", topic=new.topic, context=new.context, quote=anchor.exact,
        prefix="", suffix="", start=anchor.start, end=anchor.end, stated=new.value, min=value.min, max=value.max,
        min_exclusive=value.min_exclusive, unit=value.unit, yes=value.yes, category=value.category,
        members=value.members, empty_set=value.empty_set))
    warnings = []
    for claim in kb.claims:
        if (claim.source, claim.topic, claim.context) != (new.source, new.topic, new.context):
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


def source_block(key: str, file_name: str, sha256: str, media_type: str, title: str, publisher: str,
                 kind: str, url: str | None, retrieved: str | None, by: str, when: str,
                 profile: SourceProfile | None = None) -> str:
    profile = profile or SourceProfile()
    lines = [
        f"source:{key} a kb:Source ;",
        f"    kb:key {string(key)} ;",
        *([f"    kb:shortName {string(profile.short_name)} ;"] if profile.short_name else []),
        f"    dcterms:title {string(title)} ;",
        f"    dcterms:publisher {string(publisher)} ;",
        f"    kb:sourceKind {string(kind)} ;",
        f"    kb:fileName {string(file_name)} ;",
        f"    kb:sha256 {string(sha256)} ;",
        f"    dcterms:format {string(media_type)} ;",
    ]
    if url:
        lines.append(f"    dcterms:source {string(url)} ;")
    if retrieved:
        lines.append(f'    dcterms:date "{retrieved}"^^xsd:date ;')
    if profile.published:
        lines.append(f'    dcterms:issued "{profile.published}"^^xsd:date ;')
    if profile.sells_evidence:
        lines.append(f"    kb:sellsTreatmentEvidence {string(profile.sells_evidence)} ;")
    lines += [f"    prov:wasDerivedFrom source:{other} ;" for other in profile.derived_from]
    lines += [f"    prov:wasAttributedTo editor:{by} ;", f'    prov:generatedAtTime "{when}"^^xsd:dateTime .']
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SourceProfile:
    """What the site tells a reviewer about a source beyond its title: only what its text shows."""

    short_name: str | None = None
    published: str | None = None  # publication date the text states, YYYY-MM-DD
    sells_evidence: str | None = None  # the text's words showing its publisher sells the treatment
    derived_from: tuple[str, ...] = ()  # keys of sources this one copies


def check_profile(kb: KnowledgeBase, profile: SourceProfile, text: str) -> None:
    """Refuse a profile the shapes would reject, or evidence that is not the text's own words."""
    for option, value in (("--short-name", profile.short_name), ("--sells-evidence", profile.sells_evidence)):
        check_text(option, value)
    if profile.short_name is not None and not 1 <= len(profile.short_name) <= 30:
        raise KbError(f"--short-name: '{profile.short_name}' must be 1 to 30 characters; tables and charts show it.")
    check_date("--published", profile.published)
    if profile.sells_evidence is not None and (not profile.sells_evidence.strip() or profile.sells_evidence not in text):
        raise KbError("--sells-evidence: give words copied exactly from the source's text (a price, a booking line, "
                      "\"our clinic\"); these are not in it.")
    for other in profile.derived_from:
        if other not in kb.sources:
            raise KbError(f"--derived-from: no source has the key '{other}'; give the key of the source this one copies.")


@dataclass(frozen=True)
class PlannedSource:
    """A source checked and ready to add: its key, where its text goes, the text's bytes and its block."""

    key: str
    target: Path
    data: bytes
    block: str


def plan_source(kb: KnowledgeBase, file: Path, title: str, publisher: str = "not stated in the text",
                kind: str = "web page", url: str | None = None, retrieved: str | None = None,
                key: str | None = None, by: str = "", profile: SourceProfile | None = None) -> PlannedSource:
    """Check a text or HTML file and its metadata as `add_source` would; writes nothing."""
    for option, value in (("--title", title), ("--publisher", publisher), ("--kind", kind), ("--key", key),
                          ("FILE", str(file))):
        check_text(option, value)
    require_editor(kb, by)
    check_url("--url", url)
    check_date("--retrieved", retrieved)
    file = Path(file)
    data = _read_source_bytes(file)
    text = data.decode("utf-8")
    if file.suffix.lower() in (".html", ".htm"):
        text, file = html_to_text(text), file.with_suffix(".txt")
        data = text.encode("utf-8")
    if not text.strip():
        raise KbError(f"{file}: the file is empty; there is nothing to quote.")
    check_profile(kb, profile or SourceProfile(), text)
    if file.name.startswith(".") or re.search(r"[\x00-\x1f\x7f]", file.name):
        raise KbError(f"{file}: a source's file name must not start with a dot or hold control characters; "
                      "rename the file.")
    digest = source_digest(data)
    for existing in kb.sources.values():
        if existing.sha256 == digest:
            raise KbError(f"{file}: the same text is already in the knowledge base as source {existing.id} ({existing.file_name}).")
    key = key or re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise KbError(f"--key: '{key}' must be lower-case letters, digits and dashes.")
    if key in kb.sources:
        raise KbError(f"--key: a source with key '{key}' already exists; give another with --key.")
    target = kb.sources_dir / file.name
    if (target.exists() or target.is_symlink()) and not _left_by_an_interrupted_add(kb, target, data):
        raise KbError(f"{target}: a different file with this name is already in {kb.sources_dir}/; rename the new file.")
    block = source_block(key, file.name, digest, MEDIA_TYPES.get(file.suffix.lower(), "text/plain"), title,
                         publisher, kind, url, retrieved, by, now(), profile)
    return PlannedSource(key, target, data, block)


def add_source(kb: KnowledgeBase, file: Path, title: str, publisher: str = "not stated in the text",
               kind: str = "web page", url: str | None = None, retrieved: str | None = None,
               key: str | None = None, by: str = "", profile: SourceProfile | None = None) -> str:
    """Copy a text or HTML file into kb/sources/ and describe it in kb/sources.ttl; returns its key.

    Both are written or neither: the text goes to a new temporary file, takes its name
    (never replacing another file), and is removed again when its block cannot be added to
    kb/sources.ttl. A text left by an add-source killed between the two steps is named by no
    source, so the knowledge base is sound, and the same command run again completes the pair.
    `kb` must be loaded under the write lock (`lock.writing`).
    """
    planned = plan_source(kb, file, title, publisher, kind, url, retrieved, key, by, profile)
    target = planned.target
    if os.path.lexists(target):  # plan_source let it through: the same text, left by an interrupted add
        target.unlink()
    temporary = _write_temporary(kb.sources_dir, target.name, planned.data)
    try:
        _take_name(temporary, target)
    except OSError as error:
        raise KbError(f"{target}: cannot write ({error.strerror}); nothing was changed.") from None
    finally:
        temporary.unlink(missing_ok=True)
    try:
        append_block(kb.root / SOURCES_FILE, planned.block, SOURCES_FILE_COMMENT)
    except BaseException:  # a full disk, Ctrl-C: the text goes again
        target.unlink(missing_ok=True)
        raise
    return planned.key


def _restore(path: Path, text: str | None) -> None:
    """Put `path` back as it was (`text`, or no file) after a later step of the same change failed."""
    if text is None:
        path.unlink(missing_ok=True)
    else:
        write_atomic(path, text)


def _left_by_an_interrupted_add(kb: KnowledgeBase, target: Path, data: bytes) -> bool:
    """Whether `target` is this very text, named by no source: an add-source stopped between its two steps."""
    if target.is_symlink() or not target.is_file() or any(s.file_name == target.name for s in kb.sources.values()):
        return False
    return target.read_bytes() == data


def _take_name(temporary: Path, target: Path) -> None:
    """Give the temporary file its final name, never replacing a file or link of that name."""
    try:
        os.link(temporary, target)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP) or os.path.lexists(target):
            raise
        os.rename(temporary, target)  # no hard links on this file system; the write lock keeps the name free


def _write_temporary(folder: Path, name: str, data: bytes) -> Path:
    """`data` in a new file of `folder` with a random name, created exclusively (never through a link)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMPORARY_SUFFIX, dir=folder)
    except OSError as error:
        raise KbError(f"{folder}: cannot write here ({error.strerror}); nothing was changed.") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise KbError(f"{folder}: cannot write ({error.strerror}); nothing was changed.") from None
    except BaseException:  # Ctrl-C: leave nothing behind
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _read_source_bytes(file: Path) -> bytes:
    try:
        info = file.stat()
    except OSError:
        info = None  # read_text below names the file and what is wrong
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise KbError(f"{file}: is not a regular file (a folder, FIFO or device); give the text or HTML file "
                      "to add. Nothing was changed.")
    if file.is_file() and file.stat().st_size > MAX_SOURCE_BYTES:
        raise KbError(f"{file}: {file.stat().st_size // (1024 * 1024)} MB is too large for a source "
                      f"(the limit is {MAX_SOURCE_BYTES // (1024 * 1024)} MB); add the relevant page only.")
    read_text(file)  # names the file when it is missing or not UTF-8
    return file.read_bytes()


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block per line."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer", "header"]):
        tag.decompose()
    lines = (" ".join(line.split()) for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line) + "\n"


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
