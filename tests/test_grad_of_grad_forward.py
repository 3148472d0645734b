"""grad(grad(f)) by forward mode over reverse mode: the tangent of grad(f, wrt=b)'s code
along the inner parameter (seeded with the inner derivative's seed, ones by default),
against reverse over reverse (grad of the inner derivative's general code, which it falls
back to) and against differences; results laid out as grad's (floats, containers, dtypes).
"""

import numpy as np
import pytest

from autograd_src import grad, hessian, value_and_grad
from autograd_src.api import general_code


def reverse_over_reverse(inner, **options):
    return grad(general_code(inner), **options)


def two_args(x, y):
    return np.sum(np.sin(x) * x ** 2) * y + np.sum(x) * y ** 3


def loop(x, y):
    s = 0.0
    for i in range(len(x)):
        s = s + np.tanh(x[i] * y) * x[i]
    return s


def scalar(t, c):
    return np.sin(t) * t ** 3 * c + c ** 2 * t


X, Y = np.array([0.3, -0.5, 0.8]), 1.3


@pytest.mark.parametrize("f", [two_args, loop])
@pytest.mark.parametrize("a, b", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_every_pair_of_parameters_matches_reverse_over_reverse(f, a, b):
    inner = grad(f, wrt=a)
    got = grad(inner, wrt=b)(X, Y)
    expected = reverse_over_reverse(inner, wrt=b)(X, Y)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert type(got) is (float if b == 1 else np.ndarray)
    assert "forward mode over reverse mode" in grad(inner, wrt=b).source


def test_seeds_inner_and_outer():
    inner = grad(two_args)
    s1, s2 = 0.7, np.array([1.0, -2.0, 0.5])
    for b in (0, 1):
        outer = grad(inner, wrt=b)
        got = outer(X, Y, dout=s1, dout_2=s2)
        np.testing.assert_allclose(got, reverse_over_reverse(inner, wrt=b)(
            X, Y, dout=s1, dout_2=s2), rtol=1e-12)
    # the Hessian's rows, seeded with unit vectors
    H = hessian(two_args)(X, Y)
    for k, e in enumerate(np.eye(3)):
        np.testing.assert_allclose(grad(inner)(X, Y, dout_2=e), H[k], rtol=1e-12)


def test_float_arguments_give_floats_and_third_order():
    t, c = 0.7, 1.5
    second = grad(grad(scalar))
    value = second(t, c)
    assert type(value) is float
    reverse = reverse_over_reverse(grad(scalar))(t, c)
    assert value == pytest.approx(reverse, rel=1e-13)
    third = grad(second)
    eps = 1e-5
    assert third(t, c) == pytest.approx((second(t + eps, c) - second(t - eps, c)) / (2 * eps),
                                        rel=1e-7)
    assert type(third(t, c)) is float
    mixed = grad(grad(scalar, wrt=1), wrt=0)
    assert mixed(t, c) == pytest.approx(np.sin(t) * 3 * t ** 2 + np.cos(t) * t ** 3 + 2 * c,
                                        rel=1e-13)


def test_dtypes_and_zero_d_arrays_are_kept():
    x32 = X.astype(np.float32)
    got = grad(grad(two_args))(x32, Y)
    assert got.dtype == np.float32
    zero_d = grad(grad(scalar))(np.array(0.7), 1.5)
    assert type(zero_d) is np.ndarray and zero_d.shape == ()
    assert float(zero_d) == pytest.approx(grad(grad(scalar))(0.7, 1.5), rel=1e-13)


def over_a_list(p, y):
    return np.sum(np.sin(p[0]) * p[1] ** 2) * y + p[2] * y * y


def over_a_dict(p, y):
    return np.sum(np.tanh(p["w"] * y) + p["b"] ** 3)


def over_a_tuple(p, y):
    return np.sum(np.exp(p[0] * p[1]) * y)


def test_containers_keep_their_structure():
    # the smallest form of a crash: a tangent list of arrays and a float (a ragged list)
    # broke make_jvp's check of the tangent's structure
    p = [np.array([0.3, -0.5]), np.array([1.0, 2.0]), 0.7]
    got = grad(grad(over_a_list))(p, 2.0)
    expected = reverse_over_reverse(grad(over_a_list))(p, 2.0)
    assert type(got) is list and type(got[2]) is float
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)
    d = {"w": np.array([0.3, -0.5]), "b": 0.4}
    got = grad(grad(over_a_dict))(d, 1.5)  # (reverse over reverse refuses a dict result)
    assert type(got) is dict and type(got["b"]) is float
    eps, first = 1e-5, grad(over_a_dict)
    up = first({k: v + eps for k, v in d.items()}, 1.5)
    down = first({k: v - eps for k, v in d.items()}, 1.5)
    for k in d:
        np.testing.assert_allclose(got[k], (up[k] - down[k]) / (2 * eps), rtol=1e-7)
    pair = (np.array([0.3, -0.5]), np.array([0.2, 0.1]))
    got = grad(grad(over_a_tuple))(pair, 1.5)
    assert type(got) is tuple
    first = grad(over_a_tuple)
    up = first(tuple(v + eps for v in pair), 1.5)
    down = first(tuple(v - eps for v in pair), 1.5)
    for g, u, v in zip(got, up, down):
        np.testing.assert_allclose(g, (u - v) / (2 * eps), rtol=1e-7)
    # a seed in the container's structure
    seed = [np.array([1.0, 0.0]), np.array([0.0, 2.0]), 3.0]
    got = grad(grad(over_a_list))(p, 2.0, dout_2=seed)
    expected = reverse_over_reverse(grad(over_a_list))(p, 2.0, dout_2=seed)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)


def test_several_parameters_and_value_and_grad():
    inner = grad(two_args)
    both = grad(inner, wrt=(0, 1))(X, Y)
    expected = reverse_over_reverse(inner, wrt=(0, 1))(X, Y)
    assert type(both) is tuple and type(both[1]) is float
    for g, e in zip(both, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    value, gradient = value_and_grad(inner)(X, Y)
    np.testing.assert_allclose(value, inner(X, Y), rtol=1e-14)
    np.testing.assert_allclose(gradient, expected[0], rtol=1e-12)
    value, gradient = value_and_grad(inner, wrt=1)(X, Y)
    np.testing.assert_allclose(value, inner(X, Y), rtol=1e-14)
    assert gradient == pytest.approx(expected[1], rel=1e-12)


def test_with_respect_to_the_seed_is_reverse_over_reverse():
    # linear in its seed: grad with respect to dout is the (summed) gradient itself
    inner = grad(two_args)
    outer = grad(inner, wrt="dout")
    assert "forward mode" not in outer.source
    assert outer(X, Y, dout=1.0) == pytest.approx(np.sum(inner(X, Y)), rel=1e-12)


def test_tuple_results_are_refused_as_before():
    from autograd_src import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match="single output"):
        grad(value_and_grad(two_args))
    with pytest.raises(DiffSyntaxError, match="single output"):
        grad(grad(two_args, wrt=(0, 1)))


ACT = np.sin


def uses_a_global(x):
    return np.sum(ACT(x) * x)


def test_follows_a_redefined_global():
    global ACT
    second = grad(grad(uses_a_global))
    x = np.array([0.3, 1.2])
    np.testing.assert_allclose(second(x), 2 * np.cos(x) - x * np.sin(x), rtol=1e-12)
    try:
        ACT = np.cos
        np.testing.assert_allclose(second(x), -2 * np.sin(x) - x * np.cos(x), rtol=1e-12)
    finally:
        ACT = np.sin


def recursive_cell(u, w, depth):
    if depth <= 0:
        return u
    return 0.3 * u + recursive_cell(np.tanh(w * u), w, depth - 1)


def calls_a_recursive_helper(x):
    return np.sum(recursive_cell(x, x, 2) ** 2)


def test_a_recursive_helper():
    # The smallest form of most refusals on the fuzzer's calls and data tiers: the
    # helper's derivative calls itself through a stand-in forward mode did not know
    # (no derivative rule for dcelldu_w_2); reverse over reverse refuses its nonlocal.
    x = np.array([0.3, -0.4, 0.9])
    first, eps = grad(calls_a_recursive_helper), 1e-5
    numeric = np.array([(first(x + eps * e) - first(x - eps * e)) / (2 * eps)
                        for e in np.eye(3)])
    np.testing.assert_allclose(hessian(calls_a_recursive_helper)(x), numeric, rtol=1e-7,
                               atol=1e-9)
    np.testing.assert_allclose(grad(first)(x), numeric.sum(axis=0), rtol=1e-7, atol=1e-9)


def summed_list_of_appends(x):
    outs = []
    for _ in range(3):
        outs.append(x * 1.0)
    return np.sum(np.tanh(sum(outs)))


def test_a_list_appended_in_a_loop_then_summed():
    # The smallest form of wrong second derivatives of reverse over reverse on the shared
    # fuzzer's programs (seed 4711: data 0, data 9): it gives a third of the right value.
    # Forward over reverse, what grad(grad(f)) runs, is right.
    x = np.array([0.3, -0.4])
    expected = hessian(summed_list_of_appends)(x).sum(axis=0)
    np.testing.assert_allclose(grad(grad(summed_list_of_appends))(x), expected, rtol=1e-12)


def test_a_list_appended_in_a_loop_then_summed_by_reverse_over_reverse():
    # Reverse over reverse gave a third of it: _ad.unsum's result, a list of adjoints,
    # was not known as one, so its adjoints were summed with + (list concatenation).
    x = np.array([0.3, -0.4])
    expected = hessian(summed_list_of_appends)(x).sum(axis=0)
    got = reverse_over_reverse(grad(summed_list_of_appends))(x)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_the_outer_seed_is_in_the_signature():
    import inspect

    def f(ws):
        return ws[0] ** 2 * ws[1]

    outer = grad(grad(f))
    assert str(inspect.signature(outer)) == "(ws, *, dout=None, dout_2=None)"
    np.testing.assert_allclose(outer([0.5, 1.2], dout_2=[1.0, 0.0]), [2.4, 1.0])
    with pytest.raises(TypeError, match="its seed is dout_2="):
        outer([0.5, 1.2], d_ws=[1.0, 0.0])
