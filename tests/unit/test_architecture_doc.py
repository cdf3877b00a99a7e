"""ARCHITECTURE.md's tree is the folder tree: every core package and module is named in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "csc_inequalities"


def tree_blocks() -> dict[str, str]:
    """The text of each `  package/` block of the tree (up to the next package or top line)."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    tree = text.split("```", 2)[1]
    blocks: dict[str, str] = {"": ""}
    current = ""
    for line in tree.splitlines():
        match = re.match(r"^  ([a-z_]+)/\s", line + " ")
        if match:
            current = match.group(1)
            blocks[current] = ""
        elif line and not line.startswith(" "):
            current = ""
        blocks[current] = blocks.get(current, "") + line + "\n"
    return blocks


def test_every_core_package_and_module_is_in_the_tree():
    blocks = tree_blocks()
    missing = []
    for path in sorted(CORE.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        parts = path.relative_to(CORE).parts
        package = parts[0] if len(parts) > 1 else ""
        if package and package not in blocks:
            missing.append(f"{package}/")
        elif path.name not in blocks.get(package, "") and not (
            package == "" and f"  {path.name}" in "".join(blocks.values())
        ):
            missing.append("/".join(parts))
    assert missing == []


def test_the_tree_names_no_module_that_does_not_exist():
    blocks = tree_blocks()
    named = {
        (package, name)
        for package, text in blocks.items()
        if package
        for name in re.findall(r"\b([a-z_0-9]+\.py)\b", text)
    }
    gone = [f"{p}/{n}" for p, n in sorted(named) if not (CORE / p / n).exists()]
    assert gone == []
