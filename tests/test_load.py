import shutil

import pytest

from reconcile.errors import KbError
from reconcile.load import load

from conftest import FIXTURES, build_fixture_kb


def test_loads_topics_sources_and_claims(kb):
    assert set(kb.sources) == {"a", "b", "c"}
    assert "nsaid-avoid-after" in kb.topics and kb.topics["nsaid-avoid-after"].safety == "high"
    assert kb.topics["nsaid-avoid-after"].unit == "DAY"
    assert len(kb.claims) == 13


def test_a_claim_with_a_part_given_twice_is_still_one_claim(tmp_path):
    kb_dir = build_fixture_kb(tmp_path / "kb")
    shutil.copy(FIXTURES / "broken" / "mistakes.ttl", kb_dir / "claims" / "mistakes.ttl")
    claims = [c.id for c in load(kb_dir).claims]
    assert len(claims) == len(set(claims)) == 13 + 4
    assert "broken-parts" in claims  # it has two contexts; the structural shapes report that


def test_claims_know_the_file_and_line_they_are_written_on(kb, kb_dir):
    claim = kb.claim("b-nsaid-avoid-after-2")
    lines = (kb_dir / "claims" / "b.ttl").read_text().splitlines()
    assert claim.location.path == kb_dir / "claims" / "b.ttl"
    assert lines[claim.location.line - 1].startswith("claim:b-nsaid-avoid-after-2 a kb:Claim")


def test_claim_values_are_read_back(kb):
    claim = kb.claim("a-first-results-time")
    assert (claim.min, claim.max, claim.unit, claim.stated) == (60.875, 91.3125, "DAY", "two to three months")
    assert kb.claim("a-contraindications").empty_set
    assert kb.claim("c-alopecia-areata").yes is False


def test_malformed_turtle_names_file_and_line(kb_dir):
    path = kb_dir / "claims" / "a.ttl"
    lines = path.read_text().splitlines()
    lines[20] = lines[20] + ' "unterminated'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(KbError, match=rf"^{path}:21: Turtle syntax error"):
        load(kb_dir)


def test_non_utf8_file_is_named(kb_dir):
    path = kb_dir / "claims" / "c.ttl"
    path.write_bytes(path.read_bytes() + b"\n# caf\xe9\n")
    with pytest.raises(KbError, match=rf"^{path}:\d+: not UTF-8 text"):
        load(kb_dir)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(KbError, match="no such folder"):
        load(tmp_path / "nowhere")
