"""The vocabulary's fixed terms that code branches on, each stated once.

kb/vocab.ttl declares them for the data; tests/test_vocab.py checks that these names are the
ones it declares, so a term renamed in one place and not the other fails the suite.
"""
from __future__ import annotations

from rdflib.namespace import SH

# kb:QuantityKind instances; the numeric ones are compared as intervals in their kb:unit.
QUANTITY_KINDS = ("Duration", "Number", "Length", "Volume", "YesNo", "Category", "Set", "Text")
CANONICAL_UNIT = {"Duration": "DAY", "Length": "MilliM", "Volume": "MilliL", "Number": "NUM"}
NUMERIC_KINDS = frozenset(CANONICAL_UNIT)

# kb:SafetyLevel instances, most serious first. A topic's safety level is the severity of its conflicts.
SAFETY_LEVELS = ("High", "Medium", "Low")
SEVERITIES = tuple(level.lower() for level in SAFETY_LEVELS)
SEVERITY_RANK = {**{severity: rank for rank, severity in enumerate(SEVERITIES)}, "none": len(SEVERITIES)}
# What a shape's sh:severity means for a conflict, and for a structural finding.
CONFLICT_SEVERITY = dict(zip((SH.Violation, SH.Warning, SH.Info), SEVERITIES, strict=True))
FINDING_SEVERITY = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "info"}

# What the conflict shapes find between two positions, most serious first. Only the first two fail
# the gate: compatible positions (one value inside the other) and agreements carry no severity.
OUTCOMES = ("contradiction", "partial-overlap", "compatible", "agreement")
DISAGREEMENTS = frozenset(OUTCOMES[:2])
# What a reviewer reads for the relation a claim or cell is in, and the symbol that says it without colour.
RELATION_LABELS = {"contradiction": "contradiction", "partial-overlap": "partial overlap", "compatible": "compatible",
                   "agreement": "agreement", "none": "not compared", "single": "one source only", "empty": "not addressed"}
RELATION_MARKS = {"contradiction": "✗", "partial-overlap": "≈", "compatible": "⊂", "agreement": "✓", "none": "·", "empty": "–"}

# kb:Decision instances a reviewer records, by the name `kb review` takes.
DECISIONS = {"acknowledged": "Acknowledged", "resolved": "Resolved", "not-a-conflict": "NotAConflict"}
# A conflict's review state: not reviewed (new, in the baseline), reviewed, or reviewed before its claims changed.
STATUSES = ("new", "new-claims", "stale", "baseline", *DECISIONS)
STATUS_LABELS = {"new": "new", "new-claims": "new claims", "stale": "stale review", "baseline": "baseline, not yet reviewed",
                 "acknowledged": "acknowledged", "resolved": "resolved", "not-a-conflict": "not a conflict"}
