#!/bin/sh
# Install axe-core (the accessibility rules engine, npm package axe-core) into .cache/axe/, once.
# The accessibility tests (tests/test_search_page.py, tests/test_topic_hub.py) inject its axe.min.js into pages.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
script="$root/.cache/axe/node_modules/axe-core/axe.min.js"
if [ -f "$script" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-axe: npm is needed to fetch axe-core; install Node.js and npm" >&2
    exit 1
fi
npm install --silent --no-audit --no-fund --prefix "$root/.cache/axe" "axe-core@4.10.3"
test -f "$script"
echo "install-axe: $script"
