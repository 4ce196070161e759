"""One writer at a time: every command that writes under kb/ holds the knowledge base's lock.

The lock is an exclusive `flock` on kb/.lock, held for the whole command, so the
operating system lets it go however the command ends (even when it is killed).
`writing()` is the one way in: it takes the lock, refuses symbolic links under kb/,
clears temporary files a killed writer left behind, and loads the knowledge base
afresh, so that ids, duplicates and file contents are read after any earlier writer
has finished.
"""
from __future__ import annotations

import errno
import fcntl
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import KbError
from .load import KnowledgeBase, load, require_folder
from .paths import refuse_links
from .turtle import remove_temporaries

LOCK_FILE = ".lock"
POLL_SECONDS = 0.05
INTERRUPTS = {signal.SIGINT, signal.SIGTERM}  # held back while the lock file is created and taken


def wait_seconds(wait: bool, timeout: float | None) -> float | None:
    """The --wait and --wait-timeout options as `kb_lock`'s `wait`: 0 (do not wait), seconds, or None (until free)."""
    if timeout is not None:
        return max(0.0, timeout)
    return None if wait else 0.0


@contextmanager
def kb_lock(root: Path, wait: float | None = 0.0) -> Iterator[None]:
    """Hold the write lock of the knowledge base at `root`.

    `wait` is how many seconds to wait for another writer (None: until it finishes);
    when the lock stays taken, KbError says which process holds it.
    Ctrl-C and SIGTERM are held back from creating the lock file until this function
    owns it, so an interrupted writer never leaves kb/.lock behind.
    """
    path = root / LOCK_FILE
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    handle = None
    try:
        handle = _acquire(root, path, wait, unblocked)
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)  # an interrupt held back is raised here
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        if handle is not None:
            try:  # removed before it is let go: a writer that locks the removed file sees that and tries again
                os.unlink(path)
            except OSError:
                pass
            os.close(handle)


@contextmanager
def writing(root: Path | str, wait: float | None = 0.0) -> Iterator[KnowledgeBase]:
    """The knowledge base at `root`, loaded while this process holds its write lock."""
    root = Path(root)
    require_folder(root)
    with kb_lock(root, wait):
        refuse_links(root)
        remove_temporaries(root)
        yield load(root)


def _acquire(root: Path, path: Path, wait: float | None, unblocked: set[int | signal.Signals]) -> int:
    """Open and lock the lock file, with interrupts held back except while waiting for another writer."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise KbError(f"{path}: is a symbolic link; remove it. Nothing was changed.") from None
            raise KbError(f"{root}: cannot lock the knowledge base for writing ({error.strerror}); "
                          "nothing was changed.") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            os.close(handle)
            if deadline is not None and time.monotonic() >= deadline:
                raise KbError(_busy_message(root, holder, wait)) from None
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)  # Ctrl-C still stops a wait
            time.sleep(POLL_SECONDS)
            signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
            continue
        if _same_file(handle, path):
            return handle
        os.close(handle)  # the previous writer removed this file as it finished: lock the one there now


def _same_file(handle: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _holder(handle: int) -> int | None:
    try:
        return int(os.pread(handle, 32, 0).decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _busy_message(root: Path, holder: int | None, wait: float | None) -> str:
    who = f" (pid {holder})" if holder else ""
    if wait:
        return (f"Another kb command is still writing to {root}/{who} after {wait:g} seconds; "
                "try again, or wait longer with --wait-timeout.")
    return f"Another kb command is writing to {root}/{who}; try again, or pass --wait."
