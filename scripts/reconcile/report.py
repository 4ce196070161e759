"""What `kb check` and `kb conflicts` print: text, Markdown, SARIF, JSON findings and CI annotations.

The downloadable tables of claims and conflicts are in export.py."""
from __future__ import annotations

import json
import re
import secrets

from .conflicts import Conflict
from .export import conflict_dict
from .gate import CheckResult
from .model import Claim
from .values import position
from .vocab import DISAGREEMENTS, STATUS_LABELS

CHECK_FORMATS = ("text", "json", "sarif", "github")


def conflicts_text(conflicts: list[Conflict]) -> str:
    lines = []
    for conflict in conflicts:
        status = f" ({STATUS_LABELS[conflict.status]})" if conflict.is_disagreement else ""
        lines.append(f"{conflict.id}  {conflict.severity} {conflict.outcome} [{conflict.kind}]{status}")
        lines.append(f"  {conflict.explanation}")
        lines += [f"  Source {key} has claims on both sides." for key in conflict.sources_on_both_sides]
        for letter, side in zip("AB", conflict.sides, strict=False):
            lines.append(f"  {letter}: {position(side[0])}")
            for claim in side:
                where = f" ({claim.location})" if claim.location else ""
                implied = f"implied by {claim.source} (claim {claim.implied_by}): " if claim.implied_by else ""
                lines.append(f"  - {implied}{claim.source_file}{where}: \u201c{claim.quote}\u201d")
        if conflict.review_note:
            lines.append(f"  review by {conflict.reviewed_by}: {conflict.review_note}")
    return "\n".join(lines) + ("\n" if lines else "")


def conflicts_markdown(conflicts: list[Conflict]) -> str:
    """A Markdown table, as written to a CI step summary."""
    if not conflicts:
        return "No conflicts.\n"
    lines = ["| Severity | Topic | Outcome | Status | Sources | Explanation |", "|---|---|---|---|---|---|"]
    for c in conflicts:
        sources = " vs ".join(", ".join(claim.source_file for claim in side) for side in c.sides)
        lines.append(f"| {c.severity} | {c.topic} | {c.outcome} | {STATUS_LABELS[c.status]} | {sources} | {_cell(c.explanation)} |")
    return "\n".join(lines) + "\n"


# Line breaks a CI log could split a line at; data (stated values, quotes) may hold any of them.
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with every line break shown as ⏎: one finding stays one line, and data cannot start a line of its own."""
    return _BREAKS.sub("⏎", text)


def check_text(result: CheckResult, fail_on: str) -> str:
    """What `kb check` prints: one line per finding and failing conflict, then a summary."""
    lines = [one_line(finding.line()) for finding in result.findings]
    for conflict in result.failing:
        lines += [one_line(line) for line in conflict_lines(conflict)]
    outcomes = result.outcomes()
    errors = sum(1 for f in result.findings if f.severity == "error")
    summary = (f"{errors} structural error(s), {sum(outcomes[o] for o in DISAGREEMENTS)} conflict(s) "
               f"({outcomes['contradiction']} contradictions, {outcomes['partial-overlap']} partial overlaps), "
               f"{len(result.failing)} failing with --fail-on {fail_on}, "
               f"{outcomes['compatible']} compatible pair(s), {outcomes['agreement']} agreement(s).")
    if result.failing:
        summary += " Review each failing conflict with `kb review CONFLICT_ID --decision ... --note ...` or correct the claim."
    return "\n".join(lines + [summary]) + "\n"


def check_summary(result: CheckResult, fail_on: str) -> str:
    """The last line of `kb check`'s text: how many errors and conflicts, and how many fail."""
    return check_text(result, fail_on).splitlines()[-1]


def conflict_lines(conflict: Conflict) -> list[str]:
    """A failing conflict as `kb check` prints it: a line per claim involved."""
    return [_conflict_line(conflict, claim) for claim in conflict.claims]


def _conflict_line(conflict: Conflict, claim: Claim) -> str:
    where = f"{claim.location}: " if claim.location else ""
    return f"{where}error [{conflict.kind}] {claim.id}: {conflict.explanation} (conflict {conflict.id}, {STATUS_LABELS[conflict.status]})"


def github_annotations(result: CheckResult) -> str:
    """GitHub Actions workflow commands placing each problem at its file and line."""
    lines = []
    for finding in result.findings:
        lines.append(_annotation("error" if finding.severity == "error" else "warning", finding.location,
                                 f"[{finding.code}] {finding.focus}: {finding.message}"))
    for conflict in result.failing:
        for claim in conflict.claims:
            lines.append(_annotation("error", claim.location, f"[{conflict.kind}] {claim.id}: {conflict.explanation}"))
    return "\n".join(lines) + ("\n" if lines else "")


def without_workflow_commands(text: str) -> str:
    """`text` between GitHub's stop-commands markers, with a token no data can know: no line of it is run as a
    workflow command (::add-mask::, ::warning:: ...), whatever the data holds."""
    token = secrets.token_hex(16)
    return f"::stop-commands::{token}\n{text}::{token}::\n"


def _annotation(level: str, location, message: str) -> str:
    message = one_line(message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    if location is None:
        return f"::{level}::{message}"
    return f"::{level} file={location.path},line={location.line}::{message}"


def check_output(result: CheckResult, fmt: str, fail_on: str) -> str:
    """What `kb check --format FMT` prints; github is the text form with each problem also annotated."""
    if fmt == "json":
        return findings_json(result)
    if fmt == "sarif":
        return sarif(result)
    text = check_text(result, fail_on)
    if fmt == "github":
        return github_annotations(result) + without_workflow_commands(text)
    return text


def step_summary(result: CheckResult, fail_on: str) -> str:
    failing = result.failing
    head = "## Knowledge base check\n\n"
    if not failing and not result.findings:
        return head + "No structural problems and no unreviewed conflicts.\n"
    text = head
    if result.findings:
        text += "### Structural findings\n\n" + "\n".join(f"- `{f.line()}`" for f in result.findings) + "\n\n"
    if failing:
        text += f"### Conflicts failing `--fail-on {fail_on}`\n\n" + conflicts_markdown(failing)
    return text


def sarif(result: CheckResult) -> str:
    """SARIF 2.1.0 for code-scanning tools."""
    results = []
    for finding in result.findings:
        results.append(_sarif_result(finding.code, "error" if finding.severity == "error" else "warning",
                                     f"{finding.focus}: {finding.message}", [finding.location]))
    for conflict in result.failing:
        results.append(_sarif_result(conflict.kind, "error", conflict.explanation,
                                     [claim.location for claim in conflict.claims]))
    rules = sorted({r["ruleId"] for r in results})
    document = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "reconcile-kb", "informationUri": "https://reconcile-kb.org/",
                                "rules": [{"id": rule} for rule in rules]}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def _sarif_result(rule: str, level: str, message: str, locations: list) -> dict:
    return {
        "ruleId": rule, "level": level, "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": str(loc.path)},
                                            "region": {"startLine": loc.line}}}
                      for loc in locations if loc is not None],
    }


def findings_json(result: CheckResult) -> str:
    return json.dumps({
        "findings": [{"code": f.code, "severity": f.severity, "focus": f.focus, "message": f.message,
                      "file": str(f.location.path) if f.location else None,
                      "line": f.location.line if f.location else None} for f in result.findings],
        "failing": [conflict_dict(c) for c in result.failing],
        "exit_code": result.exit_code,
    }, ensure_ascii=False, indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
