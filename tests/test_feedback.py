"""Feedback after adding a claim names the claims it joins, contradicts, overlaps or refines."""
import pytest

from reconcile.edit import NewClaim, add_claim, add_claims
from reconcile.errors import KbError
from reconcile.feedback import claim_feedback, require_shapes, with_block
from reconcile.load import load
from test_categories import TEXT, TOPIC

from conftest import SHAPES, add_page, tree_digest


def added(kb_dir, *args, **options):
    claim_id = add_claim(load(kb_dir), NewClaim(*args, **options), by="test")
    return claim_feedback(load(kb_dir), SHAPES, [claim_id])[claim_id]


def test_joining_a_position_names_its_sources(kb_dir):
    assert added(kb_dir, "a", "nsaid-stop-before", "Clinic A aftercare sheet", "72 hours", context="before-treatment") == [
        "agreement: it joins the position '3 days' held by c."]


def test_a_contradiction_names_the_other_claim_its_quote_and_value(kb_dir):
    lines = added(kb_dir, "c", "session-count", "Clinic C protocol", "9", context="initial-course")
    assert ("contradiction (medium) session-count-8dfde3df: it contradicts b's 'A course is 5–8 sessions.' (5–8); "
            "status: new.") in lines and len(lines) == 3


def test_nesting_says_which_is_more_specific(kb_dir):
    inner = added(kb_dir, "c", "first-results-time", "Clinic C protocol", "3 months")
    assert inner == ["compatible first-results-time-04a1ccdc: it is more specific than a's 'Results appear within two "
                     "to three months.' (2–3 months); status: new."]
    assert added(kb_dir, "b", "first-results-time", "Clinic B FAQ", "1 to 4 months") == [
        "compatible first-results-time-7b7d3661: it is broader than c's 'Clinic C protocol' (3 months); status: new.",
        "compatible first-results-time-f91bda11: it is broader than a's 'Results appear within two to three months.' "
        "(2–3 months); status: new."]


def test_agreements_on_set_yes_no_and_category_topics(kb_dir, tmp_path):
    assert added(kb_dir, "c", "contraindications", "It is not suitable for alopecia areata.", "alopecia areata")[0] == (
        "agreement: it joins the position 'names at least one' held by b (active scalp infection; cancer).")
    assert added(kb_dir, "a", "alopecia-areata", "Clinic A aftercare sheet", "yes")[0] == (
        "agreement: it joins the position 'yes' held by b.")
    add_page(kb_dir, tmp_path, "e", TEXT, TOPIC)
    assert added(kb_dir, "e", "invasiveness", "It is noninvasive.", "noninvasive") == []
    assert added(kb_dir, "e", "invasiveness", "The treatment is non-surgical.", "non-surgical") == [
        "compatible invasiveness-fc17cdab: it is broader than e's 'It is noninvasive.' (non-invasive); status: new."]
    assert added(kb_dir, "e", "invasiveness", "It is non-invasive.", "non-invasive") == [
        "agreement: it joins the position 'non-invasive' held by e.",
        "compatible invasiveness-fc17cdab: it is more specific than e's 'The treatment is non-surgical.' "
        "(non-surgical); status: new."]


def test_a_dry_run_gets_the_same_feedback_from_memory_only(kb_dir):
    before = tree_digest(kb_dir)
    planned = add_claims(load(kb_dir), [NewClaim("a", "nsaid-stop-before", "Clinic A aftercare sheet", "72 hours",
                                                 context="before-treatment")], "test", dry_run=True)
    kb = with_block(kb_dir, planned.block, planned.file)
    assert claim_feedback(kb, SHAPES, planned.ids) == {"a-nsaid-stop-before": [
        "agreement: it joins the position '3 days' held by c."]}
    assert tree_digest(kb_dir) == before


def test_missing_shapes_are_refused(tmp_path):
    with pytest.raises(KbError, match="conflicts.ttl: shapes file not found; pass --shapes"):
        require_shapes(tmp_path)
