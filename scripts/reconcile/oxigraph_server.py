"""Start and stop a real Oxigraph SPARQL server on 127.0.0.1 with on-disk storage (benchmarks and tests)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import KbError


def server_binary() -> str:
    """The `oxigraph` command of PyPI's `oxigraph` package (the test extra), beside this Python or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise KbError("The oxigraph server is missing; install the test extras: pip install -e '.[test]'.")
    return found


@contextmanager
def oxigraph_server(location: Path) -> Iterator[tuple[str, int]]:
    """A server storing its data under `location`, as (base URL, process id); stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([server_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            raise KbError(f"oxigraph did not answer on {url} within 30 s.")
        if process.poll() is not None:
            raise KbError(f"oxigraph did not start: {process.stderr.read().decode() if process.stderr else ''}")
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_megabytes(pid: int) -> float | None:
    """The peak resident memory of a running process (Linux's VmHWM), or None where /proc has no such line."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None
