from click.testing import CliRunner

from reconcile.cli import main
from reconcile.load import load

from conftest import SHAPES, tree_digest


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def remove(kb_dir, *args):
    return run("remove-claim", "--kb", kb_dir, "--shapes", SHAPES, *args)


def test_removal_cuts_only_the_block_and_keeps_comments(kb_dir):
    path = kb_dir / "claims" / "a.ttl"
    text = path.read_text().replace("claim:a-session-count", "# a reviewer's comment\nclaim:a-session-count", 1)
    path.write_text(text + "# a closing remark\n")
    lines = path.read_text().splitlines(keepends=True)
    start = lines.index("claim:a-nsaid-avoid-after a kb:Claim ;\n")
    end = lines.index("# a reviewer's comment\n")
    result = remove(kb_dir, "a-nsaid-avoid-after")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Removed claim a-nsaid-avoid-after: lines {start + 1}-{end - 1} of {path}.",
        "contradiction (high) nsaid-avoid-after-acbd48d8: it stays: b-nsaid-avoid-after-2, c-nsaid-avoid-after "
        "still hold '3 weeks'.",
        "agreement nsaid-avoid-after-4c2ffa11: the position '3 weeks' is left to b-nsaid-avoid-after-2, "
        "c-nsaid-avoid-after."]
    assert path.read_text() == "".join(lines[:start - 1] + lines[end - 1:])
    assert load(kb_dir).claim("a-nsaid-avoid-after") is None


def test_removing_the_only_holder_of_a_side_ends_the_conflict(kb_dir):
    result = remove(kb_dir, "a-contraindications")
    assert result.exit_code == 0
    assert "contradiction (high) contraindications-7d6e5a8b: it goes away." in result.output
    assert "b-contraindications" not in run("conflicts", "--kb", kb_dir, "--shapes", SHAPES).output


def test_a_claim_a_review_cites_needs_force(kb_dir):
    reviewed = run("review", "contraindications-7d6e5a8b", "--kb", kb_dir, "--shapes", SHAPES, "--decision",
                   "acknowledged", "--by", "rev", "--note", "Sources disagree.")
    assert reviewed.exit_code == 0, reviewed.output
    before = tree_digest(kb_dir)
    refused = remove(kb_dir, "b-contraindications")
    assert refused.exit_code == 2
    assert (f"Claim b-contraindications is cited by review contraindications-7d6e5a8b-1 (acknowledged) at "
            f"{kb_dir / 'reviews.ttl'}:") in refused.output and "Pass --force" in refused.output
    assert tree_digest(kb_dir) == before
    forced = remove(kb_dir, "b-contraindications", "--force")
    assert forced.exit_code == 0
    assert "review contraindications-7d6e5a8b-1 (acknowledged) cites it and goes stale." in forced.output


def test_a_baseline_entry_is_named(kb_dir):
    assert run("baseline", "--kb", kb_dir, "--shapes", SHAPES).exit_code == 0
    result = remove(kb_dir, "b-session-count", "--dry-run")
    assert "baseline entry baseline-session-count-" in result.output and "run `kb baseline`" in result.output


def test_dry_run_and_unknown_claims_write_nothing(kb_dir):
    before = tree_digest(kb_dir)
    dry = remove(kb_dir, "c-session-count", "--dry-run")
    assert dry.exit_code == 0
    assert dry.output.startswith(f"Would remove claim c-session-count: lines 52-67 of {kb_dir / 'claims' / 'c.ttl'}.")
    assert "claim:c-session-count a kb:Claim ;" in dry.output and dry.output.endswith("Nothing was written.\n")
    unknown = remove(kb_dir, "c-session-cont")
    assert unknown.exit_code == 2 and "Unknown claim 'c-session-cont'. Did you mean c-session-count" in unknown.output
    assert tree_digest(kb_dir) == before


def test_a_block_sharing_lines_with_other_statements_is_refused(kb_dir):
    path = kb_dir / "claims" / "c.ttl"
    path.write_text(path.read_text().replace("    prov:wasAttributedTo editor:kb-editors ;\n    prov:generatedAtTime "
                                             '"2026-01-01T00:00:00Z"^^xsd:dateTime .\n\nclaim:c-nsaid-avoid-after',
                                             '    prov:wasAttributedTo editor:kb-editors ;\n    prov:generatedAtTime '
                                             '"2026-01-01T00:00:00Z"^^xsd:dateTime . claim:c-nsaid-avoid-after', 1))
    before = tree_digest(kb_dir)
    result = remove(kb_dir, "c-nsaid-stop-before")
    assert result.exit_code == 2 and "cannot cut the block of claim c-nsaid-stop-before out cleanly" in result.output
    assert tree_digest(kb_dir) == before
