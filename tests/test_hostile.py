"""Hostile input: markup and links in data, line separators, symbolic links, files that are not files,
Turtle hidden among the sources, an output folder over the knowledge base, bytes that are not UTF-8."""
from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.conflicts import find_conflicts
from reconcile.gate import run_check
from reconcile.load import load
from reconcile.lock import writing
from reconcile.reviews import read_reviews, record_review
from reconcile.turtle import string
from test_browser import browser  # noqa: F401 - the headless Chromium fixture

from conftest import SHAPES, build_site, tree_digest

KB = str(Path(sys.executable).parent / "kb")
XSS = "</title><img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}"
MARKDOWN_LINK = "[x](javascript:alert(1))"
HOSTILE = f"{XSS} {TEMPLATE} {MARKDOWN_LINK} <script>alert(2)</script>"
SHORT_XSS = "<b onmouseover=alert(4)>x</b>"  # a short name fits in 30 characters


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ok(result):
    assert result.exit_code == 0, result.output
    return result


# Markup, templates and links in every field a person types ------------------------------------------------

HANDLERS = '<a href="javascript:alert(5)" onclick="alert(6)">x</a> <svg onload=alert(7)> <script>alert(8)</script>'
EVIL_TOPIC = "javascript:alert(9)"  # a topic IRI written by hand: <javascript:alert(9)>


def hostile_kb(kb_dir: Path, tmp_path: Path) -> Path:
    """Every field a person types holding markup, templates and javascript: links, and hand-written ones too."""
    page = tmp_path / "evil.txt"
    page.write_text(f"Evil sheet\n\nResults show {XSS} after 2 months.\n{MARKDOWN_LINK} {TEMPLATE}\n{HANDLERS}\n",
                    encoding="utf-8")
    ok(run("add-editor", "evil", "--kb", kb_dir, "--name", HOSTILE))
    ok(run("add-source", "--kb", kb_dir, page, "--title", HOSTILE, "--publisher", HOSTILE, "--kind", HOSTILE,
           "--url", "https://example.invalid/a?b=<x>", "--by", "evil",
           "--short-name", SHORT_XSS, "--sells-evidence", XSS))
    html = tmp_path / "evil-page.html"  # an HTML source: scripts dropped, escaped markup in its text kept as text
    html.write_text(f"<html><body onload=alert(10)><script>alert(11)</script><p onclick=alert(12)>Results after 3 "
                    f"months. &lt;img src=x onerror=alert(13)&gt; {MARKDOWN_LINK}</p></body></html>", encoding="utf-8")
    ok(run("add-source", "--kb", kb_dir, html, "--title", "Evil page", "--by", "ed"))
    sources = kb_dir / "sources.ttl"  # a javascript: address written by hand, which add-source refuses
    sources.write_text(sources.read_text().replace('kb:key "a" ;', 'kb:key "a" ;\n    dcterms:source "javascript:alert(3)" ;'))
    with (kb_dir / "contexts.ttl").open("a", encoding="utf-8") as out:  # a context labelled by hand
        out.write(f'\nctx:evil a kb:Context ; skos:inScheme kb:contexts ;\n    skos:prefLabel {string(HOSTILE)}@en ;\n'
                  f'    skos:definition {string(HOSTILE)}@en .\n')
    ok(run("new-topic", "--kb", kb_dir, "--id", "evil-topic", "--label", HOSTILE, "--definition", HOSTILE,
           "--kind", "Category", "--safety", "High"))
    with (kb_dir / "topics.ttl").open("a", encoding="utf-8") as out:
        out.write(f"\n<{EVIL_TOPIC}> a skos:Concept, kb:Topic ;\n    skos:inScheme kb:topics ;\n"
                  f"    skos:prefLabel {string(HOSTILE)}@en ;\n    skos:definition {string(HOSTILE)}@en ;\n"
                  "    kb:quantityKind kb:Text ;\n    kb:safety kb:Low .\n")
    for quote, value in ((f"Results show {XSS} after 2 months.", HOSTILE), (f"{MARKDOWN_LINK} {TEMPLATE}", "something else")):
        ok(run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "evil", "--topic", "evil-topic",
               "--context", "evil", "--quote", quote, "--value", value, "--note", HOSTILE))
    ok(run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "evil", "--topic",
           "first-results-time", "--quote", "after 2 months", "--value", "2 months"))
    ok(run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "evil-page", "--topic",
           "first-results-time", "--quote", "Results after 3 months.", "--value", "3 months"))
    conflicts = [c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement]
    ok(run("add-editor", "--kb", kb_dir, "evil-reviewer", "--name", HOSTILE))  # shown by name on the site
    for conflict in conflicts:
        ok(run("review", conflict.id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged",
               "--by", "evil-reviewer", "--note", HOSTILE))
    assert any(c.topic == "evil-topic" for c in conflicts)
    return kb_dir


def test_markup_in_data_shows_as_text_on_every_page(kb_dir, tmp_path):
    site = build_site(hostile_kb(kb_dir, tmp_path), tmp_path / "work", refuse_errors=False)
    pages = sorted(site.rglob("*.html"))
    shown = ""
    for page in pages:
        html = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        for element in soup.find_all(True):
            handlers = [name for name in element.attrs if name.lower().startswith("on")]
            assert not handlers, (page, element)
        assert not soup.find_all("img", src="x"), page
        for script in soup.find_all("script"):
            assert "alert" not in script.get_text(), (page, script)
        for link in soup.find_all(href=True):
            assert not link["href"].strip().lower().startswith("javascript:"), (page, link)
        assert "<img src=x" not in html and "<script>alert" not in html, page
        shown += soup.get_text()
    assert EVIL_TOPIC in shown and "alert(13)" in shown and "onclick=\"alert(6)\"" in shown
    evil_page = BeautifulSoup((site / "sources" / "evil.html").read_text(encoding="utf-8"), "html.parser")
    assert evil_page.title.get_text().startswith(HOSTILE)  # the title, as text
    assert evil_page.find("a", href="https://example.invalid/a?b=<x>") is not None  # a web address is linked
    a_page = BeautifulSoup((site / "sources" / "a.html").read_text(encoding="utf-8"), "html.parser")
    assert "javascript:alert(3)" in a_page.get_text()  # shown, not linked
    for text in (XSS, TEMPLATE, MARKDOWN_LINK, "<script>alert(2)</script>", SHORT_XSS):
        assert text in shown
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")  # the theme shows it as HTML
    assert "<img src=x" not in index and "<b onmouseover" not in index and "<script>alert" not in index
    assert "&lt;b onmouseover=alert(4)&gt;" in index  # the per-claim entries name the source, escaped


def test_a_topic_iri_that_is_a_link_is_a_structural_error(kb_dir, tmp_path):
    findings = run_check(load(hostile_kb(kb_dir, tmp_path)), SHAPES, "never").findings
    bad = [f for f in findings if f.code == "bad-identifier"]
    assert [(f.focus, f.location.path.name, f.severity) for f in bad] == [(EVIL_TOPIC, "topics.ttl", "error")]
    assert bad[0].message.startswith(f"the topic id '{EVIL_TOPIC}' must be letters, digits, dots, dashes")
    result = run("render", "--kb", kb_dir, "--shapes", SHAPES, "--out", tmp_path / "docs")
    assert result.exit_code == 1 and "[bad-identifier] javascript:alert(9)" in result.output
    assert not (tmp_path / "docs").exists()


def test_add_source_refuses_addresses_other_than_web_ones(kb_dir, tmp_path):
    page = tmp_path / "new.txt"
    page.write_text("New sheet\n", encoding="utf-8")
    before = tree_digest(kb_dir)
    for url in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>", "//example.org/x",
                "https://example.org/\nx"):
        result = run("add-source", "--kb", kb_dir, page, "--title", "New", "--url", url)
        assert result.exit_code == 2
        assert "--url: " in result.output and "is not an http:// or https:// address" in result.output
    assert tree_digest(kb_dir) == before


# Line separators ---------------------------------------------------------------------------------------------

SEPARATORS = "\u2028\u2029\x0c\x0b\x1c\x1d\x1e\x85"


def block_lines(path: Path) -> dict[str, int]:
    """Claim id -> line its block starts on, counting only \\n."""
    return {line.split()[0].removeprefix("claim:"): number
            for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.startswith("claim:")}


def test_line_separators_are_escaped_and_never_shift_lines(kb_dir, tmp_path):
    page = tmp_path / "sep.txt"
    odd = f"Odd{SEPARATORS}\x00\x1b text"
    page.write_text(f"Sep sheet\n\nFirst{SEPARATORS} results show after 2 months.\n{odd}\n"
                    "Second: results show after 5 months.\nThird: results show after 9 months.\n", encoding="utf-8")
    ok(run("add-source", "--kb", kb_dir, page, "--title", f"Sep{SEPARATORS}", "--by", "ed"))
    quotes = [f"First{SEPARATORS} results show after 2 months.", "Second: results show after 5 months.",
              "Third: results show after 9 months."]
    for quote, value in zip(quotes, ("2 months", "5 months", "9 months"), strict=False):
        ok(run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "sep", "--topic",
               "first-results-time", "--quote", quote, "--value", value, "--note", odd))
    claims_file = kb_dir / "claims" / "sep.ttl"
    written = claims_file.read_text(encoding="utf-8")
    assert not any(c in written for c in SEPARATORS + "\x00\x1b")
    assert "\\u2028" in written and "\\u0085" in written and "\\u0000" in written
    kb = load(kb_dir)
    starts = block_lines(claims_file)
    for claim in (c for c in kb.claims if c.source == "sep"):
        assert claim.location.line == starts[claim.id]
    assert kb.claim("sep-first-results-time").quote == quotes[0]
    # A hand-written literal may hold the characters raw; they are not line ends either.
    claims_file.write_text(written.replace("\\u2028", "\u2028").replace("\\u000C", "\x0c").replace("\\u0085", "\x85"),
                           encoding="utf-8")
    assert "\u2028" in claims_file.read_text(encoding="utf-8")
    kb = load(kb_dir)
    starts = block_lines(claims_file)
    assert all(c.location.line == starts[c.id] for c in kb.claims if c.source == "sep")
    # The source changes so that only the last quote moves: reanchor rewrites that block alone.
    text = page.read_text(encoding="utf-8").replace("Third:", "Inserted line.\nThird:")
    (kb_dir / "sources" / "sep.txt").write_text(text, encoding="utf-8")
    before = claims_file.read_text(encoding="utf-8").split("\n")
    result = ok(run("reanchor", "--kb", kb_dir))
    assert "moved     sep-first-results-time-3" in result.output
    assert "unchanged sep-first-results-time now" in result.output
    assert "unchanged sep-first-results-time-2 now" in result.output
    after = claims_file.read_text(encoding="utf-8").split("\n")
    changed = [i + 1 for i, (old, new) in enumerate(zip(before, after, strict=False)) if old != new]
    assert len(before) == len(after) and changed and all(n > starts["sep-first-results-time-3"] for n in changed)
    kb = load(kb_dir)
    moved = kb.claim("sep-first-results-time-3")
    assert kb.source_text("sep")[moved.start:moved.end] == quotes[2]
    result = run_check(kb, SHAPES, "never")
    assert not [f for f in result.findings if f.severity == "error"], result.findings


# Symbolic links and one transaction in add-source ---------------------------------------------------------

def test_add_source_refuses_a_link_planted_in_the_knowledge_base(kb_dir, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    page = tmp_path / "new.txt"
    page.write_text("New sheet\n", encoding="utf-8")
    link = kb_dir / "sources" / ".new.txt.tmp"
    link.symlink_to(outside)
    before = tree_digest(kb_dir)
    result = run("add-source", "--kb", kb_dir, page, "--title", "New")
    assert result.exit_code == 2
    assert f"{link}: is a symbolic link" in result.output
    assert outside.read_text() == "precious\n" and tree_digest(kb_dir) == before
    link.unlink()
    (kb_dir / "sources.ttl").rename(tmp_path / "sources.ttl")
    (kb_dir / "sources.ttl").symlink_to(tmp_path / "sources.ttl")
    result = run("add-source", "--kb", kb_dir, page, "--title", "New")
    assert result.exit_code == 2 and f"{kb_dir / 'sources.ttl'}: is a symbolic link" in result.output


def test_add_source_writes_the_text_and_its_block_or_neither(kb_dir, tmp_path):
    page = tmp_path / "new.txt"
    page.write_text("New sheet\n\nAvoid NSAIDs for a day.\n", encoding="utf-8")
    before = tree_digest(kb_dir)
    limit = (kb_dir / "sources.ttl").stat().st_size  # the text fits; sources.ttl with one more block does not

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([KB, "add-source", "--kb", str(kb_dir), str(page), "--title", "New"], capture_output=True,
                            text=True, preexec_fn=small_files, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 2, result.stderr
    assert f"{kb_dir / 'sources.ttl'}: cannot write" in result.stderr and "nothing was changed" in result.stderr
    assert tree_digest(kb_dir) == before
    ok(run("add-source", "--kb", kb_dir, page, "--title", "New"))
    assert (kb_dir / "sources" / "new.txt").read_text() == page.read_text() and "new" in load(kb_dir).sources


# kb check reads nothing outside kb/sources/ ---------------------------------------------------------------------

def check_findings(kb_dir: Path) -> dict:
    result = subprocess.run([KB, "check", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--no-cache", "--fail-on",
                             "never", "--format", "text"], capture_output=True, text=True, timeout=60)
    return result


def test_check_refuses_links_fifos_and_names_leading_out_before_reading(kb_dir, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # reading it would block the check forever
    (kb_dir / "sources" / "a.txt").unlink()
    (kb_dir / "sources" / "a.txt").symlink_to(fifo)
    os.mkfifo(kb_dir / "sources" / "b.txt.fifo")
    (kb_dir / "sources" / "b.txt").unlink()
    (kb_dir / "sources" / "b.txt.fifo").rename(kb_dir / "sources" / "b.txt")
    sources = kb_dir / "sources.ttl"
    sources.write_text(sources.read_text().replace('kb:fileName "c.txt"', 'kb:fileName "../../../../../dev/zero"'))
    result = check_findings(kb_dir)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert f"[source-unreadable] a: {kb_dir / 'sources' / 'a.txt'}: is a symbolic link" in out
    assert f"[source-unreadable] b: {kb_dir / 'sources' / 'b.txt'}: is not a regular file" in out
    assert "[source-unreadable] c: " in out and "../../../../../dev/zero: kb:fileName must be the name of a file" in out
    kb = load(kb_dir)
    with pytest.raises(Exception, match="is a symbolic link"):
        kb.source_text("a")


def test_check_refuses_a_link_to_a_file_outside(kb_dir, tmp_path):
    outside = tmp_path / "secret.txt"
    shutil.copy(kb_dir / "sources" / "a.txt", outside)  # same bytes: a check that read it would find nothing wrong
    (kb_dir / "sources" / "a.txt").unlink()
    (kb_dir / "sources" / "a.txt").symlink_to(outside)
    findings = run_check(load(kb_dir), SHAPES, "never").findings
    assert [(f.code, f.focus) for f in findings if f.severity == "error"] == [("source-unreadable", "a")]


def test_turtle_among_the_sources_is_not_data(kb_dir, tmp_path):
    before = run_check(load(kb_dir), SHAPES, "never")
    copy = shutil.copytree(kb_dir, tmp_path / "other")
    with writing(copy) as kb:  # a real review block, as `kb review` writes it
        conflict = next(c for c in find_conflicts(kb, SHAPES) if c.is_disagreement)
        record_review(kb, conflict, "not-a-conflict", "ed", "hidden")
    (kb_dir / "sources" / "evil.ttl").write_text((copy / "reviews.ttl").read_text())
    after = run_check(load(kb_dir), SHAPES, "never")
    assert [(c.id, c.status) for c in after.conflicts] == [(c.id, c.status) for c in before.conflicts]
    assert after.findings == before.findings
    assert {c.status for c in run_check(load(copy), SHAPES, "never").conflicts} >= {"not-a-conflict"}


# Rendering over the knowledge base --------------------------------------------------------------------------

@pytest.mark.parametrize("out", ["kb", "kb/sources", "."])
def test_render_refuses_an_output_folder_over_the_knowledge_base(kb_dir, out):
    before = tree_digest(kb_dir)
    result = run("render", "--kb", kb_dir, "--shapes", SHAPES, "--out", kb_dir.parent / out)
    assert result.exit_code == 2
    assert "the output folder must be outside the knowledge base folder" in result.output
    assert tree_digest(kb_dir) == before


# Bytes that are not UTF-8, impossible dates -----------------------------------------------------------------

def test_options_that_are_not_utf8_are_refused_by_name(kb_dir, tmp_path):
    page = tmp_path / "new.txt"
    page.write_text("New sheet\n\nAvoid NSAIDs for a day.\n", encoding="utf-8")
    before = tree_digest(kb_dir)
    result = subprocess.run([KB.encode(), b"add-source", b"--kb", str(kb_dir).encode(), str(page).encode(),
                             b"--title", b"Bad \xff title"], capture_output=True)
    assert result.returncode == 2
    assert b"--title: the value is not valid UTF-8 text (character 5)" in result.stderr
    cases = [
        ["add-source", "--kb", kb_dir, page, "--title", "New", "--publisher", "P\udcff"],
        ["new-topic", "--kb", kb_dir, "--id", "x", "--label", "L\udce9", "--definition", "D", "--kind", "Text",
         "--safety", "Low"],
        ["add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--source", "a", "--topic", "session-count", "--quote",
         "Most patients\udcff", "--value", "3"],
        ["review", "x", "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged", "--note", "N\udcff"],
    ]
    for args, option in zip(cases, ["--publisher", "--label", "--quote", "--note"], strict=False):
        result = run(*args)
        assert result.exit_code == 2 and f"{option}: the value is not valid UTF-8 text" in result.output, result.output
    assert tree_digest(kb_dir) == before


@pytest.mark.parametrize("day", ["2026-13-45", "2026-02-30", "２０２６-１１-２４", "2026-1-5", "20261124"])
def test_impossible_retrieval_dates_are_refused(kb_dir, tmp_path, day):
    page = tmp_path / "new.txt"
    page.write_text("New sheet\n", encoding="utf-8")
    before = tree_digest(kb_dir)
    result = run("add-source", "--kb", kb_dir, page, "--title", "New", "--retrieved", day)
    assert result.exit_code == 2
    assert f"--retrieved: '{day}' is not a date like 2026-11-24" in result.output
    assert tree_digest(kb_dir) == before


# Workflow commands in data ------------------------------------------------------------------------------------

def test_data_starts_no_workflow_command_in_the_github_report(kb_dir):
    claims = kb_dir / "claims" / "b.ttl"
    injected = "5–8\\n::add-mask::secret\\r::warning file=x::owned\\u2028::error::pwned"
    claims.write_text(claims.read_text(encoding="utf-8").replace('kb:stated "5–8"', f'kb:stated "{injected}"'),
                      encoding="utf-8")
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES, "--no-cache", "--format", "github")
    assert result.exit_code == 1
    lines = result.output.removesuffix("\n").split("\n")
    assert lines == result.output.splitlines()  # no other line break either
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    assert len(token) == 32 and lines[-1] == f"::{token}::"
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines[:stop])
    assert any("5–8%0A::add-mask::secret%0D::warning file=x::owned⏎::error::pwned" in line for line in lines[:stop])
    plain = lines[stop + 1:-1]
    assert plain and not any(line.startswith("::") for line in plain)
    assert any('says "5–8⏎::add-mask::secret⏎::warning file=x::owned⏎::error::pwned"' in line for line in plain)


# A hand-written file the appended block must still fit ---------------------------------------------------------

ADD_CLAIM = ["--shapes", SHAPES, "--by", "ed", "--source", "a", "--topic", "nsaid-stop-before", "--context",
             "before-treatment", "--quote", "for 3 weeks", "--value", "3 weeks"]


@pytest.mark.parametrize("other", ["@prefix ann: <http://www.w3.org/ns/oa#> .", "@prefix oa: <http://example.org/other#> ."])
def test_add_claim_fits_a_file_binding_prefixes_otherwise(kb_dir, other):
    claims = kb_dir / "claims" / "a.ttl"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("@prefix oa: <http://www.w3.org/ns/oa#> .", other).replace(" oa:", " ann:")
                      if other.startswith("@prefix ann") else text.replace("@prefix oa: <http://www.w3.org/ns/oa#> .",
                                                                            "@prefix oa: <http://www.w3.org/ns/oa#> .\n" + other),
                      encoding="utf-8")
    before = load(kb_dir)
    errors_before = {(f.code, f.focus) for f in run_check(before, SHAPES, "never").findings if f.severity == "error"}
    ok(run("add-claim", "--kb", kb_dir, *ADD_CLAIM))
    after = load(kb_dir)
    claim = after.claim("a-nsaid-stop-before")
    assert claim is not None and claim.quote == "for 3 weeks" and claim.start >= 0 and claim.source == "a"
    assert [c for c in after.claims if c.id != claim.id] == [c for c in before.claims]
    errors = {(f.code, f.focus) for f in run_check(after, SHAPES, "never").findings if f.severity == "error"}
    assert errors == errors_before  # the new block is sound, whatever the file's own blocks mean


def test_add_claim_refuses_a_block_that_would_not_parse(kb_dir):
    topics = kb_dir / "topics.ttl"
    topics.write_text(topics.read_text(encoding="utf-8") + "\n<https://reconcile-kb.org/topic/odd(id)> a skos:Concept, "
                      'kb:Topic ;\n    skos:prefLabel "Odd"@en ;\n    skos:definition "Odd?"@en ;\n'
                      "    kb:quantityKind kb:Duration ;\n    kb:safety kb:Low .\n", encoding="utf-8")
    before = tree_digest(kb_dir)
    args = [a if a != "nsaid-stop-before" else "odd(id)" for a in ADD_CLAIM]
    result = run("add-claim", "--kb", kb_dir, *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {kb_dir / 'claims' / 'a.ttl'}:")
    assert "the file would no longer parse with this change" in result.output and "nothing was changed" in result.output
    assert tree_digest(kb_dir) == before


def test_add_source_run_again_completes_a_pair_an_interruption_left_half_done(kb_dir, tmp_path):
    page = tmp_path / "new.txt"
    page.write_text("New sheet\n\nAvoid NSAIDs for a day.\n", encoding="utf-8")
    shutil.copy(page, kb_dir / "sources" / "new.txt")  # killed after the text took its name, before sources.ttl
    assert not [f for f in run_check(load(kb_dir), SHAPES, "never").findings if f.severity == "error"]
    ok(run("add-source", "--kb", kb_dir, page, "--title", "New"))
    kb = load(kb_dir)
    assert kb.sources["new"].file_name == "new.txt" and kb.source_text("new") == page.read_text(encoding="utf-8")
    other = tmp_path / "other" / "new.txt"  # a different text under a name already taken is still refused
    other.parent.mkdir()
    other.write_text("Another sheet\n", encoding="utf-8")
    result = run("add-source", "--kb", kb_dir, other, "--title", "Other", "--key", "other")
    assert result.exit_code == 2 and "a different file with this name is already in" in result.output


# Low-severity cases: each a clear message, exit 2, nothing left behind -------------------------------------------

def test_reviewer_ids_keep_letters_of_any_script(kb_dir):
    conflict = next(c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement)
    for editor, name in (("josé-müller", "José Müller"), ("李明", "李明")):
        ok(run("add-editor", "--kb", kb_dir, editor, "--name", name))
        ok(run("review", conflict.id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged", "--by", name,
               "--note", "n"))
    assert [r.by for r in read_reviews(load(kb_dir))] == ["josé-müller", "李明"]


def test_a_review_by_nobody_known_asks_for_by(kb_dir, new_user):
    before = tree_digest(kb_dir)
    conflict = next(c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement)
    result = run("review", conflict.id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged", "--note", "n")
    assert result.exit_code == 2 and "Say who is adding this: pass --by YOUR-ID" in result.output
    undescribed = run("review", conflict.id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged",
                      "--by", "someone", "--note", "n")
    assert undescribed.exit_code == 2 and "editor 'someone' is not described" in undescribed.output
    assert tree_digest(kb_dir) == before


def test_claims_of_an_unknown_source_or_topic_are_refused(kb_dir):
    result = run("claims", "--kb", kb_dir, "--source", "nosuch")
    assert result.exit_code == 2 and result.output.startswith("Error: --source: Unknown source 'nosuch'.") and "List them with `kb sources`." in result.output
    result = run("claims", "--kb", kb_dir, "--topic", "session-counts")
    assert result.exit_code == 2 and "--topic: Unknown topic 'session-counts'. Did you mean session-count" in result.output


def test_the_gate_never_passes_an_empty_or_missing_knowledge_base(kb_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", "--kb", empty, "--shapes", SHAPES, "--no-cache")
    assert result.exit_code == 2 and f"{empty / 'topics.ttl'}: file not found; point --kb at" in result.output
    (kb_dir / "topics.ttl").unlink()
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES, "--no-cache")
    assert result.exit_code == 2 and f"{kb_dir / 'topics.ttl'}: file not found" in result.output
    (kb_dir / "topics.ttl").write_text("# nothing yet\n", encoding="utf-8")
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES, "--no-cache")
    assert result.exit_code == 2 and "defines no topic; the knowledge base is empty" in result.output


def test_a_byte_order_mark_is_named(kb_dir):
    topics = kb_dir / "topics.ttl"
    topics.write_bytes(b"\xef\xbb\xbf" + topics.read_bytes())
    result = run("check", "--kb", kb_dir, "--shapes", SHAPES, "--no-cache")
    assert result.exit_code == 2
    assert result.output == (f"Error: {topics}:1: the file starts with a byte order mark (an invisible U+FEFF), which "
                             "Turtle does not allow; save it as UTF-8 without a byte order mark.\n")


def test_add_source_refuses_devices_and_fifos_unread(kb_dir, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    before = tree_digest(kb_dir)
    for path in ("/dev/zero", fifo, tmp_path):
        result = subprocess.run([KB, "add-source", "--kb", str(kb_dir), str(path), "--title", "T"], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2
        assert f"{path}: is not a regular file (a folder, FIFO or device)" in result.stderr
    assert tree_digest(kb_dir) == before


def test_duplicated_claim_ids_are_reported_as_duplicates(kb_dir):
    claims = kb_dir / "claims" / "a.ttl"
    text = claims.read_text(encoding="utf-8")
    block = text[text.index("claim:a-session-count a kb:Claim"):]
    block = block[:block.index(" .\n") + 3]
    claims.write_text(text + "\n" + block.replace('"3–6 sessions"', '"3-6 sessions"'), encoding="utf-8")
    findings = [f for f in run_check(load(kb_dir), SHAPES, "never").findings if f.code == "duplicate-id"]
    assert len(findings) == 1 and findings[0].focus == "a-session-count"
    assert findings[0].location.line == next(i for i, line in enumerate(text.split("\n"), 1)
                                             if line.startswith("claim:a-session-count"))
    assert f"starts another block at {claims}:" in findings[0].message


def test_ctrl_c_during_writes_leaves_no_temporary_file(kb_dir, tmp_path):
    chance = random.Random(20261202)
    for number in range(20):
        page = tmp_path / f"page-{number}.txt"
        page.write_text(f"Page {number}\n\nAvoid NSAIDs for {number + 1} days.\n", encoding="utf-8")
        process = subprocess.Popen([KB, "add-source", "--kb", str(kb_dir), str(page), "--title", f"P{number}", "--by",
                                    "ed"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(chance.uniform(0.0, 0.9))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert not [p for p in kb_dir.rglob("*") if p.name.endswith(".tmp")], (number, err)
        kb = load(kb_dir)  # parses
        if process.returncode == 0:
            assert f"page-{number}" in kb.sources, (number, out, err)
        assert not (kb_dir / ".lock").exists(), f"interrupt {number} left the lock file: {err}"


def test_an_unwritable_step_summary_is_a_message(kb_dir, tmp_path):
    summary = tmp_path / "no-such-folder" / "summary.md"
    result = CliRunner(env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}).invoke(
        main, ["check", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--no-cache", "--fail-on", "never"])
    assert result.exit_code == 2 and result.output.endswith(f"Error: {summary}: No such file or directory.\n")


def test_render_into_a_file_or_onto_a_full_disk_is_a_message(kb_dir, tmp_path):
    a_file = tmp_path / "docs.txt"
    a_file.write_text("not a folder\n")
    result = run("render", "--kb", kb_dir, "--shapes", SHAPES, "--out", a_file)
    assert result.exit_code == 2 and result.output == f"Error: {a_file}: is not a folder; give an output folder with --out. Nothing was changed.\n"
    docs = tmp_path / "docs"
    ok(run("render", "--kb", kb_dir, "--shapes", SHAPES, "--out", docs))
    before = tree_digest(docs)
    limit = 4096  # the pages fit, the downloads of the knowledge base do not

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([KB, "render", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--out", str(docs)],
                            capture_output=True, text=True, preexec_fn=small_files, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "cannot write (File too large); nothing was changed." in result.stderr and "Traceback" not in result.stderr
    assert tree_digest(docs) == before and not list(tmp_path.glob(".docs.render-*"))


@pytest.mark.browser
def test_nothing_from_the_data_runs_in_chromium(kb_dir, tmp_path, browser):  # noqa: F811 - the fixture imported above
    import functools
    import http.server
    import threading

    from selenium.common.exceptions import NoAlertPresentException

    site = build_site(hostile_kb(kb_dir, tmp_path), tmp_path / "work", refuse_errors=False)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    try:
        for page in pages:
            browser.get(f"http://127.0.0.1:{server.server_address[1]}/{page}")
            time.sleep(0.1)  # handlers of images that fail to load run just after the load
            try:
                alert = browser.switch_to.alert
            except NoAlertPresentException:
                continue
            text = alert.text
            alert.dismiss()
            pytest.fail(f"{page}: data ran as script (alert {text!r})")
    finally:
        server.shutdown()
        server.server_close()
    assert "sources/evil.html" in pages and any(p.startswith("topics/javascript") for p in pages)
