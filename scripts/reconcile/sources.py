"""Add a source: copy its text into kb/sources/ and describe it in kb/sources.ttl, both or neither."""
from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import KbError
from .identity import require_editor
from .inputs import check_date, check_text, check_url
from .load import KnowledgeBase, read_text
from .paths import SOURCES_FILE, source_digest
from .provenance import now
from .turtle import append_block, string, write_temporary

SOURCES_FILE_COMMENT = "The source documents whose claims are compared. Their texts are in kb/sources/."
MAX_SOURCE_BYTES = 20 * 1024 * 1024  # a web page's text is far smaller; anything bigger is a mistake
MEDIA_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".html": "text/html", ".htm": "text/html"}


@dataclass(frozen=True)
class SourceProfile:
    """What the site tells a reviewer about a source beyond its title: only what its text shows."""

    short_name: str | None = None
    published: str | None = None  # publication date the text states, YYYY-MM-DD
    sells_evidence: str | None = None  # the text's words showing its publisher sells the treatment
    derived_from: tuple[str, ...] = ()  # keys of sources this one copies


def source_block(key: str, file_name: str, sha256: str, media_type: str, title: str, publisher: str,
                 kind: str, url: str | None, retrieved: str | None, by: str, when: str,
                 profile: SourceProfile | None = None) -> str:
    """The Turtle block that describes a source in kb/sources.ttl."""
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
    try:
        kb.sources_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KbError(f"{kb.sources_dir}: cannot write here ({error.strerror}); nothing was changed.") from None
    temporary = write_temporary(target, planned.data)
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


