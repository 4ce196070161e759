from conftest import SHAPES
from reconcile.conflicts import conflict_id, find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.load import load


def by_pair(conflicts):
    return {frozenset(c.id for c in conflict.claims): conflict for conflict in conflicts}


def test_disjoint_intervals_contradict_across_sources(kb):
    found = by_pair(find_conflicts(kb, SHAPES))
    conflict = found[frozenset({"a-nsaid-avoid-after", "b-nsaid-avoid-after"})]
    assert (conflict.kind, conflict.outcome, conflict.severity) == ("disjoint-intervals", "contradiction", "high")
    assert conflict.explanation == (
        'Avoiding NSAIDs after treatment (after treatment): source a says "3 weeks" and source b says "4 days"; '
        "the ranges do not overlap, so both cannot be right.")


def test_one_source_contradicting_itself_is_found(kb):
    found = by_pair(find_conflicts(kb, SHAPES))
    assert found[frozenset({"b-nsaid-avoid-after", "b-nsaid-avoid-after-2"})].outcome == "contradiction"


def test_the_same_value_in_other_units_is_an_agreement(kb):
    found = by_pair(find_conflicts(kb, SHAPES))
    agreement = found[frozenset({"a-nsaid-avoid-after", "c-nsaid-avoid-after"})]  # 3 weeks and 21 days
    assert (agreement.kind, agreement.outcome, agreement.severity) == ("same-interval", "agreement", "none")


def test_overlapping_ranges_are_a_lower_severity_partial_overlap(kb):
    found = by_pair(find_conflicts(kb, SHAPES))
    overlap = found[frozenset({"a-session-count", "b-session-count"})]  # 3–6 and 5–8 on a medium topic
    assert (overlap.kind, overlap.outcome, overlap.severity) == ("partial-overlap", "partial-overlap", "low")


def test_different_contexts_never_conflict(kb):
    pairs = by_pair(find_conflicts(kb, SHAPES))
    assert not [pair for pair in pairs if "c-nsaid-stop-before" in pair]


def test_no_contraindications_against_a_list_contradicts(kb):
    found = by_pair(find_conflicts(kb, SHAPES))
    conflict = found[frozenset({"a-contraindications", "b-contraindications"})]
    assert (conflict.kind, conflict.severity) == ("empty-vs-listed", "high")


def test_yes_against_no_contradicts(kb):
    found = by_pair(find_conflicts(kb, SHAPES))
    conflict = found[frozenset({"b-alopecia-areata", "c-alopecia-areata"})]
    assert (conflict.kind, conflict.severity) == ("different-answers", "medium")


def test_every_pair_is_reported_once(kb):
    conflicts = find_conflicts(kb, SHAPES)
    assert len(conflicts) == len(by_pair(conflicts)) == 11


def test_ids_depend_only_on_the_claims(kb_dir):
    before = {c.id: frozenset(x.id for x in c.claims) for c in find_conflicts(load(kb_dir), SHAPES)}
    add_claim(load(kb_dir), NewClaim("c", "first-results-time", "Clinic C protocol", "8 weeks"), by="test")
    after = {c.id: frozenset(x.id for x in c.claims) for c in find_conflicts(load(kb_dir), SHAPES)}
    assert before.items() <= after.items()
    assert conflict_id("t", ["x", "y"]) == conflict_id("t", ["y", "x"])
