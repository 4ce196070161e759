import pytest

from reconcile.conflicts import find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.errors import KbError
from reconcile.load import load
from reconcile.reviews import read_reviews, record_review, reviewed_conflicts

from conftest import SHAPES


def nsaid_conflict(kb):
    return next(c for c in find_conflicts(kb, SHAPES)
                if c.is_disagreement and {"a-nsaid-avoid-after", "b-nsaid-avoid-after"} <= {x.id for x in c.claims})


def status_of(kb_dir, conflict_id):
    kb = load(kb_dir)
    return next(c.status for c in reviewed_conflicts(kb, find_conflicts(kb, SHAPES)) if c.id == conflict_id)


def test_a_conflict_is_new_until_reviewed(kb_dir):
    conflict = nsaid_conflict(load(kb_dir))
    assert status_of(kb_dir, conflict.id) == "new"
    record_review(load(kb_dir), conflict, "acknowledged", "rev", "Two clinics disagree.", when="2026-01-02T00:00:00Z")
    assert status_of(kb_dir, conflict.id) == "acknowledged"
    review = read_reviews(load(kb_dir))[0]
    assert (review.decision, review.by, review.note) == ("acknowledged", "rev", "Two clinics disagree.")


def test_a_review_survives_unrelated_edits_and_goes_stale_when_its_claim_changes(kb_dir):
    conflict = nsaid_conflict(load(kb_dir))
    record_review(load(kb_dir), conflict, "acknowledged", "rev", "Real disagreement.")
    other = kb_dir / "claims" / "c.ttl"
    other.write_text(other.read_text().replace('"4 to 6"', '"4 to 6 sessions"'))
    assert status_of(kb_dir, conflict.id) == "acknowledged"
    claims = kb_dir / "claims" / "b.ttl"
    claims.write_text(claims.read_text().replace('kb:stated "4 days"', 'kb:stated "four days"'))
    assert status_of(kb_dir, conflict.id) == "stale"


def test_a_claim_joining_a_side_marks_new_claims_and_one_leaving_it_makes_the_review_stale(kb_dir):
    conflict = nsaid_conflict(load(kb_dir))
    record_review(load(kb_dir), conflict, "acknowledged", "rev", "Real disagreement.")
    add_claim(load(kb_dir), NewClaim("c", "nsaid-avoid-after", "21 days after the session", "three weeks",
                                     context="after-treatment"), by="test")
    assert status_of(kb_dir, conflict.id) == "new-claims"
    claims = kb_dir / "claims" / "c.ttl"
    claims.write_text(claims.read_text().replace("kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 30.0", 1))
    assert status_of(kb_dir, conflict.id) == "stale"


def test_the_latest_decision_wins(kb_dir):
    conflict = nsaid_conflict(load(kb_dir))
    record_review(load(kb_dir), conflict, "acknowledged", "rev", "First look.", when="2026-01-02T00:00:00Z")
    record_review(load(kb_dir), conflict, "not-a-conflict", "rev", "Second look.", when="2026-01-03T00:00:00Z")
    assert status_of(kb_dir, conflict.id) == "not-a-conflict"


def test_a_review_needs_a_known_decision_a_note_and_a_described_reviewer(kb_dir):
    conflict = nsaid_conflict(load(kb_dir))
    with pytest.raises(KbError, match="--decision"):
        record_review(load(kb_dir), conflict, "maybe", "rev", "note")
    with pytest.raises(KbError, match="--note"):
        record_review(load(kb_dir), conflict, "acknowledged", "rev", "  ")
    with pytest.raises(KbError, match="editor 'a-reviewer' is not described"):
        record_review(load(kb_dir), conflict, "acknowledged", "a-reviewer", "note")
    assert not (kb_dir / "reviews.ttl").exists()


def test_the_baseline_marks_known_conflicts_without_deciding_anything(kb_dir):
    from reconcile.gate import run_check
    from reconcile.reviews import read_baseline, write_baseline

    conflict = nsaid_conflict(load(kb_dir))
    record_review(load(kb_dir), conflict, "acknowledged", "rev", "Two clinics disagree.")
    kb = load(kb_dir)
    disagreements = [c for c in find_conflicts(kb, SHAPES) if c.is_disagreement]
    assert write_baseline(kb, find_conflicts(kb, SHAPES)) == len(disagreements) - 1  # the reviewed one stays out
    kb = load(kb_dir)
    assert all(entry.by == "" and entry.note == "" for entry in read_baseline(kb))
    statuses = {c.id: c.status for c in reviewed_conflicts(kb, find_conflicts(kb, SHAPES)) if c.is_disagreement}
    assert statuses.pop(conflict.id) == "acknowledged"
    assert set(statuses.values()) == {"baseline"}
    assert not run_check(kb, SHAPES, "new").failing
    assert {c.id for c in run_check(kb, SHAPES, "unreviewed").failing} == set(statuses)


def test_a_conflict_the_baseline_does_not_know_fails_the_gate(kb_dir):
    from reconcile.gate import run_check
    from reconcile.reviews import write_baseline

    write_baseline(load(kb_dir), find_conflicts(load(kb_dir), SHAPES))
    added = add_claim(load(kb_dir), NewClaim("c", "nsaid-avoid-after", "Stop NSAIDs 3 days", "3 days",
                                             context="after-treatment"), by="test")
    failing = run_check(load(kb_dir), SHAPES, "new").failing
    assert failing and all(c.status == "new" for c in failing)
    assert all(added in {x.id for x in c.claims} for c in failing)
