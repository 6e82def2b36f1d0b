#!/bin/sh
# Install one pinned npm package that a test needs into .cache/<folder>/, once.
#   sh tests/tools/install-npm.sh vnu "vnu-jar@>=24 <27" vnu-jar/build/dist/vnu.jar   (Nu HTML Checker, tests/test_theme.py)
#   sh tests/tools/install-npm.sh axe axe-core@4.10.3 axe-core/axe.min.js               (accessibility rules, search and topic tests)
# The last argument is the file the tests look for, under node_modules/: present means installed.
set -eu
folder=$1 package=$2 wanted=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
file="$root/.cache/$folder/node_modules/$wanted"
if [ -f "$file" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-npm: npm is needed to fetch $package; install Node.js and npm" >&2
    exit 1
fi
npm install --silent --no-audit --no-fund --prefix "$root/.cache/$folder" "$package"
test -f "$file"
echo "install-npm: $file"
