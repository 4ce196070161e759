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
    assert "agreement: it joins the position '3 days' held by c." in result.output  # 72 hours = c's 3 days
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
     "--value: Could not read 'several' as a number. Topic session-count's value kind is Number: give a value "
     "such as '3–6', '5 sessions'"),
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


def test_one_quote_on_several_topics_and_contexts(kb_dir):
    before = (kb_dir / "claims" / "b.ttl").read_text()
    result = add_claim(kb_dir, "--source", "b", "--topic", "nsaid-avoid-after", "--context", "after-treatment",
                       "--quote", "Also stop NSAIDs for 3 weeks after treatment", "--value", "3 weeks",
                       "--also", "first-results-time:general", "--also", "nsaid-avoid-after:maintenance=21 days")
    assert result.exit_code == 0, result.output
    kb = load(kb_dir)
    added = [kb.claim(i) for i in ("b-nsaid-avoid-after-3", "b-first-results-time", "b-nsaid-avoid-after-4")]
    assert [(c.topic, c.context, c.stated, c.start) for c in added] == [
        ("nsaid-avoid-after", "after-treatment", "3 weeks", 177), ("first-results-time", "general", "3 weeks", 177),
        ("nsaid-avoid-after", "maintenance", "21 days", 177)]
    assert (kb_dir / "claims" / "b.ttl").read_text().startswith(before)
    assert "Added claim b-first-results-time at" in result.output
    assert ("contradiction (low) first-results-time-5e19af12: it contradicts a's 'Results appear within two to three "
            "months.' (2–3 months); status: new.") in result.output


def test_a_refused_also_adds_none_of_the_claims(kb_dir):
    before = tree_digest(kb_dir)
    result = add_claim(kb_dir, "--source", "b", "--topic", "nsaid-avoid-after", "--context", "after-treatment",
                       "--quote", "Also stop NSAIDs for 3 weeks after treatment", "--value", "3 weeks",
                       "--also", "session-count:initial-course")
    assert result.exit_code == 2 and "--value: '3 weeks' has a unit 'weeks'" in result.output
    assert tree_digest(kb_dir) == before
    bad = add_claim(kb_dir, "--source", "b", "--topic", "nsaid-avoid-after", "--quote", "x", "--value", "3 days",
                    "--also", ":general")
    assert bad.exit_code == 2 and "--also: ':general' must be TOPIC, TOPIC:CONTEXT or TOPIC:CONTEXT=VALUE" in bad.output


def test_a_likely_duplicate_is_added_with_a_warning(kb_dir):
    result = add_claim(kb_dir, "--source", "b", "--topic", "nsaid-avoid-after", "--context", "after-treatment",
                       "--quote", "Also stop NSAIDs for 3 weeks after treatment", "--value", "3 weeks")
    assert result.exit_code == 0
    assert (f"{kb_dir / 'claims' / 'b.ttl'}:86: warning: claim b-nsaid-avoid-after-2 of the same source, topic and "
            "context quotes overlapping words") in result.output
    same_value = add_claim(kb_dir, "--source", "c", "--topic", "nsaid-avoid-after", "--context", "after-treatment",
                           "--quote", "Stop NSAIDs 3 days before treatment.", "--value", "three weeks")
    assert "claim c-nsaid-avoid-after of the same source, topic and context states the same value (3 weeks)" in same_value.output
    other = add_claim(kb_dir, "--source", "c", "--topic", "nsaid-avoid-after", "--context", "maintenance",
                      "--quote", "Plan 4 to 6 sessions.", "--value", "4 days")
    assert "warning" not in other.output


def test_dry_run_add_claim_prints_block_and_feedback_and_writes_nothing(kb_dir):
    before = tree_digest(kb_dir)
    result = add_claim(kb_dir, "--source", "a", "--topic", "nsaid-stop-before", "--context", "before-treatment",
                       "--quote", "Clinic A aftercare sheet", "--value", "72 hours", "--dry-run")
    assert result.exit_code == 0, result.output
    assert tree_digest(kb_dir) == before
    assert result.output.startswith(f"Would add claim a-nsaid-stop-before to {kb_dir / 'claims' / 'a.ttl'}.\n"
                                    "agreement: it joins the position '3 days' held by c.\n")
    assert 'kb:stated "72 hours" ;' in result.output and result.output.endswith("Nothing was written.\n")


def test_dry_run_add_source_and_new_topic_write_nothing(kb_dir, tmp_path):
    page = tmp_path / "new-clinic.txt"
    page.write_text("New clinic\n\nAvoid saunas for 2 days after treatment.\n")
    before = tree_digest(kb_dir)
    source = run("add-source", "--kb", kb_dir, page, "--title", "New clinic", "--by", "ed", "--dry-run")
    assert source.exit_code == 0, source.output
    assert f"Would copy {page} to {kb_dir / 'sources' / 'new-clinic.txt'}" in source.output
    assert 'source:new-clinic a kb:Source ;' in source.output
    topic = run("new-topic", "--kb", kb_dir, "--id", "sauna-after", "--label", "Sauna after treatment",
                "--definition", "How long to avoid saunas after treatment.", "--kind", "Duration", "--safety", "Low",
                "--dry-run")
    assert topic.exit_code == 0, topic.output
    assert "topic:sauna-after a skos:Concept, kb:Topic ;" in topic.output and "Dry run: nothing was written." in topic.output
    assert tree_digest(kb_dir) == before


DRAFT = '''source = "c"
[[claim]]
accept = true
quote = "Plan 4 to 6 sessions."
topic = "first-results-time"
context = "general"
value = "{value}"
'''
ADD = ["add-claim", "--shapes", SHAPES, "--source", "c", "--topic", "first-results-time", "--quote",
       "Plan 4 to 6 sessions.", "--value", "6 weeks"]


def _review_b_contraindications(kb_dir, tmp_path):
    assert run("review", "contraindications-7d6e5a8b", "--kb", kb_dir, "--shapes", SHAPES, "--decision",
               "acknowledged", "--by", "rev", "--note", "Sources disagree.").exit_code == 0


def _file(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / name


@pytest.mark.parametrize("command, expected, setup", [
    (ADD + ["--dry-run"], "Would add claim c-first-results-time", None),
    (ADD + ["--also", "nsaid-avoid-after:after-treatment=4 days", "--dry-run"], "Would add claim c-nsaid-avoid-after-2", None),
    (["add-source", "{tmp}/page.txt", "--title", "Page", "--dry-run"], "Would copy", None),
    (["new-topic", "--id", "sauna-after", "--label", "Sauna", "--definition", "How long?", "--kind", "Duration",
      "--safety", "Low", "--dry-run"], "Would add to", None),
    (["remove-claim", "--shapes", SHAPES, "b-contraindications", "--dry-run"], "Would remove claim b-contraindications", None),
    (["apply", "--shapes", SHAPES, "{tmp}/good.toml", "--dry-run"], "would add claim c-first-results-time", None),
    (ADD[:1] + ADD[3:], "shapes/conflicts.ttl: shapes file not found", None),  # --kb OTHER, no shapes beside it
    (ADD[:-1] + ["several"], "Could not read 'several' as a duration", None),
    (ADD + ["--by", "root"], "editor 'root' is not described", None),
    (ADD + ["--also", "nsaid-avoid-after:after-treatment=a while"], "unknown unit 'while'", None),
    (["add-claim", "--shapes", SHAPES, "--source", "b", "--topic", "nsaid-avoid-after", "--quote", "stop nsaids for",
      "--value", "4 days"], "say which with --occurrence N (1 for line 3, 2 for line 7)", None),
    (["remove-claim", "--shapes", SHAPES, "b-contraindication"], "Unknown claim 'b-contraindication'", None),
    (["remove-claim", "--shapes", SHAPES, "b-contraindications"], "Pass --force", _review_b_contraindications),
    (["add-source", "{tmp}/empty.txt", "--title", "Empty"], "the file is empty", None),
    (["new-topic", "--id", "session-count", "--label", "x", "--definition", "x", "--kind", "Number", "--safety", "Low"],
     "topic 'session-count' already exists", None),
    (["apply", "--shapes", SHAPES, "{tmp}/bad.toml"], "1 of 1 accepted entries refused", None),
    (["add-editor", "ed", "--name", "Ed again"], "editor 'ed' is already described", None),
])
def test_every_refused_or_dry_run_command_leaves_the_kb_byte_identical(kb_dir, tmp_path, command, expected, setup):
    _file(tmp_path, "page.txt", "Page\n\nAvoid saunas for 2 days.\n")
    _file(tmp_path, "empty.txt", "")
    _file(tmp_path, "good.toml", DRAFT.format(value="6 weeks"))
    _file(tmp_path, "bad.toml", DRAFT.format(value="a while"))
    if setup:
        setup(kb_dir, tmp_path)
    before = tree_digest(kb_dir)
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in command]
    result = run(args[0], "--kb", kb_dir, *args[1:])
    dry_run = "--dry-run" in args
    assert result.exit_code == (0 if dry_run else 2), result.output
    assert expected in result.output
    assert ("othing was written." if dry_run else "Error: ") in result.output
    assert tree_digest(kb_dir) == before


def test_interactive_mode_asks_which_occurrence(kb_dir):
    answers = "\n".join(["b", "nsaid-avoid-after", "after-treatment", "NSAIDs for", "2", "y", "3 weeks", "y"]) + "\n"
    result = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "-i", input=answers)
    assert result.exit_code == 0, result.output
    assert "say which with --occurrence N (1 for line 3, 2 for line 7)" in result.output
    assert "Which occurrence (1-2)" in result.output
    claim = load(kb_dir).claim("b-nsaid-avoid-after-3")
    assert (claim.quote, claim.start) == ("NSAIDs for", 187)
