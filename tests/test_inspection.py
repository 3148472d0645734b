"""Generated code is first-class: inspect, linecache, tracebacks, verbose output."""

import dis
import inspect
import linecache
import traceback

import numpy as np
import pytest

from autograd_src import grad


def model(x, w):
    h = np.tanh(x * w)
    return np.sum(h ** 2)


def test_source_attribute_and_getsource_agree():
    df = grad(model)
    assert df.source.startswith("def dmodeldx(x, w, *, dout=None):")
    assert inspect.getsource(df) == df.source
    assert "# Grad of: h = np.tanh(x * w)" in df.source


def test_wrapped_is_the_generated_function_not_the_original():
    df = grad(model)
    assert df.__wrapped__ is not model
    assert df.__wrapped__.__code__.co_filename.startswith("<autograd_src dmodeldx")
    assert str(inspect.signature(df)) == "(x, w, *, dout=None)"


def test_source_is_registered_in_linecache_and_survives_checkcache():
    df = grad(model)
    code = df.__wrapped__.__code__
    linecache.checkcache()
    first = linecache.getline(code.co_filename, code.co_firstlineno)
    assert first.startswith("def dmodeldx")


def test_tracebacks_show_generated_lines():
    def fails(x):
        return np.sum(np.linalg.inv(x))

    df = grad(fails)
    with pytest.raises(np.linalg.LinAlgError) as info:
        df(np.zeros((2, 2)))
    # The three-argument form: Python 3.9 has no format_exception(exc).
    error = info.value
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    assert "<autograd_src dfailsdx" in text
    assert "inv_x = np.linalg.inv(x)" in text


def test_verbose_prints_the_source(capsys):
    df = grad(model, verbose=1)
    assert capsys.readouterr().out.strip() == df.source.strip()


def test_generated_lines_carry_their_own_line_numbers():
    df = grad(model)
    lines = df.source.splitlines()
    code = df.__wrapped__.__code__
    # findlinestarts, not code.co_lines() (Python 3.10+): the same line numbers on 3.9.
    numbers = [lineno for _, lineno in dis.findlinestarts(code) if lineno is not None]
    assert len(set(numbers)) > 1  # the loop below checks something
    for lineno in numbers:
        assert 1 <= lineno <= len(lines)


def test_derivative_can_be_stepped_through_with_pdb():
    import pdb
    import sys
    from io import StringIO

    df = grad(model)
    commands = StringIO("step\nstep\nlist\ncontinue\n")
    out = StringIO()
    debugger = pdb.Pdb(stdin=commands, stdout=out)
    debugger.use_rawinput = False
    old = sys.gettrace()
    try:
        debugger.runcall(df.__wrapped__, np.ones(2), 0.5)
    finally:
        sys.settrace(old)
    assert "h = np.tanh" in out.getvalue() or "x_times_w = x * w" in out.getvalue()


def sum_of_squares(x, v):
    total = 0.0
    for _ in range(2):
        total = total + np.sum(v * v) * x
    return np.sum(x * x) + total


def test_a_product_of_a_value_with_itself_reads_as_twice_one_term():
    from autograd_src.testing import check_grads
    text = grad(sum_of_squares, wrt=(0, 1)).source
    assert "dx = dsum_x_times_x * 2 * x" in text and "dv_times_v * 2 * v" in text
    assert "dx_times_x_times_x" not in text
    check_grads(sum_of_squares, np.array([0.5, -1.5]), np.array([2.0, 0.3]), wrt=(0, 1))


def test_verbose_2_prints_the_function_after_each_stage(capsys):
    from . import trust_cases

    grad(trust_cases.shared_subscript_in_both_arms, verbose=2)
    out = capsys.readouterr().out
    stages = ["after source (shared_subscript_in_both_arms)", "after desugar", "after normalize",
              "after reverse: the adjoint sweep, before rewriting",
              "after reverse: the primal sweep, before rewriting",
              "after optimize: the primal sweep, then the adjoint sweep"]
    positions = [out.index(f"# ----- {stage} -----") for stage in stages]
    assert positions == sorted(positions)
    normal_form = out[positions[2]:positions[3]]
    assert "power = x_part ** 2" in normal_form  # one primitive per statement
    assert "x_part_2 = x[i]" in normal_form      # each arm computes its own subscript
    assert "def dshared_subscript_in_both_armsdx(x, *, dout=None):" in out[positions[-1]:]


_UNCAUGHT = '''
import numpy as np
from autograd_src import grad

def settle(a):
    x = a
    for i in range(50):
        x_new = 0.5 * (x + a / x)
        if np.abs(x_new - x) < 1e-14:
            return x_new
        x = x_new
    return x

def loss(a):
    return np.sum(settle(a))

grad(loss)(np.array([2.0, 3.0]))
'''


def test_an_uncaught_error_in_generated_code_shows_its_lines(tmp_path):
    # under `python script.py` the interpreter's own printer (before 3.13) showed no
    # line for generated frames, reading files only (tester J)
    import subprocess
    import sys
    script = tmp_path / "uncaught.py"
    script.write_text(_UNCAUGHT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120)
    assert "ValueError: The truth value" in done.stderr
    assert '<autograd_src dsettleda of uncaught.py:5' in done.stderr
    shown = done.stderr.split(", in dsettleda\n", 1)[1].splitlines()[0]
    assert shown.startswith("    ") and shown.strip()  # the generated line itself


def _recursive_sine(x, n):
    if n == 0:
        return x
    return np.sin(_recursive_sine(x, n - 1))


def _calls_the_recursion(x):
    return np.sum(_recursive_sine(x, 3) * 2.0)


def test_a_recursive_helper_calls_its_derivative_by_the_name_shown():
    """The recursive call read jvp__recursive_sine_2(...), a name with no def in the
    source shown (the placeholder grad resolves when the derivative runs)."""
    import re
    for x in (0.5, np.array([0.5, 0.7])):
        d = grad(_calls_the_recursion)
        d(x)
        defined = set(re.findall(r"^def (\w+)\(", d.source, re.M))
        called = set(re.findall(r"\b(jvp__recursive_sine\w*|d_recursive_sine\w*)\(",
                                d.source))
        assert called and called <= defined, (called, defined)
