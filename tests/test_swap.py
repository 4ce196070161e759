"""`kb render` replaces docs/ in one step: two renders at once both finish, and a render killed at any
moment leaves docs/ as the old version or the new one, never a mix."""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SHAPES, build_fixture_kb, tree_digest

KB = str(Path(sys.executable).parent / "kb")


def render_process(kb_dir: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([KB, "render", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def rendered(kb_dir: Path, out: Path) -> str:
    process = render_process(kb_dir, out)
    out_text, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return tree_digest(out)


def two_versions(tmp_path: Path) -> tuple[Path, Path, Path, str, str, float]:
    """docs/ rendered from the fixture (old), a copy of it, the fixture plus a topic (new), both digests,
    and how long a render takes here."""
    old_kb, new_kb = build_fixture_kb(tmp_path / "old-kb"), build_fixture_kb(tmp_path / "new-kb")
    with (new_kb / "topics.ttl").open("a", encoding="utf-8") as out:
        out.write('\ntopic:added a skos:Concept, kb:Topic ;\n    skos:inScheme kb:topics ;\n'
                  '    skos:prefLabel "Added"@en ;\n    skos:definition "Added?"@en ;\n'
                  '    kb:quantityKind kb:Text ;\n    kb:safety kb:Low .\n')
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Written by hand\n", encoding="utf-8")
    expected = Path(shutil.copytree(docs, tmp_path / "expected" / "docs"))
    started = time.monotonic()
    new_digest = rendered(new_kb, expected)
    seconds = time.monotonic() - started
    old_digest = rendered(old_kb, docs)
    saved = Path(shutil.copytree(docs, tmp_path / "saved"))
    assert old_digest != new_digest
    return docs, saved, new_kb, old_digest, new_digest, seconds


def test_two_renders_at_once_both_finish_with_the_new_version(tmp_path):
    docs, saved, new_kb, old_digest, new_digest, _seconds = two_versions(tmp_path)
    for _pair in range(20):
        shutil.rmtree(docs)
        shutil.copytree(saved, docs)
        pair = [render_process(new_kb, docs) for _ in range(2)]
        for process in pair:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0 and out.startswith("Wrote "), err
        assert tree_digest(docs) == new_digest
        assert (docs / "guide.md").read_text(encoding="utf-8") == "# Written by hand\n"
    assert not list(tmp_path.glob(".docs.render-*"))


def test_a_render_killed_at_any_moment_leaves_the_old_or_the_new_version(tmp_path):
    docs, saved, new_kb, old_digest, new_digest, seconds = two_versions(tmp_path)
    chance = random.Random(20261202)
    seen = set()
    for _kill in range(20):
        shutil.rmtree(docs)
        shutil.copytree(saved, docs)
        process = render_process(new_kb, docs)
        time.sleep(chance.uniform(0.0, 1.6 * seconds))  # before, during and after the swap
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        digest = tree_digest(docs)
        assert digest in (old_digest, new_digest), sorted(p.name for p in docs.rglob("*"))[:20]
        seen.add("new" if digest == new_digest else "old")
    assert rendered(new_kb, docs) == new_digest  # the next render clears what a killed one left
    assert not list(tmp_path.glob(".docs.render-*"))
    assert seen == {"old", "new"}  # the signals came both before and after the swap
