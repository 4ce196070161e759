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


PROFILE_OF_B = '    dcterms:publisher "Clinic B" ;\n'


@pytest.mark.parametrize("profile, code", [
    ('    kb:shortName "A short name far longer than thirty characters" ;\n', "source-short-name"),
    ('    kb:shortName "" ;\n', "source-short-name"),
    ('    dcterms:issued "last spring" ;\n', "source-published"),
    ('    dcterms:source "javascript:alert(1)" ;\n', "source-url"),
    ('    kb:sellsTreatmentEvidence "" ;\n', "source-sells-evidence"),
    ('    prov:wasDerivedFrom topic:nsaid-avoid-after ;\n', "source-derived-from"),
    ('    prov:wasDerivedFrom source:b ;\n', "source-derived-from"),
])
def test_source_profile_shapes(kb_dir, profile, code):
    edit(kb_dir / "sources.ttl", PROFILE_OF_B, PROFILE_OF_B + profile)
    assert (code, "b") in codes(kb_dir)


def test_a_full_source_profile_is_clean_and_read(kb_dir):
    profile = ('    kb:shortName "Clinic B" ;\n    dcterms:issued "2025-03-01"^^xsd:date ;\n'
               '    dcterms:source "https://clinic-b.example/faq" ;\n'
               '    kb:sellsTreatmentEvidence "Book your session" ;\n    prov:wasDerivedFrom source:a ;\n')
    edit(kb_dir / "sources.ttl", PROFILE_OF_B, PROFILE_OF_B + profile)
    kb = load(kb_dir)
    assert check(kb, SHAPES) == []
    b = kb.sources["b"]
    assert (b.name, b.published, b.url, b.sells_treatment, b.derived_from) == (
        "Clinic B", "2025-03-01", "https://clinic-b.example/faq", True, ("a",))
    assert (kb.sources["a"].name, kb.sources["a"].sells_treatment) == ("a", False)


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


# --- the quote carries the value (claim-quote-value, claim-quote-words) ---

def test_a_quote_that_states_the_number_and_unit_passes(kb):
    # "3 weeks" in "Avoid NSAIDs for 3 weeks after the procedure.", "two to three months" in words
    assert [f for f in check(kb, SHAPES) if f.code.startswith("claim-quote")] == []


def test_a_number_missing_from_the_quote_is_an_error(kb_dir):
    edit(kb_dir / "claims" / "a.ttl", 'kb:stated "3 weeks" ;\n    kb:min 21.0 ; kb:max 21.0 ;',
         'kb:stated "4 weeks" ;\n    kb:min 28.0 ; kb:max 28.0 ;')
    findings = [f for f in check(load(kb_dir), SHAPES) if f.code == "claim-quote-value"]
    assert [f.line() for f in findings] == [
        f"{kb_dir / 'claims' / 'a.ttl'}:18: error [claim-quote-value] a-nsaid-avoid-after: the quote does not carry "
        "the stated value \"4 weeks\": the number 4 not in it; widen the quote to the words that state the value, "
        "or correct the value."]


def test_a_unit_missing_from_the_quote_is_an_error(kb_dir):
    edit(kb_dir / "claims" / "a.ttl", 'kb:stated "3 weeks" ;', 'kb:stated "21 days" ;')
    [finding] = [f for f in check(load(kb_dir), SHAPES) if f.code == "claim-quote-value"]
    assert "\"21 days\": the number 21, the unit 'days' not in it" in finding.message


def test_numbers_in_words_ordinals_and_unit_spellings_count(kb):
    from dataclasses import replace

    from reconcile.carried import missing_value

    claim = kb.claim("a-nsaid-avoid-after")
    for stated, quote in [("2", "Some improvement may be noticed after the second session."),
                          ("6 months", "around the 6-month mark"), ("30–60 minutes", "Duration 30–60 min"),
                          ("two to three months", "in as little as two to three months"), ("30", "Using a 30G needle"),
                          ("400 plus billion", "we utilize 400 plus billion exosomes per vial")]:
        assert missing_value(replace(claim, stated=stated, quote=quote)) == [], stated


def test_a_yes_no_quote_sharing_no_word_with_its_topic_is_a_warning(kb_dir):
    with (kb_dir / "topics.ttl").open("a", encoding="utf-8") as topics:
        topics.write('\ntopic:hydration-before a skos:Concept, kb:Topic ; skos:inScheme kb:topics ;\n'
                     '    skos:prefLabel "Drinking plenty of fluids before treatment"@en ;\n'
                     '    skos:definition "Whether to drink fluids."@en ;\n'
                     '    kb:quantityKind kb:YesNo ; kb:safety kb:Low .\n')
    edit(kb_dir / "claims" / "b.ttl", "kb:topic topic:alopecia-areata ;", "kb:topic topic:hydration-before ;")
    findings = [f for f in check(load(kb_dir), SHAPES) if f.code == "claim-quote-words"]
    assert [f.line() for f in findings] == [
        f"{kb_dir / 'claims' / 'b.ttl'}:69: warning [claim-quote-words] b-alopecia-areata: no word of the topic "
        "\"Drinking plenty of fluids before treatment\" or of the value occurs in the quote; check that the quote is "
        "about this topic, then widen it to the words that say so or move the claim to the right topic."]


def test_a_topic_synonym_counts_as_its_word(kb):
    from reconcile.carried import shares_a_word
    from reconcile.model import Topic

    claim = kb.claim("b-alopecia-areata")  # "Yes, it works for alopecia areata."
    topic = Topic("patchy-loss", "Patchy hair loss", "", "YesNo", "EqualityComparison", "medium", None, None)
    assert not shares_a_word(claim, topic)
    assert shares_a_word(claim, topic, ["alopecia areata"])


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
