"""Write Turtle the way a person would: readable blocks appended to files, atomically.

Tools never re-serialize a whole file: they append a block, so comments and hand
formatting elsewhere in the file survive.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections import deque
from pathlib import Path

import pyoxigraph as ox

from .errors import KbError
from .model import PREFIXES
from .paths import CLAIMS_DIR, SOURCES_DIR


def header(comment: str) -> str:
    """The top of a new Turtle file: a comment and the prefixes blocks use."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines.append("")
    lines += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()]
    return "\n".join(lines) + "\n"


# Escaped in string literals: quote, backslash, and every control or separator character that
# an editor or a line counter could take for a line break (C0, DEL, C1 with NEL, U+2028, U+2029).
_SPECIAL = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029]')
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
TEMPORARY_SUFFIX = ".tmp"


def string(text: str) -> str:
    """A Turtle string literal for any text, on one line: controls and line separators as \\uXXXX."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise KbError(f"{text[:40]!r}: not valid UTF-8 text (character {error.start + 1}); nothing was changed.") from None
    return '"' + _SPECIAL.sub(lambda m: _SHORT_ESCAPES.get(m[0]) or f"\\u{ord(m[0]):04X}", text) + '"'


_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def append_block(path: Path, block: str, new_file_comment: str) -> None:
    """Append `block` to `path` (creating it with a header if needed) atomically.

    A hand-written file may bind the prefixes the block uses to other names, or the same names
    to other IRIs: those the block needs are declared again just before it. The new text must
    parse before it replaces the file.
    """
    existing = path.read_text(encoding="utf-8") if path.exists() else header(new_file_comment)
    if existing and not existing.endswith("\n"):
        existing += "\n"
    write_turtle(path, existing + "\n" + _rebound_prefixes(existing, block) + block.rstrip("\n") + "\n")


def _rebound_prefixes(existing: str, block: str) -> str:
    """@prefix lines for the prefixes `block` uses that `existing` leaves unbound or binds elsewhere."""
    bound = dict(_PREFIX.findall(existing))  # the last declaration of each name counts
    lines = [f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items()
             if bound.get(name) != str(iri) and re.search(rf"(?<![\w.-]){re.escape(name)}:", block)]
    return "".join(lines)


def write_turtle(path: Path, text: str) -> None:
    """Replace the Turtle file `path` with `text` atomically, after checking that `text` parses."""
    try:
        deque(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()), maxlen=0)
    except SyntaxError as error:
        reason = str(error.msg).split(": ", 1)[-1]
        raise KbError(f"{path}:{error.lineno}: the file would no longer parse with this change ({reason}); "
                      "nothing was changed. Check the ids and the prefixes the file declares.") from None
    write_atomic(path, text)


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    temporary = write_temporary(path, text.encode("utf-8"), mode)
    try:
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise KbError(f"{path}: cannot write ({error.strerror}); nothing was changed.") from None
    except BaseException:  # Ctrl-C: leave nothing behind
        temporary.unlink(missing_ok=True)
        raise


def write_temporary(target: Path, data: bytes, mode: int = 0o644) -> Path:
    """`data` in a new file beside `target`, under a random name `remove_temporaries` knows, created
    exclusively (never through a link) and flushed to disk; nothing is left behind when this fails."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX, dir=target.parent)
    except OSError as error:
        raise KbError(f"{target.parent}: cannot write here ({error.strerror}); nothing was changed.") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise KbError(f"{target}: cannot write ({error.strerror}); nothing was changed.") from None
    except BaseException:  # Ctrl-C: leave nothing behind
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def remove_temporaries(root: Path) -> None:
    """Delete temporary files that a killed writer left in the knowledge base (call holding its lock)."""
    for folder in (root, root / CLAIMS_DIR, root / SOURCES_DIR):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(TEMPORARY_SUFFIX) and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
