"""`kb watch`: after every kind of edit the live result equals a fresh `kb check` of the files."""
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.errors import KbError
from reconcile.gate import run_check
from reconcile.load import load
from reconcile.watch import LiveCheck, watch

from conftest import SHAPES


@pytest.fixture
def shapes_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHAPES, tmp_path / "shapes"))


def assert_same_as_fresh_check(live: LiveCheck, kb_dir: Path, shapes_dir: Path) -> None:
    fresh = run_check(load(kb_dir), shapes_dir, "new")
    assert live.result.findings == fresh.findings
    assert live.result.conflicts == fresh.conflicts
    assert live.result.failing == fresh.failing


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_every_kind_of_change_gives_what_a_fresh_check_gives(kb_dir, shapes_dir):
    live = LiveCheck(kb_dir, shapes_dir)
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)
    assert live.result.conflicts, "the fixture has conflicts to keep up to date"
    claims_a = kb_dir / "claims" / "a.ttl"

    # an edit: a claim moves to another context, so its conflicts change
    elsewhere = next(claim for claim in live.kb.claims if claim.source != "a")
    update = live.apply([edit(claims_a, "kb:context ctx:after-treatment", "kb:context ctx:general")])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)
    assert live.kb.claim(elsewhere.id) is elsewhere  # claims of other files were not read again
    assert update.lines and all(line.split(":", 1)[0] in ("new", "gone", "changed") for line in update.lines)

    # an added file: a copy of a claim under another id, in a new claims file
    added = kb_dir / "claims" / "d.ttl"
    text = claims_a.read_text(encoding="utf-8")
    added.write_text(text.replace("claim:a-", "claim:d-"), encoding="utf-8")
    live.apply([added])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)

    # a removed file
    (kb_dir / "claims" / "c.ttl").unlink()
    live.apply([kb_dir / "claims" / "c.ttl"])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)

    # a broken claim: without its topic, the structure fails and conflicts are not looked for
    before = claims_a.read_text(encoding="utf-8")
    update = live.apply([edit(claims_a, "    kb:topic topic:nsaid-avoid-after ;\n", "")])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)
    assert live.result.conflicts == [] and any(line.startswith("new: ") for line in update.lines)

    # ...and mended again: the topics touched meanwhile are checked once the structure is sound
    claims_a.write_text(before, encoding="utf-8")
    live.apply([claims_a])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)
    assert live.result.conflicts

    # a topic's definition: another safety level changes the severity of its conflicts everywhere
    live.apply([edit(kb_dir / "topics.ttl", "kb:safety kb:High", "kb:safety kb:Low")])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)

    # a shape: another message for every result of a constraint
    conflicts_shapes = shapes_dir / "conflicts.ttl"
    text = conflicts_shapes.read_text(encoding="utf-8")
    message = next(line for line in text.splitlines() if "sh:message" in line)
    update = live.apply([edit(conflicts_shapes, message, message.replace('"', '"Changed: ', 1))])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)

    # a source text changed under its quotes
    source = kb_dir / "sources" / "a.txt"
    source.write_bytes(source.read_bytes() + b"\nA line added later.\n")
    update = live.apply([source])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)
    assert any("[source-changed]" in line for line in update.lines)


def test_a_retracted_claim_leaves_its_side_as_in_a_fresh_check(kb_dir, shapes_dir):
    """c's "21 days" shares its position with a's and b's "3 weeks": retracted, it must leave that side."""
    from reconcile.retract import retract

    live = LiveCheck(kb_dir, shapes_dir)
    retract(load(kb_dir), "c-nsaid-avoid-after", "The clinic withdrew the page.")
    live.apply([kb_dir / "claims" / "c.ttl"])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)
    assert all(claim.id != "c-nsaid-avoid-after" for conflict in live.result.conflicts for claim in conflict.claims)


def test_a_triple_two_files_state_stays_while_either_states_it(kb_dir, shapes_dir):
    live = LiveCheck(kb_dir, shapes_dir)
    claims_b = kb_dir / "claims" / "b.ttl"
    shared = "\n<https://reconcile-kb.org/claim/extra> <https://reconcile-kb.org/vocab#note> \"shared\" .\n"
    (kb_dir / "claims" / "a.ttl").write_text((kb_dir / "claims" / "a.ttl").read_text() + shared)
    claims_b.write_text(claims_b.read_text() + shared)
    live.apply([kb_dir / "claims" / "a.ttl", claims_b])
    claims_b.write_text(claims_b.read_text().replace(shared, "\n"))
    live.apply([claims_b])
    assert live.store.ask('ASK { ?s <https://reconcile-kb.org/vocab#note> "shared" }')
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)


def test_a_triple_two_files_state_when_the_watch_starts_stays_until_neither_does(kb_dir, shapes_dir):
    shared = "\n<https://reconcile-kb.org/claim/extra> <https://reconcile-kb.org/vocab#note> \"shared\" .\n"
    files = [kb_dir / "claims" / "a.ttl", kb_dir / "claims" / "b.ttl"]
    for path in files:
        path.write_text(path.read_text() + shared)
    live = LiveCheck(kb_dir, shapes_dir)
    asked = 'ASK { ?s <https://reconcile-kb.org/vocab#note> "shared" }'
    for path, still_stated in zip(files, (True, False), strict=True):
        path.write_text(path.read_text().replace(shared, "\n"))
        live.apply([path])
        assert live.store.ask(asked) is still_stated
        assert_same_as_fresh_check(live, kb_dir, shapes_dir)


def test_a_half_saved_file_is_an_error_and_the_next_save_catches_up(kb_dir, shapes_dir):
    live = LiveCheck(kb_dir, shapes_dir)
    claims_a = kb_dir / "claims" / "a.ttl"
    good = claims_a.read_text(encoding="utf-8")
    claims_a.write_text(good + "\nclaim:x a kb:Claim ;\n", encoding="utf-8")
    with pytest.raises(KbError, match=r"a\.ttl:\d+: Turtle syntax error"):
        live.apply([claims_a])
    claims_a.write_text(good.replace("kb:stated \"3 weeks\"", "kb:stated \"4 weeks\""), encoding="utf-8")
    live.apply([claims_a])
    assert_same_as_fresh_check(live, kb_dir, shapes_dir)


def test_watching_files_reports_a_saved_edit(kb_dir, shapes_dir):
    printed: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(kb_dir, shapes_dir, "new", printed.append, stop))
    thread.start()
    try:
        _wait_for(lambda: any(line.startswith("Watching") for line in printed))
        edit(kb_dir / "claims" / "a.ttl", "    kb:topic topic:nsaid-avoid-after ;\n", "")
        _wait_for(lambda: any(line.startswith("new: ") and "a-nsaid-avoid-after" in line for line in printed))
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert any("structural error(s)" in line for line in printed[-3:])


def test_watching_with_the_site_renders_what_kb_render_writes_after_each_sound_change(kb_dir, shapes_dir, tmp_path):
    docs, printed, stop = tmp_path / "docs", [], threading.Event()
    thread = threading.Thread(target=watch, args=(kb_dir, shapes_dir, "new", printed.append, stop), kwargs={"site": docs})
    thread.start()
    try:
        _wait_for(lambda: any(line.startswith("Watching") for line in printed))
        assert _rendered(printed) == 1 and _pages(docs) == _pages(_fresh_render(kb_dir, shapes_dir, tmp_path / "first"))
        before = _pages(docs)
        edit(kb_dir / "claims" / "a.ttl", "kb:context ctx:after-treatment", "kb:context ctx:general")
        _wait_for(lambda: _rendered(printed) == 2)
        assert _pages(docs) != before
        assert _pages(docs) == _pages(_fresh_render(kb_dir, shapes_dir, tmp_path / "second"))
        sound = _pages(docs)
        edit(kb_dir / "claims" / "a.ttl", "    kb:topic topic:nsaid-avoid-after ;\n", "")
        _wait_for(lambda: any("were left as they were" in line for line in printed))
        assert _pages(docs) == sound  # the structure is broken: the site keeps the last sound pages
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()


def _rendered(printed: list[str]) -> int:
    return sum(line.startswith("Rendered ") for line in printed)


def _fresh_render(kb_dir: Path, shapes_dir: Path, out: Path) -> Path:
    from reconcile.build import build_docs

    build_docs(load(kb_dir), shapes_dir, out)
    return out


def _pages(docs: Path) -> dict[str, bytes]:
    return {str(path.relative_to(docs)): path.read_bytes() for path in sorted(docs.rglob("*")) if path.is_file()}


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the watcher did not report in time"
        time.sleep(0.05)


def test_watch_is_a_command():
    result = CliRunner().invoke(main, ["watch", "--help"])
    assert result.exit_code == 0 and "re-check after every saved change" in result.output
