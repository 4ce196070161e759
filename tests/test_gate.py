"""`run_check`: conflicts looked for beside the structural check, and reported only when the structure is sound."""
from reconcile.gate import run_check
from reconcile.load import load
from test_implied import clinic_d

from conftest import SHAPES


def _ids(result):
    return [c.id for c in result.conflicts], result.findings


def test_looking_for_conflicts_beside_the_structure_finds_what_looking_after_it_finds(kb_dir, tmp_path):
    beside = run_check(load(kb_dir), SHAPES, "never")  # no cache: the conflicts are looked for meanwhile
    after = run_check(load(kb_dir), SHAPES, "never", cache_file=tmp_path / "cache.json")  # with one: afterwards
    assert beside.conflicts and _ids(beside) == _ids(after)


def test_the_claim_views_never_show_what_the_rules_inferred(kb_dir, tmp_path):
    kb = load(clinic_d(kb_dir, tmp_path))
    claims = [c.id for c in kb.claims]
    result = run_check(kb, SHAPES, "never")  # the rules add the implied claims (a kb:Claim each) to the inferred graph
    assert any(claim.implied_by for conflict in result.conflicts for claim in conflict.claims)
    assert [c.id for c in kb.read_claims()] == claims
    assert result.findings == []  # nor do the structural shapes, which would find an implied claim incomplete


def test_conflicts_found_while_the_structure_turned_out_broken_are_not_reported(kb_dir):
    path = kb_dir / "claims" / "a.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("kb:topic topic:nsaid-avoid-after ;", "", 1),
                    encoding="utf-8")
    result = run_check(load(kb_dir), SHAPES, "never")
    assert "claim-topic" in {f.code for f in result.findings}
    assert result.conflicts == [] and result.failing == [] and result.exit_code == 1
