"""Benchmark: `python -m reconcile.bench [--sizes 1000,10000]` prints seconds and peak memory per stage.

It generates synthetic knowledge bases (many sources, topics with several contexts,
about one topic in five holding a contradiction, units mixed) and times each stage in
a fresh process, next to a plain sort/sweep of the same intervals as the reference
for what conflict detection could cost.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .edit import CLAIMS_FILE_COMMENT, NewClaim, add_claim, claim_block
from .paths import CLAIMS_DIR, CONTEXTS_FILE, EDITORS_FILE, SOURCES_DIR, SOURCES_FILE, TOPICS_FILE, VOCAB_FILE
from .quotes import anchor_at
from .render import GENERATED
from .sources import source_block
from .turtle import header
from .values import parse_value
from .vocab import CANONICAL_UNIT, QUANTITY_KINDS, SAFETY_LEVELS

# Every synthetic claim states a duration, in units that say how many of them make one day (the canonical unit).
KIND = next(kind for kind in QUANTITY_KINDS if CANONICAL_UNIT.get(kind) == "DAY")
UNITS = [("hours", Fraction(24)), ("days", Fraction(1)), ("weeks", Fraction(1, 7))]

# What sources say on one topic and context, as offsets from the topic's usual number of days:
# most repeat the usual value, some give a range around it; all of these overlap.
COMMON_VALUES = [((0, 0), 6), ((0, 2), 3), ((0, 1), 2)]
CONTRADICTING_FACTOR = 6  # in one topic in five, a fifth of the claims state about six times as long
CONTEXTS = ["before-treatment", "after-treatment", "general"]
PACKAGE = Path(__file__).resolve().parent  # the site's hooks and theme overrides
STAGES = ["load", "load-rdflib", "structure-fast", "structure-pyshacl", "conflicts-fast", "conflicts-pyshacl",
          "conflicts-incremental", "sweep", "check", "check-incremental", "render", "site-build", "watch", "store"]
# Rows the store stage adds: publishing, checking through the SPARQL protocol, and the server's memory.
STORE_ROWS = ("store-publish", "store-check", "store-server")


def find_repo(start: Path) -> Path:
    """The repository holding `start`: the nearest folder at or above it with kb/ and shapes/ folders."""
    for folder in [start, *start.parents]:
        if (folder / "kb").is_dir() and (folder / "shapes").is_dir():
            return folder
    raise click.BadParameter(f"no folder at or above {start} holds kb/ and shapes/; run the benchmark inside the "
                             "repository or name it with --repo.", param_hint="--repo")


def generate(root: Path, claims: int, seed: int = 7, repo: Path | None = None) -> Path:
    """Write a synthetic knowledge base of `claims` claims under `root`.

    The vocabulary, contexts and editors are copied from the repository's kb/ (by default,
    the one holding the current folder).
    """
    rng = random.Random(seed)
    repo_kb = (repo or find_repo(Path.cwd())) / "kb"
    root.mkdir(parents=True)
    for name in (VOCAB_FILE, CONTEXTS_FILE, EDITORS_FILE):
        shutil.copy(repo_kb / name, root / name)
    topics = max(10, claims // 50)
    lines = [header("Synthetic topics.")]
    for t in range(topics):
        lines.append(f'topic:t{t} a skos:Concept, kb:Topic ; skos:prefLabel "Topic {t}"@en ; '
                     f'skos:definition "Synthetic topic {t}."@en ; kb:quantityKind kb:{KIND} ; '
                     f'kb:safety kb:{SAFETY_LEVELS[t % len(SAFETY_LEVELS)]} .')
    (root / TOPICS_FILE).write_text("\n".join(lines) + "\n")
    sources = max(5, claims // 20)
    per_source: list[list[tuple[int, int, str, str]]] = [[] for _ in range(sources)]
    for i in range(claims):
        topic = rng.randrange(topics)
        context = CONTEXTS[rng.randrange(len(CONTEXTS))]
        base = 3 + topic % 7  # claims on a topic agree around this many days...
        if topic % 5 == 0 and rng.random() < 0.2:
            base *= CONTRADICTING_FACTOR  # ...except in one topic in five, where some claims contradict
        (low, high), = rng.choices([offsets for offsets, _ in COMMON_VALUES], [w for _, w in COMMON_VALUES])
        per_source[i % sources].append((i, topic, context, _stated(base + low, base + high, rng)))
    sources_ttl = header("Synthetic sources.")
    (root / SOURCES_DIR).mkdir()
    (root / CLAIMS_DIR).mkdir()
    for s, items in enumerate(per_source):
        key = f"s{s}"
        text_lines = [f"Synthetic source {s}."] + [f"Claim {i}: stop for {stated} in context {context}." for i, _, context, stated in items]
        text = "\n".join(text_lines) + "\n"
        (root / SOURCES_DIR / f"{key}.txt").write_text(text)
        sources_ttl += "\n" + source_block(key, f"{key}.txt", hashlib.sha256(text.encode()).hexdigest(), "text/plain",
                                           f"Source {s}", "bench", "synthetic", None, None, "kb-editors", "2026-01-01T00:00:00Z")
        blocks, offset = [], len(text_lines[0]) + 1
        for (i, topic, context, stated), line in zip(items, text_lines[1:], strict=False):
            anchor = anchor_at(text, offset, offset + len(line))
            offset += len(line) + 1
            new = NewClaim(key, f"t{topic}", line, stated, context)
            blocks.append(claim_block(f"{key}-t{topic}-{i}", new, anchor, parse_value(stated, KIND),
                                      "kb-editors", "2026-01-01T00:00:00Z"))
        (root / CLAIMS_DIR / f"{key}.ttl").write_text(
            header(CLAIMS_FILE_COMMENT.format(key=key, file=f"{key}.txt")) + "\n" + "\n".join(blocks))
    (root / SOURCES_FILE).write_text(sources_ttl)
    return root


def _stated(low: int, high: int, rng: random.Random) -> str:
    """A range of days in words, in a unit picked from those that express it exactly ("72 hours", "1 week")."""
    unit, factor = rng.choice([(unit, factor) for unit, factor in UNITS
                               if (low * factor).denominator == 1 and (high * factor).denominator == 1])
    first, last = low * factor, high * factor
    return f"{first}–{last} {unit}" if last > first else f"{first} {unit}"


def run_stage(stage: str, kb_dir: Path, repo: Path, results_file: Path | None = None) -> float | dict:
    """Run one stage in this process and return its seconds (the store stage: a row per STORE_ROWS).

    `repo` holds the shapes, and the docs and site configuration the render stages build on.
    With `results_file`, the check and store stages write what they found there, to compare.
    """
    from .build import build_docs
    from .checks import check_structure
    from .conflicts import find_conflicts
    from .gate import run_check
    from .load import load

    shapes = repo / "shapes"
    start = time.perf_counter()
    if stage == "load":
        _ = load(kb_dir).claims  # Oxigraph store, subject lines and the claim views
    elif stage == "load-rdflib":
        _ = load(kb_dir).graph  # the rdflib graph pySHACL needs
    elif stage in ("structure-fast", "structure-pyshacl"):
        kb = load(kb_dir)
        engine = stage.split("-")[1]
        if engine == "pyshacl":
            _ = kb.graph
        start = time.perf_counter()
        check_structure(kb, shapes, engine=engine)
    elif stage in ("conflicts-fast", "conflicts-pyshacl"):
        kb = load(kb_dir)
        _ = kb.claims  # build the claim views outside the timed part, as `kb check` has them already
        if stage.endswith("pyshacl"):
            _ = kb.graph
        start = time.perf_counter()
        find_conflicts(kb, shapes, stage.split("-")[1])
    elif stage == "watch":  # `kb watch` after one added claim: the knowledge base is loaded and checked before
        from .watch import LiveCheck

        live = LiveCheck(kb_dir, shapes)
        claims_file, original = _add_one_claim(kb_dir)
        start = time.perf_counter()
        live.apply([claims_file])
        seconds = time.perf_counter() - start
        claims_file.write_text(original)
        return seconds
    elif stage in ("conflicts-incremental", "check-incremental"):
        cache_file = Path(tempfile.mkdtemp()) / "conflicts.json"
        find_conflicts(load(kb_dir), shapes, "fast", cache_file)  # warm the cache
        claims_file, original = _add_one_claim(kb_dir)
        start = time.perf_counter()
        if stage == "check-incremental":  # all of `kb check`: load, structure, quotes, cached conflicts
            run_check(load(kb_dir), shapes, "never", cache_file=cache_file)
        else:
            kb = load(kb_dir)
            _ = kb.claims
            start = time.perf_counter()
            find_conflicts(kb, shapes, "fast", cache_file)
        seconds = time.perf_counter() - start
        claims_file.write_text(original)
        return seconds
    elif stage == "sweep":
        intervals = [(c.topic, c.context, c.min, c.max) for c in load(kb_dir).claims]
        start = time.perf_counter()
        sweep(intervals)
    elif stage == "check":
        result = run_check(load(kb_dir), shapes, "never")
        seconds = time.perf_counter() - start
        if results_file is not None:
            write_results(result, results_file)
        return seconds
    elif stage == "store":
        return run_store_stage(kb_dir, shapes, results_file)
    elif stage in ("render", "site-build"):  # render: `kb render`, which checks, then writes the pages
        kb = load(kb_dir)
        site_dir = Path(tempfile.mkdtemp())
        shutil.copytree(repo / "docs", site_dir / "docs",
                        ignore=shutil.ignore_patterns(*GENERATED))
        start = time.perf_counter()
        build_docs(kb, shapes, site_dir / "docs")
        if stage == "site-build":
            start = time.perf_counter()
            config = (repo / "mkdocs.yml").read_text(encoding="utf-8")
            (site_dir / "mkdocs.yml").write_text(config.replace("scripts/reconcile/", f"{PACKAGE}/"))
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site_dir / "site")],
                           cwd=site_dir, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return time.perf_counter() - start


def _add_one_claim(kb_dir: Path) -> tuple[Path, str]:
    """Add a claim to the first claims file, as `kb add-claim` does, in a process of its own as an editor's
    command runs (its memory is not the measured stage's); returns the file and its text before."""
    claims_file = sorted((kb_dir / "claims").glob("*.ttl"))[0]
    original = claims_file.read_text()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(_add_claim_to, (kb_dir, claims_file))
    return claims_file, original


def _add_claim_to(kb_dir: Path, claims_file: Path) -> None:
    from .load import load

    first = next(c for c in load(kb_dir).claims if c.location is not None and c.location.path == claims_file)
    other_context = next(c for c in CONTEXTS if c != first.context)
    add_claim(load(kb_dir), NewClaim(first.source, first.topic, first.quote, "99 days", other_context,
                                     note="added by the benchmark"), by="kb-editors")


def run_store_stage(kb_dir: Path, shapes: Path, results_file: Path | None) -> dict:
    """`kb publish` and `kb check --endpoint` against an Oxigraph server on disk, started and stopped here."""
    from .endpoint import RemoteStore, publish, remote_kb
    from .gate import run_check
    from .oxigraph_server import oxigraph_server, peak_megabytes

    with tempfile.TemporaryDirectory(dir=kb_dir.parent) as tmp, oxigraph_server(Path(tmp) / "store") as (url, pid):
        store = RemoteStore(url, timeout=6 * 3600)
        start = time.perf_counter()
        publish(kb_dir, store)
        published = time.perf_counter()
        print(f"published in {published - start:.2f} s; checking", file=sys.stderr, flush=True)  # long runs show progress
        result = run_check(remote_kb(store), shapes, "never", keep_conflicts=results_file is not None)
        checked = time.perf_counter()
        server_peak = peak_megabytes(pid)
    if results_file is not None:
        write_results(result, results_file)
    return {"store-publish": [published - start, None], "store-check": [checked - published, None],
            "store-server": [None, server_peak]}


def write_results(result, path: Path) -> None:
    """What a check found, without file locations (a store has none), as JSON to compare runs."""
    findings = sorted([f.code, f.severity, f.focus, f.message] for f in result.findings)
    conflicts = [[c.id, c.kind, c.outcome, c.severity, c.explanation, [[claim.id for claim in side] for side in c.sides]]
                 for c in result.conflicts]
    path.write_text(json.dumps({"findings": findings, "conflicts": conflicts}))


def sweep(intervals: list[tuple]) -> int:
    """The reference: sort each topic's intervals and sweep for disjoint pairs (counted, not listed)."""
    groups: dict = {}
    for topic, context, low, high in intervals:
        groups.setdefault((topic, context), []).append((low, high))
    disjoint = 0
    for items in groups.values():
        items.sort()
        highest = None
        for low, high in items:
            if highest is not None and highest < low:
                disjoint += 1
            highest = high if highest is None or high > highest else highest
    return disjoint


@click.command()
@click.option("--sizes", default="1000,10000", show_default=True, help="Comma-separated claim counts.")
@click.option("--pyshacl-max", default=1000, show_default=True, help="Largest size to run the pySHACL stages on.")
@click.option("--stages", "stage_names", default=",".join(STAGES), show_default=True,
              help="Comma-separated stages to run.")
@click.option("--stage-timeout", default=1200, show_default=True,
              help="Seconds after which a stage is stopped and reported as over the limit.")
@click.option("--compare-max", default=100000, show_default=True,
              help="Largest size at which the store stage's results are compared with an in-process check.")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path),
              help="The repository whose kb/ vocabulary, shapes/ and docs/ to use  [default: the one holding the current folder]")
@click.option("--stage", hidden=True)
@click.option("--kb", "kb_dir", hidden=True, type=click.Path(path_type=Path))
@click.option("--results", "results_file", hidden=True, type=click.Path(path_type=Path))
def main(sizes: str, pyshacl_max: int, stage_names: str, stage_timeout: int, compare_max: int, repo: Path | None,
         stage: str | None, kb_dir: Path | None, results_file: Path | None) -> None:
    repo = find_repo(repo.resolve() if repo else Path.cwd().resolve())
    stages = [name for name in stage_names.split(",") if name]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        raise click.BadParameter(f"unknown stage {', '.join(unknown)}; choose from {', '.join(STAGES)}.",
                                 param_hint="--stages")
    if stage:
        if kb_dir is None:
            raise click.UsageError("--stage needs --kb, the knowledge base to run it on.")
        _print_stage(stage, kb_dir, repo, results_file)
        return
    rows: list[tuple[int, str, float | str | None, float | None]] = []
    comparisons: list[str] = []
    size_list = [int(s) for s in sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=Console(stderr=True)) as progress:
        task = progress.add_task("benchmark", total=len(size_list) * (len(stages) + 1))
        for size in size_list:
            progress.update(task, description=f"generating {size} claims")
            kb = generate(Path(tmp) / f"kb{size}", size, repo=repo)
            progress.advance(task)
            for name in stages:
                progress.update(task, description=f"{size} claims: {name}")
                if name.endswith("pyshacl") and size > pyshacl_max:
                    rows.append((size, name, "skipped", None))
                else:
                    compare = name in ("check", "store") and size <= compare_max and {"check", "store"} <= set(stages)
                    results = Path(tmp) / f"results-{size}-{name}.json" if compare else None
                    for row in _measure(name, kb, repo, stage_timeout, results):
                        rows.append((size, *row))
                        progress.console.print(f"{size:>7} {row[0]:22} {_seconds(row[1]):>10} s {_megabytes(row[2]):>6} MB")
                progress.advance(task)
            if compare_max >= size and {"check", "store"} <= set(stages):
                local, remote = (Path(tmp) / f"results-{size}-{n}.json" for n in ("check", "store"))
                same = local.exists() and remote.exists() and json.loads(local.read_text()) == json.loads(remote.read_text())
                comparisons.append(f"At {size} claims `kb check --endpoint` finds {'the same' if same else 'NOT the same'} "
                                   "findings and conflicts as the in-process check.")
    click.echo("| claims | stage | seconds | peak MB |\n|---:|---|---:|---:|")
    for size, name, seconds, peak in rows:
        click.echo(f"| {size} | {name} | {_seconds(seconds)} | {_megabytes(peak)} |")
    for size in sorted({r[0] for r in rows}):
        fast = next((r[2] for r in rows if r[0] == size and r[1] == "conflicts-fast"), None)
        ref = next((r[2] for r in rows if r[0] == size and r[1] == "sweep"), None)
        if isinstance(fast, float) and isinstance(ref, float):
            click.echo(f"\nAt {size} claims the conflict check takes {fast / max(ref, 1e-6):.0f}× the sort/sweep reference.")
        loading = next((r[2] for r in rows if r[0] == size and r[1] == "load"), None)
        whole = next((r[2] for r in rows if r[0] == size and r[1] == "check"), None)
        if isinstance(loading, float) and isinstance(whole, float):
            click.echo(f"\nAt {size} claims the whole check takes {whole / max(loading, 1e-6):.1f}× loading.")
    for line in comparisons:
        click.echo(f"\n{line}")


def _print_stage(stage: str, kb_dir: Path, repo: Path, results_file: Path | None) -> None:
    """Run one stage in this process and print its rows as JSON: {name: [seconds, peak MB]}."""
    measured = run_stage(stage, kb_dir, repo, results_file)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = measured if isinstance(measured, dict) else {stage: [measured, None]}
    click.echo(json.dumps({name: [seconds, own if own is not None else peak] for name, (seconds, own) in rows.items()}))


def _measure(stage: str, kb: Path, repo: Path, timeout: int, results: Path | None = None) -> list[tuple]:
    """(name, seconds, peak MB) rows of one stage run in a fresh process, or ("over N s", None) when it runs too long."""
    command = [sys.executable, "-m", "reconcile.bench", "--repo", str(repo), "--stage", stage, "--kb", str(kb)]
    try:
        out = subprocess.run(command + (["--results", str(results)] if results else []),
                             stdout=subprocess.PIPE, text=True, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [(stage, f"over {timeout}", None)]
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    return [(name, seconds, peak) for name, (seconds, peak) in measured.items()]


def _seconds(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "" if value is None else str(value)


def _megabytes(value) -> str:
    return "" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    main()
