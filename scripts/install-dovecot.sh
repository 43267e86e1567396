#!/usr/bin/env bash
# Installs Dovecot's IMAP server for the mail tests (idempotent); the system service is left stopped.
# The tests start a private instance with their own config (tests/imap/dovecot.py), never the system one.
set -euo pipefail

if command -v dovecot >/dev/null 2>&1 && command -v doveadm >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-dovecot.sh: dovecot is missing and installing it needs root" >&2
    exit 1
fi

# policy-rc.d exit code 101 tells invoke-rc.d not to start services during the install, so the package
# never brings up the system instance on its ports 143/993 (a container without systemd would run it).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
fi
cleanup() {
    if [ "$created_policy" -eq 1 ]; then
        rm -f "$policy"
    fi
}
trap cleanup EXIT

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null

# Belt and braces: if the package started the system instance anyway, stop it and keep it off.
if [ -e /run/dovecot/master.pid ] || pgrep -x dovecot >/dev/null 2>&1; then
    service dovecot stop >/dev/null 2>&1 || true
    if [ -e /run/dovecot/master.pid ]; then
        kill "$(cat /run/dovecot/master.pid)" 2>/dev/null || true
    fi
fi
if command -v systemctl >/dev/null 2>&1; then
    systemctl disable dovecot >/dev/null 2>&1 || true
fi
update-rc.d dovecot disable >/dev/null 2>&1 || true

command -v dovecot >/dev/null
echo "dovecot $(dovecot --version) installed"
