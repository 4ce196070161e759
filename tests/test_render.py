"""Rendering the test knowledge base gives the Markdown in tests/fixtures/golden/.

Run with UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then read the diff.
"""
import hashlib
import os
import re

import pytest
from rdflib import Graph

from reconcile.build import build_docs
from reconcile.gate import run_check
from reconcile.render import highlighted_text, md, render

from conftest import FIXTURES, SHAPES

GOLDEN = FIXTURES / "golden"
PAGES = ["index.md", "conflicts.md", "matrix.md", "compare.md", "timeline.md", "reviews.md", "data.md", "topics/index.md",
         "topics/nsaid-avoid-after.md", "topics/contraindications.md", "sources/index.md", "sources/a.md"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from reconcile.load import load

    from conftest import build_fixture_kb

    base = tmp_path_factory.mktemp("render")
    out = base / "docs"
    build_docs(load(build_fixture_kb(base / "kb")), SHAPES, out)
    return out


@pytest.mark.parametrize("page", PAGES)
def test_pages_match_golden_markdown(rendered, page):
    # The knowledge-base version hashes the shared vocabulary too; its own test below checks it.
    actual = re.sub(r"(?m)^kb_version: [0-9a-f]{12}$", "kb_version: (version)", (rendered / page).read_text(encoding="utf-8"))
    golden = GOLDEN / page
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_every_page_carries_the_knowledge_base_version_the_download_hashes_to(rendered):
    version = hashlib.sha256((rendered / "data" / "kb.ttl").read_bytes()).hexdigest()[:12]
    for page in PAGES:
        assert (rendered / page).read_text(encoding="utf-8").startswith(f"---\nkb_version: {version}\n"), page


def test_every_topic_and_source_gets_a_page_and_downloads_exist(rendered):
    assert len(list((rendered / "topics").glob("*.md"))) == 7  # six topics and the index
    assert sorted(p.name for p in (rendered / "sources").glob("*.md")) == ["a.md", "b.md", "c.md", "index.md"]
    for name in ["kb.ttl", "kb.jsonld", "claims.csv", "claims.json", "conflicts.json", "conflicts.csv", "shacl-report.ttl"]:
        assert (rendered / "data" / name).stat().st_size > 0
    assert Graph().parse(rendered / "data" / "kb.jsonld", format="json-ld").isomorphic(
        Graph().parse(rendered / "data" / "kb.ttl", format="turtle"))


def test_source_text_is_escaped(rendered):
    page = (rendered / "sources" / "a.md").read_text()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page or "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>" not in page


def test_markdown_escaping():
    assert md("**bold** <b>") == r"\*\*bold\*\* &lt;b&gt;"


def test_highlighting_marks_each_quote_and_links_its_topic():
    from reconcile.model import Claim

    claim = Claim(id="x-1", source="x", source_file="x.txt", topic="t", context="general", quote="b<c",
                  prefix="", suffix="", start=1, end=4, stated="")
    assert str(highlighted_text("ab<cd", [claim])) == (
        'a<span id="x-1"></span><mark data-claims="x-1"><a href="../topics/t.html#x-1" title="x-1 (t)">b&lt;c</a></mark>d')


def render_with_limit(tmp_path, monkeypatch, limit: str, value: int, page: str):
    """The test knowledge base, its check result, and one rendered page with a render limit set to `value`."""
    from reconcile import render as rendering
    from reconcile.load import load

    from conftest import build_fixture_kb

    kb = load(build_fixture_kb(tmp_path / "kb"))
    result = run_check(kb, SHAPES, "never")
    monkeypatch.setattr(rendering, limit, value)
    render(kb, result.conflicts, result.findings, Graph(), tmp_path / "docs")
    return kb, result, (tmp_path / "docs" / page).read_text()


def test_overview_shows_the_most_serious_open_contradictions_up_to_its_limit(tmp_path, monkeypatch):
    kb, result, page = render_with_limit(tmp_path, monkeypatch, "OVERVIEW_LIMIT", 1, "index.md")
    open_contradictions = [c for c in result.conflicts if c.outcome == "contradiction"]
    assert len(open_contradictions) > 1
    assert f"Showing the 1 most serious of {len(open_contradictions)} open contradictions" in page
    assert open_contradictions[0].id in page and open_contradictions[1].id not in page.split("## Open contradictions")[1]


def test_matrix_keeps_to_the_sources_with_the_most_claims(tmp_path, monkeypatch):
    kb, result, page = render_with_limit(tmp_path, monkeypatch, "MATRIX_SOURCES", 2, "matrix.md")
    claims = {key: sum(c.source == key for c in kb.claims) for key in kb.sources}
    left_out = sorted(claims, key=lambda key: (-claims[key], key))[-1]  # fewest claims; ties by key
    assert "the 2 sources with the most claims (of 3 sources)" in page
    assert f'href="sources/{left_out}.html"' not in page and page.count('<th scope="col"><a href="sources/') == 2


def test_conflicts_page_lists_every_finding_and_cards_the_most_serious(tmp_path, monkeypatch):
    kb, result, page = render_with_limit(tmp_path, monkeypatch, "CONFLICT_CARDS", 2, "conflicts.md")
    disagreements = [c for c in result.conflicts if c.is_disagreement]
    assert f"Cards show the 2 most serious of {len(disagreements)} conflicts" in page
    assert page.count('<details class="conflict ') == 2 and page.count('<tr class="finding"') == len(disagreements)
    for conflict in disagreements[:2]:
        assert f'<a href="#{conflict.id}">' in page
    for conflict in disagreements[2:]:
        assert f'href="topics/{conflict.topic}.html#{conflict.id}"' in page


def test_conflict_cards_quote_a_few_claims_per_side_and_list_the_rest(tmp_path, monkeypatch):
    kb, result, page = render_with_limit(tmp_path, monkeypatch, "QUOTES_PER_SIDE", 1, "topics/nsaid-avoid-after.md")
    conflict = next(c for c in result.conflicts if c.topic == "nsaid-avoid-after" and c.is_disagreement)
    big_side = max(conflict.sides, key=len)
    assert len(big_side) == 3
    card = page.split(f'id="{conflict.id}"')[1].split('<details class="conflict ')[0]
    assert card.count('<blockquote class="quote">') == len(conflict.sides)  # one quote per side
    assert "And 2 more, quoted in the topic's claims table:" in card
    for claim in big_side[1:]:
        assert f'<a href="../topics/nsaid-avoid-after.html#{claim.id}">' in card


def test_a_failed_render_leaves_the_earlier_output_as_it_was(tmp_path, monkeypatch):
    from reconcile import export
    from reconcile.load import load

    from conftest import build_fixture_kb, tree_digest

    kb = load(build_fixture_kb(tmp_path / "kb"))
    result = run_check(kb, SHAPES, "never")
    out = tmp_path / "docs"
    written = render(kb, result.conflicts, result.findings, Graph(), out)
    assert out / "topics" / "nsaid-avoid-after.md" in written and all(path.is_file() for path in written)
    before = tree_digest(out)

    def failing(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "json_ld", failing)  # fails after every page is made
    with pytest.raises(RuntimeError):
        render(kb, result.conflicts, result.findings, Graph(), out)
    assert tree_digest(out) == before  # no page replaced, no staging folder left behind


def test_a_claims_modality_shows_as_its_label_and_in_the_downloads(tmp_path):
    import json

    from reconcile.load import load

    from conftest import build_fixture_kb

    kb_dir = build_fixture_kb(tmp_path / "kb")
    path = kb_dir / "claims" / "a.ttl"
    path.write_text(path.read_text().replace('    kb:stated "3 weeks" ;\n',
                                             '    kb:stated "3 weeks" ;\n    kb:modality kb:MustNot ;\n', 1))
    kb = load(kb_dir)
    result = run_check(kb, SHAPES, "never")
    render(kb, result.conflicts, result.findings, Graph(), tmp_path / "docs")
    page = (tmp_path / "docs" / "topics" / "nsaid-avoid-after.md").read_text()
    assert '<td data-label="Coded as">3 weeks</td><td data-label="Strength">must not</td>' in page
    claims = json.loads((tmp_path / "docs" / "data" / "claims.json").read_text())
    assert {c["id"]: c["modality"] for c in claims}["a-nsaid-avoid-after"] == "MustNot"


def test_a_review_names_its_reviewer_as_described(kb_dir, tmp_path):
    from reconcile.conflicts import find_conflicts
    from reconcile.load import load
    from reconcile.reviews import record_review

    conflict = next(c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement)
    record_review(load(kb_dir), conflict, "acknowledged", "rev", "Both rules are shown.", when="2026-01-02T00:00:00Z")
    build_docs(load(kb_dir), SHAPES, tmp_path / "docs")
    page = (tmp_path / "docs" / "conflicts.md").read_text(encoding="utf-8")
    assert "Review by Test reviewer on 2026-01-02: Both rules are shown." in page
    register = (tmp_path / "docs" / "reviews.md").read_text(encoding="utf-8")
    assert "<td>Test reviewer</td><td>2026-01-02</td><td>Both rules are shown.</td>" in register


def test_conflicts_text_matches_golden(kb_dir):
    """The default `kb conflicts` output is report.conflicts_text of the disagreements, kept in a golden file."""
    from click.testing import CliRunner

    from reconcile.cli import main
    from reconcile.load import load
    from reconcile.report import conflicts_text

    result = run_check(load(kb_dir), SHAPES, "never")
    actual = conflicts_text([c for c in result.conflicts if c.is_disagreement])
    listed = CliRunner().invoke(main, ["conflicts", "--kb", str(kb_dir), "--shapes", str(SHAPES)], catch_exceptions=False)
    assert listed.exit_code == 0 and listed.output == actual
    actual = actual.replace(str(kb_dir), "kb")  # claim locations, independent of the temporary folder
    golden = GOLDEN / "conflicts.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_add_to_report_writes_each_result(kb):
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import RDF, SH

    from reconcile.shacl import Result, add_to_report

    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    """, format="turtle")
    property_shape = shapes.value(URIRef("http://example.org/S"), SH.property)
    focus = URIRef("http://example.org/x")
    results = [Result(focus, None, SH.Violation, "needs ex:p", "code", "", property_shape, SH.MinCountConstraintComponent,
                      URIRef("http://example.org/p")),
               Result(focus, Literal(3), SH.Warning, "three", "code", "", URIRef("http://example.org/S"),
                      SH.SPARQLConstraintComponent, None, URIRef("http://example.org/C"))]
    report = Graph()
    add_to_report(report, [])
    root = report.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report.value(root, SH.conforms) == Literal(True) and len(report) == 2
    add_to_report(report, results, shapes)
    assert report.value(root, SH.conforms) == Literal(False)
    written = {report.value(r, SH.resultMessage).value: r for r in report.objects(root, SH.result)}
    assert set(written) == {"needs ex:p", "three"}
    first, second = written["needs ex:p"], written["three"]
    assert isinstance(report.value(first, SH.sourceShape), BNode)
    assert (report.value(first, SH.sourceShape), SH.minCount, Literal(1)) in report  # the property shape's description
    assert report.value(first, SH.resultPath) == URIRef("http://example.org/p")
    assert report.value(first, SH.sourceConstraintComponent) == SH.MinCountConstraintComponent
    assert report.value(first, SH.value) is None and report.value(first, SH.focusNode) == focus
    assert report.value(second, SH.value) == Literal(3) and report.value(second, SH.resultSeverity) == SH.Warning
    assert report.value(second, SH.sourceConstraint) == URIRef("http://example.org/C")
    assert report.value(second, SH.resultPath) is None


@pytest.fixture(scope="module")
def rendered_real(tmp_path_factory):
    """The project's own knowledge base rendered: the pages a reviewer reads."""
    from reconcile.load import load

    from conftest import ROOT

    kb = load(ROOT / "kb")
    result = run_check(kb, SHAPES, "never")
    out = tmp_path_factory.mktemp("render-real") / "docs"
    render(kb, result.conflicts, result.findings, Graph(), out)
    return out


def finding_row(page, topic):
    return next(row for row in page.split('<tr class="finding"')[1:] if f'data-topic="{topic}"' in row).split("</tr>")[0]


def test_the_overview_says_who_disagrees_on_what_and_who_sells_the_treatment(rendered_real):
    page = (rendered_real / "index.md").read_text(encoding="utf-8")
    table = page.index('<table class="findings">')
    assert table < page.index("## Open contradictions"), "the findings come before the cards"
    row = finding_row(page, "nsaid-avoid-after")
    assert "<strong>4 days</strong>" in row and "<strong>3 weeks</strong>" in row
    assert ('<a class="source-ref" href="sources/004.html">Vinings FAQ</a> '
            '<span class="source-kind">(clinic FAQ, <span class="sells">sells the treatment</span>)') in row
    assert "copies Vinings FAQ" in row and "between sources" in row and "baseline, not yet reviewed" in row
    assert 'data-scope="between"' in row and 'data-sources="002 004"' in row


def test_a_source_against_itself_is_marked_within_one_source(rendered_real):
    page = (rendered_real / "conflicts.md").read_text(encoding="utf-8")
    rows = page.split('<tr class="finding"')[1:]
    within = [row for row in rows if 'data-scope="within"' in row]
    assert within and all('data-sources="003"' in row and "within one source" in row for row in within)


def test_counters_are_links_and_cards_fold(rendered_real):
    page = (rendered_real / "index.md").read_text(encoding="utf-8")
    assert '<a class="counter counter-contradiction" href="conflicts.html?outcome=contradiction"><span class="stat-number">' in page
    assert '<a class="counter counter-within" href="conflicts.html?scope=within">' in page
    assert '<div class="conflict' not in page and '<details class="conflict outcome-contradiction" data-search-exclude' in page


def test_an_agreement_counts_a_copied_source_once(rendered_real):
    page = (rendered_real / "topics" / "nsaid-avoid-after.md").read_text(encoding="utf-8")
    agreement = page.split('<details class="conflict outcome-agreement"')[1]
    assert "3 claims from 2 sources, 1 independent" in agreement


def test_quotes_are_labelled_and_shown_with_their_context(rendered_real):
    page = (rendered_real / "topics" / "nsaid-avoid-after.md").read_text(encoding="utf-8")
    row = page.split('<tr id="004-nsaid-avoid-after">')[1].split("</tr>")[0]
    assert '<span class="quote-context">…the patient take NSAIDS?' in row  # the stored prefix, from a whole word
    assert '</span><q class="quote-exact">It is ideal for the patient' in row
    assert '<th scope="col">Coded as</th>' in page and "stated:" not in page


def test_the_two_source_view_opens_with_the_pair_that_disagrees_most(rendered_real):
    page = (rendered_real / "compare.md").read_text(encoding="utf-8")
    assert '<option value="002" selected>Clinic page A (clinic web page)</option>' in page
    assert '<option value="004" selected>Vinings FAQ (clinic FAQ)</option>' in page
    row = page.split('<a href="topics/nsaid-avoid-after.html">')[0].rsplit('<tr class="compare-row"', 1)[1]
    assert 'data-value-002="3 weeks"' in row and 'data-value-004="4 days; 3 weeks"' in row
    assert 'data-relation-002-004="contradiction"' in row and " hidden" not in row


def test_each_source_page_lists_whom_it_disagrees_with_most(rendered_real):
    page = (rendered_real / "sources" / "004.md").read_text(encoding="utf-8")
    rivals = page.split('<ul class="rivals">')[1].split("</ul>")[0]
    assert rivals.index("Clinic page A") < rivals.index("conflict")
    assert "<strong>yes</strong>: “At Vining Surgery Center, we use exosomes" in page
    assert 'Copied by</th><td><a class="source-ref" href="../sources/002.html">Clinic page A</a>' in page


def test_the_timeline_lists_every_rule_in_a_table_as_well(rendered_real):
    page = (rendered_real / "timeline.md").read_text(encoding="utf-8")
    assert '<svg class="interval-chart timeline" role="img"' in page
    assert page.count('<td data-label="When">') == page.count('class="chart-label"') > 10
