#!/bin/sh
# Rebuild www/vendor/plotly-csc.min.js. Run when plotly (the Python package) is upgraded: the
# version here must equal `plotly.offline.get_plotlyjs_version()` (tests/unit/test_plotly_bundle.py
# checks it). Needs Node.js and the npm registry: cd tools/plotly-bundle && npm install && sh build.sh
set -eu
cd "$(dirname "$0")"
version=$(node -p 'require("plotly.js/package.json").version')
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2018 \
  --loader:.css=empty --define:global=window --legal-comments=eof --log-level=warning \
  --banner:js="/*! plotly.js v$version (core, bar, choropleth) | Copyright 2012-2026, Plotly, Inc. | MIT license | built by tools/plotly-bundle */" \
  --outfile=../../www/vendor/plotly-csc.min.js
echo "www/vendor/plotly-csc.min.js: plotly.js $version"
