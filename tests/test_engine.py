"""The fast executor returns exactly what pySHACL returns, on every fixture and on the real knowledge base."""
import pytest

from reconcile.conflicts import conflict_results
from reconcile.load import load

from conftest import ROOT, SHAPES, build_fixture_kb


def rows(results):
    return sorted((str(r.focus), str(r.value), str(r.severity), r.message, r.code, r.outcome) for r in results)


@pytest.mark.parametrize("which", ["fixture", "real"])
def test_fast_engine_matches_pyshacl(tmp_path, which):
    kb = load(build_fixture_kb(tmp_path / "kb") if which == "fixture" else ROOT / "kb")
    reference = rows(conflict_results(kb, SHAPES, "pyshacl"))
    assert rows(conflict_results(kb, SHAPES, "fast")) == reference
    assert which == "real" or len(reference) == 7  # 6 disagreements and one agreement of three claims


def test_fast_engine_matches_pyshacl_after_edits(kb_dir):
    path = kb_dir / "claims" / "b.ttl"
    path.write_text(path.read_text().replace("kb:min 4.0 ; kb:max 4.0", "kb:min 4.0"))  # open upper bound
    kb = load(kb_dir)
    assert rows(conflict_results(kb, SHAPES, "fast")) == rows(conflict_results(kb, SHAPES, "pyshacl"))


def test_structural_checks_agree_between_engines(kb_dir):
    from reconcile.checks import check_structure

    from conftest import SHAPES

    path = kb_dir / "claims" / "a.ttl"
    text = path.read_text().replace("kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0")
    text = text.replace("kb:unit unit:DAY ; kb:statedUnit unit:MO", "kb:unit unit:MO ; kb:statedUnit unit:MO")
    text = text.replace("    prov:wasDerivedFrom source:a ;\n", "    prov:wasDerivedFrom source:b ;\n", 1)
    path.write_text(text)
    kb = load(kb_dir)
    fast = check_structure(kb, SHAPES, engine="fast")
    assert {f.code for f in fast} >= {"claim-min-above-max", "claim-unit", "claim-target-source"}
    assert fast == check_structure(kb, SHAPES, engine="pyshacl")


@pytest.mark.parametrize("limit", [0, 10_000])
def test_focus_nodes_give_the_same_results_written_in_or_filtered(kb, monkeypatch, limit):
    from reconcile.model import position_iri
    from reconcile.shacl import engine, load_shapes

    compiled = engine.compile_shapes(load_shapes(SHAPES / "conflicts.ttl"))
    focus = list({position_iri(c) for c in kb.claims if c.topic == "nsaid-avoid-after"})
    monkeypatch.setattr(engine, "FOCUS_INLINE_LIMIT", limit)
    restricted = rows(engine.run_compiled(kb.store, compiled, focus))
    full = [row for row in rows(engine.run_compiled(kb.store, compiled)) if row[0] in {str(f) for f in focus}]
    assert restricted == full and restricted


def lowercase_where_shapes(folder):
    """The project's shapes with every WHERE keyword written in lower case, as SPARQL allows."""
    folder.mkdir()
    for name in ("structure.ttl", "conflicts.ttl"):
        text = (SHAPES / name).read_text(encoding="utf-8")
        assert "WHERE {" in text
        (folder / name).write_text(text.replace("WHERE {", "where {"), encoding="utf-8")
    return folder


def test_a_lowercase_where_gives_the_same_results_on_both_engines(kb_dir, tmp_path):
    from reconcile.checks import check_structure

    path = kb_dir / "claims" / "a.ttl"
    path.write_text(path.read_text().replace("kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0"))
    kb = load(kb_dir)
    lowercase = lowercase_where_shapes(tmp_path / "shapes")
    fast = check_structure(kb, lowercase, engine="fast")
    assert "claim-min-above-max" in {f.code for f in fast}  # a SPARQL constraint of the structural shapes
    assert fast == check_structure(kb, lowercase, engine="pyshacl") == check_structure(kb, SHAPES, engine="fast")
    path.write_text(path.read_text().replace("kb:min 30.0 ; kb:max 21.0", "kb:min 21.0 ; kb:max 21.0"))
    kb = load(kb_dir)
    reference = rows(conflict_results(kb, SHAPES, "pyshacl"))
    assert rows(conflict_results(kb, lowercase, "fast")) == rows(conflict_results(kb, lowercase, "pyshacl")) == reference


def test_a_query_the_fast_engine_cannot_read_is_refused_naming_its_shape():
    from rdflib import Graph

    from reconcile.errors import KbError
    from reconcile.shacl.engine import compile_shapes

    shapes = Graph().parse(data='''
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this where { $this ex:p ?o " ] .
    ''', format="turtle")
    with pytest.raises(KbError, match=r"^Shape http://example.org/S: cannot find the WHERE pattern"):
        compile_shapes(shapes)


@pytest.mark.parametrize("modifiers", ["ORDER BY ?value", "LIMIT 1000"])
def test_solution_modifiers_after_the_where_pattern_are_kept(modifiers):
    from rdflib import Graph

    from reconcile.shacl.engine import compile_shapes

    shapes = Graph().parse(data=f'''
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "select $this ?value {{ $this ex:p ?value }} {modifiers}" ] .
    ''', format="turtle")
    [compiled] = compile_shapes(shapes)
    assert compiled.query().rstrip().endswith(modifiers)


def test_an_unknown_engine_is_refused_the_same_way_everywhere(kb):
    from reconcile.checks import check_structure
    from reconcile.errors import KbError

    message = "--engine: unknown engine 'quick'; choose one of fast, pyshacl."
    with pytest.raises(KbError) as structural:
        check_structure(kb, SHAPES, engine="quick")
    with pytest.raises(KbError) as conflicts:
        conflict_results(kb, SHAPES, "quick")
    assert str(structural.value) == str(conflicts.value) == message
