"""axe-core's WCAG 2.2 A/AA rules and how their findings are reported, for every browser test."""

from __future__ import annotations

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}


def readable(violations: list[dict]) -> str:
    """One line per rule and affected element, with axe's advice on fixing it."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_no_violations(found: dict[str, list[dict]]) -> None:
    """Fail with every violation listed by tab."""
    report = "\n".join(f"[{tab}]\n{readable(violations)}" for tab, violations in found.items())
    assert not found, f"axe found WCAG 2.2 A/AA violations:\n{report}"
