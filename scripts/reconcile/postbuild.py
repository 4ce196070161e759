"""HTML fixes applied to the built site, whichever builder made it (MkDocs, or Zensical, which runs no hooks).

The theme writes a few things the Nu HTML Checker rejects: hidden checkboxes marked
autocomplete="off" (allowed only on text-like inputs), a table-of-contents label pointing at a
toggle the page does not render, navigation labels with an empty tabindex, and (Zensical) a
label hidden from assistive technology although it labels a control. Each fix is a
pattern and its replacement, applied to every HTML file under the site folder, in place.

Run it after the build: `kb fix-site site`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import KbError
from .turtle import write_atomic

_FIXES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'(<input [^>]*type="checkbox"[^>]*?) autocomplete="off"'), r"\1"),
    (re.compile(r'(<label [^>]*?) tabindex=""'), r"\1"),
    (re.compile(r'(<label [^>]*?\bfor="[^"]*"[^>]*?) aria-hidden="true"'), r"\1"),  # Zensical's drawer overlay
]
_TOC_LABEL = '<label class="md-nav__title" for="__toc">'


def fix_page(html: str) -> str:
    """The page with the theme's invalid markup corrected; valid pages come back unchanged."""
    for pattern, replacement in _FIXES:
        html = pattern.sub(replacement, html)
    if 'id="__toc"' not in html:
        html = html.replace(_TOC_LABEL, '<label class="md-nav__title">')
    return html


def fix_site(site: Path) -> list[Path]:
    """Fix every HTML page under `site` in place (atomically, one page at a time) and add the per-claim and
    per-conflict search entries to its index; returns the pages changed."""
    if not site.is_dir():
        raise KbError(f"{site}: no built site here; build it first (mkdocs build, or zensical build), then run kb fix-site.")
    changed = []
    add_search_entries(site)
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        fixed = fix_page(html)
        if fixed != html:
            write_atomic(page, fixed)
            changed.append(page)
    return changed


# Where each builder writes its search index, the key of its list of entries, and the script copy that
# lets search work from file:// (MkDocs' offline plugin; Zensical writes one of its own).
SEARCH_INDEXES = (("search/search_index.json", "docs", "search/search_index.js"), ("search.json", "items", "search.js"))
SEARCH_ENTRIES = "data/search-entries.json"


def add_search_entries(site: Path) -> Path | None:
    """Add the rendered per-claim and per-conflict entries to the builder's search index; returns the index.

    Entries already there (a second run) are not added again. None when the site has no index or no entries.
    """
    entries_file = site / SEARCH_ENTRIES
    found = [(site / name, key, site / script) for name, key, script in SEARCH_INDEXES if (site / name).is_file()]
    if not entries_file.is_file() or not found:
        return None
    index_file, key, script = found[0]
    index = json.loads(index_file.read_text(encoding="utf-8"))
    present = {entry["location"] for entry in index[key]}
    index[key] += [entry for entry in json.loads(entries_file.read_text(encoding="utf-8")) if entry["location"] not in present]
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    write_atomic(index_file, text)
    if script.is_file():
        write_atomic(script, f"var __index = {text}")
    return index_file
