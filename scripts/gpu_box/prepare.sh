#!/usr/bin/env bash
# Build .dev/, what a lent GPU box needs beside the repo (it has torch/transformers but no PyPI, no Hub,
# and a working tree that travels is capped at 64 MiB): wheels for datasets/evaluate/peft, the embedded
# encoder as fp16 (45 MB; upcast to fp32 there by upcast.py), and the benchmark data as one tar.xz.
# Then run there, carrying .dev:  bash scripts/gpu_box/go.sh scripts/sweep_heads.json 7 12
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
DATA=$($PY -c "from bertkit.data_dir import data_dir; print(data_dir())")
grep -qx "/.dev/" .git/info/exclude 2>/dev/null || echo "/.dev/" >> .git/info/exclude
mkdir -p .dev/whl .dev/minilm16
$PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d .dev/whl \
  datasets==5.2.0 evaluate==0.4.6 dill multiprocess peft==0.21.2
$PY - <<'P'
import shutil, torch
from pathlib import Path
from safetensors.torch import load_file, save_file
from bertkit.models import embedded_encoder_path
src, dst = embedded_encoder_path(), Path(".dev/minilm16")
for name in ("config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
    shutil.copy(src / name, dst / name)
state = load_file(str(src / "model.safetensors"))
save_file({k: v.half() if v.dtype == torch.float32 else v for k, v in state.items()}, str(dst / "model16.safetensors"))
P
tar -cJf .dev/data.tar.xz -C "$DATA" glue/CoLA glue/MRPC glue/RTE glue/STS-B glue/WNLI glue/SST-2 squad \
  wikitext/wiki.valid.tokens wikitext/wiki.test.tokens translation conll2003/eng.train
du -sh .dev
