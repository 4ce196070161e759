"""One writer at a time: concurrent `kb` commands, a held lock, and writers killed mid-command."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.conflicts import find_conflicts
from reconcile.edit import NewClaim, add_claim
from reconcile.gate import run_check
from reconcile.identity import editor_names
from reconcile.load import KnowledgeBase, load
from reconcile.lock import LOCK_FILE, kb_lock, writing
from reconcile.reviews import read_reviews, reviewed_conflicts
from reconcile.sources import add_source

from conftest import SHAPES, tree_digest

KB = str(Path(sys.executable).parent / "kb")
SENTENCES = 50


def with_long_source(kb_dir: Path, tmp_path: Path) -> Path:
    """The fixture knowledge base plus source `long`: one distinct sentence per line to quote."""
    page = tmp_path / "long.txt"
    page.write_text("Long sheet\n\n" + "".join(f"Sentence {i:02d}: results show after {i % 11 + 1} months.\n"
                                               for i in range(SENTENCES)), encoding="utf-8")
    with writing(kb_dir) as kb:
        add_source(kb, page, title="Long sheet", publisher="Clinic L", by="ed")
    return kb_dir


def add_claim_process(kb_dir: Path, number: int, wait: bool) -> subprocess.Popen:
    return subprocess.Popen(
        [KB, "add-claim", "--kb", str(kb_dir), "--shapes", str(SHAPES), "--by", "ed", "--source", "long",
         "--topic", "first-results-time",
         "--quote", f"Sentence {number:02d}: results show after {number % 11 + 1} months.",
         "--value", f"{number % 11 + 1} months", *(["--wait"] if wait else [])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def refused(code: int, err: str) -> bool:
    return code == 2 and "Another kb command is writing to" in err and "try again, or pass --wait." in err


def test_concurrent_add_claims_each_land_once_with_distinct_ids(kb_dir, tmp_path):
    with_long_source(kb_dir, tmp_path)
    pairs = 24
    started = time.monotonic()
    outcomes = []
    for wave in range(0, pairs, 4):  # four pairs at a time: eight writers racing for one claims file
        launched = []
        for pair in range(wave, min(wave + 4, pairs)):
            wait = pair % 2 == 0  # even pairs wait for the lock, odd pairs may be refused
            launched += [(2 * pair + side, wait, add_claim_process(kb_dir, 2 * pair + side, wait)) for side in (0, 1)]
        outcomes += [(number, wait, *finish(process)) for number, wait, process in launched]
    elapsed = time.monotonic() - started
    kb = load(kb_dir)  # every file parses
    added = {}
    for number, wait, code, out, err in outcomes:
        if code == 0:
            assert out.startswith("Added claim long-first-results-time"), out
            claim_id = out.split()[2]
            added[claim_id] = number
        else:
            assert not wait, (number, code, err)
            assert refused(code, err), (code, out, err)
    assert len(added) == len({n for n in added.values()}) == sum(code == 0 for _, _, code, _, _ in outcomes)
    assert len(added) >= sum(wait for _, wait, *_ in outcomes)  # every writer that waited
    claims = [c for c in kb.claims if c.source == "long"]
    assert sorted(c.id for c in claims) == sorted(added)  # exactly the successes, no more, no less
    for claim in claims:
        number = added[claim.id]
        assert claim.quote == f"Sentence {number:02d}: results show after {number % 11 + 1} months."
    result = run_check(kb, SHAPES, "never")
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    assert not (kb_dir / LOCK_FILE).exists()
    assert elapsed < 120, elapsed


def test_concurrent_reviews_get_distinct_ids(kb_dir):
    conflict = next(c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement)
    outcomes = []
    for wave in range(0, 20, 4):  # four pairs at a time
        launched = []
        for pair in range(wave, wave + 4):
            wait = pair % 2 == 0
            launched += [(f"note {pair}-{side}", wait, subprocess.Popen(
                [KB, "review", conflict.id, "--kb", str(kb_dir), "--shapes", str(SHAPES), "--decision", "acknowledged",
                 "--by", "ed", "--note", f"note {pair}-{side}", *(["--wait"] if wait else [])],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)) for side in (0, 1)]
        outcomes += [(note, wait, *finish(process)) for note, wait, process in launched]
    recorded = {}
    for note, wait, code, out, err in outcomes:
        if code == 0:
            recorded[out.split()[2].rstrip(":")] = note
        else:
            assert not wait and refused(code, err), (code, out, err)
    reviews = {review.id: review for review in read_reviews(load(kb_dir))}
    assert set(reviews) == set(recorded)
    assert {reviews[i].note for i in recorded} == set(recorded.values())
    assert len(recorded) >= sum(wait for _, wait, *_ in outcomes)  # every writer that waited
    assert sorted(recorded) == sorted(f"{conflict.id}-{n}" for n in range(1, len(recorded) + 1))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def add_claim_args(kb_dir):
    return ["add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "a", "--topic",
            "nsaid-stop-before", "--context", "before-treatment", "--quote", "Clinic A aftercare sheet",
            "--value", "72 hours"]


def test_a_held_lock_refuses_writers_with_the_holders_pid(kb_dir):
    before = tree_digest(kb_dir)
    with kb_lock(kb_dir):
        refused_claim = run(*add_claim_args(kb_dir))
        timed_out = run(*add_claim_args(kb_dir), "--wait-timeout", "0.3")
        topic = run("new-topic", "--kb", kb_dir, "--id", "x", "--label", "X", "--definition", "X?", "--kind", "Text",
                    "--safety", "Low")
        reanchor = run("reanchor", "--kb", kb_dir)
    assert refused_claim.exit_code == 2
    assert refused_claim.output == (f"Error: Another kb command is writing to {kb_dir}/ (pid {os.getpid()}); "
                                    "try again, or pass --wait.\n")
    assert timed_out.exit_code == 2 and "is still writing" in timed_out.output and "after 0.3 seconds" in timed_out.output
    assert topic.exit_code == 2 and reanchor.exit_code == 2
    assert tree_digest(kb_dir) == before


def test_wait_takes_the_lock_once_the_other_writer_finishes(kb_dir):
    held = threading.Event()

    def hold() -> None:
        with kb_lock(kb_dir):
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    started = time.monotonic()
    result = run(*add_claim_args(kb_dir), "--wait")
    holder.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.4
    assert load(kb_dir).claim("a-nsaid-stop-before") is not None


# Fault injection: every writing command in concurrent pairs, and killed at random moments -----------------

QUOTED = range(45, SENTENCES)  # sentences of `long` that claims quote before the runs (reanchor moves them)


def sentence(number: int) -> str:
    return f"Sentence {number:02d}: results show after {number % 11 + 1} months."


@dataclass(frozen=True)
class Writer:
    """One writing command as the fault tests run it: the n-th run's arguments and what its success leaves."""

    args: Callable[[Path, Path, int], list[str]]  # (kb folder, work folder, n) -> arguments after `kb`
    landed: Callable[[KnowledgeBase, Path, int, str], bool]  # (kb, work folder, n, its output) -> left its change
    prepare: Callable[[Path, int], None] | None = None  # a change before the n-th run (the k-th pair)
    pairs_at_once: int = 4
    moves_sources: bool = False  # its preparation edits a source, out of step with the claims until it runs


def _claim_args(kb_dir, work, n):
    return ["add-claim", "--kb", kb_dir, "--shapes", SHAPES, "--by", "ed", "--source", "long", "--topic",
            "first-results-time", "--quote", sentence(n), "--value", f"{n % 11 + 1} months"]


def _claim_landed(kb, work, n, out):
    claim = kb.claim(out.split()[2])
    return claim is not None and claim.quote == sentence(n)


def _source_args(kb_dir, work, n):
    page = work / f"page-{n}.txt"
    page.write_text(f"Page {n}\n\nAvoid NSAIDs for {n + 1} days.\n", encoding="utf-8")
    return ["add-source", "--kb", kb_dir, page, "--title", f"Page {n}", "--key", f"p{n}", "--by", "ed"]


def _source_landed(kb, work, n, out):
    return f"p{n}" in kb.sources and kb.source_text(f"p{n}") == (work / f"page-{n}.txt").read_text(encoding="utf-8")


def _topic_args(kb_dir, work, n):
    return ["new-topic", "--kb", kb_dir, "--id", f"t-{n}", "--label", f"Topic {n}", "--definition", f"Question {n}?",
            "--kind", "Text", "--safety", "Low", "--passages", "0"]


def _review_args(kb_dir, work, n):
    conflict = next(c for c in find_conflicts(load(kb_dir), SHAPES) if c.is_disagreement)
    return ["review", conflict.id, "--kb", kb_dir, "--shapes", SHAPES, "--decision", "acknowledged", "--by", "ed",
            "--note", f"note {n}"]


def _review_landed(kb, work, n, out):
    return any(r.id == out.split()[2].rstrip(":") and r.note == f"note {n}" for r in read_reviews(kb))


def _baseline_landed(kb, work, n, out):
    found = reviewed_conflicts(kb, find_conflicts(kb, SHAPES))
    return all(c.status not in ("new", "new-claims") for c in found if c.is_disagreement)


def _move_sources(kb_dir, n):
    """Insert a line at the top of source `long`, so that every quote of it moves."""
    path = kb_dir / "sources" / "long.txt"
    path.write_text(f"Inserted line {n}.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _anchors_hold(kb, work, n, out):
    text = kb.source_text("long")
    return all(text[c.start:c.end] == c.quote for c in kb.claims if c.source == "long")


def _apply_args(kb_dir, work, n):
    draft = work / "draft.toml"
    if not draft.exists():
        ok(run("suggest", "--kb", kb_dir, "long", "--out", draft))
    entries = draft.read_text(encoding="utf-8").split("[[claim]]")
    entries[n + 1] = entries[n + 1].replace("accept = false", "accept = true")
    one = work / f"draft-{n}.toml"
    one.write_text("[[claim]]".join(entries), encoding="utf-8")
    return ["apply", "--kb", kb_dir, "--shapes", SHAPES, one, "--by", "ed"]


def _applied(kb, work, n, out):
    return any(c.quote == sentence(n) for c in kb.claims)


def _add_quoting_claims(kb_dir, k):
    """Claims quoting sentences 2k and 2k+1, for the k-th pair (or the 2k-th and later single runs) to change."""
    with writing(kb_dir, wait=None) as kb:
        for number in (2 * k, 2 * k + 1):
            add_claim(kb, NewClaim(source="long", topic="first-results-time", quote=sentence(number),
                                   value=f"{number % 11 + 1} months"), by="ed")
            kb = load(kb_dir)


def _quoting(kb_dir, n) -> str:
    """The id of the claim quoting sentence n."""
    return next(c.id for c in load(kb_dir).claims if c.quote == sentence(n))


WRITERS = {
    "add-claim": Writer(_claim_args, _claim_landed),
    "add-editor": Writer(lambda kb_dir, work, n: ["add-editor", f"ed-{n}", "--kb", kb_dir, "--name", f"Editor {n}"],
                         lambda kb, work, n, out: editor_names(kb).get(f"ed-{n}") == f"Editor {n}"),
    "remove-claim": Writer(lambda kb_dir, work, n: ["remove-claim", _quoting(kb_dir, n), "--kb", kb_dir, "--shapes", SHAPES],
                           lambda kb, work, n, out: not any(c.quote == sentence(n) for c in kb.claims),
                           _add_quoting_claims),
    "retract": Writer(lambda kb_dir, work, n: ["retract", _quoting(kb_dir, n), "--kb", kb_dir, "--reason", f"Reason {n}."],
                      lambda kb, work, n, out: any(c.quote == sentence(n) and c.retraction_reason == f"Reason {n}."
                                                   for c in kb.claims),
                      _add_quoting_claims),
    "add-source": Writer(_source_args, _source_landed),
    "new-topic": Writer(_topic_args, lambda kb, work, n, out: f"t-{n}" in kb.topics),
    "review": Writer(_review_args, _review_landed),
    "baseline": Writer(lambda kb_dir, work, n: ["baseline", "--kb", kb_dir, "--shapes", SHAPES], _baseline_landed),
    "reanchor": Writer(lambda kb_dir, work, n: ["reanchor", "--kb", kb_dir], _anchors_hold, _move_sources, 1, True),
    "apply": Writer(_apply_args, _applied),
}


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def start(kb_dir: Path, args: list) -> subprocess.Popen:
    return subprocess.Popen([KB, *(str(a) for a in args), "--wait"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def busy_kb(kb_dir: Path, tmp_path: Path) -> Path:
    """The fixture with source `long`, some of its sentences quoted, and a work folder for the runs' inputs."""
    with_long_source(kb_dir, tmp_path)
    with writing(kb_dir) as kb:
        for number in QUOTED:
            add_claim(kb, NewClaim(source="long", topic="first-results-time", quote=sentence(number),
                                   value=f"{number % 11 + 1} months"), by="ed")
            kb = load(kb_dir)
    work = tmp_path / "work"
    work.mkdir()
    return work


def structural_errors(kb_dir: Path) -> set[tuple[str, str]]:
    return {(f.code, f.focus) for f in run_check(load(kb_dir), SHAPES, "never").findings if f.severity == "error"}


def assert_settled(kb_dir: Path, errors_before: set) -> None:
    """Every file parses, no structural error is new, no lock or temporary file is left."""
    assert structural_errors(kb_dir) <= errors_before
    assert not (kb_dir / LOCK_FILE).exists()
    assert not list(kb_dir.rglob("*.tmp"))


@pytest.mark.parametrize("name", sorted(set(WRITERS) - {"add-claim", "review"}))  # those two: the tests above
def test_writers_in_concurrent_pairs_each_leave_their_change(kb_dir, tmp_path, name):
    writer, work = WRITERS[name], busy_kb(kb_dir, tmp_path)
    errors_before = structural_errors(kb_dir)
    pairs = 20
    for wave in range(0, pairs, writer.pairs_at_once):
        launched = []
        for pair in range(wave, wave + writer.pairs_at_once):
            if writer.prepare:
                writer.prepare(kb_dir, pair)
            launched += [(n, start(kb_dir, writer.args(kb_dir, work, n))) for n in (2 * pair, 2 * pair + 1)]
        finished = [(n, *finish(process)) for n, process in launched]
        kb = load(kb_dir)  # every file parses
        for n, code, out, err in finished:
            assert code == 0, (name, n, out, err)  # both wait for the lock: neither is refused
            assert writer.landed(kb, work, n, out), (name, n, out)
    assert_settled(kb_dir, errors_before)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writers_killed_at_random_moments_leave_every_file_readable(kb_dir, tmp_path, name):
    writer, work = WRITERS[name], busy_kb(kb_dir, tmp_path)
    errors_before = structural_errors(kb_dir)
    chance = random.Random(f"20261202-{name}")
    kills = 20
    for n in range(kills):
        if writer.prepare:
            writer.prepare(kb_dir, n)
        process = start(kb_dir, writer.args(kb_dir, work, n))
        time.sleep(chance.uniform(0.0, 1.0))
        process.send_signal(signal.SIGKILL)
        code, out, err = finish(process)
        kb = load(kb_dir)  # parses, whatever moment the writer died at
        if code == 0:  # it finished before the signal: its change is there
            assert writer.landed(kb, work, n, out), (name, n, out)
        else:
            assert code == -signal.SIGKILL, (name, n, code, err)
        if not writer.moves_sources:  # a source changed by hand is out of step until reanchor runs to the end
            assert structural_errors(kb_dir) <= errors_before
    left = list(kb_dir.rglob("*.tmp"))
    assert all(p.name.startswith(".") for p in left)  # never under a name the loader reads
    if writer.prepare:
        writer.prepare(kb_dir, kills)
    code, out, err = finish(start(kb_dir, writer.args(kb_dir, work, kills)))
    assert code == 0, err
    assert writer.landed(load(kb_dir), work, kills, out)
    assert_settled(kb_dir, errors_before)  # and the next writer clears what a killed one left
