import json

from click.testing import CliRunner

from reconcile.cli import main

from conftest import SHAPES, tree_digest


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env or {}, catch_exceptions=False)


def reviewed_kb(kb_dir):
    """The test knowledge base with every current conflict acknowledged."""
    listed = json.loads(run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--format", "json").output)
    for conflict in listed:
        result = run("review", conflict["id"], "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged",
                     "--by", "rev", "--note", "Sources disagree.")
        assert result.exit_code == 0, result.output
    return kb_dir


def test_unreviewed_conflicts_fail_the_check(kb_dir):
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES)
    assert result.exit_code == 1
    assert f"{kb_dir / 'claims' / 'b.ttl'}:" in result.output
    assert "error [disjoint-intervals] b-nsaid-avoid-after:" in result.output
    assert "5 failing with --fail-on new" in result.output
    assert "0 partial overlaps" not in result.output and "1 compatible pair(s)" in result.output


def test_fail_on_never_passes_and_reviews_make_the_gate_pass(kb_dir):
    assert run("check", "--kb", kb_dir, "--shapes", SHAPES, "--fail-on", "never").exit_code == 0
    reviewed_kb(kb_dir)
    assert run("check", "--kb", kb_dir, "--shapes", SHAPES).exit_code == 0
    assert run("check", "--kb", kb_dir, "--shapes", SHAPES, "--fail-on", "any").exit_code == 1


def test_a_new_conflicting_claim_fails_with_an_annotation_at_its_line(kb_dir, tmp_path):
    reviewed_kb(kb_dir)
    added = run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--source", "c", "--topic", "contraindications",
                "--quote", "It is not suitable for alopecia areata.", "--value", "none", "--by", "ed")
    assert added.exit_code == 0, added.output
    assert "contradiction (high)" in added.output
    line = next(number for number, text in enumerate((kb_dir / "claims" / "c.ttl").read_text().splitlines(), 1)
                if text.startswith("claim:c-contraindications "))
    summary = tmp_path / "summary.md"
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES,
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert f"::error file={kb_dir / 'claims' / 'c.ttl'},line={line}::[empty-vs-listed] c-contraindications:" in result.output
    assert "### Conflicts failing `--fail-on new`" in summary.read_text()
    conflict_id = next(c["id"] for c in json.loads(run("conflicts", "--kb", kb_dir, "--shapes", SHAPES,
                                                         "--status", "new-claims", "--format", "json").output))
    run("review", conflict_id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged", "--by", "rev",
        "--note", "Seen.")
    assert run("check", "--kb", kb_dir, "--shapes", SHAPES).exit_code == 0


def test_stale_reviews_fail_only_when_asked(kb_dir):
    reviewed_kb(kb_dir)
    claims = kb_dir / "claims" / "b.ttl"
    claims.write_text(claims.read_text().replace('kb:stated "4 days"', 'kb:stated "four days"'))
    assert run("check", "--kb", kb_dir, "--shapes", SHAPES).exit_code == 0
    assert run("check", "--kb", kb_dir, "--shapes", SHAPES, "--fail-on", "unreviewed").exit_code == 1


def test_structural_errors_exit_1_and_unreadable_input_exits_2(kb_dir):
    path = kb_dir / "claims" / "a.ttl"
    path.write_text(path.read_text().replace("kb:min 21.0 ; kb:max 21.0", "kb:min 30.0 ; kb:max 21.0"))
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES)
    assert result.exit_code == 1 and "error [claim-min-above-max]" in result.output
    path.write_text(path.read_text() + "\nclaim:broken a kb:Claim ; kb:stated \"open .\n")
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES)
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "Turtle syntax error" in result.output
    assert run("check", "--kb", kb_dir / "missing", "--shapes", SHAPES).exit_code == 2


def test_json_and_sarif_reports(kb_dir):
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES, "--format", "json")
    report = json.loads(result.output)
    assert report["exit_code"] == 1 and len(report["failing"]) == 5  # 4–6 sessions inside 3–6 is compatible
    sarif = json.loads(run("check", "--kb", kb_dir, "--shapes", SHAPES, "--format", "sarif").output)
    assert sarif["version"] == "2.1.0"
    first = sarif["runs"][0]["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] > 0


def test_conflicts_filters_and_formats(kb_dir):
    listed = json.loads(run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--format", "json",
                            "--severity", "high").output)
    assert {c["severity"] for c in listed} == {"high"} and len(listed) == 2
    nsaid = next(c for c in listed if c["topic"] == "nsaid-avoid-after")
    assert [side["position"] for side in nsaid["sides"]] == ["4 days", "3 weeks"]
    assert [len(side["claims"]) for side in nsaid["sides"]] == [1, 3]
    keys = set(nsaid) | set(nsaid["sides"][0]["claims"][0])
    assert {"id", "topic", "kind", "severity", "status", "explanation", "sides", "source", "quote", "start", "end",
            "stated", "min", "max", "unit", "context"} <= keys
    csv_out = run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--format", "csv", "--topic", "session-count").output
    assert csv_out.splitlines()[0] == ("id,topic,kind,outcome,severity,status,explanation,"
                                       "side,position,claim,source,stated,normalized,quote")
    assert len(csv_out.splitlines()) == 1 + 2 * 2  # two partial overlaps of one claim against one (4–6 in 3–6 is compatible)
    markdown = run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--format", "markdown").output
    assert markdown.startswith("| Severity | Topic |")
    unknown = run("conflicts", "--kb", kb_dir, "--shapes", SHAPES, "--topic", "nope")
    assert unknown.exit_code == 2 and "unknown topic 'nope'" in unknown.output


def test_reviewing_an_unknown_conflict_changes_nothing(kb_dir):
    before = tree_digest(kb_dir)
    result = run("review", "nope-123", "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged", "--note", "x")
    assert result.exit_code == 2 and "No conflict with id 'nope-123'" in result.output
    assert tree_digest(kb_dir) == before
