"""Proposals (`kb suggest`), drafts (`kb apply`), the interactive walk, topic search and passages for a new topic."""
import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.draft import apply_draft, check_draft, draft_text
from reconcile.load import load
from reconcile.sources import add_source
from reconcile.suggest import Option, propose

from conftest import SHAPES, tree_digest

LEAFLET = ("Clinic D leaflet\n"
           "\n"
           "What should I avoid?\n"
           "Avoid NSAIDs for 3 weeks after the session.\n"
           "Facts:\n"
           "- Sessions: 3-5\n"
           "- Time: ≤30 minutes\n"
           "Side effects include redness, swelling and itching.\n"
           "Yes. It helps with alopecia areata.\n"
           "Our friendly team welcomes you\n")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def leaflet_kb(kb_dir, tmp_path):
    """The test knowledge base with one more source, d, that has no claims yet."""
    page = tmp_path / "clinic-d.txt"
    page.write_text(LEAFLET, encoding="utf-8")
    add_source(load(kb_dir), page, title="Clinic D leaflet", publisher="Clinic D", key="d", by="ed")
    return kb_dir


def test_every_stating_passage_is_proposed_with_value_and_topics(leaflet_kb):
    proposals = propose(load(leaflet_kb), "d")
    assert [(p.line, p.quote) for p in proposals] == [
        (4, "Avoid NSAIDs for 3 weeks after the session."),
        (6, "Sessions: 3-5"),
        (7, "Time: ≤30 minutes"),
        (8, "Side effects include redness, swelling and itching."),
        (9, "Yes. It helps with alopecia areata."),
    ]
    assert all(LEAFLET[p.start:p.end] == p.quote for p in proposals)
    nsaid, sessions, time, _, answer = proposals
    assert (nsaid.start, nsaid.end) == (39, 82)
    assert [(o.topic, o.context, o.value) for o in nsaid.options] == [
        ("nsaid-avoid-after", "after-treatment", "3 weeks"),
        ("nsaid-stop-before", "before-treatment", "3 weeks"),
        ("session-count", "initial-course", ""),  # "3 weeks" is not a count: left for the editor
    ]
    assert nsaid.best == Option("nsaid-avoid-after", "after-treatment", "3 weeks", 1.0)
    assert (sessions.best.topic, sessions.best.value) == ("session-count", "3-5")
    assert time.best.value == "≤ 30 minutes"
    assert (answer.best.topic, answer.best.value) == ("alopecia-areata", "yes")


def test_passages_already_claimed_are_skipped(kb):
    assert propose(kb, "a") == []  # every stating line of a.txt is quoted by a claim
    others = [c for c in kb.claims if c.id != "a-session-count"]
    assert [p.quote for p in propose(kb, "a", others)] == ["Most patients need 3–6 sessions."]
    assert propose(kb, "a", others)[0].best.topic == "session-count"


def accept(draft, *quotes, values=None):
    """Set accept = true on the entries with these quotes (and change their values)."""
    values = values or {}
    blocks = draft.read_text(encoding="utf-8").split("\n[[claim]]\n")
    for number, block in enumerate(blocks[1:], start=1):
        for quote in quotes:
            if f'quote = "{quote}"' in block:
                block = block.replace("accept = false", "accept = true")
                if quote in values:
                    block = "\n".join(f'value = "{values[quote]}"' if line.startswith("value = ") else line
                                      for line in block.splitlines()) + "\n"
        blocks[number] = block
    draft.write_text("\n[[claim]]\n".join(blocks), encoding="utf-8")


def test_the_draft_is_readable_toml_with_alternatives_as_comments(leaflet_kb, tmp_path):
    draft = tmp_path / "d.toml"
    result = run("suggest", "--kb", leaflet_kb, "d", "--out", draft)
    assert result.exit_code == 0, result.output
    assert result.output == (f"Wrote 5 proposal(s) for source d to {draft}. "
                             f"Set accept = true on those to add, then run `kb apply {draft}`.\n")
    text = draft.read_text(encoding="utf-8")
    assert 'source = "d"\n\n[[claim]]\n# line 4\n' in text
    assert ('# or 2: topic "nsaid-stop-before", context "before-treatment", value "3 weeks" (score 0.34)\n'
            '# or 3: topic "session-count", context "initial-course" (score 0.15)\n'
            "accept = false\n"
            'quote = "Avoid NSAIDs for 3 weeks after the session."\n'
            'topic = "nsaid-avoid-after"  # score 1.00\n'
            'context = "after-treatment"\n'
            'value = "3 weeks"\n'
            "start = 39\nend = 82\n") in text
    again = run("suggest", "--kb", leaflet_kb, "d", "--out", draft)
    assert again.exit_code == 2 and "the file exists" in again.output


def test_apply_adds_exactly_the_accepted_entries(leaflet_kb, tmp_path):
    draft = tmp_path / "d.toml"
    run("suggest", "--kb", leaflet_kb, "d", "--out", draft)
    accept(draft, "Avoid NSAIDs for 3 weeks after the session.", "Sessions: 3-5")
    result = run("apply", "--kb", leaflet_kb, "--shapes", SHAPES, draft, "--by", "ed")
    assert result.exit_code == 0, result.output
    lines = draft.read_text().splitlines()
    first, second = [n for n, line in enumerate(lines, start=1) if line == "[[claim]]"][:2]
    assert result.output.startswith(
        f"{draft}:{first}: added claim d-nsaid-avoid-after\n"
        "    agreement: it joins the position '3 weeks' held by a, b and c.\n"
        "    contradiction (high) nsaid-avoid-after-acbd48d8: it contradicts b's 'Stop NSAIDs for 4 days after "
        "treatment.' (4 days); status: new.\n"
        f"{draft}:{second}: added claim d-session-count\n")
    assert result.output.endswith("Added 2 claim(s), 3 entries not accepted. Run `kb check` to see conflicts.\n")
    kb = load(leaflet_kb)
    added = [c for c in kb.claims if c.source == "d"]
    assert [(c.id, c.topic, c.context, c.quote, c.stated, c.min, c.max, c.start, c.end, c.added_by) for c in added] == [
        ("d-nsaid-avoid-after", "nsaid-avoid-after", "after-treatment", "Avoid NSAIDs for 3 weeks after the session.",
         "3 weeks", 21, 21, 39, 82, "ed"),
        ("d-session-count", "session-count", "initial-course", "Sessions: 3-5", "3-5", 3, 5, 92, 105, "ed"),
    ]
    assert [p.quote for p in propose(kb, "d")][:1] == ["Time: ≤30 minutes"]  # what was added is no longer proposed


def test_dry_run_checks_everything_and_writes_nothing(leaflet_kb, tmp_path):
    draft = tmp_path / "d.toml"
    run("suggest", "--kb", leaflet_kb, "d", "--out", draft)
    accept(draft, "Avoid NSAIDs for 3 weeks after the session.", "Time: ≤30 minutes")
    before = tree_digest(leaflet_kb)
    result = run("apply", "--kb", leaflet_kb, "--shapes", SHAPES, draft, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would add claim d-nsaid-avoid-after\n" in result.output
    assert "would add claim d-first-results-time\n" in result.output
    assert result.output.endswith("Dry run: 2 claim(s) would be added, 3 entries not accepted; nothing was written.\n")
    assert tree_digest(leaflet_kb) == before


def test_a_refused_entry_stops_the_whole_draft(leaflet_kb, tmp_path):
    draft = tmp_path / "d.toml"
    run("suggest", "--kb", leaflet_kb, "d", "--out", draft)
    accept(draft, "Avoid NSAIDs for 3 weeks after the session.", "Time: ≤30 minutes",
           values={"Avoid NSAIDs for 3 weeks after the session.": "a while", "Time: ≤30 minutes": ""})
    before = tree_digest(leaflet_kb)
    result = run("apply", "--kb", leaflet_kb, "--shapes", SHAPES, draft)
    assert result.exit_code == 2
    lines = draft.read_text().splitlines()
    first, third = [n for n, line in enumerate(lines, start=1) if line == "[[claim]]"][0:3:2]
    assert f"{draft}:{first}: --value: 'a while': unknown unit 'while'." in result.output
    assert f"{draft}:{third}: give value (or set accept = false)." in result.output
    assert tree_digest(leaflet_kb) == before


def test_two_entries_on_one_topic_get_distinct_ids_and_a_repeated_quote_keeps_its_place(kb_dir, tmp_path):
    page = tmp_path / "e.txt"
    page.write_text("Avoid NSAIDs for 2 days after.\nNote.\nAvoid NSAIDs for 2 days after.\nStop NSAIDs 9 days after.\n")
    add_source(load(kb_dir), page, title="E", key="e", by="ed")
    kb = load(kb_dir)
    proposals = propose(kb, "e")
    assert [(p.quote, p.start) for p in proposals] == [
        ("Avoid NSAIDs for 2 days after.", 0), ("Avoid NSAIDs for 2 days after.", 37), ("Stop NSAIDs 9 days after.", 68)]
    draft = tmp_path / "e.toml"
    draft.write_text(draft_text(kb, "e", proposals[1:], draft).replace("accept = false", "accept = true"))
    outcomes, total = check_draft(kb, draft)
    assert [o.claim_id for o in outcomes] == ["e-nsaid-avoid-after", "e-nsaid-avoid-after-2"] and total == 2
    added, _ = apply_draft(kb, draft, by="ed")
    claims = {c.id: c for c in load(kb_dir).claims if c.source == "e"}
    assert {i: (c.start, c.stated) for i, c in claims.items()} == {
        "e-nsaid-avoid-after": (37, "2 days"), "e-nsaid-avoid-after-2": (68, "9 days")}


def test_a_bad_draft_is_a_message(leaflet_kb, tmp_path):
    draft = tmp_path / "bad.toml"
    draft.write_text('source = "d"\n[[claim]]\naccept = yes\n')
    result = run("apply", "--kb", leaflet_kb, "--shapes", SHAPES, draft)
    assert result.exit_code == 2 and f"{draft}: not a valid draft: " in result.output
    missing = run("apply", "--kb", leaflet_kb, "--shapes", SHAPES, tmp_path / "none.toml")
    assert missing.exit_code == 2 and "none.toml: file not found." in missing.output


def test_interactive_walk(leaflet_kb):
    answers = "\n".join([
        "a",                                    # 1: accept nsaid-avoid-after, 3 weeks
        "e", "3-5", "a",                        # 2: narrow the quote, then accept session-count
        "2", "v", "a while", "40 minutes", "a",  # 3: second topic, a value that cannot be read, then one that can
        "q",                                    # 4: stop
    ]) + "\n"
    result = run("suggest", "--kb", leaflet_kb, "--shapes", SHAPES, "d", "-i", "--by", "ed", input=answers)
    assert result.exit_code == 0, result.output
    assert ("Added claim d-nsaid-avoid-after.\n    agreement: it joins the position '3 weeks' held by a, b and c.\n"
            "    contradiction (high) nsaid-avoid-after-acbd48d8: it contradicts b's") in result.output
    assert f"[1/5] {leaflet_kb / 'sources' / 'clinic-d.txt'}:4\n  [Avoid NSAIDs for 3 weeks after the session.]\n" in result.output
    assert "  - Sessions: [3-5]\n" in result.output
    assert "unknown unit 'while'" in result.output and "Understood as 40 minutes." in result.output
    assert result.output.endswith("Stopped. Added 3 claim(s).\n")
    claims = [(c.id, c.quote, c.stated, c.context) for c in load(leaflet_kb).claims if c.source == "d"]
    assert claims == [
        ("d-nsaid-avoid-after", "Avoid NSAIDs for 3 weeks after the session.", "3 weeks", "after-treatment"),
        ("d-nsaid-avoid-after-2", "Time: ≤30 minutes", "40 minutes", "after-treatment"),
        ("d-session-count", "3-5", "3-5", "initial-course"),
    ]


def test_suggest_prints_proposals_and_refuses_an_unknown_source(leaflet_kb):
    result = run("suggest", "--kb", leaflet_kb, "d")
    assert result.exit_code == 0
    assert result.output.startswith(f"{leaflet_kb / 'sources' / 'clinic-d.txt'}:4: Avoid NSAIDs for 3 weeks after the session.\n"
                                    "    1. nsaid-avoid-after (after-treatment) value '3 weeks' score 1.00\n")
    assert result.output.endswith("5 proposal(s). Write them to a draft with --out FILE, or walk through them with -i.\n")
    unknown = run("suggest", "--kb", leaflet_kb, "dd")
    assert unknown.exit_code == 2 and "Unknown source 'dd'. Did you mean d" in unknown.output


def test_topics_search(kb_dir):
    result = run("topics", "--kb", kb_dir, "--search", "nsaids after the procedure", "--limit", "1")
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "    definition:  How long after a session to avoid NSAIDs.",
        "    group:       aftercare (Aftercare)",
        "    contexts:    after-treatment (4)",
        '    example:     "Avoid NSAIDs for 3 weeks after the procedure." (claim a-nsaid-avoid-after)',
    ]
    assert result.output.startswith("nsaid-avoid-after (")
    nothing = run("topics", "--kb", kb_dir, "--search", "zebra")
    assert nothing.output == "No topic is close to 'zebra'. Add one with `kb new-topic`.\n"


def test_new_topic_lists_passages_that_may_belong_to_it(kb_dir):
    result = run("new-topic", "--kb", kb_dir, "--id", "course-length", "--label", "Sessions in a course",
                 "--definition", "How many sessions patients need.", "--kind", "Number", "--safety", "Low",
                 "--passages", "2")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:2] == ["Added topic course-length.",
                         "Passages that may belong to it (add them with `kb add-claim --topic course-length --source KEY --quote ...`):"]
    assert lines[2:] == [f"{kb_dir / 'sources' / 'b.txt'}:4: source b (0.78): A course is 5–8 sessions.",
                         f"{kb_dir / 'sources' / 'a.txt'}:4: source a (0.67): Most patients need 3–6 sessions."]


def test_apply_warns_of_a_likely_duplicate(kb_dir, tmp_path):
    draft = tmp_path / "dup.toml"
    draft.write_text('source = "c"\n[[claim]]\naccept = true\nquote = "Stop NSAIDs 3 days before treatment."\n'
                     'topic = "nsaid-avoid-after"\ncontext = "after-treatment"\nvalue = "three weeks"\n')
    result = run("apply", "--kb", kb_dir, "--shapes", SHAPES, draft, "--dry-run")
    assert result.exit_code == 0, result.output
    assert (f"{draft}:2: would add claim c-nsaid-avoid-after-2\n    {kb_dir / 'claims' / 'c.ttl'}:35: warning: claim "
            "c-nsaid-avoid-after of the same source, topic and context states the same value (3 weeks)") in result.output


def test_the_walk_asks_which_occurrence_of_an_edited_quote(leaflet_kb):
    answers = "\n".join(["e", "avoid", "2", "a", "q"]) + "\n"
    result = run("suggest", "--kb", leaflet_kb, "--shapes", SHAPES, "d", "-i", input=answers)
    assert result.exit_code == 0, result.output
    assert "say which with --occurrence N (1 for line 3, 2 for line 4)" in result.output
    assert "Which occurrence (1-2)" in result.output and "  [Avoid] NSAIDs for 3 weeks after the session.\n" in result.output
    claim = load(leaflet_kb).claim("d-nsaid-avoid-after")
    assert (claim.quote, claim.start) == ("Avoid", LEAFLET.index("Avoid"))
