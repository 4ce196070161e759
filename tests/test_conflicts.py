from reconcile.conflicts import conflict_id, find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.load import load

from conftest import SHAPES


def by_sides(conflicts):
    """Each conflict keyed by the claim ids on each of its sides."""
    return {frozenset(frozenset(c.id for c in side) for side in conflict.sides): conflict for conflict in conflicts}


def sides(*groups):
    return frozenset(frozenset(group) for group in groups)


THREE_WEEKS = {"a-nsaid-avoid-after", "b-nsaid-avoid-after-2", "c-nsaid-avoid-after"}  # 3 weeks, 3 weeks, 21 days


def test_disjoint_intervals_contradict_with_every_claim_of_a_value_on_one_side(kb):
    conflict = by_sides(find_conflicts(kb, SHAPES))[sides({"b-nsaid-avoid-after"}, THREE_WEEKS)]
    assert (conflict.kind, conflict.outcome, conflict.severity) == ("disjoint-intervals", "contradiction", "high")
    assert conflict.explanation == (
        'Avoiding NSAIDs after treatment (after treatment): source a says "3 weeks" and source b says "4 days"; '
        "the ranges do not overlap.")
    assert [len(side) for side in conflict.sides] == [1, 3]  # the lower value first


def test_one_source_contradicting_itself_is_named(kb):
    conflicts = find_conflicts(kb, SHAPES)
    assert by_sides(conflicts)[sides({"b-nsaid-avoid-after"}, THREE_WEEKS)].sources_on_both_sides == ["b"]
    assert by_sides(conflicts)[sides({"a-session-count"}, {"b-session-count"})].sources_on_both_sides == []


def test_the_same_value_in_other_units_is_one_agreement(kb):
    agreement = by_sides(find_conflicts(kb, SHAPES))[sides(THREE_WEEKS)]
    assert (agreement.kind, agreement.outcome, agreement.severity) == ("same-interval", "agreement", "none")


def test_overlapping_ranges_are_a_lower_severity_partial_overlap(kb):
    overlap = by_sides(find_conflicts(kb, SHAPES))[sides({"a-session-count"}, {"b-session-count"})]  # 3–6 and 5–8
    assert (overlap.kind, overlap.outcome, overlap.severity) == ("partial-overlap", "partial-overlap", "low")


def test_different_contexts_never_conflict(kb):
    assert not [c for c in find_conflicts(kb, SHAPES) if "c-nsaid-stop-before" in {x.id for x in c.claims}]


def test_no_contraindications_against_a_list_contradicts(kb):
    conflict = by_sides(find_conflicts(kb, SHAPES))[sides({"a-contraindications"}, {"b-contraindications"})]
    assert (conflict.kind, conflict.severity) == ("empty-vs-listed", "high")


def test_yes_against_no_contradicts(kb):
    conflict = by_sides(find_conflicts(kb, SHAPES))[sides({"b-alopecia-areata"}, {"c-alopecia-areata"})]
    assert (conflict.kind, conflict.severity) == ("different-answers", "medium")


def test_a_range_inside_another_is_compatible_and_never_a_disagreement(kb):
    nested = by_sides(find_conflicts(kb, SHAPES))[sides({"a-session-count"}, {"c-session-count"})]  # 4–6 in 3–6
    assert (nested.kind, nested.outcome, nested.severity, nested.is_disagreement) == (
        "nested-intervals", "compatible", "none", False)
    assert nested.explanation == ('Number of sessions (initial course): source c says "4 to 6", which lies inside '
                                  '"3–6" from source a; the two are compatible, the first is more specific.')


def test_every_pair_of_positions_is_reported_once(kb):
    conflicts = find_conflicts(kb, SHAPES)
    assert len(conflicts) == len(by_sides(conflicts)) == len({c.id for c in conflicts}) == 7


def test_a_claim_repeating_a_value_joins_its_side_and_keeps_every_id(kb_dir):
    before = {c.id: c for c in find_conflicts(load(kb_dir), SHAPES)}
    add_claim(load(kb_dir), NewClaim("c", "nsaid-avoid-after", "21 days after the session", "three weeks",
                                     context="after-treatment"), by="test")
    after = {c.id: c for c in find_conflicts(load(kb_dir), SHAPES)}
    assert after.keys() == before.keys()
    grown = [i for i in after if len(after[i].claims) == len(before[i].claims) + 1]
    assert grown and all(after[i].topic == "nsaid-avoid-after" for i in grown)


def test_a_new_value_adds_conflicts_and_keeps_the_others(kb_dir):
    before = {c.id: frozenset(x.id for x in c.claims) for c in find_conflicts(load(kb_dir), SHAPES)}
    add_claim(load(kb_dir), NewClaim("c", "first-results-time", "Clinic C protocol", "8 weeks"), by="test")
    after = {c.id: frozenset(x.id for x in c.claims) for c in find_conflicts(load(kb_dir), SHAPES)}
    assert before.items() < after.items()
    assert conflict_id("t", ["x", "y"]) == conflict_id("t", ["y", "x"])


def rule_positions(kb):
    """Claim IRI -> the position the claim-positions rule puts it in."""
    from reconcile.shacl import load_shapes
    from reconcile.shacl.engine import RuleQuery, compile_shapes, run_compiled

    rules = [item for item in compile_shapes(load_shapes(SHAPES / "conflicts.ttl")) if isinstance(item, RuleQuery)]
    run_compiled(kb.store, rules)
    query = "SELECT ?position ?claim WHERE { ?position <https://reconcile-kb.org/vocab#heldBy> ?claim }"
    return {str(row["claim"]): str(row["position"]) for row in kb.store.select(query)}


def test_python_names_every_position_as_the_rule_does(kb_dir, tmp_path):
    """conflicts.py and cache.py group claims with `position_iri`; it must match the claim-positions rule."""
    from reconcile.model import CLAIM, position_iri

    from conftest import ROOT, add_page

    add_page(kb_dir, tmp_path, "k", "Key sheet\n\nStop NSAIDs, for how long is not said.\nYou may stop them for 3 days.\n")
    add_claim(load(kb_dir), NewClaim("k", "nsaid-stop-before", "Stop NSAIDs", "no duration stated"), by="test")
    add_claim(load(kb_dir), NewClaim("k", "nsaid-stop-before", "You may stop them for 3 days", "3 days", modality="may"), by="test")
    for kb in (load(kb_dir), load(ROOT / "kb")):  # the fixture with an excluded bound and a hedge, and the real knowledge base
        held = rule_positions(kb)
        assert any(c.modality == "May" for c in kb.claims)
        for claim in (c for c in kb.claims if not c.retracted):  # retracted claims hold no position
            assert held[str(CLAIM[claim.id])] == str(position_iri(claim)), (
                f"claim {claim.id}: the rule and reconcile.model.position_iri build different position keys")
