"""Answers implied on broader topics: a restriction on hair washing means something besides NSAIDs is restricted."""
from reconcile.conflicts import conflict_results, find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.implied import implied_claims
from reconcile.load import load
from test_cli_check import run
from test_engine import rows

from conftest import SHAPES, add_page

TOPICS = """
topic:restrictions-after a skos:Concept, kb:Topic ; skos:inScheme kb:topics ;
    skos:prefLabel "Restrictions after treatment other than NSAIDs"@en ;
    skos:definition "Whether anything besides NSAIDs is restricted after a session."@en ;
    kb:quantityKind kb:YesNo ; kb:safety kb:Medium .

topic:wash-after a skos:Concept, kb:Topic ; skos:inScheme kb:topics ; skos:broader topic:restrictions-after ;
    skos:prefLabel "Not washing hair after treatment"@en ;
    skos:definition "How long after a session patients should not wash their hair."@en ;
    kb:quantityKind kb:Duration ; kb:safety kb:Medium .
"""

TEXT = ("Clinic D aftercare\n\nAvoid washing hair for 24 hours.\nThe only restriction is to avoid NSAIDs.\n"
        "You may wash your hair right away.\nPatients may want to avoid washing for a day.\n")


def clinic_d(kb_dir, tmp_path):
    add_page(kb_dir, tmp_path, "d", TEXT, TOPICS)
    add_claim(load(kb_dir), NewClaim("d", "wash-after", "Avoid washing hair for 24 hours.", "24 hours",
                                     context="after-treatment"), by="test")
    add_claim(load(kb_dir), NewClaim("d", "restrictions-after", "The only restriction is to avoid NSAIDs.", "no",
                                     context="after-treatment"), by="test")
    return kb_dir


def test_a_restriction_on_a_narrower_topic_contradicts_none_on_the_broader_one(kb_dir, tmp_path):
    kb = load(clinic_d(kb_dir, tmp_path))
    [conflict] = [c for c in find_conflicts(kb, SHAPES) if c.topic == "restrictions-after"]
    assert (conflict.outcome, conflict.kind, conflict.severity) == ("contradiction", "different-answers", "medium")
    implied = next(claim for side in conflict.sides for claim in side if claim.implied_by)
    assert (implied.id, implied.implied_by, implied.quote) == (
        "d-wash-after-implies-restrictions-after", "d-wash-after", "Avoid washing hair for 24 hours.")
    assert conflict.explanation == (
        'Restrictions after treatment other than NSAIDs (after treatment): source d says "no" and source d says '
        '"yes, implied by "24 hours" on Not washing hair after treatment"; the answers differ.')


def test_both_engines_derive_the_same_answers(kb_dir, tmp_path):
    kb = load(clinic_d(kb_dir, tmp_path))
    reference = rows(conflict_results(kb, SHAPES, "pyshacl"))
    assert rows(conflict_results(kb, SHAPES, "fast")) == reference
    assert any("implied by" in message for _, _, _, message, *_ in reference)


def test_no_wait_and_hedges_imply_nothing(kb_dir, tmp_path):
    clinic_d(kb_dir, tmp_path)
    add_claim(load(kb_dir), NewClaim("d", "wash-after", "You may wash your hair right away.", "no wait",
                                     context="initial-course"), by="test")
    add_claim(load(kb_dir), NewClaim("d", "wash-after", "Patients may want to avoid washing for a day.", "a day",
                                     context="maintenance", modality="may"), by="test")
    assert [c.implied_by for c in implied_claims(load(kb_dir))] == ["d-wash-after"]


def test_the_cli_and_json_say_where_an_implied_answer_comes_from(kb_dir, tmp_path):
    import json

    clinic_d(kb_dir, tmp_path)
    text = run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--topic", "restrictions-after").output
    assert "  - implied by d (claim d-wash-after): d.txt (" in text
    [listed] = json.loads(run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--format", "json",
                              "--topic", "restrictions-after").output)
    assert {c["id"]: c["implied_by"] for side in listed["sides"] for c in side["claims"]} == {
        "d-restrictions-after": None, "d-wash-after-implies-restrictions-after": "d-wash-after"}


def test_the_cache_rechecks_the_broader_topic_when_a_narrower_claim_changes(kb_dir, tmp_path):
    clinic_d(kb_dir, tmp_path)
    cache = tmp_path / "cache.json"
    find_conflicts(load(kb_dir), SHAPES, cache_file=cache)  # warm
    path = kb_dir / "claims" / "d.ttl"
    path.write_text(path.read_text().replace("kb:min 1.0 ; kb:max 1.0", "kb:min 0.0 ; kb:max 0.0"))  # "no wait" now
    kb = load(kb_dir)
    assert {c.id for c in find_conflicts(kb, SHAPES, cache_file=cache)} == {c.id for c in find_conflicts(kb, SHAPES)}
    assert not [c for c in find_conflicts(kb, SHAPES, cache_file=cache) if c.topic == "restrictions-after"]
