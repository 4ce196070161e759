from reconcile.segments import is_candidate, is_heading, passages

TEXT = ("Aftercare Tips\n"
        "\n"
        "Avoid NSAIDs (e.g. aspirin) for 3 weeks. Results vary. Dr. Smith agrees.\n"
        "  - Wash hair the next day.\n"
        "Key risks include:\n"
        "• Redness → resolves same day\n"
        "• Mild swelling\n"
        "Sessions: 3-5\n"
        "Treatment\tSessions\tInterval\n"
        "Yes. It works for alopecia areata.\n"
        "How long does it last?\n")


def test_passages_are_exact_spans_without_markers():
    found = passages(TEXT)
    assert [(p.line, p.kind, p.text) for p in found] == [
        (1, "sentence", "Aftercare Tips"),
        (3, "sentence", "Avoid NSAIDs (e.g. aspirin) for 3 weeks."),
        (3, "sentence", "Results vary."),
        (3, "sentence", "Dr. Smith agrees."),
        (4, "item", "Wash hair the next day."),
        (5, "sentence", "Key risks include:"),
        (6, "item", "Redness → resolves same day"),
        (7, "item", "Mild swelling"),
        (8, "fact", "Sessions: 3-5"),
        (9, "row", "Treatment\tSessions\tInterval"),
        (10, "sentence", "Yes. It works for alopecia areata."),
        (11, "sentence", "How long does it last?"),
    ]
    assert all(TEXT[p.start:p.end] == p.text for p in found)


def test_a_line_introducing_a_list_carries_its_items():
    header = next(p for p in passages(TEXT) if p.text == "Key risks include:")
    assert header.items == ("Redness → resolves same day", "Mild swelling")
    assert is_heading(header)


def test_candidates_state_an_amount_a_rule_a_yes_no_or_a_list():
    chosen = [p.text for p in passages(TEXT) if is_candidate(p)]
    assert chosen == ["Avoid NSAIDs (e.g. aspirin) for 3 weeks.", "Wash hair the next day.", "Key risks include:",
                      "Redness → resolves same day", "Mild swelling", "Sessions: 3-5", "Treatment\tSessions\tInterval",
                      "Yes. It works for alopecia areata."]
