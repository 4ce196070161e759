"""Draft files of proposed claims: written by `kb suggest --out`, edited by a person, read by `kb apply`.

A draft is TOML: one `[[claim]]` table per proposal, with the quote, topic, context and
value an editor may change, `accept = false` to turn to `true`, and the other likely
topics as comments. `start` and `end` are the offsets the proposal was made at; they
only pick the right occurrence when the quote appears more than once.

`apply_draft` checks every accepted entry first (the same checks as `kb add-claim`);
when one is wrong nothing is written, otherwise each goes through `edit.add_claim`.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .edit import NewClaim, add_claim, duplicate_warnings, prepare_claim
from .errors import KbError
from .feedback import claim_feedback, require_shapes
from .identity import require_editor
from .load import KnowledgeBase, load
from .lock import writing
from .quotes import QuoteError, find_quote
from .suggest import Proposal
from .turtle import write_atomic

HEADER = """\
# Proposed claims of source {source} ({file}), made by `kb suggest`.
# For each entry you want: check the quote, topic, context and value (edit them if needed)
# and set accept = true. Then run `kb apply --dry-run {draft}` to check, and `kb apply {draft}`.
# Entries left at accept = false are ignored. `kb topics` and `kb contexts` list the names to use.
"""


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and DEL must be escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def write_draft(kb: KnowledgeBase, source: str, proposals: list[Proposal], draft: Path) -> None:
    """Write `proposals` to a new draft file for a person to edit; an existing file is never replaced."""
    if draft.exists():
        raise KbError(f"{draft}: the file exists; give another --out or remove it first.")
    write_atomic(draft, draft_text(kb, source, proposals, draft))


def draft_text(kb: KnowledgeBase, source: str, proposals: list[Proposal], draft: Path) -> str:
    """The text of a draft file for `proposals`: TOML, each entry with `accept = false` and its other options."""
    source_file = kb.sources[source].file_name
    parts = [HEADER.format(source=source, file=source_file, draft=draft), f"source = {toml_string(source)}\n"]
    for proposal in proposals:
        best = proposal.best
        lines = ["", "[[claim]]", f"# line {proposal.line}"]
        for number, option in enumerate(proposal.options[1:], start=2):
            value = f", value {toml_string(option.value)}" if option.value else ""
            lines.append(f"# or {number}: topic {toml_string(option.topic)}, context {toml_string(option.context)}"
                         f"{value} (score {option.score:.2f})")
        lines += [
            "accept = false",
            f"quote = {toml_string(proposal.quote)}",
            f"topic = {toml_string(best.topic if best else '')}"
            + (f"  # score {best.score:.2f}" if best else "  # no topic is close: find one with `kb topics --search`"),
            f"context = {toml_string(best.context if best else 'general')}",
            f"value = {toml_string(best.value if best else '')}" + ("" if best and best.value else "  # give the value as stated"),
            f"start = {proposal.start}",
            f"end = {proposal.end}",
        ]
        parts.append("\n".join(lines) + "\n")
    return "".join(parts)


@dataclass(frozen=True)
class Entry:
    """An accepted entry of a draft: where it is in the draft, and the claim it asks for."""

    line: int
    claim: NewClaim | None
    problem: str | None = None  # why the entry cannot be read as a claim


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    claim_id: str | None  # None when refused
    message: str
    warnings: tuple[str, ...] = ()  # likely duplicates of claims already there


def read_draft(kb: KnowledgeBase, path: Path) -> tuple[list[Entry], int]:
    """The accepted entries of a draft and how many entries it has in all; KbError when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise KbError(f"{path}: file not found.") from None
    except UnicodeDecodeError:
        raise KbError(f"{path}: not UTF-8 text; save the file as UTF-8.") from None
    except tomllib.TOMLDecodeError as error:
        raise KbError(f"{path}: not a valid draft: {error}.") from None
    starts = [number for number, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[claim]]"]
    entries = data.get("claim", [])
    if not isinstance(entries, list) or len(starts) != len(entries):
        raise KbError(f"{path}: not a valid draft: write each entry as a [[claim]] table.")
    source = data.get("source")
    accepted = []
    for line, entry in zip(starts, entries, strict=False):
        if entry.get("accept") is not True:
            if entry.get("accept") not in (False, None):
                accepted.append(Entry(line, None, f"{path}:{line}: accept must be true or false."))
            continue
        fields = {name: entry.get(name) for name in ("quote", "topic", "context", "value")}
        wrong = [name for name, value in fields.items() if not isinstance(value, str) or not value.strip()]
        entry_source = entry.get("source", source)
        if wrong:
            accepted.append(Entry(line, None, f"{path}:{line}: give {', '.join(wrong)} (or set accept = false)."))
            continue
        if not isinstance(entry_source, str):
            accepted.append(Entry(line, None, f'{path}:{line}: no source; the draft\'s first lines say source = "KEY".'))
            continue
        occurrence = _occurrence(kb, entry_source, fields["quote"], entry.get("start"))
        accepted.append(Entry(line, NewClaim(source=entry_source, topic=fields["topic"], quote=fields["quote"],
                                             value=fields["value"], context=fields["context"],
                                             occurrence=occurrence, note=entry.get("note"))))
    return accepted, len(entries)


def _occurrence(kb: KnowledgeBase, source: str, quote: str, start) -> int | None:
    """Which occurrence of `quote` is the one at (or nearest) offset `start`, when it occurs more than once."""
    if source not in kb.sources or not isinstance(start, int):
        return None
    text = kb.source_text(source)
    spans, number = [], 1
    while True:
        try:
            anchor = find_quote(text, quote, number)
        except QuoteError:
            break
        spans.append(anchor.start)
        number += 1
    if len(spans) < 2:
        return None
    return min(range(len(spans)), key=lambda i: abs(spans[i] - start)) + 1


def check_draft(kb: KnowledgeBase, path: Path) -> tuple[list[Outcome], int]:
    """Check every accepted entry as `kb add-claim` would, writing nothing; also the number of entries."""
    entries, total = read_draft(kb, path)
    outcomes: list[Outcome] = []
    planned: dict[tuple, int] = {}
    taken: set[str] = set()  # ids given to the draft's earlier entries
    for entry in entries:
        if entry.claim is None:
            outcomes.append(Outcome(entry, None, entry.problem or ""))
            continue
        new = entry.claim
        try:
            claim_id, anchor, value = prepare_claim(kb, new, taken)
        except KbError as error:
            outcomes.append(Outcome(entry, None, f"{path}:{entry.line}: {error}"))
            continue
        key = (new.source, new.topic, new.context, anchor.start, anchor.end)
        if key in planned:
            outcomes.append(Outcome(entry, None, f"{path}:{entry.line}: the entry at line {planned[key]} already "
                                                 "records this quote for this topic and context."))
            continue
        planned[key] = entry.line
        taken.add(claim_id)
        outcomes.append(Outcome(entry, claim_id, f"{path}:{entry.line}: would add claim {claim_id}",
                                tuple(duplicate_warnings(kb, claim_id, new, anchor, value))))
    return outcomes, total


def apply_draft(kb: KnowledgeBase, path: Path, dry_run: bool = False, by: str = "") -> tuple[list[Outcome], int]:
    """Add every accepted entry of a draft, or none when any is refused (or with `dry_run`)."""
    require_editor(kb, by)
    outcomes, total = check_draft(kb, path)
    if dry_run or any(o.claim_id is None for o in outcomes):
        return outcomes, total
    added = []
    for outcome in outcomes:
        assert outcome.entry.claim is not None  # entries that are not claims were refused above
        claim_id = add_claim(kb, outcome.entry.claim, by=by)
        added.append(Outcome(outcome.entry, claim_id, f"{path}:{outcome.entry.line}: added claim {claim_id}",
                             outcome.warnings))
        kb = load(kb.root)  # the next entry's id and duplicate check see this claim
    return added, total


@dataclass(frozen=True)
class Applied:
    """What `kb apply` did with a draft: an outcome per accepted entry, and what each added claim relates to."""

    outcomes: list[Outcome]
    total: int  # entries in the draft, accepted or not
    feedback: dict[str, list[str]]
    dry_run: bool

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.claim_id is None]

    def summary(self) -> str:
        """The closing sentence; a KbError when any entry was refused, since then nothing was added."""
        skipped = self.total - len(self.outcomes)
        if self.refused:
            raise KbError(f"{len(self.refused)} of {len(self.outcomes)} accepted entries refused; nothing was added. "
                          "Fix them and run again.")
        if self.dry_run:
            return f"Dry run: {len(self.outcomes)} claim(s) would be added, {skipped} entries not accepted; nothing was written."
        return f"Added {len(self.outcomes)} claim(s), {skipped} entries not accepted. Run `kb check` to see conflicts."


def apply_with_feedback(root: Path, shapes_dir: Path, path: Path, by: str, dry_run: bool = False,
                        wait: float | None = 0.0) -> Applied:
    """`apply_draft` on the knowledge base at `root` under the write lock, with each added claim's relations."""
    require_shapes(shapes_dir)
    if dry_run:
        outcomes, total = apply_draft(load(root), path, dry_run=True, by=by)
    else:
        with writing(root, wait) as kb:
            outcomes, total = apply_draft(kb, path, by=by)
    added = [o.claim_id for o in outcomes if o.claim_id and not dry_run]
    feedback = claim_feedback(load(root), shapes_dir, added) if added else {}
    return Applied(outcomes, total, feedback, dry_run)
