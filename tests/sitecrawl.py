"""Read a built static site: every page's links, sources and ids, with the standard library's HTML parser."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Page:
    path: Path
    links: list[str] = field(default_factory=list)  # href of <a>
    resources: list[tuple[str, str]] = field(default_factory=list)  # (tag, url) the browser fetches
    ids: set[str] = field(default_factory=set)
    scripts: list[str] = field(default_factory=list)  # inline script texts
    text: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.page.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.page.links.append(attrs["href"])
        if tag in ("script", "img", "iframe", "source", "audio", "video") and attrs.get("src"):
            self.page.resources.append((tag, attrs["src"]))
        if tag == "link" and attrs.get("href") and set((attrs.get("rel") or "").split()) & {
                "stylesheet", "preload", "icon", "modulepreload", "prefetch", "manifest"}:
            self.page.resources.append((tag, attrs["href"]))
        self.in_script = tag == "script" and not attrs.get("src")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        (self.page.scripts if self.in_script else self.page.text).append(data)


def read_site(site: Path) -> dict[Path, Page]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        page = Page(path)
        _Parser(page).feed(path.read_text(encoding="utf-8"))
        pages[path] = page
    return pages
