"""One writer at a time: concurrent `kb` commands, a held lock, and writers killed mid-command."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from reconcile.cli import main
from reconcile.conflicts import find_conflicts
from reconcile.edit import add_source
from reconcile.gate import run_check
from reconcile.load import load
from reconcile.lock import LOCK_FILE, kb_lock, writing
from reconcile.reviews import read_reviews

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


def test_writers_killed_at_random_moments_leave_every_file_readable(kb_dir, tmp_path):
    with_long_source(kb_dir, tmp_path)
    chance = random.Random(20261202)
    for number in range(16):
        process = add_claim_process(kb_dir, number, wait=True)
        time.sleep(chance.uniform(0.05, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        kb = load(kb_dir)  # parses, whatever moment the writer died at
        assert all(c.quote.startswith("Sentence ") for c in kb.claims if c.source == "long")
    left = [p for p in kb_dir.rglob("*.tmp")]
    assert all(p.name.startswith(".") for p in left)  # never under a name the loader reads
    code, out, err = finish(add_claim_process(kb_dir, SENTENCES - 1, wait=True))
    assert code == 0, err
    assert not list(kb_dir.rglob("*.tmp"))  # the next writer clears what a killed one left
    kb = load(kb_dir)
    result = run_check(kb, SHAPES, "never")
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    ids = [c.id for c in kb.claims]
    assert len(ids) == len(set(ids))
