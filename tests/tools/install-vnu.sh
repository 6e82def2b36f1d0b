#!/bin/sh
# Install the Nu HTML Checker (npm package vnu-jar) into .cache/vnu/, once.
# The HTML validity test (tests/test_theme.py) looks for the jar there; Java runs it.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
jar="$root/.cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
if [ -f "$jar" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-vnu: npm is needed to fetch the Nu HTML Checker (vnu-jar); install Node.js and npm" >&2
    exit 1
fi
npm install --silent --no-audit --no-fund --prefix "$root/.cache/vnu" "vnu-jar@>=24 <27"
test -f "$jar"
echo "install-vnu: $jar"
