#!/usr/bin/env bash
# Score every shipped head with the evaluation suite (held-out splits, 95 % bootstrap intervals),
# publish them (evaluation/published/default.json), render each head's model card and the README
# table from that file, and print the table. Tasks already scored
# for the same weights and data are reused, so re-running after a new head only scores that head.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
tasks=$(ls bertkit/heads | paste -sd, -)
$PY -m evaluation run --model default --tasks "$tasks" --precision fp32 --output results/ "$@"  # cards report fp32
$PY scripts/card_scores.py results/
