import pytest

from reconcile.checks import check
from reconcile.load import load

from conftest import SHAPES


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def codes(kb_dir):
    return {(f.code, f.focus) for f in check(load(kb_dir), SHAPES)}


def test_the_fixture_knowledge_base_is_clean(kb):
    assert check(kb, SHAPES) == []


@pytest.mark.parametrize("old, new, code, focus", [
    ("    kb:topic topic:nsaid-avoid-after ;\n", "", "claim-topic", "a-nsaid-avoid-after"),
    ("kb:topic topic:nsaid-avoid-after ;", "kb:topic topic:no-such-topic ;", "claim-topic", "a-nsaid-avoid-after"),
    ("    kb:context ctx:after-treatment ;\n", "", "claim-context", "a-nsaid-avoid-after"),
    ('    kb:stated "3 weeks" ;\n', "", "claim-stated-value", "a-nsaid-avoid-after"),
    ("kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0", "claim-min-above-max", "a-nsaid-avoid-after"),
    ("kb:unit unit:DAY ; kb:statedUnit unit:WK", "kb:unit unit:WK ; kb:statedUnit unit:WK", "claim-unit", "a-nsaid-avoid-after"),
    ("kb:min 21.0 ; kb:max 21.0 ; ", "", "claim-value-kind", "a-nsaid-avoid-after"),
    ("    prov:wasAttributedTo editor:kb-editors ;\n", "", "claim-attribution", "a-nsaid-avoid-after"),
    ("oa:hasSelector [ a oa:TextQuoteSelector ;", "oa:hasSelector [ a oa:SomethingElse ;", "claim-target", "a-nsaid-avoid-after"),
    ("    prov:wasDerivedFrom source:a ;\n", "    prov:wasDerivedFrom source:b ;\n", "claim-target-source", "a-nsaid-avoid-after"),
])
def test_each_structural_shape_reports_its_finding(kb_dir, old, new, code, focus):
    edit(kb_dir / "claims" / "a.ttl", old, new)
    assert (code, focus) in codes(kb_dir)


def test_findings_point_at_the_claims_file_and_line(kb_dir):
    edit(kb_dir / "claims" / "a.ttl", "kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0")
    finding = next(f for f in check(load(kb_dir), SHAPES) if f.code == "claim-min-above-max")
    assert finding.location.path == kb_dir / "claims" / "a.ttl"
    assert finding.line().startswith(f"{kb_dir / 'claims' / 'a.ttl'}:{finding.location.line}: error [claim-min-above-max] a-nsaid-avoid-after:")


@pytest.mark.parametrize("old, new, code", [
    ('kb:sha256 "', 'kb:sha256 "zz', "source-hash"),
    ('    dcterms:title "Clinic B FAQ" ;\n', "", "source-title"),
    ('    dcterms:publisher "Clinic B" ;\n', "", "source-publisher"),
])
def test_source_shapes(kb_dir, old, new, code):
    edit(kb_dir / "sources.ttl", old, new)
    found = codes(kb_dir)
    assert any(c == code for c, _ in found), found


def test_topic_shapes(kb_dir):
    edit(kb_dir / "topics.ttl", "kb:quantityKind kb:Number ; kb:safety kb:Medium .", "kb:safety kb:Medium .")
    assert ("topic-kind", "session-count") in codes(kb_dir)


def test_a_changed_source_is_reported(kb_dir):
    path = kb_dir / "sources" / "c.txt"
    path.write_text("Clinic C protocol, revised\n\n" + path.read_text().split("\n\n", 1)[1])
    found = check(load(kb_dir), SHAPES)
    assert ("source-changed", "c") in {(f.code, f.focus) for f in found}
    moved = [f for f in found if f.code == "quote-moved"]
    assert {f.focus for f in moved} == {"c-nsaid-stop-before", "c-nsaid-avoid-after", "c-session-count", "c-alopecia-areata"}


def test_a_vanished_quote_is_reported(kb_dir):
    path = kb_dir / "sources" / "a.txt"
    path.write_text(path.read_text().replace("3 weeks", "2 weeks"))
    found = {(f.code, f.focus) for f in check(load(kb_dir), SHAPES)}
    assert ("quote-missing", "a-nsaid-avoid-after") in found


def report_rows(report):
    """Each result of a SHACL report graph as its sorted (predicate, object) pairs, blank nodes by their description.

    Values that are blank nodes of the data stand for themselves only as "a data blank node", since stores
    name them differently; sh:detail (pySHACL's nested results for sh:node) is left out.
    """
    from rdflib import BNode
    from rdflib.collection import Collection
    from rdflib.namespace import RDF, SH

    def term(node):
        if not isinstance(node, BNode):
            return str(node)
        if (node, RDF.first, None) in report:
            return tuple(term(item) for item in Collection(report, node))
        return tuple(sorted((str(p), term(o)) for p, o in report.predicate_objects(node)))

    def pair(predicate, node):
        if predicate == SH.value and isinstance(node, BNode):
            return str(predicate), "a data blank node"
        return str(predicate), term(node)

    return sorted(tuple(sorted(pair(p, o) for p, o in report.predicate_objects(result) if p != SH.detail))
                  for result in report.objects(None, SH.result))


def test_the_fast_engine_writes_the_report_pyshacl_writes(tmp_path):
    import shutil

    from rdflib import Graph
    from rdflib.namespace import SH

    from reconcile.checks import check_structure

    from conftest import FIXTURES, build_fixture_kb

    kb_dir = build_fixture_kb(tmp_path / "kb")
    shutil.copy(FIXTURES / "broken" / "mistakes.ttl", kb_dir / "claims" / "mistakes.ttl")
    edit(kb_dir / "claims" / "a.ttl", "kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0")
    kb = load(kb_dir)
    reports = {}
    for engine in ("fast", "pyshacl"):
        reports[engine] = Graph()
        check_structure(kb, SHAPES, reports[engine], engine)
    fast = reports["fast"]
    assert report_rows(fast) == report_rows(reports["pyshacl"])
    results = list(fast.objects(None, SH.result))
    for field in (SH.sourceShape, SH.sourceConstraintComponent, SH.resultPath, SH.sourceConstraint, SH.value):
        assert any(fast.value(r, field) is not None for r in results), field
    assert all(fast.value(r, SH.sourceShape) is not None and fast.value(r, SH.sourceConstraintComponent) is not None
               for r in results)
    components = {fast.value(r, SH.sourceConstraintComponent) for r in results}
    assert {SH.MinCountConstraintComponent, SH.SPARQLConstraintComponent} <= components
