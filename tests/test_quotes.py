import pytest

from reconcile.quotes import CONTEXT_CHARS, QuoteError, find_quote, line_of, verify

TEXT = "Line one.\nAvoid NSAIDs for 3–5 days before.\nIt’s  fine.\nAvoid NSAIDs for 3–5 days before.\n"


def test_exact_quote_gets_offsets_prefix_and_suffix():
    anchor = find_quote("abc Avoid it. xyz", "Avoid it.")
    assert (anchor.start, anchor.end, anchor.exact) == (4, 13, "Avoid it.")
    assert (anchor.prefix, anchor.suffix) == ("abc ", " xyz")


def test_prefix_and_suffix_are_limited():
    text = "x" * 100 + "quote" + "y" * 100
    anchor = find_quote(text, "quote")
    assert len(anchor.prefix) == len(anchor.suffix) == CONTEXT_CHARS


def test_whitespace_quote_marks_dashes_and_case_are_forgiven():
    anchor = find_quote(TEXT, "it's fine.")
    assert anchor.exact == "It’s  fine."
    assert find_quote("stop for 3–5 days", "stop for 3-5 days").exact == "stop for 3–5 days"


def test_a_quote_found_twice_needs_more_words_or_an_occurrence():
    with pytest.raises(QuoteError, match=r"occurs 2 times in the source \(lines 2, 4\)"):
        find_quote(TEXT, "Avoid NSAIDs for 3–5 days before.")
    second = find_quote(TEXT, "Avoid NSAIDs for 3–5 days before.", occurrence=2)
    assert line_of(TEXT, second.start) == 4


def test_a_near_miss_is_suggested_never_accepted():
    with pytest.raises(QuoteError, match=r"closest passage, on line 2 .*'Avoid NSAIDs for 3–5 days before'"):
        find_quote("Line one.\nAvoid NSAIDs for 3–5 days before.\n", "Avoid NSAIDS for 3-6 days before")


def test_an_absent_quote_is_refused():
    with pytest.raises(QuoteError, match="not in the source, not even approximately"):
        find_quote(TEXT, "completely unrelated words about something else entirely")


def test_verify_reports_moved_and_missing_quotes():
    assert verify("abc quote", 4, 9, "quote") is None
    assert verify("xx abc quote", 4, 9, "quote")[0] == "quote-moved"
    assert verify("abc other", 4, 9, "quote")[0] == "quote-missing"
    assert verify("abc", 4, 9, "quote")[0] == "quote-missing"


def test_a_quote_matched_ignoring_case_among_several_asks_for_an_occurrence():
    text = "Intro.\nAvoid alcohol for 2 days.\nNotes.\navoid alcohol for 2 days.\n"
    for quote in ("Avoid alcohol", "AVOID ALCOHOL"):
        with pytest.raises(QuoteError, match=r"occurs 2 times in the source \(ignoring case, spacing, quote marks and "
                                             r"dashes\) \(lines 2, 4\); say which with --occurrence N \(1 for line 2, "
                                             r"2 for line 4\)"):
            find_quote(text, quote)
    assert find_quote(text, "Avoid alcohol", occurrence=2).start == text.index("avoid alcohol")
    assert find_quote(text, "AVOID ALCOHOL", occurrence=1).exact == "Avoid alcohol"


def test_a_near_miss_is_offered_in_whole_words_on_its_line():
    text = "Clinic B FAQ\n\nStop NSAIDs for 4 days after treatment.\nA course is 5–8 sessions.\n"
    with pytest.raises(QuoteError) as raised:
        find_quote(text, "Stop NSAIDs for 4 days after treatmnt and more")
    assert "on line 3 (87% similar), reads: 'Stop NSAIDs for 4 days after treatment.'." in str(raised.value)
    with pytest.raises(QuoteError) as raised:
        find_quote(text, "A course is 5-8 sesions.")
    assert "reads: 'course is 5–8 sessions.'" in str(raised.value)


def test_a_paraphrase_gets_the_closest_sentence_and_its_line():
    text = "Clinic B FAQ\n\nStop NSAIDs for 4 days.\nDo not treat patients with active scalp infections or cancer.\n"
    with pytest.raises(QuoteError) as raised:
        find_quote(text, "Patients with cancer or an infection of the scalp should not be treated")
    assert ("The closest sentence, on line 4 (81% of words in common), reads: 'Do not treat patients with active scalp "
            "infections or cancer.'") in str(raised.value)


def test_a_near_miss_after_a_short_line_is_offered_from_the_line_it_is_on():
    text = "New Clinic aftercare\n\nStop NSAIDs 3 days before treatment and avoid them for 10 days after treatment.\n"
    with pytest.raises(QuoteError) as raised:
        find_quote(text, "Stop NSAIDs for 3 days before")
    assert "on line 3 (86% similar), reads: 'Stop NSAIDs 3 days before'." in str(raised.value)
