"""Exceptions for input the user must fix. The CLI turns them into exit code 2."""
from __future__ import annotations


class KbError(Exception):
    """Bad or unreadable input: the message names the file (and line) and says what to do."""
