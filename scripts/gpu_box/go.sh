#!/usr/bin/env bash
# On the GPU box: install the carried wheels, unpack data + encoder, run the head sweep into $OUT.
# Usage (on the box, from the repo root, with .dev carried): bash scripts/gpu_box/go.sh PLAN MINUTES LANES
set -uo pipefail
export PYTHONUNBUFFERED=1
PY=${PY:-python3}
T0=$(date +%s)
if [ -z "${SKIP_WHEELS:-}" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .dev/whl/*.whl || exit 3
fi
export PYTHONPATH=${EXTRA_PATH:-}/tmp/site:$PWD/scripts/gpu_box/site:$PWD
export BERTKIT_DATA_DIR=/tmp/bkdata MINILM_DIR=/tmp/minilm HF_HUB_OFFLINE=1 TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1
mkdir -p /tmp/bkdata && tar -xJf .dev/data.tar.xz -C /tmp/bkdata || exit 4
$PY scripts/gpu_box/upcast.py .dev/minilm16 /tmp/minilm || exit 5
$PY - <<'P' 2>&1 | tee $OUT/env.txt
import torch, transformers, datasets, pyarrow, peft, accelerate, evaluate
print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")
print("transformers", transformers.__version__, "datasets", datasets.__version__, "pyarrow", pyarrow.__version__, "peft", peft.__version__, "accelerate", accelerate.__version__)
import bertkit.training
P
echo "setup took $(( $(date +%s) - T0 )) s"
$PY scripts/train_sweep.py run "$1" --minutes "$2" --lanes "$3" --runs /tmp/runs --pack "$OUT/heads.tar" 2>&1 | tee $OUT/sweep.txt
echo "total $(( $(date +%s) - T0 )) s"
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv 2>/dev/null | tail -1
