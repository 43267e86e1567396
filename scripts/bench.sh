#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints their numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/python" bench/bench_ask.py "$@"
"$VENV/bin/python" bench/bench_mail.py "$@"
"$VENV/bin/python" bench/bench_ranking.py
"$VENV/bin/python" bench/bench_train.py
"$VENV/bin/python" bench/eval_report.py
