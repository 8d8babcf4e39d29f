#!/usr/bin/env bash
# Build the standalone app folder dist/ichviewer/ with PyInstaller, smoke-run it, print its size.
# Usage: packaging/build.sh            (from anywhere; uses or creates .venv at the repository root)
# Env:   PYTHON=python3.11 picks the interpreter for a new .venv; SKIP_INSTALL=1 skips the pip step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ ! -x .venv/bin/python ]]; then
    "${PYTHON:-python3}" -m venv .venv
fi
if [[ -z "${SKIP_INSTALL:-}" ]]; then
    .venv/bin/python -m pip install -e '.[package]' -c constraints.txt
fi

start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/ichviewer.spec
echo "build: $(( $(date +%s) - start )) s"

# Smoke run: headless scan of the synthetic demo study, in a throwaway cache so it really computes.
smoke_cache="$(mktemp -d)"
trap 'rm -rf "$smoke_cache"' EXIT
QT_QPA_PLATFORM=offscreen ICHVIEWER_CACHE="$smoke_cache" ICHVIEWER_CONFIG="$smoke_cache/config" \
    dist/ichviewer/ichviewer scan --demo --json "$smoke_cache/scan.json"
test -s "$smoke_cache/scan.json"
echo "smoke run: OK (scan --demo wrote its JSON)"

echo "size: $(du -sh dist/ichviewer | cut -f1) in dist/ichviewer/"
