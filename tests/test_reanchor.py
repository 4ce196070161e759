from click.testing import CliRunner

from reconcile.checks import check
from reconcile.cli import main
from reconcile.load import load

from conftest import SHAPES


def change_source(kb_dir, old, new):
    path = kb_dir / "sources" / "c.txt"
    path.write_text(path.read_text().replace(old, new))


def test_reanchor_moves_quotes_marks_changed_and_vanished_ones(kb_dir):
    change_source(kb_dir, "Clinic C protocol\n", "Clinic C protocol, second edition\nWith a new first line.\n")
    change_source(kb_dir, "Plan 4 to 6 sessions.", "Plan 4 to 7 sessions.")
    change_source(kb_dir, "It is not suitable for alopecia areata.\n", "")
    claims_file = kb_dir / "claims" / "c.ttl"
    claims_file.write_text(claims_file.read_text().replace("claim:c-nsaid-stop-before", "# kept comment\nclaim:c-nsaid-stop-before"))
    result = CliRunner().invoke(main, ["reanchor", "--kb", str(kb_dir)])
    assert result.exit_code == 1, result.output
    statuses = dict(line.split()[:2][::-1] for line in result.output.splitlines() if line.split()[0] in
                    ("moved", "changed", "vanished", "unchanged"))
    assert statuses == {"c-nsaid-stop-before": "moved", "c-nsaid-avoid-after": "moved",
                        "c-session-count": "changed", "c-alopecia-areata": "vanished"}
    kb = load(kb_dir)
    text = kb.source_text("c")
    moved = kb.claim("c-nsaid-avoid-after")
    assert text[moved.start:moved.end] == moved.quote
    assert "# kept comment" in claims_file.read_text()
    findings = {(f.code, f.focus) for f in check(kb, SHAPES)}
    assert findings == {("quote-changed", "c-session-count"), ("quote-vanished", "c-alopecia-areata")}


def test_reanchor_with_nothing_changed(kb_dir):
    result = CliRunner().invoke(main, ["reanchor", "--kb", str(kb_dir)])
    assert result.exit_code == 0 and "nothing to do" in result.output
