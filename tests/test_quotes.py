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


def test_a_quote_in_nfd_is_found_in_a_text_in_nfc_and_back():
    import unicodedata

    text = "Sheet\n\nRésultats après 2 mois.\n"
    for source, quote in ((text, unicodedata.normalize("NFD", "Résultats après 2 mois.")),
                          (unicodedata.normalize("NFD", text), "Résultats après 2 mois.")):
        anchor = find_quote(source, quote)
        assert unicodedata.normalize("NFC", anchor.exact) == "Résultats après 2 mois."
        assert anchor.exact == source[anchor.start:anchor.end] and source[anchor.end] == "\n"
