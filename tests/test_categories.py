"""Category topics take the values they list: synonyms agree, a broader value is compatible, siblings conflict."""
import pytest

from reconcile.conflicts import conflict_results, find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.errors import KbError
from reconcile.load import load
from test_cli_check import run
from test_engine import rows

from conftest import SHAPES, add_page, tree_digest

TOPIC = """
@prefix topicvalue: <https://reconcile-kb.org/value/> .

topic:invasiveness a skos:Concept, kb:Topic ; skos:inScheme kb:topics ;
    skos:prefLabel "How invasive the treatment is"@en ;
    skos:definition "Whether the treatment is surgical, minimally invasive or non-invasive."@en ;
    kb:quantityKind kb:Category ; kb:safety kb:Medium .
topicvalue:non-surgical a skos:Concept, kb:CategoryValue ; kb:valueOf topic:invasiveness ;
    skos:prefLabel "non-surgical"@en .
topicvalue:non-invasive a skos:Concept, kb:CategoryValue ; kb:valueOf topic:invasiveness ;
    skos:broader topicvalue:non-surgical ; skos:prefLabel "non-invasive"@en ; skos:altLabel "noninvasive"@en .
topicvalue:minimally-invasive a skos:Concept, kb:CategoryValue ; kb:valueOf topic:invasiveness ;
    skos:broader topicvalue:non-surgical ; skos:prefLabel "minimally invasive"@en .
"""

TEXT = "Clinic E\n\nThe treatment is non-surgical.\nIt is noninvasive.\nIt is non-invasive.\nIt is minimally invasive.\n"


@pytest.fixture
def clinic_e(kb_dir, tmp_path):
    return add_page(kb_dir, tmp_path, "e", TEXT, TOPIC)


def add(kb_dir, quote, value, **options):
    return add_claim(load(kb_dir), NewClaim("e", "invasiveness", quote, value, **options), by="test")


def relation(kb_dir, first, second):
    kb = load(kb_dir)
    [found] = [c for c in find_conflicts(kb, SHAPES) if {x.id for x in c.claims} == {first, second}]
    return found.outcome, found.kind


def test_a_synonym_is_recorded_as_its_preferred_label_and_agrees(clinic_e):
    first = add(clinic_e, "It is noninvasive.", "noninvasive")
    second = add(clinic_e, "It is non-invasive.", "Non-Invasive")
    assert load(clinic_e).claim(first).category == "non-invasive"
    assert relation(clinic_e, first, second) == ("agreement", "same-answer")


def test_a_broader_value_is_compatible_and_siblings_conflict(clinic_e):
    broad = add(clinic_e, "The treatment is non-surgical.", "non-surgical")
    narrow = add(clinic_e, "It is non-invasive.", "non-invasive")
    sibling = add(clinic_e, "It is minimally invasive.", "minimally invasive")
    assert relation(clinic_e, broad, narrow) == ("compatible", "narrower-category")
    assert relation(clinic_e, broad, sibling) == ("compatible", "narrower-category")
    assert relation(clinic_e, narrow, sibling) == ("contradiction", "different-answers")
    kb = load(clinic_e)
    assert rows(conflict_results(kb, SHAPES, "fast")) == rows(conflict_results(kb, SHAPES, "pyshacl"))


def test_an_unlisted_value_is_refused_with_the_known_ones_unless_asked_to_add_it(clinic_e):
    before = tree_digest(clinic_e)
    with pytest.raises(KbError, match="'painless' is not a value of topic invasiveness. Its values are: minimally "
                                      "invasive \\(under non-surgical\\), non-invasive \\(also: noninvasive; under "
                                      "non-surgical\\), non-surgical"):
        add(clinic_e, "It is non-invasive.", "painless")
    assert tree_digest(clinic_e) == before
    add(clinic_e, "It is non-invasive.", "painless", new_value=True)
    assert "painless" in {v.label for v in load(clinic_e).category_values["invasiveness"]}


def test_the_cli_offers_new_value(clinic_e):
    args = ["add-claim", "--kb", clinic_e, "--shapes", SHAPES, "--source", "e", "--topic", "invasiveness",
            "--quote", "It is non-invasive.", "--value", "painless"]
    refused = run(*args)
    assert refused.exit_code == 2 and "pass --new-value to add it" in refused.output
    assert run(*args, "--new-value").exit_code == 0


def test_a_hand_written_unlisted_category_is_a_structural_error(clinic_e):
    from reconcile.checks import check

    add(clinic_e, "It is non-invasive.", "non-invasive")
    path = clinic_e / "claims" / "e.ttl"
    path.write_text(path.read_text().replace('kb:category "non-invasive"', 'kb:category "noninvasive"'))
    [finding] = [f for f in check(load(clinic_e), SHAPES) if f.code == "claim-category-value"]
    assert '"noninvasive" is not the preferred label of any' in finding.message


def test_a_new_value_is_taken_back_when_its_claim_cannot_be_written(clinic_e, monkeypatch):
    import tempfile

    real_mkstemp, calls = tempfile.mkstemp, []

    def second_write_fails(*args, **kwargs):
        calls.append(kwargs.get("dir"))
        if len(calls) == 2:  # the first writes topics.ttl, the second the claims file
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, **kwargs)

    before = tree_digest(clinic_e)
    monkeypatch.setattr("tempfile.mkstemp", second_write_fails)
    with pytest.raises(KbError, match="cannot write here"):
        add(clinic_e, "It is non-invasive.", "painless", new_value=True)
    monkeypatch.undo()
    assert tree_digest(clinic_e) == before
