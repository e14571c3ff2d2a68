#!/bin/bash
# Browser tests (issue 3) in Debian's headless Chromium driven by
# playwright-core. Installs what is missing, then runs the test files with
# Node's built-in runner. stdout is TAP only (the meson test protocol);
# apt/npm noise goes to stderr. Exit status is non-zero on any failure.
#
#   EXTSVC_BIN=build/extsvc bash tests/browser/run.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

{
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || apt_install chromium
    # What package-lock.json pins (playwright-core, axe-core); no network
    # once installed.
    if [ ! -f "$here/node_modules/playwright-core/package.json" ] ||
        [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    fi
} 1>&2

cd "$here"
# Two files at a time: each runs its own server and Chromium, and most of
# their time is spent waiting on them.
exec node --test --test-concurrency=2 --test-reporter=tap ./*.test.mjs
