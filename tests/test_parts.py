"""The check a part of the topics at a time: what the whole check finds, holding only counts and failing conflicts."""
import pytest

from reconcile.gate import FAIL_ON, run_check
from reconcile.load import load
from reconcile.parts import run_check_in_parts, topic_parts
from reconcile.report import check_text
from test_implied import clinic_d

from conftest import SHAPES


def _found(result):
    return result.findings, [(c.id, c.status, c.inner, [[x.id for x in side] for side in c.sides]) for c in result.conflicts]


@pytest.mark.parametrize("size", [1, 4, 1000])  # one topic a part, a few, all at once
def test_the_parts_together_find_what_the_whole_check_finds(kb_dir, tmp_path, size):
    clinic_d(kb_dir, tmp_path)  # a broader yes/no topic, answered by a restriction on a narrower one
    whole = run_check(load(kb_dir), SHAPES, "new")
    parts = run_check_in_parts(load(kb_dir), SHAPES, FAIL_ON["new"], keep_conflicts=True, size=size)
    assert any(claim.implied_by for conflict in whole.conflicts for claim in conflict.claims)
    assert _found(parts) == _found(whole) and parts.failing == whole.failing
    assert len(list(topic_parts(load(kb_dir), size))) > 1 or size == 1000


def test_without_keeping_them_conflicts_are_counted_and_reported_the_same(kb_dir):
    whole = run_check(load(kb_dir), SHAPES, "new")
    counted = run_check_in_parts(load(kb_dir), SHAPES, FAIL_ON["new"], size=2)
    assert counted.conflicts == [] and counted.failing == whole.failing
    assert check_text(counted, "new") == check_text(whole, "new")
    assert counted.exit_code == whole.exit_code == 1


def test_a_broken_claim_found_in_a_late_part_still_withholds_every_conflict(kb_dir):
    path = kb_dir / "claims" / "c.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('kb:stated "', 'kb:stated "9999 ', 1), encoding="utf-8")
    result = run_check_in_parts(load(kb_dir), SHAPES, FAIL_ON["new"], keep_conflicts=True, size=1)
    assert "claim-quote-value" in {f.code for f in result.findings}
    assert result.conflicts == [] and result.failing == [] and result.counted is None
