"""The architecture x family matrix of docs/architectures.md: bertkit against transformers' pipelines
(or the raw logits) on tiny random stand-ins of every architecture (tests/core/arch_models.py).

    HF_HUB_OFFLINE=1 python scripts/arch_matrix.py     # ~1-2 min on 2 cores; prints a Markdown table

Each cell is the largest |score difference| (fp32) with labels, tokens and texts equal, or the error.
Translation: a bert2bert built from the architecture's checkpoint translates, or a ModelError says why not.
"""
import os
import sys
import tempfile
import warnings
from pathlib import Path

for key in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
    os.environ.setdefault(key, "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "core")]

import torch  # noqa: E402

import arch_compare  # noqa: E402
import arch_models  # noqa: E402
import bertkit  # noqa: E402

COLUMNS = ["fill-mask", "sst2", "rte", "stsb", "ner", "srl", "squad", "translation"]


def cell(arch, column, root: Path) -> str:
    folder = root / f"{arch}-{column}"
    try:
        if column == "fill-mask":
            return f"{arch_compare.fill_mask(arch_models.build_model(arch, 'mlm', folder)):.1e}"
        if column in ("sst2", "rte", "stsb"):
            task = bertkit.get_task(column)
            arch_models.build_model(arch, "classification", folder, labels=task.labels,
                                    num_labels=None if task.labels else 1)
            return f"{arch_compare.classification(folder, column):.1e}"
        if column in ("ner", "srl"):
            arch_models.build_model(arch, "tagging", folder, labels=bertkit.get_task(column).labels)
            return f"{(arch_compare.ner if column == 'ner' else arch_compare.srl)(folder):.1e}"
        if column == "squad":
            return f"{arch_compare.qa(arch_models.build_model(arch, 'qa', folder)):.1e}"
        out = arch_compare.load("translation", arch_models.build_model(arch, "mlm", folder))("Ein Mann.")
        return "runs" if isinstance(out.get("text"), str) else "FAIL"
    except bertkit.ModelError as e:
        return "ModelError: no decoder form" if "no decoder form" in str(e) else f"ModelError: {str(e)[:60]}"
    except Exception as e:  # a failing cell is the result, not a reason to stop the table
        return f"FAIL {type(e).__name__}: {str(e)[:60]}"


def main():
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    import transformers

    transformers.utils.logging.set_verbosity_error()
    root = Path(tempfile.mkdtemp(prefix="arch-matrix-"))
    print("| architecture | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for arch in arch_models.ARCHS:
        print(f"| {arch} | " + " | ".join(cell(arch, c, root) for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()
