"""Retracting a claim keeps it, with when and why, and takes it out of every comparison, on both engines."""
import json
import re

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from reconcile.build import build_docs
from reconcile.checks import check_structure
from reconcile.cli import main
from reconcile.conflicts import conflict_results, find_conflicts
from reconcile.implied import implied_claims
from reconcile.load import load
from reconcile.lock import kb_lock
from reconcile.model import CLAIM, KB
from test_engine import rows
from test_implied import clinic_d

from conftest import SHAPES, tree_digest

REASON = "The clinic corrected the page: the 4-day rule was a typo."


def retract(kb_dir, *args):
    return CliRunner().invoke(main, ["retract", "--kb", str(kb_dir), *args])


def test_retract_keeps_the_claim_with_its_time_and_reason_and_the_file_as_written(kb_dir):
    path = kb_dir / "claims" / "b.ttl"
    path.write_text(path.read_text().replace("claim:b-nsaid-avoid-after a", "# checked by hand\nclaim:b-nsaid-avoid-after a"))
    before = path.read_text()
    result = retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON)
    assert result.exit_code == 0, result.output
    claim = load(kb_dir).claim("b-nsaid-avoid-after")
    assert result.output == f"Retracted b-nsaid-avoid-after at {claim.location}; it is no longer compared with other claims.\n"
    assert (claim.state, claim.retraction_reason, claim.replaced_by) == ("retracted", REASON, "")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", claim.retracted_at)
    after = path.read_text()
    assert "# checked by hand\nclaim:b-nsaid-avoid-after a kb:Claim ;\n" \
           f'    prov:invalidatedAtTime "{claim.retracted_at}"^^xsd:dateTime ;\n' \
           f'    kb:retractionReason "{REASON}" ;\n    kb:topic topic:nsaid-avoid-after ;' in after
    assert after.replace(after[after.index("    prov:invalidatedAtTime"):after.index("    kb:topic topic:nsaid-avoid-after")], "") == before
    from rdflib.namespace import XSD  # imported here: pytest's collection trips over the closed namespace

    graph = Graph().parse(path)
    iri = URIRef(CLAIM["b-nsaid-avoid-after"])
    assert graph.value(iri, PROV.invalidatedAtTime) == Literal(claim.retracted_at, datatype=XSD.dateTime)
    assert graph.value(iri, KB.retractionReason) == Literal(REASON)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_retracted_claim_is_left_out_of_every_comparison(kb_dir, engine):
    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    kb = load(kb_dir)
    conflicts = find_conflicts(kb, SHAPES, engine)
    assert all("b-nsaid-avoid-after" not in {c.id for c in conflict.claims} for conflict in conflicts)
    assert [c.outcome for c in conflicts if c.topic == "nsaid-avoid-after"] == ["agreement"]
    assert rows(conflict_results(kb, SHAPES, "fast")) == rows(conflict_results(kb, SHAPES, "pyshacl"))


def test_the_cached_check_notices_a_retraction(kb_dir, tmp_path):
    cache = tmp_path / "conflicts.json"
    before = find_conflicts(load(kb_dir), SHAPES, "fast", cache)
    assert any(c.outcome == "contradiction" and c.topic == "nsaid-avoid-after" for c in before)
    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    kb = load(kb_dir)
    assert find_conflicts(kb, SHAPES, "fast", cache) == find_conflicts(kb, SHAPES, "fast")


def test_a_retracted_claim_implies_nothing_in_the_rule_or_in_python(kb_dir, tmp_path):
    clinic_d(kb_dir, tmp_path)
    assert [c.id for c in implied_claims(load(kb_dir))] == ["d-wash-after-implies-restrictions-after"]
    assert retract(kb_dir, "d-wash-after", "--reason", "Not a restriction after all.").exit_code == 0
    kb = load(kb_dir)
    assert implied_claims(kb) == []
    for engine in ("fast", "pyshacl"):
        assert not [r for r in conflict_results(kb, SHAPES, engine) if "implied by" in r.message]
        assert [c for c in find_conflicts(kb, SHAPES, engine) if c.topic == "restrictions-after"] == []


def test_replaced_by_names_the_claim_that_supersedes_it(kb_dir):
    result = retract(kb_dir, "b-nsaid-avoid-after", "--reason", "Superseded by the clinic's second statement.",
                     "--replaced-by", "b-nsaid-avoid-after-2")
    assert result.exit_code == 0, result.output
    assert "Retracted b-nsaid-avoid-after, replaced by b-nsaid-avoid-after-2 at " in result.output
    kb = load(kb_dir)
    claim = kb.claim("b-nsaid-avoid-after")
    assert (claim.state, claim.replaced_by) == ("replaced", "b-nsaid-avoid-after-2")
    assert (URIRef(CLAIM["b-nsaid-avoid-after"]), DCTERMS.isReplacedBy, URIRef(CLAIM["b-nsaid-avoid-after-2"])) in kb.graph
    assert check_structure(kb, SHAPES, engine="fast") == check_structure(kb, SHAPES, engine="pyshacl") == []


def test_kb_claims_lists_each_claim_with_its_state(kb_dir):
    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    result = CliRunner().invoke(main, ["claims", "--kb", str(kb_dir), "--format", "json", "--source", "b"])
    assert result.exit_code == 0, result.output
    states = {row["id"]: (row["state"], row["retraction_reason"]) for row in json.loads(result.output)}
    assert states["b-nsaid-avoid-after"] == ("retracted", REASON)
    assert states["b-nsaid-avoid-after-2"] == ("current", None)
    csv = CliRunner().invoke(main, ["claims", "--kb", str(kb_dir), "--format", "csv", "--source", "b"]).output
    assert ",state,retracted_at,retraction_reason,replaced_by," in csv.splitlines()[0]


@pytest.mark.parametrize(("args", "message"), [
    (["b-nsaid-avoid-aftr", "--reason", REASON], "Error: CLAIM: Unknown claim 'b-nsaid-avoid-aftr'. Did you mean b-nsaid-avoid-after"),
    (["b-nsaid-avoid-after", "--reason", "  "], "Error: --reason: say in a sentence why the claim no longer holds"),
    (["b-nsaid-avoid-after", "--reason", REASON, "--replaced-by", "b-nsaid-avoid-after"],
     "Error: --replaced-by: a claim cannot replace itself"),
    (["b-nsaid-avoid-after", "--reason", REASON, "--replaced-by", "nothing"], "Error: --replaced-by: Unknown claim 'nothing'."),
])
def test_a_retraction_that_cannot_stand_changes_nothing(kb_dir, args, message):
    digest = tree_digest(kb_dir)
    result = retract(kb_dir, *args)
    assert result.exit_code == 2 and result.output.startswith(message), result.output
    assert tree_digest(kb_dir) == digest


def test_a_claim_is_retracted_once(kb_dir):
    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    digest = tree_digest(kb_dir)
    again = retract(kb_dir, "b-nsaid-avoid-after", "--reason", "Twice.")
    assert again.exit_code == 2 and "claim b-nsaid-avoid-after was already retracted at " in again.output
    assert retract(kb_dir, "a-nsaid-avoid-after", "--reason", REASON, "--replaced-by", "b-nsaid-avoid-after").exit_code == 2
    assert tree_digest(kb_dir) == digest


def test_retract_waits_for_no_other_writer(kb_dir):
    digest = tree_digest(kb_dir)
    with kb_lock(kb_dir):
        result = retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON)
    assert result.exit_code == 2 and "another kb command is writing" in result.output.lower(), result.output
    assert tree_digest(kb_dir) == digest


@pytest.mark.parametrize(("drop", "problem"), [
    ("    kb:retractionReason", "it has a time and no reason"),
    ("    prov:invalidatedAtTime", "it has a reason and no time"),
])
def test_a_retraction_needs_its_time_and_its_reason(kb_dir, drop, problem):
    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    path = kb_dir / "claims" / "b.ttl"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True) if not line.startswith(drop)))
    kb = load(kb_dir)
    findings = check_structure(kb, SHAPES, engine="fast")
    assert findings == check_structure(kb, SHAPES, engine="pyshacl")
    assert [(f.code, f.focus, f.message) for f in findings] == [(
        "claim-retraction-reason", "b-nsaid-avoid-after",
        f"A retracted claim needs both prov:invalidatedAtTime and kb:retractionReason, but {problem}; "
        "add what is missing (kb retract writes both).")]


def test_the_source_page_lists_retracted_claims_apart(kb_dir, tmp_path):
    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", "Typo <fixed> & corrected.",
                   "--replaced-by", "b-nsaid-avoid-after-2").exit_code == 0
    kb = load(kb_dir)
    out = tmp_path / "docs"
    build_docs(kb, SHAPES, out)
    page = (out / "sources" / "b.md").read_text(encoding="utf-8")
    current, retracted = page.split("## Retracted claims")
    claim = kb.claim("b-nsaid-avoid-after")
    assert 'href="../topics/nsaid-avoid-after.html#b-nsaid-avoid-after"' not in current
    assert (f'<tr><td data-label="Claim">b-nsaid-avoid-after</td><td data-label="Quote" class="quote-cell"><q class="quote-exact">'
            f'{claim.quote}</q></td><td data-label="Retracted">{claim.retracted_at}</td>'
            '<td data-label="Reason">Typo &lt;fixed&gt; &amp; corrected.</td><td data-label="Replaced by">'
            '<a href="../topics/nsaid-avoid-after.html#b-nsaid-avoid-after-2">b-nsaid-avoid-after-2</a></td></tr>') in retracted
    topic_page = (out / "topics" / "nsaid-avoid-after.md").read_text(encoding="utf-8")
    assert "b-nsaid-avoid-after-2" in topic_page and 'id="b-nsaid-avoid-after"' not in topic_page


def test_the_site_builds_strictly_with_a_retracted_claim(kb_dir, tmp_path):
    from bs4 import BeautifulSoup

    from conftest import build_site

    assert retract(kb_dir, "b-nsaid-avoid-after", "--reason", REASON, "--replaced-by", "b-nsaid-avoid-after-2").exit_code == 0
    site = build_site(kb_dir, tmp_path / "work")
    page = BeautifulSoup((site / "sources" / "b.html").read_text(encoding="utf-8"), "html.parser")
    heading = page.find("h2", id="retracted-claims")
    assert heading is not None and heading.get_text(strip=True).startswith("Retracted claims")
    row = heading.find_next("table").find("tbody").find("tr")
    assert [cell.get_text(strip=True) for cell in row.find_all("td")][::2] == [
        "b-nsaid-avoid-after", load(kb_dir).claim("b-nsaid-avoid-after").retracted_at, "b-nsaid-avoid-after-2"]
    assert row.find("a")["href"] == "../topics/nsaid-avoid-after.html#b-nsaid-avoid-after-2"
    assert 'id="b-nsaid-avoid-after-2"' in (site / "topics" / "nsaid-avoid-after.html").read_text(encoding="utf-8")


def test_feedback_on_a_claim_no_longer_counts_a_retracted_one_holding_its_position(kb_dir):
    from reconcile.feedback import claim_feedback

    def agreement(kb):
        return [line for line in claim_feedback(kb, SHAPES, ["a-nsaid-avoid-after"])["a-nsaid-avoid-after"]
                if line.startswith("agreement")]

    assert agreement(load(kb_dir)) == ["agreement: it joins the position '3 weeks' held by b and c."]
    assert retract(kb_dir, "c-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    assert agreement(load(kb_dir)) == ["agreement: it joins the position '3 weeks' held by b."]


def test_restating_a_retracted_claim_is_no_likely_duplicate(kb_dir):
    args = ["add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "c", "--topic", "nsaid-avoid-after",
            "--context", "after-treatment", "--quote", "Stop NSAIDs 3 days before treatment.", "--value", "three weeks"]
    dry_run = CliRunner().invoke(main, [str(a) for a in [*args, "--dry-run"]])
    assert "claim c-nsaid-avoid-after of the same source, topic and context states the same value" in dry_run.output
    assert retract(kb_dir, "c-nsaid-avoid-after", "--reason", REASON).exit_code == 0
    again = CliRunner().invoke(main, [str(a) for a in args])
    assert again.exit_code == 0 and "warning" not in again.output, again.output
