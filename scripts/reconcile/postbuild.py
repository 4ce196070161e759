"""HTML fixes applied to the built site, whichever builder made it (MkDocs, or Zensical, which runs no hooks).

The theme writes a few things the Nu HTML Checker rejects: hidden checkboxes marked
autocomplete="off" (allowed only on text-like inputs), a table-of-contents label pointing at a
toggle the page does not render, and navigation labels with an empty tabindex. Each fix is a
pattern and its replacement, applied to every HTML file under the site folder, in place.

Run it after the build: `kb fix-site site`.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import KbError

_FIXES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'(<input [^>]*type="checkbox"[^>]*?) autocomplete="off"'), r"\1"),
    (re.compile(r'(<label [^>]*?) tabindex=""'), r"\1"),
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
    """Fix every HTML page under `site` in place (atomically, one page at a time); returns the pages changed."""
    if not site.is_dir():
        raise KbError(f"{site}: no built site here; build it first (mkdocs build, or zensical build), then run kb fix-site.")
    changed = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        fixed = fix_page(html)
        if fixed != html:
            _replace(page, fixed)
            changed.append(page)
    return changed


def _replace(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".postbuild-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
