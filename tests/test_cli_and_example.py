"""The command line and the quick-start example, run as users run them."""

import pathlib
import subprocess
import sys

from autograd_src import grad
from autograd_src.__main__ import main

from . import golden_functions

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_cli_prints_the_generated_derivative(capsys):
    target = f"{golden_functions.__file__}:overwrite"
    assert main([target, "--wrt", "y"]) == 0
    out = capsys.readouterr().out
    assert out == grad(golden_functions.overwrite, wrt="y").source
    assert "\x1b[" not in out  # plain text when stdout is not a terminal


def test_cli_with_several_wrt(capsys):
    assert main([f"{golden_functions.__file__}:mlp_loss", "--wrt", "W1", "--wrt", "b2"]) == 0
    assert capsys.readouterr().out.startswith("def dmlp_lossdW1_b2(")


def test_cli_reports_bad_targets():
    result = subprocess.run([sys.executable, "-m", "autograd_src", "nofile.py:f"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "no such file" in result.stderr
    result = subprocess.run([sys.executable, "-m", "autograd_src",
                             f"{golden_functions.__file__}:missing"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "defines no 'missing'" in result.stderr


def test_quickstart_runs_from_any_directory(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "def dlossdW_b(W, b, X, y, *, dout=None):" in result.stdout
    losses = [float(line.split()[-1]) for line in result.stdout.splitlines()
              if line.startswith("step")]
    assert len(losses) >= 3 and losses[-1] < losses[0] / 100
    # The README shows this derivative as the sample of generated code: keep it true.
    readme = (ROOT / "README.md").read_text()
    opening = "prints the derivative it generated:\n\n```python\n"
    start = readme.index(opening) + len(opening)
    shown = readme[start:readme.index("```", start)]
    assert shown.strip() in result.stdout
