"""Each benchmark's own section of bench/RESULTS.md, between its markers, replaced on each run."""

from __future__ import annotations

from pathlib import Path


def write_section(section: str, path: Path, start: str, end: str) -> None:
    """Put the section (which begins with ``start`` and ends with ``end``) into the results file."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
