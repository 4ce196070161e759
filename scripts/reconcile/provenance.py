"""Who added something and when, as every block written records it.

Editors, reviewers among them, are named by one slug rule, so a name typed in any script
(José, 李明) gives the same id wherever it is used.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone


def now() -> str:
    """The current UTC time as xsd:dateTime, to the second: 2026-12-03T01:10:00Z."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def slug(name: str) -> str:
    """An id from what a person typed: 'Jane Doe' -> 'jane-doe'. Letters of any script stay
    (José is josé, 李明 stays 李明); other characters become dashes. '' when nothing is left."""
    kept = "".join(c if c.isascii() and c.isalnum() or ord(c) >= 0xC0 and c.isalnum() else "-"
                   for c in unicodedata.normalize("NFC", name.lower()))
    return re.sub(r"-+", "-", kept).strip("-")

