#!/usr/bin/env bash
# Train the heads the default model ships, one documented command per task, then copy each finished
# adapter into bertkit/heads/TASK. Re-running resumes an interrupted task (runs/TASK/checkpoints)
# and skips tasks whose head is already shipped. Usage: scripts/train_heads.sh [TASK ...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
tasks=${*:-"stsb mrpc cola rte sst2 ner squad srl fill-mask translation wnli squad_v2"}
for task in $tasks; do
  if [ -f "bertkit/heads/$task/bertkit.json" ]; then echo "== $task: shipped already, skipping"; continue; fi
  echo "== $task: training ($(date -u +%H:%M:%S))"
  $PY -m bertkit train "$task" --lora --half --output "runs/$task" ${EXTRA_ARGS:-}
  mkdir -p "bertkit/heads/$task"
  cp runs/$task/{adapter.safetensors,bertkit.json,README.md} "bertkit/heads/$task/"
  echo "== $task: done ($(date -u +%H:%M:%S))"
done
