"""`kb serve` never leaves the MkDocs server running once it is stopped, however it is stopped."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main

KB = str(Path(sys.executable).parent / "kb")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_stopping_kb_serve_stops_mkdocs_and_frees_the_port(tmp_path, signum):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Preview\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Preview\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([KB, "serve", "--port", str(port)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)  # a session of its own, as from a shell
    try:
        assert until(lambda: answers(port), 90), server.stderr.read().decode() if server.poll() is not None else "no answer"
        server.send_signal(signum)
        server.wait(timeout=30)
        assert until(lambda: not answers(port), 15), f"MkDocs still answers on port {port} after kb serve got {signum!r}"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_port_out_of_range_is_refused_by_name():
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "Invalid value for '--port': 70000 is not in the range 1<=x<=65535." in result.output
