"""The `kb` command: a thin layer over the library. Exit codes: 0 clean, 1 findings, 2 bad input or usage."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import export, report
from .conflicts import find_conflicts
from .edit import NewClaim, also_claims
from .errors import EXIT_USAGE, FindingsError, KbError
from .gate import FAIL_ON, run_check
from .inputs import check_text
from .load import KnowledgeBase, load
from .lock import wait_seconds, writing
from .modality import MODALITIES
from .paths import BASELINE_FILE, SOURCES_FILE, TOPICS_FILE
from .reviews import record_review, reviewed_conflicts, write_baseline
from .shacl import ENGINES
from .sources import SourceProfile, add_source, plan_source
from .topics import new_topic, topic_block
from .vocab import DECISIONS, QUANTITY_KINDS, SAFETY_LEVELS, SEVERITIES, SEVERITY_RANK, STATUSES


class CliError(click.ClickException):
    """A library exception as click prints it: one plain message on stderr, and the exit code it carries."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class; each error has its own


class KbGroup(click.Group):
    """The one place where exceptions become messages and exit codes, for every command.

    A `KbError` keeps its own exit code (2 bad input or usage, 1 findings that need a person);
    an `OSError` that names a file (a folder that cannot be written, a full disk) becomes a
    plain message with exit code 2. Anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as error:
            raise CliError(str(error), error.exit_code) from None
        except OSError as error:
            if error.filename is None:
                raise
            raise CliError(_os_message(error), EXIT_USAGE) from None


def _os_message(error: OSError) -> str:
    where = f"{error.filename} -> {error.filename2}" if error.filename2 is not None else str(error.filename)
    return f"{where}: {error.strerror or error}."


def _shapes(kb_dir: Path, shapes: Path | None) -> Path:
    return shapes if shapes is not None else kb_dir.parent / "shapes"


kb_option = click.option("--kb", "kb_dir", type=click.Path(path_type=Path), default=Path("kb"), show_default=True,
                         help="The knowledge base folder.")
engine_option = click.option("--engine", type=click.Choice(ENGINES), default="fast", show_default=True,
                             help="Conflict-shape executor: fast (pyoxigraph, whole data at once) or pyshacl (the reference).")
shapes_option = click.option("--shapes", type=click.Path(path_type=Path), default=None,
                             help="Folder of SHACL shapes [default: shapes/ beside the knowledge base].")


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reconcile-kb")
def main() -> None:
    """Reconcile KB: compare what health-guidance sources claim.

    \b
    Exit codes: 0 clean, 1 findings (structural problems or failing conflicts),
    2 bad input or usage (unreadable files, unknown names, bad options).
    """


def wait_options(command):
    """--wait and --wait-timeout, for the commands that write under kb/ (one writer at a time)."""
    command = click.option("--wait-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                           help="Wait at most this long for another kb command writing to the knowledge base.")(command)
    return click.option("--wait", is_flag=True,
                        help="When another kb command is writing to the knowledge base, wait until it has "
                             "finished instead of stopping.")(command)


endpoint_options = [
    click.option("--endpoint", help="Base URL of a SPARQL 1.1 store (e.g. http://127.0.0.1:7878 for Oxigraph)."),
    click.option("--query-path", default="/query", show_default=True, help="Path of the store's SPARQL query service."),
    click.option("--store-path", default="/store", show_default=True, help="Path of the store's Graph Store Protocol service."),
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
                 metavar="SECONDS", help="How long to wait for each answer of the store."),
    click.option("--graph", "graph", default="urn:reconcile:kb", show_default=True, metavar="IRI",
                 help="Named graph holding the knowledge base in the store (one per branch lets CI check a pull "
                      "request beside main)."),
]


def with_endpoint(command):
    for option in reversed(endpoint_options):
        command = option(command)
    return command


def _remote(endpoint: str, query_path: str, store_path: str, timeout: float, graph: str):
    from .endpoint import RemoteStore

    return RemoteStore(endpoint, query_path, store_path, timeout, graph=graph)


@main.command()
@kb_option
@shapes_option
@engine_option
@with_endpoint
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Keep conflict results per topic in .kb-cache/ beside the knowledge base and re-check only "
                   "topics whose claims changed (fast engine only).")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="new", show_default=True,
              help="Which conflicts fail the check: new (in neither kb/reviews.ttl nor kb/baseline.ttl, or with "
                   "claims added since), unreviewed (also stale reviews and the baseline: no person has decided), "
                   "any, or never.")
@click.option("--format", "fmt", type=click.Choice(report.CHECK_FORMATS), default=None,
              help="Output format [default: github inside GitHub Actions, else text].")
def check(kb_dir: Path, shapes: Path | None, engine: str, endpoint: str | None, query_path: str, store_path: str,
          timeout: float, graph: str, cache: bool, fail_on: str, fmt: str | None) -> None:
    """Check structure, quotes, source hashes and conflicts.

    Exits 1 when there are structural errors or conflicts that --fail-on counts.
    Inside GitHub Actions it annotates each problem at its file and line and writes
    a summary to $GITHUB_STEP_SUMMARY. With --endpoint it checks the knowledge base held
    in a SPARQL store (see `kb publish`) instead of the files.
    """
    if endpoint:
        from .endpoint import remote_kb

        kb = remote_kb(_remote(endpoint, query_path, store_path, timeout, graph))
        shapes_dir = shapes if shapes is not None else Path("shapes")
    else:
        kb, shapes_dir = load(kb_dir), _shapes(kb_dir, shapes)
    cache_file = kb_dir.resolve().parent / ".kb-cache" / "conflicts.json" if cache and not endpoint else None
    result = run_check(kb, shapes_dir, fail_on, engine=engine, cache_file=cache_file,
                       keep_conflicts=not endpoint)  # a store's conflicts are counted, not held
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    click.echo(report.check_output(result, fmt or ("github" if in_actions else "text"), fail_on), nl=False)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if in_actions and summary_path:
        with open(summary_path, "a", encoding="utf-8") as summary:
            summary.write(report.step_summary(result, fail_on))
    sys.exit(result.exit_code)


@main.command("watch")
@kb_option
@shapes_option
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="new", show_default=True,
              help="Which conflicts count as failing, as for `kb check`.")
@click.option("--site", is_flag=True, help="Also render the site's pages after every change, for `kb serve` to reload.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs"), show_default=True,
              help="With --site: the MkDocs docs folder to write generated pages into.")
def watch_command(kb_dir: Path, shapes: Path | None, fail_on: str, site: bool, out: Path) -> None:
    """Check once, then re-check after every saved change to kb/ or shapes/ until Ctrl-C.

    Only the changed files are parsed again, and only the claims and topics they touch are
    re-checked; each time it prints the lines of `kb check` that are new, gone or changed,
    then the summary. The result always equals a fresh `kb check`. With --site, the pages
    are rendered again as `kb render` does (while the structure is sound); run `kb serve`
    beside it to see them.
    """
    from .watch import watch

    watch(kb_dir, _shapes(kb_dir, shapes), fail_on, click.echo, site=out if site else None)


@main.command()
@kb_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--source", help="Only claims of this source key.")
@click.option("--topic", help="Only claims on this topic.")
def claims(kb_dir: Path, fmt: str, source: str | None, topic: str | None) -> None:
    """List every claim with its quote, offsets and normalized value."""
    from .inputs import suggest as did_you_mean

    kb = load(kb_dir)
    if source is not None and source not in kb.sources:
        raise KbError(f"--source: {did_you_mean(source, list(kb.sources), 'source')}")
    if topic is not None and topic not in kb.topics:
        raise KbError(f"--topic: {did_you_mean(topic, list(kb.topics), 'topic')}")
    selected = [c for c in kb.claims
                if (source is None or c.source == source) and (topic is None or c.topic == topic)]
    click.echo(export.claims_json(selected) if fmt == "json" else export.claims_csv(selected), nl=False)


@main.command()
@kb_option
@shapes_option
@engine_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "markdown"]), default="text", show_default=True)
@click.option("--severity", type=click.Choice(SEVERITIES), default=None,
              help="Only conflicts of at least this severity.")
@click.option("--topic", help="Only conflicts on this topic.")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only conflicts with this review status.")
@click.option("--agreements/--no-agreements", default=False, show_default=True, help="Also list agreements.")
def conflicts(kb_dir: Path, shapes: Path | None, engine: str, fmt: str, severity: str | None, topic: str | None,
              status: str | None, agreements: bool) -> None:
    """List contradictions and partial overlaps between claims (and agreements with --agreements)."""
    kb = load(kb_dir)
    found = reviewed_conflicts(kb, find_conflicts(kb, _shapes(kb_dir, shapes), engine))
    if topic is not None and topic not in kb.topics:
        raise KbError(f"--topic: unknown topic '{topic}'; list them with `kb topics`.")
    selected = [c for c in found
                if (agreements or c.is_disagreement)
                and (severity is None or SEVERITY_RANK[c.severity] <= SEVERITY_RANK[severity])
                and (topic is None or c.topic == topic)
                and (status is None or c.status == status)]
    formatter = {"text": report.conflicts_text, "json": export.conflicts_json,
                 "csv": export.conflicts_csv, "markdown": report.conflicts_markdown}[fmt]
    click.echo(formatter(selected), nl=False)


@main.command()
@kb_option
@shapes_option
@click.argument("conflict_id")
@click.option("--decision", type=click.Choice(list(DECISIONS)), required=True,
              help="acknowledged: a real disagreement between sources; resolved: a claim was corrected; "
                   "not-a-conflict: the claims do not really disagree.")
@click.option("--by", help="Your editor id, described in kb/editors.ttl [default: the one remembered in "
              "your user config].")
@click.option("--note", required=True, help="Why; shown to readers on the site.")
@wait_options
def review(kb_dir: Path, shapes: Path | None, conflict_id: str, decision: str, by: str | None, note: str,
           wait: bool, wait_timeout: float | None) -> None:
    """Record a decision on a conflict in kb/reviews.ttl."""
    check_text("--note", note)
    check_text("--by", by)
    editor = _editor(by)
    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        found = {c.id: c for c in find_conflicts(kb, _shapes(kb_dir, shapes))}
        if conflict_id not in found:
            raise KbError(f"No conflict with id '{conflict_id}'; list them with `kb conflicts`.")
        review_id = record_review(kb, found[conflict_id], decision, editor, note)
    click.echo(f"Recorded review {review_id}: {decision} by editor {editor}.")
    _remember(editor)


@main.command()
@kb_option
@shapes_option
@wait_options
def baseline(kb_dir: Path, shapes: Path | None, wait: bool, wait_timeout: float | None) -> None:
    """Record every current conflict no review covers as known, in kb/baseline.ttl (not a review).

    Like a linter's baseline: `kb check --fail-on new` then passes on them and fails only on new
    conflicts; the site and the CLI show them as "baseline, not yet reviewed". Rewrites the file whole.
    """
    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        count = write_baseline(kb, find_conflicts(kb, _shapes(kb_dir, shapes)))
    click.echo(f"Recorded {count} conflict(s) in {kb_dir / BASELINE_FILE} as known and not yet reviewed.")


def dry_run_option(command):
    return click.option("--dry-run", is_flag=True,
                        help="Check everything and print what would change; write nothing.")(command)


by_option = click.option("--by", help="Your editor id, described in kb/editors.ttl [default: the one remembered in "
                                      "$XDG_CONFIG_HOME/reconcile-kb/config.toml; asked once at a terminal].")


def _editor(by: str | None, interactive: bool = False) -> str:
    """The editor id from --by, the user's config, or (at a terminal or with -i) a question."""
    from .identity import resolve_editor

    can_ask = interactive or sys.stdin.isatty()
    return resolve_editor(by, _ask_editor if can_ask else None)


def _ask_editor() -> str:
    return click.prompt("Who is adding this? Your editor id in kb/editors.ttl (remembered for next time)")


def _remember(editor: str) -> None:
    from .identity import remember_if_first

    path = remember_if_first(editor)
    if path is not None:
        click.echo(f"Remembered you as editor {editor} in {path}; later commands need no --by.")


@main.command("add-claim")
@kb_option
@shapes_option
@click.option("--source", help="Source key (see `kb sources`).")
@click.option("--topic", help="Topic id (see `kb topics --search WORDS`).")
@click.option("--quote", help="The exact words of the source.")
@click.option("--value", help="The value as stated, such as '3–5 days', 'two to three months', 'yes'.")
@click.option("--context", default="general", show_default=True, help="Context id (see `kb contexts`).")
@click.option("--also", multiple=True, metavar="TOPIC[:CONTEXT][=VALUE]",
              help="Record the same quote on another topic or context too (repeatable); the context and value "
                   "default to --context and --value.")
@click.option("--occurrence", type=int, help="Which occurrence of a quote found several times (1-based).")
@click.option("--note", help="A remark for reviewers.")
@click.option("--new-value", is_flag=True,
              help="On a category topic, add a value the topic does not list yet to its values in kb/topics.ttl.")
@click.option("--modality", type=click.Choice([*MODALITIES, "none"]), default=None,
              help="How strongly the source words the guidance (kb:modalities in kb/vocab.ttl); none for a "
                   "description [default: proposed from the quote's words].")
@by_option
@click.option("--interactive", "-i", is_flag=True, help="Ask for each field, showing the quote in context.")
@dry_run_option
@wait_options
def add_claim_command(kb_dir: Path, shapes: Path | None, interactive: bool, by: str | None, also: tuple[str, ...],
                      dry_run: bool, wait: bool, wait_timeout: float | None, **fields) -> None:
    """Add a claim: anchor the quote, normalize the value, append it, and say which claims it agrees or conflicts with."""
    from .feedback import add_with_feedback, require_shapes

    shapes_dir = _shapes(kb_dir, shapes)
    require_shapes(shapes_dir)
    editor = _editor(by, interactive)
    if interactive:
        from .interactive import ask_claim

        fields = ask_claim(load(kb_dir), fields, editor)
    added = add_with_feedback(kb_dir, shapes_dir, also_claims(NewClaim.from_options(fields), also), editor, dry_run,
                              wait_seconds(wait, wait_timeout))
    for warning in added.planned.warnings:
        click.echo(warning, err=True)
    click.echo("\n".join(added.lines()))
    if not dry_run:
        _remember(editor)


@main.command("remove-claim")
@kb_option
@shapes_option
@click.argument("claim_id")
@click.option("--force", is_flag=True, help="Remove it even though a review cites it (the review goes stale).")
@dry_run_option
@wait_options
def remove_claim_command(kb_dir: Path, shapes: Path | None, claim_id: str, force: bool, dry_run: bool, wait: bool,
                         wait_timeout: float | None) -> None:
    """Take a claim out of its file (every other line kept) and say which conflicts, reviews and baseline entries it touches.

    Refuses a claim that a review cites unless --force.
    """
    from .feedback import require_shapes
    from .remove import remove_claim

    shapes_dir = _shapes(kb_dir, shapes)
    require_shapes(shapes_dir)
    if dry_run:
        kb = load(kb_dir)
        removal = remove_claim(kb, claim_id, shapes_dir, force, dry_run=True)
    else:
        with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
            removal = remove_claim(kb, claim_id, shapes_dir, force)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} claim {claim_id}: lines {removal.first_line}-{removal.last_line} of {removal.file}.")
    click.echo("\n".join(removal.touches(kb)) or "It took part in no conflict or agreement.")
    if dry_run:
        click.echo(f"Dry run: the lines it would remove:\n\n{removal.block}\nNothing was written.")


@main.command("add-source")
@kb_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--title", required=True, help="The document's title.")
@click.option("--publisher", default="not stated in the text", show_default=True, help="Publisher or site, as stated.")
@click.option("--kind", default="web page", show_default=True, help="clinical protocol, clinic FAQ, article...")
@click.option("--url", help="Where it was retrieved from.")
@click.option("--retrieved", help="Retrieval date, YYYY-MM-DD.")
@click.option("--key", help="Short key used in claim ids [default: from the file name].")
@click.option("--short-name", help="What tables and charts call the source (up to 30 characters), such as 'Vinings FAQ'.")
@click.option("--published", help="Publication date the text states, YYYY-MM-DD.")
@click.option("--sells-evidence", help="Words copied from the text showing its publisher sells the treatment "
              "(a price, a booking line, 'our clinic').")
@click.option("--derived-from", multiple=True, help="Key of a source this one copies or paraphrases (repeatable).")
@by_option
@dry_run_option
@wait_options
def add_source_command(kb_dir: Path, file: Path, by: str | None, dry_run: bool, wait: bool,
                       wait_timeout: float | None, short_name: str | None, published: str | None,
                       sells_evidence: str | None, derived_from: tuple[str, ...], **fields) -> None:
    """Copy a text or HTML file into kb/sources/ and record its metadata, profile and SHA-256."""
    editor = _editor(by)
    profile = SourceProfile(short_name, published, sells_evidence, derived_from)
    if dry_run:
        planned = plan_source(load(kb_dir), file, by=editor, profile=profile, **fields)
        click.echo(f"Would copy {file} to {planned.target} ({len(planned.data)} bytes) and add to "
                   f"{kb_dir / SOURCES_FILE}:\n\n{planned.block}\nDry run: nothing was written.")
        return
    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        key = add_source(kb, file, by=editor, profile=profile, **fields)
    click.echo(f"Added source {key}. Propose its claims with `kb suggest {key}`, or add one with "
               f"`kb add-claim --source {key} ...`.")
    _remember(editor)


@main.command("new-topic")
@kb_option
@click.option("--id", "topic_id", required=True, help="Kebab-case id, such as nsaid-stop-before.")
@click.option("--label", required=True)
@click.option("--definition", required=True, help="The question claims on this topic answer.")
@click.option("--kind", required=True, type=click.Choice(QUANTITY_KINDS))
@click.option("--safety", required=True, type=click.Choice(SAFETY_LEVELS))
@click.option("--group", help="Topic group, such as aftercare.")
@click.option("--passages", "show", type=int, default=10, show_default=True,
              help="List this many passages of the sources that may belong to the new topic (0: none).")
@dry_run_option
@wait_options
def new_topic_command(kb_dir: Path, show: int, dry_run: bool, wait: bool, wait_timeout: float | None, **fields) -> None:
    """Add a topic to kb/topics.ttl, then list passages of the sources that may belong to it."""
    if dry_run:
        from .feedback import with_block

        block = topic_block(load(kb_dir), **fields)
        click.echo(f"Would add to {kb_dir / TOPICS_FILE}:\n\n{block}")
        if show > 0:
            _print_passages(with_block(kb_dir, block, kb_dir / TOPICS_FILE), fields["topic_id"], show)
        click.echo("Dry run: nothing was written.")
        return
    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        topic_id = new_topic(kb, **fields)
    click.echo(f"Added topic {topic_id}.")
    if show > 0:
        _print_passages(load(kb_dir), topic_id, show)


@main.command()
@kb_option
@click.option("--search", "words", help="Rank topics by how close their meaning is to these words.")
@click.option("--limit", type=int, default=5, show_default=True, help="With --search: how many topics to show.")
def topics(kb_dir: Path, words: str | None, limit: int) -> None:
    """List topics: id, value kind, safety level and label (with --search, the closest ones in detail)."""
    kb = load(kb_dir)
    if not words:
        for topic in kb.topics.values():
            click.echo(f"{topic.id:32} {topic.kind:9} {topic.safety:7} {topic.label}")
        return
    from .similarity import build_index, topic_summary

    found = build_index(kb).search(words, limit)
    if not found:
        click.echo(f"No topic is close to '{words}'. Add one with `kb new-topic`.")
    for topic_id, score in found:
        summary = topic_summary(kb, topic_id)
        click.echo(f"{topic_id} ({score:.2f}): {summary['label']}")
        for name in ("definition", "group", "contexts", "example"):
            click.echo(f"    {name + ':':12} {summary[name]}")


@main.command()
@kb_option
def sources(kb_dir: Path) -> None:
    """List sources: key, file and title."""
    for source in load(kb_dir).sources.values():
        click.echo(f"{source.id:10} {source.file_name:30} {source.title}")


@main.command()
@kb_option
def contexts(kb_dir: Path) -> None:
    """List contexts a claim can apply to."""
    for context_id, label in load(kb_dir).contexts.items():
        click.echo(f"{context_id:20} {label}")


@main.command()
@kb_option
@shapes_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs"), show_default=True,
              help="The MkDocs docs folder to write generated pages into.")
def render(kb_dir: Path, shapes: Path | None, out: Path) -> None:
    """Check the knowledge base and write the site's Markdown pages and downloads into docs/.

    Rendering stops (exit 1) when the knowledge base has structural errors; conflicts do
    not stop it, they are what the site shows.
    """
    from .build import build_docs

    built = build_docs(load(kb_dir), _shapes(kb_dir, shapes), out)
    click.echo(f"Wrote {len(built.written)} files under {out}/.")


@main.command("fix-site")
@click.argument("site", type=click.Path(path_type=Path), default=Path("site"))
def fix_site_command(site: Path) -> None:
    """Correct the theme's invalid HTML in a built site (run after mkdocs build or zensical build)."""
    from .postbuild import fix_site

    changed = fix_site(site)
    click.echo(f"Fixed the theme's markup in {len(changed)} pages under {site}/.")


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another than 127.0.0.1 shows the preview to other machines.")
def serve(port: int, host: str) -> None:
    """Preview the site: `mkdocs serve` on 127.0.0.1 (run `kb render` first). Stopping kb serve stops it."""
    from .serve import serve as serve_site

    sys.exit(serve_site(host, port))


@main.command("reanchor")
@kb_option
@click.option("--source", "sources", multiple=True, help="Only these source keys [default: every source whose file changed].")
@wait_options
def reanchor_command(kb_dir: Path, sources: tuple[str, ...], wait: bool, wait_timeout: float | None) -> None:
    """Move quotes of changed sources to their new place; mark changed, vanished or orphaned quotes for a person.

    Exits 1 when it marked any: `kb check` then lists them.
    """
    from .reanchor import reanchor

    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        moves = reanchor(kb, list(sources) or None)
    if not moves:
        click.echo("No source has changed; nothing to do.")
    for move in moves:
        where = f" now at {move.anchor.start}-{move.anchor.end}" if move.anchor else ""
        click.echo(f"{move.status:9} {move.claim.id}{where}")
    marked = [m for m in moves if m.needs_a_person]
    if marked:
        raise FindingsError(f"{len(marked)} claim(s) need a person: see `kb check`.")


@main.command("retract")
@kb_option
@click.argument("claim_id", metavar="CLAIM")
@click.option("--reason", required=True, help="Why the claim no longer holds, in a sentence; kept with the claim.")
@click.option("--replaced-by", metavar="OTHER", help="The id of the claim that supersedes it.")
@wait_options
def retract_command(kb_dir: Path, claim_id: str, reason: str, replaced_by: str | None, wait: bool,
                    wait_timeout: float | None) -> None:
    """Retract a claim (or mark it replaced): it stays, with the time and reason, and leaves every comparison."""
    from .retract import retract

    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        claim = retract(kb, claim_id, reason, replaced_by)
    replaced = f", replaced by {replaced_by}" if replaced_by else ""
    click.echo(f"Retracted {claim_id}{replaced} at {claim.location}; it is no longer compared with other claims.")


@main.command()
@kb_option
@with_endpoint
@click.option("--drop", is_flag=True, help="Delete the graph and its inferences from the store instead (after CI checked it).")
def publish(kb_dir: Path, endpoint: str | None, query_path: str, store_path: str, timeout: float, graph: str,
            drop: bool) -> None:
    """Replace a named graph of a SPARQL 1.1 store with the knowledge base (Graph Store Protocol)."""
    from .endpoint import publish as publish_files

    if not endpoint:
        raise KbError("--endpoint: give the base URL of the SPARQL store, such as http://127.0.0.1:7878.")
    store = _remote(endpoint, query_path, store_path, timeout, graph)
    if drop:
        store.drop()
        click.echo(f"Dropped the graph <{graph}> and its inferences from {endpoint}.")
        return
    count = publish_files(kb_dir, store)
    click.echo(f"Published {count} Turtle files to the graph <{graph}> of {endpoint}. Check them there with "
               f"`kb check --endpoint {endpoint} --graph {graph}`.")


@main.command("suggest")
@kb_option
@shapes_option
@click.argument("source")
@click.option("--out", type=click.Path(path_type=Path), help="Write the proposals to this draft file for `kb apply`.")
@click.option("--interactive", "-i", is_flag=True, help="Walk through the proposals and add the accepted ones.")
@by_option
@wait_options
def suggest_command(kb_dir: Path, shapes: Path | None, source: str, out: Path | None, interactive: bool,
                    by: str | None, wait: bool,
                    wait_timeout: float | None) -> None:
    """Propose the claims of a source: each passage stating a value, rule, yes/no or list, with likely topics.

    Passages a claim already quotes are skipped. Without --out or -i the proposals are printed.
    """
    from .suggest import proposals_lines, propose

    kb = load(kb_dir)
    proposals = propose(kb, source)
    if interactive:
        from .feedback import require_shapes
        from .walk import walk

        shapes_dir = _shapes(kb_dir, shapes)
        require_shapes(shapes_dir)
        editor = _editor(by, interactive=True)
        with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
            added = walk(kb, proposals, editor, shapes_dir)
        if added:
            _remember(editor)
    elif out is not None:
        from .draft import write_draft

        write_draft(kb, source, proposals, out)
        click.echo(f"Wrote {len(proposals)} proposal(s) for source {source} to {out}. "
                   f"Set accept = true on those to add, then run `kb apply {out}`.")
    else:
        click.echo("\n".join(proposals_lines(kb, source, proposals)))


@main.command("apply")
@kb_option
@shapes_option
@click.argument("draft", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every accepted entry and say what would be added; write nothing.")
@by_option
@wait_options
def apply_command(kb_dir: Path, shapes: Path | None, draft: Path, dry_run: bool, by: str | None, wait: bool,
                  wait_timeout: float | None) -> None:
    """Add the accepted entries of a draft written by `kb suggest --out`, and say what each agrees or conflicts with.

    Every accepted entry is checked first; when one is refused, nothing is added (exit 2).
    """
    from .draft import apply_with_feedback

    editor = _editor(by)
    applied = apply_with_feedback(kb_dir, _shapes(kb_dir, shapes), draft, editor, dry_run, wait_seconds(wait, wait_timeout))
    for outcome in applied.outcomes:
        click.echo(outcome.message)
        for warning in outcome.warnings:
            click.echo(f"    {warning}", err=True)
        for line in applied.feedback.get(outcome.claim_id or "", []):
            click.echo(f"    {line}")
    click.echo(applied.summary())
    if applied.outcomes and not dry_run:
        _remember(editor)


@main.command("add-editor")
@kb_option
@click.argument("editor_id")
@click.option("--name", required=True, help="The editor's name as it should be shown.")
@wait_options
def add_editor_command(kb_dir: Path, editor_id: str, name: str, wait: bool, wait_timeout: float | None) -> None:
    """Describe an editor in kb/editors.ttl, so that claims and sources can be attributed to them."""
    from .identity import add_editor

    check_text("ID", editor_id)
    check_text("--name", name)
    with writing(kb_dir, wait_seconds(wait, wait_timeout)) as kb:
        add_editor(kb, editor_id, name)
    click.echo(f"Described editor {editor_id} in {kb_dir / 'editors.ttl'}. Pass --by {editor_id} once; it is remembered.")


def _print_passages(kb: KnowledgeBase, topic_id: str, limit: int) -> None:
    from .suggest import passages_for_topic

    found = passages_for_topic(kb, topic_id, limit)
    if not found:
        click.echo("No passage of the sources seems to be about it yet.")
        return
    click.echo(f"Passages that may belong to it (add them with `kb add-claim --topic {topic_id} --source KEY --quote ...`):")
    for key, passage, score in found:
        path = kb.sources_dir / kb.sources[key].file_name
        click.echo(f"{path}:{passage.line}: source {key} ({score:.2f}): {passage.text}")


if __name__ == "__main__":
    main()
