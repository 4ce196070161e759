"""Files of the knowledge base read and written without leaving its folder.

Source files are named by `kb:fileName`, which is data anyone can edit: a name is
resolved inside kb/sources/ only, and a symbolic link, a FIFO or a device there is
refused before anything is read from it. Commands that write refuse symbolic links
anywhere under kb/, so that no write lands outside the folder.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from .errors import KbError

# The knowledge base's files. Nothing else beside claims/*.ttl is data, so a .ttl file dropped
# among the source texts (kb/sources/) is never loaded.
VOCAB_FILE = "vocab.ttl"
CONTEXTS_FILE = "contexts.ttl"
EDITORS_FILE = "editors.ttl"
TOPICS_FILE = "topics.ttl"
SOURCES_FILE = "sources.ttl"
REVIEWS_FILE = "reviews.ttl"
BASELINE_FILE = "baseline.ttl"
KB_FILES = (VOCAB_FILE, CONTEXTS_FILE, EDITORS_FILE, TOPICS_FILE, SOURCES_FILE, REVIEWS_FILE, BASELINE_FILE)
CLAIMS_DIR = "claims"  # one file per source: claims/<source key>.ttl
SOURCES_DIR = "sources"  # the source texts, byte for byte
# The shapes folder's files.
STRUCTURE_SHAPES = "structure.ttl"
CONFLICT_SHAPES = "conflicts.ttl"


class SourceMissing(KbError):
    """A source's file is not there."""


def source_digest(data: bytes) -> str:
    """The SHA-256 that kb:sha256 records for a source file's bytes."""
    return hashlib.sha256(data).hexdigest()


def source_path(sources_dir: Path, name: str) -> Path:
    """kb/sources/`name`, refusing names that would lead out of the folder."""
    if not name or name in (".", "..") or any(c in name for c in "/\\\x00"):
        raise KbError(f"{sources_dir}/{name}: kb:fileName must be the name of a file inside {sources_dir}/, "
                      "without folders or '..'; nothing was read.")
    return sources_dir / name


def read_source_bytes(sources_dir: Path, name: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file inside `sources_dir`; links, FIFOs and devices are refused unread."""
    path = source_path(sources_dir, name)
    if sources_dir.is_symlink():
        raise KbError(f"{sources_dir}: is a symbolic link; source files must be inside the knowledge base folder. "
                      "Nothing was read.")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise SourceMissing(f"{path}: file not found.") from None
    except OSError as error:
        raise KbError(f"{path}: cannot read: {error.strerror}.") from None
    _refuse_special(path, info.st_mode)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise KbError(f"{path}: cannot read: {error.strerror}.") from None
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        _refuse_special(path, info.st_mode)  # replaced between the two looks
        if limit is not None and info.st_size > limit:
            raise KbError(f"{path}: {info.st_size} bytes is more than a source may hold ({limit}).")
        return file.read()


def _refuse_special(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        raise KbError(f"{path}: is a symbolic link; a source must be a regular file inside {path.parent}/. "
                      "Replace the link with the file itself. Nothing was read.")
    if not stat.S_ISREG(mode):
        raise KbError(f"{path}: is not a regular file (a FIFO, device or folder); a source must be a text file. "
                      "Nothing was read.")


def refuse_links(root: Path) -> None:
    """Raise KbError naming the first symbolic link under `root` (the folder itself may be one)."""
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if path.is_symlink():
                raise KbError(f"{path}: is a symbolic link; kb commands do not write through links. Replace it "
                              "with the file or folder itself; nothing was changed.")


def overlaps(folder: Path, other: Path) -> bool:
    """Whether `folder` is `other`, or one contains the other (after resolving links)."""
    a, b = folder.resolve(), other.resolve()
    return a == b or a in b.parents or b in a.parents
