"""Exceptions the library raises for what a person must deal with; each carries the `kb` exit code it means.

The CLI translates them in one place (`cli.KbGroup`) into a one-line message and that exit code.
"""
from __future__ import annotations

EXIT_FINDINGS = 1  # the input was read, and something in it needs a person
EXIT_USAGE = 2  # bad or unreadable input, or bad usage


class KbError(Exception):
    """Bad or unreadable input: the message names the file (and line) and says what to do. Exit code 2."""

    exit_code = EXIT_USAGE


class FindingsError(KbError):
    """The work stopped, or left something behind, on findings a person must look at. Exit code 1."""

    exit_code = EXIT_FINDINGS
