"""The benchmark's synthetic knowledge bases are valid and hold what it claims they hold."""
from reconcile.bench import generate, sweep
from reconcile.gate import run_check
from reconcile.load import load

from conftest import SHAPES


def test_synthetic_knowledge_base_is_valid_and_has_contradictions(tmp_path):
    kb = load(generate(tmp_path / "kb", 300))
    result = run_check(kb, SHAPES, "never")
    assert len(kb.claims) == 300 and result.findings == []
    contradictions = [c for c in result.conflicts if c.outcome == "contradiction"]
    assert contradictions and {c.claims[0].unit for c in contradictions} == {"DAY"}
    assert {int(c.topic[1:]) % 5 for c in contradictions} == {0}  # one topic in five
    assert len({c.stated.split()[-1] for c in kb.claims}) == 3  # hours, days and weeks mixed
    values = {(c.topic, c.context, c.min, c.max) for c in kb.claims}
    assert len(values) <= 4 * len({(c.topic, c.context) for c in kb.claims})  # a few common values each


def test_sweep_counts_gaps_between_sorted_intervals():
    assert sweep([("t", "c", 1, 2), ("t", "c", 5, 6), ("t", "c", 1.5, 3), ("u", "c", 9, 9)]) == 1


def test_every_fast_stage_runs_and_leaves_the_knowledge_base_as_it_was(tmp_path):
    from reconcile.bench import STAGES, run_stage

    from conftest import tree_digest

    kb_dir = generate(tmp_path / "kb", 60)
    before = tree_digest(kb_dir)
    for stage in STAGES:
        if not stage.endswith("pyshacl"):
            measured = run_stage(stage, kb_dir, SHAPES.parent)
            for seconds in ([row[0] for row in measured.values() if row[0] is not None] if isinstance(measured, dict) else [measured]):
                assert isinstance(seconds, float) and 0 < seconds < 120, (stage, seconds)  # measured, and not runaway
    assert tree_digest(kb_dir) == before


def test_repository_is_found_above_the_current_folder_or_refused_with_a_message(tmp_path):
    import click
    import pytest
    from click.testing import CliRunner

    from reconcile.bench import find_repo, main

    assert find_repo(SHAPES.parent / "kb" / "claims") == SHAPES.parent
    with pytest.raises(click.BadParameter, match="holds kb/ and shapes/"):
        find_repo(tmp_path)
    result = CliRunner().invoke(main, ["--repo", str(tmp_path), "--sizes", "10", "--stages", "load"])
    assert result.exit_code == 2 and f"no folder at or above {tmp_path.resolve()} holds kb/ and shapes/" in result.output
