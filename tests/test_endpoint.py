"""The SPARQL-store mode against a real Oxigraph server started on 127.0.0.1 for the test,
and against addresses and servers that are not one."""
import errno
import http.server
import io
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.endpoint import RemoteStore, publish, remote_kb
from reconcile.errors import KbError
from reconcile.gate import run_check
from reconcile.load import load
from reconcile.oxigraph_server import oxigraph_server

from conftest import SHAPES


@pytest.fixture
def server(tmp_path):
    with oxigraph_server(tmp_path / "store") as (url, _pid):
        yield url


def test_publish_then_check_the_store_finds_the_same_conflicts(server, kb_dir):
    store = RemoteStore(server)
    assert publish(kb_dir, store) == len(list(kb_dir.rglob("*.ttl")))
    local = run_check(load(kb_dir), SHAPES, "never")
    remote = run_check(remote_kb(store), SHAPES, "never")
    assert [(c.id, c.kind, c.severity, c.explanation) for c in remote.conflicts] == \
           [(c.id, c.kind, c.severity, c.explanation) for c in local.conflicts]
    assert remote.findings == [] and len(remote.conflicts) == 7


def test_a_knowledge_base_published_in_many_requests_keeps_each_files_blank_nodes_together(server, kb_dir, monkeypatch):
    from reconcile import endpoint

    monkeypatch.setattr(endpoint, "PUBLISH_BATCH_BYTES", 1)  # every file in a request of its own
    store = RemoteStore(server)
    publish(kb_dir, store)
    remote = run_check(remote_kb(store), SHAPES, "never")
    assert remote.findings == [] and len(remote.conflicts) == 7  # each claim's target and selectors still one node each


class _FullDisk(io.BytesIO):
    """A temporary file on a disk with no room left."""

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_no_room_for_the_temporary_n_triples_is_a_message_and_publishes_nothing(server, kb_dir, monkeypatch):
    from reconcile import endpoint

    store = RemoteStore(server)
    publish(kb_dir, store)
    before = remote_kb(store).claims
    (kb_dir / "claims" / "c.ttl").unlink()  # what publishing again would change
    monkeypatch.setattr(endpoint.tempfile, "TemporaryFile", _FullDisk)
    with pytest.raises(KbError, match=r"cannot write a temporary file .*No space left on device.*nothing was published"):
        publish(kb_dir, store)
    with pytest.raises(KbError, match=r"cannot write a temporary file .*the check stopped"):
        run_check(remote_kb(store), SHAPES, "never")  # the rules' inferences are spooled too
    assert remote_kb(store).claims == before


def test_cli_publish_and_check_against_the_store(server, kb_dir):
    runner = CliRunner()
    published = runner.invoke(main, ["publish", "--kb", str(kb_dir), "--endpoint", server])
    assert published.exit_code == 0 and "Published" in published.output
    checked = runner.invoke(main, ["check", "--endpoint", server, "--shapes", str(SHAPES)])
    assert checked.exit_code == 1
    assert "error [disjoint-intervals] a-nsaid-avoid-after:" in checked.output
    again = runner.invoke(main, ["publish", "--kb", str(kb_dir), "--endpoint", server])
    assert again.exit_code == 0  # publishing replaces the graph instead of adding duplicates
    assert len(remote_kb(RemoteStore(server)).claims) == 13


def test_an_unreachable_store_is_a_clear_error():
    with pytest.raises(KbError, match="cannot reach the store"):
        RemoteStore("http://127.0.0.1:9", timeout=2).ask("ASK {}")


# A wrong address, a closed port, a server that is not SPARQL, a slow one: a message naming the URL ------------

class Answering(http.server.BaseHTTPRequestHandler):
    """A web server that is not a SPARQL store: an HTML page for every request, after `delay` seconds."""

    delay = 0.0

    def _answer(self) -> None:
        time.sleep(self.delay)
        body = b"<html><body>Hello</body></html>"
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test): nothing to print into a later test's output

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def web_server():
    servers = []

    def start(delay: float) -> str:
        handler = type("Handler", (Answering,), {"delay": delay})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def endpoint_commands(kb_dir, url, *extra):
    return [["publish", "--kb", str(kb_dir), "--endpoint", url, *extra],
            ["check", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--endpoint", url, *extra]]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "127.0.0.1:7878", "ftp://example.org", "http://", "http://h:99999",
                                 "http://exa mple.org"])
def test_an_endpoint_that_is_not_a_web_address_is_refused(kb_dir, url):
    for args in endpoint_commands(kb_dir, url):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert result.output == (f"Error: --endpoint: '{url}' is not an http:// or https:// address; give the store's "
                                 "base URL, such as http://127.0.0.1:7878.\n")


def test_a_closed_port_names_the_url(kb_dir):
    url = f"http://127.0.0.1:{closed_port()}"
    for args in endpoint_commands(kb_dir, url):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
        assert result.output.startswith(f"Error: {url}/") and "cannot reach the store" in result.output
        assert "Connection refused" in result.output


def test_a_server_that_is_not_sparql_is_named(kb_dir, web_server):
    url = web_server(0.0)
    result = CliRunner().invoke(main, endpoint_commands(kb_dir, url)[1])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.output == (f"Error: {url}/query: the answer is not SPARQL query results; check --endpoint and "
                             "--query-path point at a SPARQL 1.1 query service.\n")
    with pytest.raises(KbError, match=r"/store: the answer is not N-Triples"):
        RemoteStore(url).graph()


def test_a_slow_server_times_out_after_the_timeout_option(kb_dir, web_server):
    url = web_server(5.0)
    for args in endpoint_commands(kb_dir, url, "--timeout", "0.5"):
        started = time.monotonic()
        result = CliRunner().invoke(main, args)
        assert time.monotonic() - started < 4.5  # it gave up before the server answered
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
        assert result.output.startswith(f"Error: {url}/") and ": no answer within 0.5 seconds; " in result.output
        assert "allow longer with --timeout." in result.output


def test_the_default_timeout_is_short():
    assert RemoteStore("http://127.0.0.1:7878").timeout == 30


# Publish checks every file before it changes the store, and publishes only the knowledge base ---------------

def test_publish_checks_every_file_first_and_leaves_the_store_as_it_was(server, kb_dir):
    store = RemoteStore(server)
    publish(kb_dir, store)
    before = len(store.graph())
    (kb_dir / "claims" / "c.ttl").write_text((kb_dir / "claims" / "c.ttl").read_text() + "\nclaim:x kb:topic .\n")
    result = CliRunner().invoke(main, ["publish", "--kb", str(kb_dir), "--endpoint", server])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {kb_dir / 'claims' / 'c.ttl'}:") and "Turtle syntax error" in result.output
    assert len(store.graph()) == before


def test_publish_leaves_out_turtle_among_the_sources(server, kb_dir):
    (kb_dir / "sources" / "evil.ttl").write_text("<urn:evil> <urn:p> <urn:o> .\n")
    store = RemoteStore(server)
    publish(kb_dir, store)
    assert not store.ask("ASK { <urn:evil> ?p ?o }")
    assert len(store.graph()) == len(load(kb_dir).store.triples())


def test_the_gate_never_passes_an_empty_store(server):
    result = CliRunner().invoke(main, ["check", "--endpoint", server, "--shapes", str(SHAPES)])
    assert result.exit_code == 2
    assert result.output == ("Error: The store holds no topics and no claims; publish the knowledge base to it with "
                             "`kb publish` first, or check the --endpoint.\n")


def test_branches_live_in_named_graphs_beside_each_other_and_inferences_stay_out_of_the_data(server, kb_dir, tmp_path):
    import shutil as copying

    branch = tmp_path / "branch"
    copying.copytree(kb_dir, branch)
    claims_file = next(iter(sorted((branch / "claims").glob("*.ttl"))))
    claims_file.write_text(claims_file.read_text(encoding="utf-8").split("\nclaim:", 1)[0] + "\n", encoding="utf-8")
    main_store, pr_store = RemoteStore(server), RemoteStore(server, graph="urn:ci:pr-42")
    publish(kb_dir, main_store)
    publish(branch, pr_store)
    assert [c.id for c in run_check(remote_kb(pr_store), SHAPES, "never").conflicts] == \
           [c.id for c in run_check(load(branch), SHAPES, "never").conflicts]
    local = load(kb_dir)
    assert [c.id for c in run_check(remote_kb(main_store), SHAPES, "never").conflicts] == \
           [c.id for c in run_check(local, SHAPES, "never").conflicts]
    assert len(main_store.triples()) == len(local.store.triples())  # the rules wrote beside the data, not into it
    assert main_store.ask("ASK { ?p a <https://reconcile-kb.org/vocab#Position> }")  # yet queries see them

    runner = CliRunner()
    dropped = runner.invoke(main, ["publish", "--endpoint", server, "--graph", "urn:ci:pr-42", "--drop"])
    assert dropped.exit_code == 0, dropped.output
    assert pr_store.triples() == [] and not pr_store.ask("ASK { ?s ?p ?o }")
    assert len(remote_kb(main_store).claims) == len(local.claims)  # main is untouched
