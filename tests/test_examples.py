"""The programs in examples/, run as users run them: headless, small sizes, from elsewhere."""

import importlib.util
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def run_example(name, *args, cwd):
    result = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args],
                            capture_output=True, text=True, cwd=cwd, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def check_plot(out, path):
    """The PNG is written when matplotlib is installed; otherwise the script says how."""
    if HAVE_MATPLOTLIB:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"saved to {path}" in out
    else:
        assert not path.exists()
        assert "pip install '.[examples]'" in out


def test_mlp_adam_trains_a_list_of_layers(tmp_path):
    plot = tmp_path / "loss.png"
    out = run_example("mlp_adam.py", "--quick", "--plot", str(plot), cwd=tmp_path)
    # The gradient comes back as the parameters are laid out: a list of (dW, db).
    assert "gradient structure: [((2, 32), (32,)), ((32, 32), (32,)), ((32, 2), (2,))]" in out
    assert "check_grads: the gradient matches finite differences" in out
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("step")]
    assert len(losses) >= 3 and losses == sorted(losses, reverse=True)
    first, last = map(float, re.search(r"loss ([\d.]+) -> ([\d.]+)", out).groups())
    assert first > 0.5 and last < first / 20
    train, held_out = map(float, re.search(r"train ([\d.]+), held-out ([\d.]+)", out).groups())
    assert train >= 0.95 and held_out >= 0.9
    check_plot(out, plot)


def test_fit_physics_recovers_the_spring(tmp_path):
    plot = tmp_path / "fit.png"
    out = run_example("fit_physics.py", "--quick", "--plot", str(plot), cwd=tmp_path)
    assert "check_grads: the gradient through the loop matches finite differences" in out
    fitted = {m.group(1): (float(m.group(2)), float(m.group(3)))
              for m in re.finditer(r"^(stiffness|damping)\s+([\d.]+)\s+([\d.]+)$", out, re.M)}
    true_k, fit_k = fitted["stiffness"]
    true_c, fit_c = fitted["damping"]
    assert (true_k, true_c) == (4.0, 0.3)
    assert abs(fit_k - true_k) < 0.02 * true_k and abs(fit_c - true_c) < 0.02
    # The fit explains everything but the measurement noise (standard deviation 0.02).
    residual = float(re.search(r"residual RMS ([\d.]+)", out).group(1))
    assert residual < 0.025
    check_plot(out, plot)


def test_tensor_walkthrough_prints_the_cheat_sheet_results(tmp_path):
    out = run_example("tensor_walkthrough.py", "--quick", cwd=tmp_path)
    lines = out.splitlines()
    shown = {}  # each '>>> code' line and the line printed after it
    for code, result in zip(lines, lines[1:]):
        if code.startswith(">>> "):
            shown.setdefault(code[4:].split("  #")[0], []).append(result)
    assert shown["x.grad"][:3] == ["array(2.)", "array(20.)", "array([-2.,  8., 12.])"]
    assert shown["y.grad"] == ["array(1.)"]
    assert shown["variable_tensor.grad"] == ["array(6.)"]
    assert shown["constant_tensor.grad is None"] == ["True"]
    assert shown["mg.matmul(x, x.T)"] == ["Tensor([[ 5., 14.],"]
    assert shown["x.shape"] == ["(2, 3)"]
    assert shown["mg.tensor([1, 2], dtype=int, constant=False)"] == [
        "ValueError: Integer-valued tensors must be treated as constants."]
    assert shown["w.grad"] == ["None"]  # no_autodiff recorded nothing
    assert shown["x.grad"][-1] == "array(-2.82885748)"  # sin(3) + 3 cos(3)
    assert "def drecordeddx(x, *, dout=None):" in out
    w, b = map(float, re.search(r"fitted w = ([-\d.]+), b = ([-\d.]+)", out).groups())
    assert abs(w - 3) < 0.05 and abs(b + 1) < 0.05


def test_reading_generated_code_shows_each_view(tmp_path):
    out = run_example("reading_generated_code.py", "--quick", cwd=tmp_path)
    assert "def dlossdw(w, X, y, *, dout=None):" in out
    assert "inspect.getsource(dloss) == dloss.source: True" in out
    assert "line 38 of this file: prediction = np.tanh(X @ w)" in out
    for call, variant in [("dspread(0.5, 2.0)", "scalars: a, b"),
                          ("dspread(x, x)", "same shapes: a, b"),
                          ("dspread(x, M)", "general")]:
        assert re.search(rf"{re.escape(call)}\s+ran the variant '{variant}'", out)
    assert "# ----- after normalize -----\nX_at_w = X @ w\n" in out
    # The traceback ends in the generated derivative, its line shown.
    # (t is one number: grad by forward mode, its tangent code in jvp_bump)
    frame = out.index('File "<autograd_src jvp_bump of reading_generated_code.py:')
    assert "dout = _ad.divide_or_zero(dt, 2 * sqrt_t) * t + sqrt_t * dt + dt" in out[frame:]
    assert "ZeroDivisionError: float division by zero" in out[frame:]
    # pdb stopped inside the derivative, stepped into its tangent code, and printed
    # its variables.
    assert "(3)dbumpdt()\n-> out, tangent = jvp_bump(t, dt=t ** 0)" in out
    assert "(3)jvp_bump()\n-> sqrt_t = math.sqrt(t)" in out
    assert "(Pdb) 2.0\n(Pdb) 4.0" in out  # p sqrt_t, p dout
    assert out.rstrip().endswith("dbump(4.0) = 4.0")
