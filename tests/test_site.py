"""The built site: strict build, no broken links, nothing fetched from the internet, escaped text, stable output."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, SEARCH_INDEX, SHAPES, SITE_BUILDER, build_fixture_kb, search_docs
from sitecrawl import read_site

EXTERNAL = re.compile(r"^(https?:)?//", re.I)


def broken_links(site: Path) -> list[str]:
    pages = read_site(site)
    problems = []
    for path, page in pages.items():
        for url in page.links + [u for _, u in page.resources]:
            if EXTERNAL.match(url) or url.startswith(("mailto:", "data:", "javascript:")):
                continue
            parts = urlsplit(url)
            if not parts.path:
                target = path
            elif parts.path.startswith("/"):  # only the 404 page uses root-relative links
                target = site / unquote(parts.path).lstrip("/")
            else:
                target = (path.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{path.relative_to(site)}: {url} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{path.relative_to(site)}: {url} (no id {parts.fragment!r})")
    return problems


@pytest.mark.parametrize("which", ["fixture_site", "real_site"])
def test_no_broken_internal_links(request, which):
    site = request.getfixturevalue(which)
    assert broken_links(site) == []


@pytest.mark.parametrize("which", ["fixture_site", "real_site"])
def test_nothing_is_fetched_from_the_internet(request, which):
    site = request.getfixturevalue(which)
    fetched = [f"{page.path.relative_to(site)}: <{tag}> {url}" for page in read_site(site).values()
               for tag, url in page.resources if EXTERNAL.match(url)]
    css = [f"{path.relative_to(site)}: {match}" for path in site.rglob("*.css")
           for match in re.findall(r"(?:@import|url\()\s*['\"]?(https?://[^'\")\s]+)", path.read_text(errors="replace"))]
    assert fetched == [] and css == []


@pytest.mark.browser  # the Nu HTML Checker needs node_modules and Java, as the browser tests do
@pytest.mark.parametrize("which", ["fixture_site", "real_site"])
def test_every_page_is_valid_html(request, which):
    site = request.getfixturevalue(which)
    checker = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not checker.exists() or not shutil.which("java"):
        pytest.fail("The Nu HTML Checker needs Java and node_modules/vnu-jar; run `make browser-tools`.")
    result = subprocess.run(["java", "-jar", str(checker), "--errors-only", "--skip-non-html", str(site)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[:3000]


def test_source_text_with_html_and_markdown_renders_as_text(fixture_site):
    page = (fixture_site / "sources" / "a.html").read_text()
    pages = read_site(fixture_site)
    text = "".join(pages[fixture_site / "sources" / "a.html"].text)
    assert '<script>alert("x")</script>' in text  # shown as text...
    assert "alert(" not in "".join(pages[fixture_site / "sources" / "a.html"].scripts)  # ...never run
    assert "<script>alert" not in page
    assert "**bold** _markdown_ [link](http://example.invalid)" in text
    assert "<strong>bold</strong>" not in page


def test_every_page_says_it_is_not_medical_advice(real_site):
    pages = [real_site / "index.html", real_site / "conflicts.html"] + \
        sorted((real_site / "topics").glob("*.html")) + sorted((real_site / "sources").glob("*.html"))
    missing = [str(p.relative_to(real_site)) for p in pages if "Not medical advice." not in p.read_text()]
    assert missing == []


def test_two_renders_are_identical_whatever_the_hash_seed(tmp_path):
    kb = build_fixture_kb(tmp_path / "kb")
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"docs-{seed}"
        result = subprocess.run([sys.executable, "-m", "reconcile.cli", "render", "--kb", str(kb), "--shapes", str(SHAPES),
                                 "--out", str(out)], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) > 20
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []


def test_site_lists_every_page_kind(real_site):
    for name in ["index.html", "conflicts.html", "matrix.html", "reviews.html", "data.html", "editor-guide.html",
                 "performance.html", "proposals.html", "topics/index.html", "topics/nsaid-avoid-after.html", "sources/004.html",
                 "data/kb.ttl", "data/kb.jsonld", "data/claims.csv", "data/shacl-report.ttl", "compare.html", "timeline.html",
                 SEARCH_INDEX[SITE_BUILDER][2]]:
        assert (real_site / name).is_file(), name


def test_search_has_an_entry_per_claim_and_per_conflict_and_no_widgets(fixture_site):
    """Each claim is an entry at its row (topic, source, coded value; the quote), each conflict one at its card
    (both sides; the explanation). Cards, charts, tables and filter menus that repeat them stay out of the index."""
    docs = search_docs(fixture_site)
    by_location = {d["location"]: d for d in docs}
    claim = by_location["topics/nsaid-avoid-after.html#a-nsaid-avoid-after"]
    assert claim["title"] == "Avoiding NSAIDs after treatment: a (test page) — coded as 3 weeks"
    assert claim["text"].startswith("“")
    conflicts = [d for d in docs if d["location"].startswith("conflicts.html#nsaid-avoid-after-")]
    assert len(conflicts) == 1 and conflicts[0]["title"].startswith("Contradiction: Avoiding NSAIDs after treatment — ")
    assert "the ranges do not overlap" in conflicts[0]["text"]
    hand_written = ("editor-guide.html", "performance.html", "proposals.html")
    pages_text = " ".join(d["text"] for d in docs if not d["location"].startswith(hand_written)
                          and ("#" not in d["location"] or d["location"].split("#")[1] in ("cards", "high-severity")))
    assert "<svg" not in pages_text and "values as compared, per claim" not in pages_text
    assert "any" + "high" not in pages_text.replace(" ", "") and "Not medical advice" not in pages_text
    assert "TopicSeverity" not in pages_text  # no run-together table headers
