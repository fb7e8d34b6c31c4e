#!/usr/bin/env bash
# Train the heads the default model ships, one documented command per task, then copy each finished
# adapter into bertkit/heads/TASK. Re-running resumes an interrupted task from its checkpoints and
# skips tasks whose head is already shipped. Runs live in $BERTKIT_RUNS (default ../runs; checkpoints in
# RUNS/TASK.partial/ until a run succeeds,
# outside the work tree, so a fresh checkout beside it resumes them). Usage: scripts/train_heads.sh [TASK ...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
RUNS=${BERTKIT_RUNS:-../runs}
# Default: every trainable task of the registry, in its display order (squad before squad_v2, which starts from it).
tasks=${*:-$($PY -c "from bertkit.tasks.base import all_tasks; print(' '.join(t.name for t in all_tasks() if t.trainable))")}
for task in $tasks; do
  if [ -f "bertkit/heads/$task/bertkit.json" ]; then echo "== $task: shipped already, skipping"; continue; fi
  echo "== $task: training ($(date -u +%H:%M:%S))"
  $PY -m bertkit train "$task" --lora --half --int8 --output "$RUNS/$task" ${EXTRA_ARGS:-}
  mkdir -p "bertkit/heads/$task"
  cp "$RUNS/$task"/{adapter.safetensors,bertkit.json,README.md} "bertkit/heads/$task/"
  echo "== $task: done ($(date -u +%H:%M:%S))"
done
