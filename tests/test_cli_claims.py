import csv
import io
import json

from click.testing import CliRunner

from reconcile.cli import main


def test_claims_json_has_every_claim_with_its_normalized_value(kb_dir):
    result = CliRunner().invoke(main, ["claims", "--kb", str(kb_dir)])
    assert result.exit_code == 0
    claims = {c["id"]: c for c in json.loads(result.output)}
    assert len(claims) == 13
    lines = result.output.splitlines()  # one claim per line, between the brackets
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 15
    assert json.loads(lines[1].rstrip(","))["id"] == sorted(claims)[0]
    first = claims["a-first-results-time"]
    assert (first["stated"], first["min"], first["max"], first["unit"], first["normalized"]) == (
        "two to three months", 60.875, 91.3125, "DAY", "2–3 months")
    text = (kb_dir / "sources" / "a.txt").read_text()
    assert text[first["start"]:first["end"]] == first["quote"]
    assert first["source_file"] == "a.txt" and first["context"] == "general"
    assert claims["c-alopecia-areata"]["normalized"] == "no"  # as the site shows it, whatever the kind
    assert claims["a-contraindications"]["normalized"] == "none"


def test_claims_csv_and_filters(kb_dir):
    result = CliRunner().invoke(main, ["claims", "--kb", str(kb_dir), "--format", "csv", "--source", "b"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["source"] for r in rows} == {"b"} and len(rows) == 5
    assert rows[0].keys() >= {"id", "source_file", "quote", "start", "end", "topic", "context", "stated", "min", "max", "unit"}


def test_listing_commands(kb_dir):
    runner = CliRunner()
    for command, expected in (("topics", "nsaid-avoid-after"), ("sources", "Clinic B FAQ"), ("contexts", "after-treatment")):
        result = runner.invoke(main, [command, "--kb", str(kb_dir)])
        assert result.exit_code == 0, result.output
        assert expected in result.output
    missing = runner.invoke(main, ["topics", "--kb", str(kb_dir / "nowhere")])
    assert missing.exit_code == 2 and "no such folder" in missing.output
