"""`kb serve`: MkDocs' preview server as a child that never outlives `kb serve`.

However `kb serve` is stopped (Ctrl-C, SIGTERM, SIGHUP, or killed outright), the MkDocs
server goes with it and the port is free again: signals are passed on to the child, and
the kernel stops the child when its parent dies (PR_SET_PDEATHSIG on Linux).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 10


class _Stopped(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def serve(host: str, port: int) -> int:
    """Run `mkdocs serve` on host:port until it ends or this process is told to stop; returns the exit code."""
    child = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"{host}:{port}"],
                             preexec_fn=_die_with_parent)

    def stop(signum, frame):
        raise _Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        return child.wait()
    except _Stopped as stopped:
        return 128 + stopped.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _stop(child)


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _die_with_parent() -> None:
    """In the child, before MkDocs starts: ask the kernel for SIGTERM when the parent dies (Linux only)."""
    name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(name), "prctl", None) if name else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
