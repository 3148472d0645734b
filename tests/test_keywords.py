"""Keywords, ``**kwargs`` and ``functools.partial`` in calls of helpers: gradients
against finite differences, and a clear error where grad cannot know the function."""

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.testing import check_grads

from . import keyword_cases as kc

RNG = np.random.default_rng(3)
X, W, B = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 3)), RNG.standard_normal(3)
A = RNG.standard_normal((2, 3))

CASES = [
    (kc.settings_through_kwargs, (X, W)),
    (kc.partial_with_keywords, (X, W, B)),
    (kc.partial_with_positions, (X, A)),
    (kc.partial_bound_value_kept, (X, A)),
    (kc.partial_in_a_loop, (X, [W, W * 0.5])),
]


@pytest.mark.parametrize("fn, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_finite_differences(fn, args):
    check_grads(fn, *args, wrt=tuple(range(len(args))))


def test_a_function_through_kwargs_is_an_error_naming_the_call():
    # The helper's derivative was generated for act's default (tanh): a different act
    # coming through **kwargs would get tanh's derivative, so the call refuses it.
    df = grad(kc.function_through_kwargs)
    with pytest.raises(TypeError, match=r"keyword_cases.py:\d+: layer\(\) gets act=sin "
                                        r"through \*\*kwargs.*pass act= explicitly"):
        df(X, W)


def test_partial_calls_are_written_out():
    df = grad(kc.partial_with_keywords, wrt=(0, 1, 2))
    df(X, W, B)
    assert "functools.partial" not in df.source
    assert "layer_back" in df.source  # the helper's derivative, called like any other
