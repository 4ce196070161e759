"""Hostile input: markup and links in data, line separators, symbolic links, files that are not files,
Turtle hidden among the sources, an output folder over the knowledge base, bytes that are not UTF-8."""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.conflicts import find_conflicts
from reconcile.gate import run_check
from reconcile.load import load
from reconcile.lock import writing
from reconcile.reviews import record_review

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

def hostile_kb(kb_dir: Path, tmp_path: Path) -> Path:
    page = tmp_path / "evil.txt"
    page.write_text(f"Evil sheet\n\nResults show {XSS} after 2 months.\n{MARKDOWN_LINK} {TEMPLATE}\n", encoding="utf-8")
    ok(run("add-source", "--kb", kb_dir, page, "--title", HOSTILE, "--publisher", HOSTILE, "--kind", HOSTILE,
           "--url", "https://example.invalid/a?b=<x>", "--by", "ed", "--short-name", SHORT_XSS, "--sells-evidence", XSS))
    sources = kb_dir / "sources.ttl"  # a javascript: address written by hand, which add-source refuses
    sources.write_text(sources.read_text().replace('kb:key "a" ;', 'kb:key "a" ;\n    dcterms:source "javascript:alert(3)" ;'))
    ok(run("new-topic", "--kb", kb_dir, "--id", "evil-topic", "--label", HOSTILE, "--definition", HOSTILE,
           "--kind", "Category", "--safety", "High"))
    for quote, value in ((f"Results show {XSS} after 2 months.", HOSTILE), (f"{MARKDOWN_LINK} {TEMPLATE}", "something else")):
        ok(run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "evil", "--topic", "evil-topic",
               "--quote", quote, "--value", value, "--note", HOSTILE))
    ok(run("add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "evil", "--topic",
           "first-results-time", "--quote", "after 2 months", "--value", "2 months"))
    conflicts = [c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement]
    for conflict in conflicts:
        ok(run("review", conflict.id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged",
               "--by", "ed", "--note", HOSTILE))
    assert any(c.topic == "evil-topic" for c in conflicts)
    return kb_dir


def test_markup_in_data_shows_as_text_on_every_page(kb_dir, tmp_path):
    site = build_site(hostile_kb(kb_dir, tmp_path), tmp_path / "work")
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
