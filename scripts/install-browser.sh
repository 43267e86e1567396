#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests of the web chat (tests/browser; idempotent, silent when
# it is already there). Playwright drives this browser (executable_path=/usr/bin/chromium): its own browser
# downloads (`playwright install`) cannot be fetched here, and are never needed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "install-browser.sh: $CHROMIUM is missing and installing it needs root (or sudo)" >&2
    exit 1
fi

if ! "${SUDO[@]}" apt-get update -qq >/dev/null; then
    echo "install-browser.sh: apt-get update failed, chromium could not be installed" >&2
    exit 1
fi
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    echo "install-browser.sh: apt-get install chromium failed" >&2
    exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "install-browser.sh: chromium was installed, yet $CHROMIUM is missing" >&2
    exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
