"""How numbers are written, in the three forms the knowledge base needs.

Canonical for keys and fingerprints (SPARQL stores return 3 for 3.0), with a point for Turtle's
xsd:decimal, and short for people.
"""
from __future__ import annotations

from decimal import Decimal


def canonical_decimal(number: Decimal | None) -> str | None:
    """The shortest plain form of a decimal: 21.0 -> "21", 3.50 -> "3.5"."""
    return None if number is None else format(number.normalize(), "f")


def format_decimal(value: Decimal) -> str:
    """Write a decimal the way Turtle needs it (always with a point): 3 -> '3.0'."""
    text = format(value, "f")
    return text if "." in text else text + ".0"


def format_number(value: Decimal) -> str:
    """A number for people: at most two decimals, thousands grouped: 0.5, 3, 400,000,000,000."""
    if abs(value) >= 10000:
        return f"{int(value):,}"
    return format(value.quantize(Decimal("0.01")).normalize(), "f")
