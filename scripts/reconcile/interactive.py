"""`kb add-claim --interactive`: ask for each field, showing the quote in its context before accepting it."""
from __future__ import annotations

import click

from .errors import KbError
from .identity import require_editor
from .load import KnowledgeBase
from .quotes import QuoteError, find_quote, line_of
from .values import ValueParseError, describe, parse_value


def _choose(prompt: str, choices: list[str], default: str | None = None) -> str:
    return click.prompt(prompt, type=click.Choice(choices), default=default, show_choices=len(choices) <= 12)


def ask_claim(kb: KnowledgeBase, fields: dict, by: str) -> dict:
    """Fill in missing fields by asking; each answer is checked before the next question.

    The editor `by` is checked first, so nobody answers every question to be refused at the end.
    """
    require_editor(kb, by)
    fields = dict(fields)
    if not fields.get("source"):
        for source in kb.sources.values():
            click.echo(f"  {source.id:10} {source.title}")
        fields["source"] = _choose("Source", list(kb.sources))
    if not fields.get("topic"):
        click.echo("Topics: run `kb topics` for the list.")
        fields["topic"] = _choose("Topic", list(kb.topics))
    topic = kb.topics[fields["topic"]]
    click.echo(f"{topic.label}: {topic.definition} (value kind: {topic.kind})")
    fields["context"] = _choose("Context", list(kb.contexts), default=fields.get("context") or "general")
    text = kb.source_text(fields["source"])
    while True:
        quote = fields.get("quote") or click.prompt("Exact quote")
        try:
            anchor = find_quote(text, quote, fields.get("occurrence"))
        except QuoteError as error:
            click.echo(str(error), err=True)
            if error.lines:
                fields["quote"] = quote
                fields["occurrence"] = click.prompt(f"Which occurrence (1-{len(error.lines)})",
                                                    type=click.IntRange(1, len(error.lines)))
            else:
                fields["quote"] = None
            continue
        click.echo(f"Line {line_of(text, anchor.start)}: …{anchor.prefix}[{anchor.exact}]{anchor.suffix}…")
        if click.confirm("Is this the passage you mean?", default=True):
            fields["quote"] = anchor.exact
            break
        fields["quote"] = None
    while True:
        stated = fields.get("value") or click.prompt("Value as stated")
        try:
            value = parse_value(stated, topic.kind)
        except ValueParseError as error:
            click.echo(str(error), err=True)
            fields["value"] = None
            continue
        understood = describe(value.min, value.max, value.unit, value.min_exclusive)
        if understood:
            click.echo(f"Understood as {understood}.")
        fields["value"] = stated
        break
    if not click.confirm("Add this claim?", default=True):
        raise KbError("Nothing was added.")
    return fields
