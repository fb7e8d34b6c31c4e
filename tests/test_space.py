"""The Hugging Face Space paths: the README's front matter and both requirements files parse, the
ZeroGPU folder `scripts/make_space.py` writes asks for Python 3.12 and a torch ZeroGPU lists, and
the app imports with the `spaces` package present."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from make_space import front_matter, make_space  # noqa: E402


def requirements(path: Path) -> dict[str, Requirement]:
    reqs = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            req = Requirement(line)
            reqs[req.name.lower()] = req
    return reqs


def test_front_matter_and_requirements_parse():
    meta = front_matter((REPO / "README.md").read_text())
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py" and (REPO / meta["app_file"]).is_file()
    gradio = requirements(REPO / "requirements.txt")["gradio"]
    assert Version(meta["sdk_version"]) in gradio.specifier  # the Space runs the gradio the app is built for
    assert requirements(REPO / "requirements.txt")["torch"].specifier.contains("2.13.0")


def test_the_zerogpu_folder_asks_for_python_312_and_a_listed_torch(tmp_path):
    out = make_space(tmp_path / "space")
    meta = front_matter((out / "README.md").read_text())
    assert meta["python_version"] == "3.12" and meta["app_file"] == "app.py"
    reqs = requirements(out / "requirements.txt")
    torch = reqs["torch"]
    assert any(torch.specifier.contains(v) for v in ("2.8.0", "2.9.0", "2.10.0", "2.11.0"))
    assert not torch.specifier.contains("2.13.0") and "spaces" in reqs
    base = set(requirements(REPO / "requirements.txt")) - {"torch"}
    assert base <= set(reqs)  # everything else the app needs is there too
    assert (out / "app.py").read_text() == (REPO / "app.py").read_text()


@pytest.mark.timeout(600)
def test_the_app_imports_with_spaces_present(tmp_path):
    pytest.importorskip("spaces")
    code = ("import spaces, app, gradio; from bertkit.predictor import Predictor; "
            "assert isinstance(app.demo, gradio.Blocks) and callable(Predictor.run); print('ok')")
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO),
               HF_HOME=str(tmp_path / "hf"))
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=560, env=env)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]
