"""The SPARQL-store mode against a real Oxigraph server started on 127.0.0.1 for the test."""

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
