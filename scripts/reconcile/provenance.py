"""Who added something and when, as every block written records it.

Editors and reviewers are named by one slug rule, so a name typed in any script
(José, 李明) gives the same id wherever it is used.
"""
from __future__ import annotations

import getpass
import os
import re
import unicodedata
from datetime import datetime, timezone

from .errors import KbError


def now() -> str:
    """The current UTC time as xsd:dateTime, to the second: 2026-12-03T01:10:00Z."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def slug(name: str) -> str:
    """An id from what a person typed: 'Jane Doe' -> 'jane-doe'. Letters of any script stay
    (José is josé, 李明 stays 李明); other characters become dashes. '' when nothing is left."""
    kept = "".join(c if c.isascii() and c.isalnum() or ord(c) >= 0xC0 and c.isalnum() else "-"
                   for c in unicodedata.normalize("NFC", name.lower()))
    return re.sub(r"-+", "-", kept).strip("-")


def editor_id(name: str | None = None) -> str:
    """The id of the person recording something: the slug of `name`, else of the login name."""
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name: no USER or LOGNAME, and no passwd entry for this uid
            raise KbError(f"--by: there is no login name for user id {os.getuid()}; give your name with --by. "
                          "Nothing was changed.") from None
    return slug(name) or "editor"
