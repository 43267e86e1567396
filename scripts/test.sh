#!/usr/bin/env bash
# Runs the whole test suite: lint, knowledge-base check, pytest (SQLite and PostgreSQL).
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

bash scripts/services.sh || exit 1
bash scripts/install-dovecot.sh || exit 1
bash scripts/install-browser.sh || exit 1

"$VENV/bin/ruff" check . || exit 1
# the fact sheet lives beside the repository (development material); CI clones the repository there too
FACTS=../shared/knowledge-facts.md
if [ -f "$FACTS" ]; then "$VENV/bin/klimabot" kb check --facts "$FACTS" || exit 1; else "$VENV/bin/klimabot" kb check || exit 1; fi

# on all cores (pytest-xdist); every test makes its own databases, servers and ports, so workers never meet
"$VENV/bin/pytest" -q -n auto --durations=10 "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests" >&2
    exit 1
fi
exit "$status"
