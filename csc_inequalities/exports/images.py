"""Print-ready PNG and SVG images of the app's charts, rendered by kaleido in Debian's Chromium.

PNGs are at least 300 dots per inch across the text width of an A4 page (16 cm): a figure
laid out 900 pixels wide is exported at a scale that gives 1,890 pixels or more.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from csc_inequalities.exports.filenames import export_filename
from csc_inequalities.figures.maps import empty_world_topojson
from csc_inequalities.figures.style import (
    DECILE_DIRECTION,
    MUTED_COLOUR,
    SOURCE_LINE,
    apply_layout,
)
from csc_inequalities.publication.disclosure import View
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.settings import path_setting

if TYPE_CHECKING:
    from csc_inequalities.publication.report_content import ReportChart

A4_TEXT_WIDTH_CM = 16.0
PRINT_DPI = 300
PNG_MIN_WIDTH_PX = math.ceil(A4_TEXT_WIDTH_CM / 2.54 * PRINT_DPI)
LAYOUT_WIDTH_PX = 900
MIN_PLOT_HEIGHT_PX = 380
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}

# A chart renders in 0.2-1.5 s once the browser runs; one not back within this has hung.
RENDER_TIMEOUT_S = 90
BROWSER_CHECK_TIMEOUT_S = 30
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_server_lock = threading.Lock()
_render_lock = threading.Lock()
_topojson_folder: Path | None = None


@dataclass(frozen=True)
class ExportImage:
    """One rendered chart with the words a report needs beside it."""

    content: bytes
    media_type: str
    filename: str
    alt_text: str


class ImageExportError(RuntimeError):
    """Chart images cannot be drawn on this machine (no working browser), said in plain words."""


def working_browser() -> str:
    """The Chromium kaleido will drive: BROWSER_PATH, else Debian's, else one on the PATH.

    It is started once with --version, so a missing or broken browser is reported at once
    instead of failing inside kaleido's background thread while the export waits for ever.
    """
    chosen = path_setting("BROWSER_PATH")
    configured = str(chosen) if chosen is not None else None
    candidates = [configured] if configured else [str(DEBIAN_CHROMIUM), *BROWSER_NAMES]
    for candidate in candidates:
        path = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if path is None:
            continue
        try:
            subprocess.run(
                [path, "--version"],
                capture_output=True,
                timeout=BROWSER_CHECK_TIMEOUT_S,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return path
    where = f"BROWSER_PATH={configured}" if configured else "/usr/bin/chromium or the PATH"
    raise ImageExportError(
        f"Chart images need Chromium, and none that works was found ({where}). Install it "
        "(Debian: apt-get install chromium) or set BROWSER_PATH to a working Chrome or "
        "Chromium. Tables and the HTML report's text do not need it."
    )


def ensure_image_server() -> Path:
    """Start kaleido's browser once per process; later exports reuse it (0.2-1.5 s, not 3-5 s).

    Returns the folder the map basemap (topojson) is served from.
    """
    global _topojson_folder
    with _server_lock:
        if _topojson_folder is not None:
            return _topojson_folder
        os.environ["BROWSER_PATH"] = working_browser()
        folder = Path(tempfile.mkdtemp(prefix="csc-topojson-"))
        (folder / "world_110m.json").write_text(json.dumps(empty_world_topojson()))
        import kaleido  # imported on first export: most sessions never make an image

        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _topojson_folder = folder
        return folder


def print_ready(
    fig: go.Figure,
    context: ViewContext,
    title: str,
    direction: str | None = DECILE_DIRECTION,
    source: str = SOURCE_LINE,
) -> go.Figure:
    """A copy of a chart with the export title and a subtitle (measure, authority, view, direction).

    The chart's own source line and bottom layout are kept; a source line is added if it has
    none. The figure grows by the extra title lines so the plot area keeps its size.
    """
    ready = go.Figure(fig)
    if not any("Source:" in (a.text or "") for a in ready.layout.annotations):
        apply_layout(ready, title, source=source, height=int(ready.layout.height or 460))
    if context.view is View.INTERNAL:
        title = f"{title} (internal: not for publication)"
    lines = [
        context.measure_label,
        f"{context.la_name} ({context.la_code}) · {context.imd_label}",
        context.view_label,
    ]
    if direction:
        lines.append(direction)
    margin = ready.layout.margin
    old_top = margin.t if margin.t is not None else 90
    bottom = margin.b if margin.b is not None else 110
    old_plot = max(int(ready.layout.height or 460) - old_top - bottom, 1)
    plot_height = max(old_plot, MIN_PLOT_HEIGHT_PX)
    _keep_below_plot(ready, old_plot / plot_height)
    top = 80 + 22 * len(lines)
    height = top + plot_height + bottom
    subtitle = "<br>".join(lines)
    ready.update_layout(
        title={
            "text": f"<b>{title}</b><br><span style='font-size:13px;color:{MUTED_COLOUR}'>"
            f"{subtitle}</span>",
            "x": 0.0,
            "xanchor": "left",
            "y": 1 - 40 / height,
            "yref": "container",
            "yanchor": "top",
        },
        margin={"t": top},
        height=height,
        width=LAYOUT_WIDTH_PX,
    )
    return ready


def _keep_below_plot(fig: go.Figure, factor: float) -> None:
    """Keep legends and notes below the plot at the same distance in pixels when it grows."""
    for annotation in fig.layout.annotations:
        if annotation.yref == "paper" and annotation.y is not None and annotation.y < 0:
            annotation.y = annotation.y * factor
    legend_y = fig.layout.legend.y
    if legend_y is not None and legend_y < 0:
        fig.layout.legend.y = legend_y * factor


def figure_image(fig: go.Figure, image_format: str, width: int = LAYOUT_WIDTH_PX) -> bytes:
    """A chart as PNG (scaled to 300 dpi at A4 text width) or SVG bytes."""
    if image_format not in MEDIA_TYPES:
        raise ValueError(f"Images are exported as {' or '.join(MEDIA_TYPES)}, not {image_format}.")
    topojson_folder = ensure_image_server()
    height = int(fig.layout.height or 460)
    scale = PNG_MIN_WIDTH_PX / width if image_format == "png" else 1.0
    import kaleido

    spec = fig.to_dict()
    opts = {"format": image_format, "width": width, "height": height, "scale": scale}
    with _render_lock:
        return _with_timeout(
            lambda: kaleido.calc_fig_sync(spec, opts=opts, topojson=topojson_folder.as_uri() + "/")
        )


def _with_timeout(render: Callable[[], bytes]) -> bytes:
    """The rendered image, or a clear error if the browser stops answering."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_attempt(render)), daemon=True)
    worker.start()
    worker.join(RENDER_TIMEOUT_S)
    if not outcome:
        raise ImageExportError(
            f"The chart image was not drawn within {RENDER_TIMEOUT_S} s: the browser that draws "
            "images (Chromium) stopped answering. Restart the app; if it happens again, check "
            "that Chromium runs on the server."
        )
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]


def _attempt(render: Callable[[], bytes]) -> bytes | Exception:
    """Run a render, handing back its error as a value so the waiting thread can raise it."""
    try:
        return render()
    except Exception as error:
        return error


def export_image(
    fig: go.Figure,
    context: ViewContext,
    content: str,
    title: str,
    alt_text: str,
    image_format: str,
    direction: str | None = DECILE_DIRECTION,
) -> ExportImage:
    """A print-ready chart image with its file name and alt text."""
    ready = print_ready(fig, context, title, direction)
    return ExportImage(
        content=figure_image(ready, image_format),
        media_type=MEDIA_TYPES[image_format],
        filename=export_filename(context, content, image_format),
        alt_text=alt_text,
    )


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's header (IHDR chunk)."""
    if content[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("Not a PNG image.")
    return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")


def chart_png(chart: ReportChart, context: ViewContext) -> bytes:
    """A report chart (title, figure, direction of its groups) as a print-ready PNG."""
    return figure_image(print_ready(chart.figure, context, chart.title, chart.direction), "png")
