"""The app's own plotly.js bundle matches the plotly.js the Python figures are written for."""

from __future__ import annotations

import re

from plotly.offline import get_plotlyjs_version

from modules.hosting import PLOTLY_JS, PLOTLY_JS_URL


def test_the_bundle_is_the_plotly_js_version_plotly_python_ships():
    banner = PLOTLY_JS.read_text(encoding="utf-8")[:300]
    found = re.search(r"plotly\.js v(\S+) \(core, bar, choropleth\)", banner)
    assert found, "rebuild www/vendor/plotly-csc.min.js with tools/plotly-bundle/build.sh"
    assert found.group(1) == get_plotlyjs_version()
    assert re.search(r'version="([^"]+)"', PLOTLY_JS.read_text(encoding="utf-8")).group(1) == (
        get_plotlyjs_version()
    )


def test_the_bundle_is_a_fraction_of_the_full_plotly_js_and_its_address_names_its_content():
    assert PLOTLY_JS.stat().st_size < 2_000_000
    assert re.fullmatch(r"plotly/plotly-csc\.[0-9a-f]{12}\.js", PLOTLY_JS_URL)
