"""Checks of what an editor types, shared by every command that writes: text, dates, addresses, names.

Each check raises a KbError naming the option, so a command refuses bad input before it touches a file.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from rapidfuzz import process

from .errors import KbError


def suggest(name: str, choices: list[str], what: str) -> str:
    """'Unknown topic x; did you mean a, b or c?' with the closest names."""
    close = [match for match, score, _ in process.extract(name, choices, limit=3) if score >= 50]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return f"Unknown {what} '{name}'.{hint} List them with `kb {what}s`."


def check_text(option: str, value: str | None) -> None:
    """Refuse an option whose value is not valid UTF-8 (the shell hands such bytes over as lone surrogates)."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise KbError(f"{option}: the value is not valid UTF-8 text (character {error.start + 1}); "
                      "give it as UTF-8. Nothing was changed.") from None


def check_date(option: str, value: str | None) -> None:
    """Refuse anything but a real calendar date written YYYY-MM-DD in ASCII digits."""
    if value is None:
        return
    check_text(option, value)
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise KbError(f"{option}: '{value}' is not a date like 2026-11-24; nothing was changed.") from None


def check_url(option: str, value: str | None) -> None:
    """Only http:// and https:// addresses are recorded: the site links to them."""
    if value is None:
        return
    check_text(option, value)
    parts = urlsplit(value) if not re.search(r"[\x00-\x20\x7f-\x9f]", value) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise KbError(f"{option}: '{value}' is not an http:// or https:// address; give the web address the text "
                      "was retrieved from. Nothing was changed.")


