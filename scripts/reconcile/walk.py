"""`kb suggest SOURCE -i`: walk through the proposals one by one, adding the accepted ones at once.

For each proposal it shows the passage in its context and the three likeliest topics, then
asks: accept, use topic 2 or 3, edit the value, edit the quote, change the context, skip or
quit. Accepted claims go through `edit.add_claim`, so they are checked like any other.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import click

from .edit import NewClaim, add_claim
from .errors import KbError
from .feedback import claim_feedback
from .identity import require_editor
from .load import KnowledgeBase, load
from .quotes import QuoteError, find_quote, line_of
from .suggest import Option, Proposal
from .values import ValueParseError, describe, parse_value

ACTIONS = {"a": "accept", "1": "topic 1", "2": "topic 2", "3": "topic 3", "t": "another topic", "v": "edit value",
           "e": "edit quote", "c": "context", "s": "skip", "q": "quit"}
NO_TOPIC = Option("", "general", "", 0.0)


@dataclass
class Choice:
    """What the editor has settled on so far for one proposal."""

    option: Option
    quote: str
    start: int


def walk(kb: KnowledgeBase, proposals: list[Proposal], by: str, shapes_dir: Path | None = None) -> list[str]:
    """Ask about each proposal; returns the ids of the claims added.

    With `shapes_dir`, each added claim is followed by what it joins, contradicts or refines.
    """
    require_editor(kb, by)
    added: list[str] = []
    for number, proposal in enumerate(proposals, start=1):
        text = kb.source_text(proposal.source)
        path = kb.sources_dir / kb.sources[proposal.source].file_name
        choice = Choice(proposal.best or NO_TOPIC, proposal.quote, proposal.start)
        click.echo(f"\n[{number}/{len(proposals)}] {path}:{line_of(text, choice.start)}")
        _show(kb, text, proposal, choice)
        while True:
            action = click.prompt("a accept, 1-3 topic, t another topic, v value, e quote, c context, s skip, q quit",
                                  type=click.Choice(list(ACTIONS)), default="a", show_choices=False)
            if action == "q":
                click.echo(f"Stopped. Added {len(added)} claim(s).")
                return added
            if action == "s":
                break
            if action in "123":
                index = int(action) - 1
                if index >= len(proposal.options):
                    click.echo(f"There is no topic {action}.", err=True)
                    continue
                choice.option = proposal.options[index]
            elif action == "t":
                topic = click.prompt("Topic (see `kb topics --search`)", type=click.Choice(list(kb.topics)),
                                     show_choices=False)
                choice.option = Option(topic, choice.option.context, "", 0.0)
            elif action == "v":
                choice.option = replace(choice.option, value=_ask_value(kb, choice.option))
            elif action == "e":
                _ask_quote(text, choice)
            elif action == "c":
                context = click.prompt("Context", type=click.Choice(list(kb.contexts)), default=choice.option.context)
                choice.option = replace(choice.option, context=context)
            elif action == "a":
                if not choice.option.topic:
                    click.echo("Choose a topic first (t).", err=True)
                    continue
                if not choice.option.value:
                    choice.option = replace(choice.option, value=_ask_value(kb, choice.option))
                claim_id = _add(kb, proposal.source, choice, by)
                if claim_id:
                    added.append(claim_id)
                    kb = load(kb.root)
                    if shapes_dir is not None:
                        for line in claim_feedback(kb, shapes_dir, [claim_id])[claim_id]:
                            click.echo(f"    {line}")
                    break
                continue
            _show(kb, text, proposal, choice)
    click.echo(f"Done. Added {len(added)} claim(s).")
    return added


def _show(kb: KnowledgeBase, text: str, proposal: Proposal, choice: Choice) -> None:
    end = choice.start + len(choice.quote)
    line_start, line_end = text.rfind("\n", 0, choice.start) + 1, text.find("\n", end)
    before, after = text[line_start:choice.start][-60:], text[end:line_end if line_end >= 0 else len(text)][:60]
    click.echo(f"  {before}[{choice.quote}]{after}")
    for number, option in enumerate(proposal.options, start=1):
        mark = "*" if option.topic == choice.option.topic else " "
        click.echo(f" {mark}{number}. {option.topic} ({option.context}), value {option.value or '?'!r}, "
                   f"score {option.score:.2f}: {kb.topics[option.topic].label}")
    chosen = choice.option
    click.echo(f"  Will add: topic {chosen.topic}, context {chosen.context}, value {chosen.value or '(none yet)'!r}")


def _ask_value(kb: KnowledgeBase, option: Option) -> str:
    topic = kb.topics[option.topic]
    while True:
        stated = click.prompt(f"Value as stated ({topic.kind})", default=option.value or None)
        try:
            value = parse_value(stated, topic.kind)
        except ValueParseError as error:
            click.echo(str(error), err=True)
            continue
        understood = describe(value.min, value.max, value.unit)
        if understood:
            click.echo(f"Understood as {understood}.")
        return stated


def _ask_quote(text: str, choice: Choice) -> None:
    quote = click.prompt("Exact quote", default=choice.quote)
    try:
        anchor = find_quote(text, quote)
    except QuoteError as error:
        click.echo(str(error), err=True)
        if not error.lines:
            return
        number = click.prompt(f"Which occurrence (1-{len(error.lines)})", type=click.IntRange(1, len(error.lines)))
        anchor = find_quote(text, quote, number)
    choice.quote, choice.start = anchor.exact, anchor.start


def _add(kb: KnowledgeBase, source: str, choice: Choice, by: str) -> str | None:
    new = NewClaim(source=source, topic=choice.option.topic, quote=choice.quote, value=choice.option.value,
                   context=choice.option.context, occurrence=_occurrence(kb.source_text(source), choice))
    try:
        claim_id = add_claim(kb, new, by=by)
    except KbError as error:
        click.echo(str(error), err=True)
        return None
    click.echo(f"Added claim {claim_id}.")
    return claim_id


def _occurrence(text: str, choice: Choice) -> int | None:
    """The occurrence number of the chosen quote at its offset, when it occurs more than once."""
    try:
        find_quote(text, choice.quote)
        return None
    except QuoteError:
        pass
    number = 1
    while True:
        try:
            anchor = find_quote(text, choice.quote, number)
        except QuoteError:
            return None
        if anchor.start == choice.start:
            return number
        number += 1
