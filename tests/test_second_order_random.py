"""Second order on random programs (`second_order_fuzz`'s checks): jvp against
vjp, and hvp, jvp of grad and grad of grad against differences of grad. Here on
the project's own generator; ``python -m tests.second_order_fuzz`` runs them on
the shared fuzzer's thousands.

A check may refuse (one of the library's errors, saying why) but never give a
wrong value or fail with another exception. grad of grad is forward mode over
reverse mode, falling back to reverse over reverse where that refuses.
"""

import collections
import importlib.util
import sys

import numpy as np
import pytest

from autograd_src import jvp

from . import program_generator as pg
from . import second_order_programs as sp
from .second_order_fuzz import ALL_CHECKS, check_program

SEEDS = range(0, 4 * len(pg.FEATURES))
FORWARD_OVER_REVERSE = ("jvp", "hvp", "jvp_grad", "mixed")
TALLY: dict = collections.defaultdict(collections.Counter)


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    folder = tmp_path_factory.mktemp("second_order_programs")

    def get(seed: int):
        program = pg.generate(seed, pg.FEATURES[seed % len(pg.FEATURES)])
        name = f"second_order_generated_{seed}"
        path = folder / f"{name}.py"
        path.write_text(program.source)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return program, module.f

    yield get
    for name in [n for n in sys.modules if n.startswith("second_order_generated_")]:
        del sys.modules[name]


def _assert_sound(result: dict, where: str) -> None:
    for check, (outcome, detail) in result.items():
        if check == "grad":
            assert outcome == "refused", (detail, where)  # grad itself, checked elsewhere
            continue
        assert outcome in ("ok", "refused", "unstable"), (check, outcome, detail, where)


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_over_reverse_on_random_programs(seed, load):
    program, fn = load(seed)
    result = check_program(fn, program.args, seed, [np.asarray(e) for e in program.expected],
                           checks=FORWARD_OVER_REVERSE)
    for check, (outcome, _) in result.items():
        TALLY[check][outcome] += 1
    _assert_sound(result, f"\n--- program ---\n{program.source}")


@pytest.mark.parametrize("index", range(len(sp.CASES)))
def test_smallest_forms(index):
    fn, args = sp.CASES[index]
    result = check_program(fn, args, index, checks=ALL_CHECKS)  # reverse over reverse too
    assert all(outcome == "ok" for outcome, _ in result.values()), result


@pytest.mark.parametrize("index", range(len(sp.FORWARD_OVER_REVERSE_CASES)))
def test_smallest_forms_forward_over_reverse(index):
    fn, args = sp.FORWARD_OVER_REVERSE_CASES[index]
    result = check_program(fn, args, index, checks=FORWARD_OVER_REVERSE)
    assert all(outcome == "ok" for outcome, _ in result.values()), result


def test_jvp_of_a_function_returning_a_tuple():
    x, y = np.array([0.3, -0.8]), 1.7
    dx, dy = np.array([1.0, 2.0]), -0.5
    value, tangent = jvp(sp.two_results, (x, y), (dx, dy))
    assert isinstance(tangent, tuple) and len(tangent) == 2
    np.testing.assert_allclose(value[0], np.sin(x) * y)
    np.testing.assert_allclose(tangent[0], np.cos(x) * dx * y + np.sin(x) * dy)
    np.testing.assert_allclose(tangent[1], np.sum(dx * y + x * dy))
