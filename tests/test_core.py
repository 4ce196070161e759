"""SHACL Core on the fast engine: the same findings as pySHACL, and a refusal for what it cannot run."""
import shutil

import pytest
from rdflib import Graph

from reconcile.checks import check_structure
from reconcile.errors import KbError
from reconcile.load import load
from reconcile.shacl.engine import compile_shapes

from conftest import FIXTURES, SHAPES, build_fixture_kb


def test_every_core_mistake_is_found_as_pyshacl_finds_it(tmp_path):
    kb_dir = build_fixture_kb(tmp_path / "kb")
    shutil.copy(FIXTURES / "broken" / "mistakes.ttl", kb_dir / "claims" / "mistakes.ttl")
    kb = load(kb_dir)
    reference = check_structure(kb, SHAPES, engine="pyshacl")
    fast = check_structure(kb, SHAPES, engine="fast")
    assert fast == reference
    found = {(f.focus, f.code) for f in fast}
    assert {("broken-parts", "claim-topic"), ("broken-parts", "claim-context"), ("broken-parts", "claim-stated-value"),
            ("broken-parts", "claim-attribution"), ("broken-parts", "claim-time"),
            ("broken-values", "claim-topic"), ("broken-values", "claim-bound"), ("broken-values", "claim-attribution"),
            ("broken-values", "claim-source"), ("broken-target", "claim-target"), ("broken-selectors", "claim-target"),
            ("broken", "source-key"), ("broken", "source-title"), ("broken", "source-hash"), ("broken", "source-file"),
            ("broken", "source-publisher"), ("broken", "source-date"), ("broken", "topic-safety"),
            ("broken", "topic-definition"), ("broken", "topic-kind")} <= found


def test_a_sound_knowledge_base_has_no_core_findings(kb):
    assert check_structure(kb, SHAPES, engine="fast") == []


def test_components_the_fast_engine_cannot_run_are_refused_by_name():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:xone ( ex:A ex:B ) ] .
    """, format="turtle")
    with pytest.raises(KbError, match="xone.*--engine pyshacl"):
        compile_shapes(shapes)


def test_remembered_nested_shapes_give_the_results_of_testing_them_in_place(tmp_path):
    """A whole run finds the nodes violating each nested shape once; a focused run tests them in place."""
    from reconcile.shacl import load_shapes
    from reconcile.shacl.engine import ConformanceQuery, run_compiled
    from reconcile.store import CONFORMANCE_GRAPH

    kb_dir = build_fixture_kb(tmp_path / "kb")
    shutil.copy(FIXTURES / "broken" / "mistakes.ttl", kb_dir / "claims" / "mistakes.ttl")
    store = load(kb_dir).store.data_only()
    shapes = load_shapes(SHAPES / "structure.ttl")
    remembering = compile_shapes(shapes, remember=True)
    assert sum(isinstance(item, ConformanceQuery) for item in remembering) == 3  # the target and its two selectors
    in_place, remembered = run_compiled(store, compile_shapes(shapes)), run_compiled(store, remembering)
    assert [r.code for r in remembered if r.code == "claim-target"]  # broken targets are among the results
    assert remembered == in_place
    assert not store.ask(f"ASK {{ GRAPH <{CONFORMANCE_GRAPH}> {{ ?s ?p ?o }} }}")  # kept for the run only


def test_a_shape_nested_in_itself_is_refused_by_name():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ] .
        ex:T a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:node ex:T ] .
    """, format="turtle")
    with pytest.raises(KbError, match="ex.*T is nested in itself.*--engine pyshacl"):
        compile_shapes(shapes, remember=True)
