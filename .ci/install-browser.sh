#!/usr/bin/env bash
# Installs Debian's chromium for the headless browser test (tests/server/test_browser.py).
# Playwright's own browser download cannot work on the CI machines (no internet but the Debian
# mirror), so the test drives /usr/bin/chromium.  Idempotent: does nothing when it is there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: /usr/bin/chromium is missing and apt-get is not available;" \
         "install Debian's chromium package some other way" >&2
    exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install-browser: /usr/bin/chromium is missing; run as root (or install sudo) to apt-get it" >&2
        exit 1
    fi
fi

echo "install-browser: installing Debian's chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q chromium

if [ ! -x /usr/bin/chromium ]; then
    echo "install-browser: apt-get finished but /usr/bin/chromium is still missing" >&2
    exit 1
fi
/usr/bin/chromium --version >&2 || true
