"""Findings: problems the checks report, as data. Formatting lives in report.py."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Location


@dataclass(frozen=True)
class Finding:
    """One problem: a stable code, a severity (error, warning, info), where, and what to do."""

    code: str
    severity: str
    message: str
    focus: str = ""
    location: Location | None = None

    def line(self) -> str:
        where = f"{self.location}: " if self.location else ""
        about = f"{self.focus}: " if self.focus else ""
        return f"{where}{self.severity} [{self.code}] {about}{self.message}"

    def sort_key(self) -> tuple:
        location = self.location
        return (str(location.path) if location else "", location.line if location else 0, self.code, self.focus, self.message)
