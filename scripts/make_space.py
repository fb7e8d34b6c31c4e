"""Write a folder ready to push as a ZeroGPU Hugging Face Space.

    python scripts/make_space.py OUT

Since July 2026 a Gradio Space on CPU hardware needs a paid plan; free accounts can host ZeroGPU
Spaces, which run Python 3.10/3.12 and torch 2.8-2.11. This copies the tracked files of the repo
into OUT, puts `space/requirements.txt` (torch 2.11, `spaces`) in place of requirements.txt and sets
`python_version: "3.12"` in the README's front matter. app.py wraps the one forward path in
`spaces.GPU` when `spaces` is installed. Nothing here reaches the Hub: push OUT yourself
(`huggingface-cli upload` or git).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = "3.12"


def front_matter(readme: str) -> dict[str, str]:
    """The README's `---` block as {key: value} (flat keys only, as the Space front matter is)."""
    lines = readme.split("\n")
    if lines[0] != "---" or "---" not in lines[1:]:
        raise ValueError("README.md has no front matter block")
    block = lines[1:lines.index("---", 1)]
    return {k.strip(): v.strip().strip('"') for k, _, v in (line.partition(":") for line in block) if k.strip()}


def space_readme(readme: str) -> str:
    lines = readme.split("\n")
    end = lines.index("---", 1)
    lines[1:end] = [f'python_version: "{PYTHON}"' if line.startswith("python_version:") else line
                    for line in lines[1:end]]
    return "\n".join(lines)


def make_space(out: Path) -> Path:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} exists and is not empty: choose an empty or new folder")
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    shutil.copy2(REPO / "space" / "requirements.txt", out / "requirements.txt")
    (out / "README.md").write_text(space_readme((REPO / "README.md").read_text()))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(make_space(Path(sys.argv[1])))
