"""Replace an output folder in one step: readers, and a render killed half-way, see the old folder or the new one.

The new folder is built beside the old one (a dot-folder in the same parent, so on the same
file system), holding a copy of everything the old one held that render does not make, and
then the two are exchanged with one `renameat2(RENAME_EXCHANGE)`. Renders of folders in the
same parent take turns on a lock of that parent, so two at once never undo each other's work;
the next render clears what a killed one left.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import KbError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextmanager
def replacing_folder(out: Path, made: list[str]) -> Iterator[Path]:
    """A new, empty-but-for-the-rest copy of `out` to write `made` entries into; it becomes `out` on success.

    `made` are the names of the entries the caller writes: the old ones are not copied, so
    pages of deleted topics do not linger. On an exception the old folder stays as it was.
    """
    out = Path(os.path.abspath(out))
    if out.exists() and not out.is_dir():
        raise KbError(f"{out}: is not a folder; give an output folder with --out. Nothing was changed.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise KbError(f"{out.parent}: cannot write here ({error.strerror}); nothing was changed.") from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another render of this folder finishes first
        prefix = f".{out.name}.render-"
        _remove_leftovers(out.parent, prefix)
        staging = _new_copy(out, prefix, set(made))
        try:
            yield staging
            _exchange(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # after the exchange, it holds the old folder
    finally:
        os.close(lock)


def _new_copy(out: Path, prefix: str, made: set[str]) -> Path:
    try:
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
    except OSError as error:
        raise KbError(f"{out.parent}: cannot write here ({error.strerror}); nothing was changed.") from None
    try:
        os.chmod(staging, out.stat().st_mode & 0o7777 if out.exists() else 0o755)
        if out.exists():
            for entry in os.scandir(out):
                if entry.name in made:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.copytree(entry.path, staging / entry.name, symlinks=True)
                else:
                    shutil.copy2(entry.path, staging / entry.name, follow_symlinks=False)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise KbError(f"{error.filename or out.parent}: cannot write ({error.strerror}); nothing was changed.") from None
    return staging


def _exchange(staging: Path, out: Path) -> None:
    """Make `staging` be `out`, and `out` (if any) be `staging`, in one step where the system allows it."""
    if not out.exists():
        os.rename(staging, out)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(out), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise KbError(f"{out}: cannot replace the folder ({os.strerror(code)}); nothing was changed.")
    aside = Path(tempfile.mkdtemp(prefix=staging.name + "-old-", dir=out.parent))  # no exchange here: two renames
    os.rename(out, aside / out.name)
    os.rename(staging, out)
    os.rename(aside, staging)


def _remove_leftovers(parent: Path, prefix: str) -> None:
    for entry in os.scandir(parent):
        if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
