"""Random straight-line NumPy programs, their gradients checked against finite differences.

The optimizations that reshape generated code (the scalar seed of a full sum,
terms folded into the statement that reads them, values computed at their one
use, reassigned names restored) meet each other here, and with loops and
branches, in combinations no hand-written case lists. Programs come from fixed
seeds, so a failure repeats.
"""

import linecache

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

UNARY = ["np.sin({})", "np.cos({})", "np.tanh({})", "np.exp({} * 0.3)", "-{}", "{} ** 2",
         "np.sqrt({} ** 2 + 1.0)", "np.log1p({} ** 2)", "({} * 2.5)", "({} / 3.0)",
         "(1.0 - {})", "np.abs({} + 0.1)", "np.maximum({}, 0.2)"]
BINARY = ["({} + {})", "({} - {})", "({} * {})", "({} / (1.5 + {} ** 2))",
          "np.hypot({}, 1.0 + {} ** 2)", "np.arctan2({}, 1.0 + {} ** 2)"]
RESULTS = ["np.sum({})", "np.mean({})", "{}.sum()", "np.sum(np.sum({}, axis=0) ** 2)",
           "np.sum({} * {})"]
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((5,), (5,)), ((2, 3), (2, 3))]


def random_program(rng: np.random.Generator, name: str) -> str:
    """A function of x and y: a few assignments (some rebinding x or y), then a sum."""
    names = ["x", "y"]
    lines = []
    for k in range(int(rng.integers(2, 7))):
        a, b = (names[int(rng.integers(len(names)))] for _ in range(2))
        kind = rng.random()
        if kind < 0.45:
            expr = UNARY[int(rng.integers(len(UNARY)))].format(a)
        elif kind < 0.85:
            expr = BINARY[int(rng.integers(len(BINARY)))].format(a, b)
        elif kind < 0.93:
            expr = f"np.concatenate([{a}[1:], {a}[:1]])"
        else:
            expr = f"{a} * np.sum({b})"
        target = names[int(rng.integers(2))] if rng.random() < 0.25 else f"t{k}"
        lines.append(f"    {target} = {expr}")
        if target not in names:
            names.append(target)
    result = RESULTS[int(rng.integers(len(RESULTS)))]
    operands = [names[-1], names[int(rng.integers(len(names)))]][:result.count("{}")]
    return f"def {name}(x, y):\n" + "\n".join(lines) + f"\n    return {result.format(*operands)}\n"


def with_control_flow(rng: np.random.Generator, source: str) -> str:
    """``source`` with some of its statements in a loop or a branch, perhaps nested."""
    lines = source.splitlines()
    body = lines[1:-1]
    start = int(rng.integers(0, len(body)))
    end = int(rng.integers(start + 1, len(body) + 1))
    heads = ["    if np.sum(x) > 0:", "    for _ in range(2):"]
    inner = body[start:end]
    if len(inner) > 1 and rng.random() < 0.7:
        a = int(rng.integers(0, len(inner)))
        b = int(rng.integers(a + 1, len(inner) + 1))
        head = heads[int(rng.integers(2))]
        inner = inner[:a] + [head] + ["    " + line for line in inner[a:b]] + inner[b:]
    wrapped = [heads[int(rng.integers(2))]] + ["    " + line for line in inner]
    return "\n".join([lines[0]] + body[:start] + wrapped + body[end:] + [lines[-1]]) + "\n"


def _compile(source: str, name: str):
    filename = f"<random program {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("seed, control_flow", [(0, False), (1, False), (2, False),
                                                (3, False), (4, True), (5, True), (6, True)])
def test_random_programs_agree_with_finite_differences(seed, control_flow):
    rng = np.random.default_rng(seed)
    checked = 0
    for k in range(40):
        name = f"program_{seed}_{k}"
        source = random_program(rng, name)
        if control_flow:
            source = with_control_flow(rng, source)
        fn = _compile(source, name)
        x_shape, y_shape = SHAPES[k % len(SHAPES)]
        x, y = rng.normal(size=x_shape), rng.normal(size=y_shape)
        try:
            fn(x, y)
        except (ValueError, NameError):  # shapes that do not broadcast; a name some
            continue  # path leaves unbound
        for dtype in (np.float64, np.float32):
            args = (x.astype(dtype), y.astype(dtype))
            try:
                check_grads(fn, *args, wrt=(0, 1))
            except AssertionError as exc:
                pytest.fail(f"{exc}\n{source}\n{grad(fn, wrt=(0, 1)).source}")
            dx, dy = grad(fn, wrt=(0, 1))(*args)
            assert np.shape(dx) == x.shape and np.shape(dy) == y.shape, source
            assert np.asarray(dx).dtype == dtype and np.asarray(dy).dtype == dtype, source
        checked += 1
    assert checked >= 25  # most programs run: the test checks what it claims
