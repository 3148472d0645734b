"""Keywords, ``**kwargs`` and ``functools.partial`` in calls of helpers: gradients
against finite differences, and a clear error where grad cannot know the function."""

import inspect

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
    (kc.keyword_only_parameter, (X, W)),
    (kc.into_kwargs, (X, 0.7)),
    (kc.forwarded_through_kwargs, (X, W, B)),
]


@pytest.mark.parametrize("fn, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_finite_differences(fn, args):
    check_grads(fn, *args, wrt=tuple(range(len(args))))


P = {"w": RNG.standard_normal((2, 3)), "b": 0.75}
DICT_CASES = [kc.dict_copied, kc.dict_merged, kc.dict_with_keywords, kc.dict_sgd]


@pytest.mark.parametrize("fn", DICT_CASES, ids=[f.__name__ for f in DICT_CASES])
def test_dicts_copied_and_merged(fn):
    before = {k: np.copy(v) for k, v in P.items()}
    check_grads(fn, P, X, wrt=(0, 1))
    assert all(np.array_equal(P[k], before[k]) for k in P)  # never modified


def test_loop_over_the_keys_of_a_local_dict():
    check_grads(kc.local_dict_keys, X, A, wrt=(0, 1))


def test_settings_merged_over_defaults():
    check_grads(kc.settings_merged, {"scale": 1.5}, X, wrt=(0, 1))
    dp, _ = grad(kc.settings_merged, wrt=(0, 1))({"scale": 1.5}, X)
    assert set(dp) == {"scale"}  # the gradient has the parameter's own keys


def test_dict_of_pairs_is_refused_when_it_runs():
    def from_pairs(x):  # dict(pairs) is valid Python, but not a dict of dicts
        q = dict([("a", x)])
        return np.sum(q["a"])
    with pytest.raises(TypeError, match="dict comprehension"):
        grad(from_pairs)(X)


def test_a_function_through_kwargs_is_followed():
    # act=np.sin passed on through **kwargs: was refused as the call ran (the layer's
    # derivative was made for act's default); since session 19 the forwarding helper's
    # derivative is specialised to the functions its caller passes by keyword, and so is
    # the layer's it calls with **kwargs
    check_grads(kc.function_through_kwargs, X, W, wrt=(0, 1))


def test_partial_calls_are_written_out():
    df = grad(kc.partial_with_keywords, wrt=(0, 1, 2))
    df(X, W, B)
    assert "functools.partial" not in df.source
    assert "layer_back" in df.source  # the helper's derivative, called like any other


@pytest.mark.parametrize("fn", [kc.enumerate_from_one, kc.enumerate_with_start_keyword])
def test_enumerate_with_a_start(fn):
    params = [(RNG.standard_normal((3, 3)), RNG.standard_normal(3)) for _ in range(2)]
    check_grads(fn, params, X)


def test_namedtuples_built_in_the_function():
    check_grads(kc.namedtuple_built_inside, W, B, X, wrt=(0, 1))
    params = kc.Layer(W, B, 0.5)
    check_grads(kc.namedtuple_step, params, RNG.standard_normal((2, 3)))
    g = grad(kc.namedtuple_step)(params, RNG.standard_normal((2, 3)))
    assert isinstance(g, kc.Layer)  # the gradient keeps the parameters' structure


def test_a_partial_passed_on_is_refused_with_what_to_write():
    def passed_on(x, W):
        g = kc.partial(kc.layer, W=W)
        return np.sum(kc.integrate_like(g, x))

    from autograd_src.errors import NoRuleError
    with pytest.raises(NoRuleError, match="call f with the bound values instead"):
        grad(passed_on, wrt=(0, 1))(X, W)


# NumPy 2.1 names clip's bounds min= and max= (NumPy 2.0 has only a_min, a_max)
CLIP_KEYWORDS = [kc.clip_method_max, kc.clip_min, kc.clip_both_keywords] \
    if "min" in inspect.signature(np.clip).parameters else []


@pytest.mark.parametrize("fn", CLIP_KEYWORDS)
def test_clip_with_numpys_min_and_max_keywords(fn):
    # once refused: "missing a required argument: 'a_min'"
    check_grads(fn, np.array([0.5, -0.5, 0.1, -0.1]))


def test_clip_with_one_bound_given_by_name():
    def upper_only(x):
        return np.sum(np.clip(x, a_min=None, a_max=0.3) ** 2)

    check_grads(upper_only, np.array([0.5, -0.5, 0.1]))
