"""Seeded synthetic records in the real formats (SSDA903, CIN census XML, extracts)."""

from csc_inequalities.demo.files import (
    DEMO_FILE_NAMES,
    DEMO_LABEL,
    DEMO_NOTES,
    STANDARD_RETURN_FILES,
    demo_data,
    demo_files,
    demo_spells,
)

__all__ = [
    "DEMO_FILE_NAMES",
    "DEMO_LABEL",
    "DEMO_NOTES",
    "STANDARD_RETURN_FILES",
    "demo_data",
    "demo_files",
    "demo_spells",
]
