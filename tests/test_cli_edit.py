import pytest
from click.testing import CliRunner

from reconcile.checks import check
from reconcile.cli import main
from reconcile.load import load

from conftest import SHAPES, tree_digest


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def add_claim(kb_dir, *extra):
    return run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", *extra)


def test_add_claim_appends_a_block_and_keeps_hand_edits(kb_dir):
    path = kb_dir / "claims" / "a.ttl"
    path.write_text(path.read_text().replace("claim:a-session-count", "# a reviewer's comment\nclaim:a-session-count", 1))
    before = path.read_text()
    result = add_claim(kb_dir, "--source", "a", "--topic", "nsaid-stop-before", "--context", "before-treatment",
                       "--quote", "Clinic A aftercare sheet", "--value", "72 hours")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Added claim a-nsaid-stop-before at {path}:")
    assert "agreement (none)" in result.output  # 72 hours = c's 3 days
    after = path.read_text()
    assert after.startswith(before) and "# a reviewer's comment" in after
    claim = load(kb_dir).claim("a-nsaid-stop-before")
    assert (claim.min, claim.max, claim.unit, claim.added_by) == (3, 3, "DAY", "ed")


@pytest.mark.parametrize("args, message", [
    (["--source", "zz", "--topic", "session-count", "--quote", "x", "--value", "3"], "Unknown source 'zz'"),
    (["--source", "a", "--topic", "nsaid-after", "--quote", "x", "--value", "3"],
     "Unknown topic 'nsaid-after'. Did you mean nsaid-avoid-after"),
    (["--source", "a", "--topic", "session-count", "--context", "later", "--quote", "x", "--value", "3"], "Unknown context 'later'"),
    (["--source", "a", "--topic", "session-count", "--quote", "Most patients need 3-7 sessions", "--value", "3–7"],
     "closest passage, on line 4"),
    (["--source", "a", "--topic", "session-count", "--quote", "Most patients need 3–6 sessions.", "--value", "several"],
     "--value: Could not read 'several'"),
    (["--source", "a", "--topic", "session-count", "--context", "initial-course", "--quote", "Most patients need 3–6 sessions.",
      "--value", "3–6"], "already records this quote"),
    (["--source", "a", "--topic", "session-count"], "Missing --quote, --value"),
])
def test_bad_claims_are_refused_and_nothing_changes(kb_dir, args, message):
    before = tree_digest(kb_dir)
    result = add_claim(kb_dir, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert tree_digest(kb_dir) == before


def test_a_quote_found_twice_asks_for_more_words(kb_dir):
    before = tree_digest(kb_dir)
    result = add_claim(kb_dir, "--source", "b", "--topic", "nsaid-avoid-after", "--quote", "NSAIDs for", "--value", "4 days")
    assert result.exit_code == 2 and "occurs 2 times in the source (lines 3, 7)" in result.output
    assert tree_digest(kb_dir) == before


def test_interactive_mode_shows_the_quote_in_context(kb_dir):
    answers = "\n".join(["c", "first-results-time", "general", "Plan 4 to 6 sessions.", "y", "6 weeks", "y"]) + "\n"
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "-i", input=answers)
    assert result.exit_code == 0, result.output
    assert "[Plan 4 to 6 sessions.]" in result.output and "Understood as 6 weeks." in result.output
    assert load(kb_dir).claim("c-first-results-time").stated == "6 weeks"


def test_add_source_copies_text_and_records_its_hash(kb_dir, tmp_path):
    page = tmp_path / "new-clinic.txt"
    page.write_text("New clinic\n\nAvoid NSAIDs for 10 days after treatment.\n")
    result = run("add-source", "--kb", kb_dir, page, "--title", "New clinic", "--publisher", "New", "--kind", "clinic FAQ",
                 "--url", "https://example.org/new", "--retrieved", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert (kb_dir / "sources" / "new-clinic.txt").read_bytes() == page.read_bytes()
    kb = load(kb_dir)
    assert kb.sources["new-clinic"].url == "https://example.org/new"
    added = add_claim(kb_dir, "--source", "new-clinic", "--topic", "nsaid-avoid-after", "--context", "after-treatment",
                      "--quote", "Avoid NSAIDs for 10 days after treatment.", "--value", "10 days")
    assert added.exit_code == 0 and "contradiction (high)" in added.output
    again = run("add-source", "--kb", kb_dir, page, "--title", "Again")
    assert again.exit_code == 2 and "already in the knowledge base as source new-clinic" in again.output


def test_add_source_records_the_profile_and_the_structural_shapes_accept_it(kb_dir, tmp_path):
    page = tmp_path / "copy.txt"
    page.write_text("Copy clinic\n\nAvoid NSAIDs for 3 weeks. Book your session online today.\n")
    result = run("add-source", "--kb", kb_dir, page, "--title", "Copy clinic", "--kind", "clinic page",
                 "--short-name", "Copy clinic", "--published", "2025-02-01",
                 "--sells-evidence", "Book your session online today.", "--derived-from", "b")
    assert result.exit_code == 0, result.output
    kb = load(kb_dir)
    copy = kb.sources["copy"]
    assert (copy.name, copy.published, copy.sells_evidence, copy.derived_from) == (
        "Copy clinic", "2025-02-01", "Book your session online today.", ("b",))
    assert check(kb, SHAPES) == []


@pytest.mark.parametrize("option, value, message", [
    ("--sells-evidence", "Prices from $500", "--sells-evidence: give words copied exactly from the source's text"),
    ("--derived-from", "zz", "--derived-from: no source has the key 'zz'"),
    ("--short-name", "x" * 31, "--short-name: '" + "x" * 31 + "' must be 1 to 30 characters"),
    ("--published", "2025-13-01", "--published"),
])
def test_add_source_refuses_a_profile_the_text_does_not_show(kb_dir, tmp_path, option, value, message):
    page = tmp_path / "new.txt"
    page.write_text("New clinic\n\nAvoid NSAIDs for 3 weeks.\n")
    before = tree_digest(kb_dir)
    result = run("add-source", "--kb", kb_dir, page, "--title", "New", option, value)
    assert result.exit_code == 2 and message in result.output
    assert tree_digest(kb_dir) == before


def test_add_source_converts_html(kb_dir, tmp_path):
    page = tmp_path / "faq.html"
    page.write_text("<html><head><style>p{}</style><script>x()</script></head><body><h1>FAQ</h1>"
                    "<p>Stop NSAIDs for <b>5 days</b>.</p></body></html>")
    assert run("add-source", "--kb", kb_dir, page, "--title", "FAQ").exit_code == 0
    text = (kb_dir / "sources" / "faq.txt").read_text()
    assert "FAQ" in text and "Stop NSAIDs for" in text and "x()" not in text


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"caf\xe9\n", "not UTF-8 text"),
])
def test_bad_source_files_are_refused(kb_dir, tmp_path, content, message):
    page = tmp_path / "bad.txt"
    page.write_bytes(content)
    before = tree_digest(kb_dir)
    result = run("add-source", "--kb", kb_dir, page, "--title", "Bad")
    assert result.exit_code == 2 and message in result.output
    assert tree_digest(kb_dir) == before


def test_a_huge_source_is_refused(kb_dir, tmp_path):
    page = tmp_path / "huge.txt"
    with page.open("wb") as out:
        out.truncate(21 * 1024 * 1024)
    before = tree_digest(kb_dir)
    result = run("add-source", "--kb", kb_dir, page, "--title", "Huge")
    assert result.exit_code == 2 and "too large for a source" in result.output
    assert tree_digest(kb_dir) == before


def test_read_only_kb_is_refused_cleanly(kb_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    before = tree_digest(kb_dir)
    result = add_claim(kb_dir, "--source", "a", "--topic", "nsaid-stop-before", "--context", "before-treatment",
                       "--quote", "Clinic A aftercare sheet", "--value", "3 days")
    assert result.exit_code == 2 and "cannot write here (Permission denied); nothing was changed" in result.output
    assert tree_digest(kb_dir) == before


def test_new_topic(kb_dir):
    result = run("new-topic", "--kb", kb_dir, "--id", "sauna-after", "--label", "Sauna after treatment",
                 "--definition", "How long to avoid saunas.", "--kind", "Duration", "--safety", "Low")
    assert result.exit_code == 0
    assert load(kb_dir).topics["sauna-after"].unit == "DAY"
    again = run("new-topic", "--kb", kb_dir, "--id", "sauna-after", "--label", "x", "--definition", "x",
                "--kind", "Duration", "--safety", "Low")
    assert again.exit_code == 2 and "already exists" in again.output
    grouped = run("new-topic", "--kb", kb_dir, "--id", "x-after", "--label", "x", "--definition", "x",
                  "--kind", "YesNo", "--safety", "Low", "--group", "nowhere")
    assert grouped.exit_code == 2 and "--group: 'nowhere' is not a topic group; use one of aftercare." in grouped.output
