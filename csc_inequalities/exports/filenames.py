"""File names that say what is inside: authority, measure, date, content and view."""

from __future__ import annotations

import re

from csc_inequalities.publication.view_context import ViewContext


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, safe on every file system."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def export_filename(context: ViewContext, content: str, extension: str) -> str:
    """e.g. E08000035-leeds-cpp-at-2024-03-31-gradient-publication.csv."""
    parts = [context.la_code, slug(context.la_name), context.measure_slug, slug(content)]
    if context.demo:
        parts.append("synthetic-demo")
    parts.append(context.view.file_tag)
    return f"{'-'.join(p for p in parts if p)}.{extension.lstrip('.')}"
