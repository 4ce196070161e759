"""Shared fixtures: the repository's paths, a copy of the small test knowledge base, the real one."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reconcile.load import load

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "shapes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_VOCABULARY = ("vocab.ttl", "contexts.ttl")  # the fixture describes its own editors


def build_fixture_kb(target: Path) -> Path:
    """The test knowledge base (tests/fixtures/kb) plus the project's vocabulary, copied to `target`."""
    shutil.copytree(FIXTURES / "kb", target)
    for name in SHARED_VOCABULARY:
        shutil.copy(ROOT / "kb" / name, target / name)
    return target


@pytest.fixture(autouse=True)
def user_config(tmp_path: Path, monkeypatch) -> Path:
    """A config folder of the test's own, where `kb` remembers the editor (never the real home's).

    It starts as a set-up editor's does: editor `ed` (described in the fixture's editors.ttl) is remembered.
    """
    folder = tmp_path / "config"
    (folder / "reconcile-kb").mkdir(parents=True)
    (folder / "reconcile-kb" / "config.toml").write_text('editor = "ed"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def new_user(user_config: Path) -> Path:
    """A user who has never told `kb` who they are: nothing remembered."""
    (user_config / "reconcile-kb" / "config.toml").unlink()
    return user_config


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A writable copy of the test knowledge base."""
    return build_fixture_kb(tmp_path / "kb")


@pytest.fixture
def kb(kb_dir: Path):
    return load(kb_dir)


@pytest.fixture
def real_kb_dir(tmp_path: Path) -> Path:
    """A writable copy of the project's real knowledge base."""
    return Path(shutil.copytree(ROOT / "kb", tmp_path / "kb"))


def tree_digest(folder: Path) -> str:
    """One hash of every file's path, mode and bytes under `folder`: equal digests mean nothing changed."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(oct(path.stat().st_mode).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Every test is required: a skipped test fails the run instead of passing quietly."""
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} test(s) were skipped; every test is required, so the run fails.", red=True)
    if BUILDER_DIFFERENCES:
        terminalreporter.write_sep("-", f"what the {SITE_BUILDER} build does differently from MkDocs (handled in the tests)")
        for difference in sorted(BUILDER_DIFFERENCES):
            terminalreporter.write_line(f"- {difference}")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1


# The builder the site tests build with: mkdocs (the default) or zensical (`make site-zensical-test`).
SITE_BUILDER = os.environ.get("SITE_BUILDER", "mkdocs")
BUILD_COMMANDS = {"mkdocs": [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
                  "zensical": [str(Path(sys.executable).with_name("zensical")), "build", "--clean"]}


BUILDER_DIFFERENCES: set[str] = set()


def builder_difference(what: str) -> None:
    """Note a way the site's builder differs from MkDocs that a test allowed for; the run lists them at the end."""
    BUILDER_DIFFERENCES.add(what)


# Where each builder puts its search index, the key of the entries in it, and the script copy used from file://.
SEARCH_INDEX = {"mkdocs": ("search/search_index.json", "docs", "search/search_index.js"),
                "zensical": ("search.json", "items", "search.js")}


def search_docs(site: Path) -> list[dict]:
    """The entries of the site's search index, wherever its builder wrote it."""
    name, key, _ = SEARCH_INDEX[SITE_BUILDER]
    if SITE_BUILDER != "mkdocs":
        builder_difference(f"search index at {name} (entries under '{key}'), not search/search_index.json ('docs')")
    return json.loads((site / name).read_text(encoding="utf-8"))[key]


def build_site(kb_dir: Path, workdir: Path, refuse_errors: bool = True) -> Path:
    """Render `kb_dir`, build the site with the real builder (strict MkDocs by default), then apply the
    HTML fixes as `make site` does; returns the site folder. `refuse_errors=False` renders a knowledge
    base with structural errors too (the hostile-data tests)."""
    from reconcile.build import build_docs
    from reconcile.postbuild import fix_site

    workdir.mkdir(parents=True, exist_ok=True)
    docs = workdir / "docs"
    shutil.copytree(ROOT / "docs", docs, dirs_exist_ok=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (workdir / "mkdocs.yml").write_text(config.replace("scripts/reconcile/", f"{ROOT / 'scripts/reconcile'}/"))
    build_docs(load(kb_dir), SHAPES, docs, refuse_errors=refuse_errors)
    if SITE_BUILDER not in BUILD_COMMANDS:
        pytest.fail(f"SITE_BUILDER={SITE_BUILDER}: choose one of {', '.join(BUILD_COMMANDS)}.")
    build = subprocess.run(BUILD_COMMANDS[SITE_BUILDER], cwd=workdir, capture_output=True, text=True,
                           env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode == 0, f"{SITE_BUILDER} build failed:\n{build.stdout}\n{build.stderr}"
    fix_site(workdir / "site")
    return workdir / "site"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The site built from the project's real knowledge base."""
    return build_site(ROOT / "kb", tmp_path_factory.mktemp("real-site"))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The site built from the small test knowledge base (with a quote holding <script> and Markdown)."""
    base = tmp_path_factory.mktemp("fixture-site")
    return build_site(build_fixture_kb(base / "kb"), base / "work")


def add_page(kb_dir: Path, tmp_path: Path, key: str, text: str, topics: str = "") -> Path:
    """Add `text` as source `key` (after appending the Turtle `topics` to topics.ttl); returns kb_dir."""
    from reconcile.sources import add_source

    if topics:
        with (kb_dir / "topics.ttl").open("a", encoding="utf-8") as out:
            out.write(topics)
    page = tmp_path / f"{key}.txt"
    page.write_text(text, encoding="utf-8")
    add_source(load(kb_dir), page, title=text.splitlines()[0], key=key, by="test")
    return kb_dir
