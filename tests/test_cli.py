"""The CLI's error contract: every library exception becomes one message and the exit code it carries."""
import ast
import inspect

from click.testing import CliRunner

from reconcile import cli
from reconcile.cli import main

from conftest import SHAPES, tree_digest


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env or {}, catch_exceptions=False)


def test_declining_the_claim_in_interactive_mode_is_a_message_not_a_traceback(kb_dir):
    before = tree_digest(kb_dir)
    answers = "\n".join(["c", "first-results-time", "general", "Plan 4 to 6 sessions.", "y", "6 weeks", "n"]) + "\n"
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "-i", input=answers)
    assert result.exit_code == 2
    assert result.stderr == "Error: Nothing was added.\n"
    assert tree_digest(kb_dir) == before


def test_render_into_a_folder_that_cannot_be_made_is_a_message_not_a_traceback(kb_dir, tmp_path):
    out = tmp_path / "docs"
    out.write_text("a file where the docs folder should be\n")
    result = run("render", "--kb", kb_dir, "--shapes", SHAPES, "--out", out)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {out}: is not a folder; give an output folder with --out. Nothing was changed.\n"
    assert out.read_text() == "a file where the docs folder should be\n"


def test_a_write_that_fails_on_a_named_file_is_a_message(kb_dir, tmp_path):
    summary = tmp_path / "summary"
    summary.mkdir()  # the step summary cannot be appended to
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES,
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 2
    assert result.stderr == f"Error: {summary}: Is a directory.\n"


def test_structural_errors_stop_rendering_with_exit_code_1(kb_dir, tmp_path):
    path = kb_dir / "claims" / "a.ttl"
    path.write_text(path.read_text().replace("kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0"))
    result = run("render", "--kb", kb_dir, "--shapes", SHAPES, "--out", tmp_path / "docs")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: The knowledge base has structural errors; fix them before rendering:\n")
    assert "error [claim-min-above-max]" in result.stderr
    assert not (tmp_path / "docs").exists()


def test_only_the_group_translates_library_exceptions():
    """No command catches KbError itself: KbGroup.invoke is the one translation point."""
    tree = ast.parse(inspect.getsource(cli))
    handlers = [(node, handler) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                for handler in ast.walk(node) if isinstance(handler, ast.ExceptHandler)]
    assert {node.name for node, _ in handlers} == {"invoke"}


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_stopping_kb_serve_by_its_pid_stops_the_server_it_started(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    from conftest import ROOT, build_fixture_kb, build_site

    build_site(build_fixture_kb(tmp_path / "kb"), tmp_path / "work")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    serve = subprocess.Popen([sys.executable, "-m", "reconcile.cli", "serve", "--port", str(port)], cwd=tmp_path / "work",
                             env={**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "NO_MKDOCS_2_WARNING": "1"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert serve.poll() is None and time.monotonic() < deadline, "kb serve did not start answering"
            time.sleep(0.3)
        os.kill(serve.pid, signal.SIGTERM)  # kb itself, not its child
        serve.wait(timeout=20)
        deadline = time.monotonic() + 10
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _answers(port), "the MkDocs server kept answering after kb serve was stopped"
    finally:
        if serve.poll() is None:
            serve.kill()
