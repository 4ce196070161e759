"""How two numeric values relate, one case per relation, as both engines find it.

Each case writes two sentences into a new source, records one claim on each with the
given values (through `add_claim`, as an editor would) and asks how the two relate. The
same value once hedged ("may") and once not differs in strength only.
"""
import pytest

from reconcile.conflicts import conflict_results, find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.load import load
from test_engine import rows

from conftest import SHAPES, add_page

CASES = [
    # (first value, second value, topic, outcome, finding code)
    ("3 days", "72 hours", "nsaid-stop-before", "agreement", "same-interval"),
    ("3 days", "3–5 days", "nsaid-stop-before", "compatible", "nested-intervals"),
    ("at least 24 hours", "24 hours", "nsaid-stop-before", "compatible", "nested-intervals"),
    ("at least 4 weeks", "4–6 weeks", "nsaid-stop-before", "compatible", "nested-intervals"),
    ("6 months", "4–6 months", "first-results-time", "compatible", "nested-intervals"),
    ("within hours", "the same day", "first-results-time", "compatible", "nested-intervals"),
    ("up to a year", "a year", "first-results-time", "compatible", "nested-intervals"),
    ("5–8", "3–6", "session-count", "partial-overlap", "partial-overlap"),
    ("3–6 months", "6–8 months", "first-results-time", "partial-overlap", "partial-overlap"),
    ("6–8 weeks", "2–3 months", "first-results-time", "partial-overlap", "within-rounding"),
    ("4 days", "3 weeks", "nsaid-stop-before", "contradiction", "disjoint-intervals"),
    ("1 week", "10 days", "nsaid-stop-before", "contradiction", "disjoint-intervals"),
    ("6 months", "1 year", "first-results-time", "contradiction", "disjoint-intervals"),
    # Rules that give no time: "no duration stated" is more than nothing; "no wait" is nothing.
    ("no duration stated", "2 weeks", "nsaid-stop-before", "compatible", "nested-intervals"),
    ("no duration stated", "at least 24 hours", "nsaid-stop-before", "compatible", "nested-intervals"),
    ("no duration stated", "no wait", "nsaid-stop-before", "contradiction", "disjoint-intervals"),
    ("no wait", "at least 24 hours", "nsaid-stop-before", "contradiction", "disjoint-intervals"),
    ("immediately", "the same day", "nsaid-stop-before", "compatible", "nested-intervals"),
    ("no duration stated", "the same day", "nsaid-stop-before", "partial-overlap", "partial-overlap"),
]


def two_claims(kb_dir, tmp_path, first, second, topic):
    add_page(kb_dir, tmp_path, "r", f"Relations sheet\n\nThe first passage says {first}.\nThe second passage says {second}.\n")
    for value in (first, second):
        add_claim(load(kb_dir), NewClaim("r", topic, f"says {value}", value, context="maintenance"), by="test")
    return load(kb_dir)


@pytest.mark.parametrize("first, second, topic, outcome, code", CASES, ids=[f"{c[0]} | {c[1]}" for c in CASES])
def test_values_relate_as_a_reviewer_reads_them(kb_dir, tmp_path, first, second, topic, outcome, code):
    kb = two_claims(kb_dir, tmp_path, first, second, topic)
    found = [c for c in find_conflicts(kb, SHAPES) if {claim.source for claim in c.claims} == {"r"}]
    assert [(c.outcome, c.kind) for c in found] == [(outcome, code)]
    assert found[0].is_disagreement == (outcome in ("contradiction", "partial-overlap"))
    assert (found[0].severity == "none") == (outcome in ("compatible", "agreement"))


STRENGTHS = [
    # (first value and modality, second value and modality, topic, outcome, finding code)
    (("3 days", "may"), ("3 days", "should-not"), "nsaid-stop-before", "compatible", "hedged-and-plain"),
    (("3 days", "may"), ("3 days", "none"), "nsaid-stop-before", "compatible", "hedged-and-plain"),
    (("3 days", "may"), ("3 days", "must-not"), "nsaid-stop-before", "partial-overlap", "hedged-against-firm"),
    (("yes", "may"), ("yes", "must"), "alopecia-areata", "partial-overlap", "hedged-against-firm"),
    (("yes", "may"), ("yes", "should"), "alopecia-areata", "compatible", "hedged-and-plain"),
    (("3 days", "should-not"), ("3 days", "must-not"), "nsaid-stop-before", "agreement", "same-interval"),
    (("3 days", "may"), ("3 days", "may"), "nsaid-stop-before", "agreement", "same-interval"),
    # A hedge softens nothing between different values: they relate as any other two.
    (("3 days", "may"), ("3 weeks", "must-not"), "nsaid-stop-before", "contradiction", "disjoint-intervals"),
    (("3 days", "may"), ("3–5 days", "must-not"), "nsaid-stop-before", "compatible", "nested-intervals"),
    (("yes", "may"), ("no", "must"), "alopecia-areata", "contradiction", "different-answers"),
]


@pytest.mark.parametrize("first, second, topic, outcome, code", STRENGTHS,
                         ids=[f"{a[0]} {a[1]} | {b[0]} {b[1]}" for a, b, *_ in STRENGTHS])
def test_a_hedge_and_a_rule_with_the_same_content_differ_in_strength(kb_dir, tmp_path, first, second, topic, outcome, code):
    add_page(kb_dir, tmp_path, "r", "Strength sheet\n\nThe first passage says one thing.\nThe second passage says another.\n")
    for quote, (value, modality) in zip(("says one thing", "says another"), (first, second), strict=True):
        add_claim(load(kb_dir), NewClaim("r", topic, quote, value, context="maintenance", modality=modality), by="test")
    kb = load(kb_dir)
    found = [c for c in find_conflicts(kb, SHAPES) if {claim.source for claim in c.claims} == {"r"}]
    assert [(c.outcome, c.kind) for c in found] == [(outcome, code)]


def test_every_relation_is_found_alike_by_both_engines(kb_dir, tmp_path):
    """All cases in one knowledge base (one context each would collide, so each pair gets its own topic copy)."""
    cases = [((a, None), (b, None), topic) for a, b, topic, *_ in CASES] + [(a, b, topic) for a, b, topic, *_ in STRENGTHS]
    add_page(kb_dir, tmp_path, "r", "Relations sheet\n\n" + "".join(f"Case {i} says one thing; case {i} also says another.\n"
                                                                    for i in range(len(cases))))
    contexts = ["general", "before-treatment", "during-treatment", "after-treatment", "initial-course", "maintenance",
                "redness", "swelling", "microneedling", "injection"]
    for i, (first, second, topic) in enumerate(cases):
        for quote, (value, modality) in zip((f"case {i} says one thing", f"case {i} also says another"), (first, second), strict=True):
            add_claim(load(kb_dir), NewClaim("r", topic, quote, value, context=contexts[i % len(contexts)], modality=modality),
                      by="test")
    kb = load(kb_dir)
    reference = rows(conflict_results(kb, SHAPES, "pyshacl"))
    assert rows(conflict_results(kb, SHAPES, "fast")) == reference
    assert {code for *_, code, _ in reference} >= {"nested-intervals", "within-rounding", "partial-overlap",
                                                  "disjoint-intervals", "same-interval", "hedged-and-plain",
                                                  "hedged-against-firm"}
