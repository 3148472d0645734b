"""Session 28: each fix in its smallest form, checked against finite differences."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jacfwd


def numeric_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


X = np.array([0.5, 1.0, 3.0, 2.0])


# ----- An integer position a helper returns, used as an index (tester DS: refused as
# "an index computed from a differentiated value"; HIPS autograd takes it) -----

def pick(x):
    k = int(np.argmax(x))
    return x[k], k


def position(x):
    return int(np.argmax(x))


def slice_to_the_largest(x):
    v, k = pick(x)
    return v * np.sum(x[:k] ** 2)


def index_from_a_helper(x):
    k = position(x)
    return np.sum(x[:k] ** 2) + x[k - 1] * x[k]


def store_at_a_helpers_index(x):
    r = np.zeros(4)
    v, k = pick(x)
    r[k] = v ** 2
    r[k - 1] += x[0]
    return np.sum(r * np.arange(4.0))


def index_in_a_loop(x):
    s = 0.0
    for i in range(3):
        v, k = pick(x * (i + 1))
        s = s + v * k + x[k] * x[(k + 1) % 4]
    return s


@pytest.mark.parametrize("f", [slice_to_the_largest, index_from_a_helper,
                               store_at_a_helpers_index, index_in_a_loop])
def test_an_integer_a_helper_returns_indexes(f):
    np.testing.assert_allclose(grad(f)(X), numeric_grad(f, X), atol=1e-7)
    np.testing.assert_allclose(jacfwd(f)(X), numeric_grad(f, X), atol=1e-7)


@pytest.mark.parametrize("f", [slice_to_the_largest, store_at_a_helpers_index,
                               index_in_a_loop])
def test_an_integer_a_helper_returns_indexes_at_second_order(f):
    dfdx = grad(f)
    expected = np.array([numeric_grad(lambda z, i=i: dfdx(z)[i], X) for i in range(X.size)])
    np.testing.assert_allclose(hessian(f)(X), expected, atol=1e-5)


TABLE = [1.0, 2.0, 3.0, 4.0]


def from_a_table(x):
    k = position(x)
    return TABLE[k] * x[1] ** 2


def test_an_item_of_a_modules_list_at_a_helpers_index_is_a_constant():
    df = grad(from_a_table)
    np.testing.assert_allclose(df(X), numeric_grad(from_a_table, X), atol=1e-7)
    assert "dTABLE" not in df.source and "integer_index" not in df.source


class Interpolated:
    def __getitem__(self, t):
        return 2.0 * t


CURVE = Interpolated()


def float_through_a_class(x):
    v, k = pick(x)
    return CURVE[v]


def test_a_float_index_is_refused_as_it_runs_at_the_users_line():
    # its class's __getitem__ could read the float: not followed, so never a zero
    with pytest.raises(TypeError, match=r"test_session28.py:\d+: return CURVE\[v\]: an "
                                        r"index computed from a differentiated value holds "
                                        r"a float64"):
        grad(float_through_a_class)(X)


# ----- An item of an array copied into the same array, then rows written (fuzz seed
# 270651, data tier: refused as it ran, "an array that another name read later took
# from it"): a store into an array copies the value; it makes no second name -----

def copy_an_item_then_write_rows(x):
    y = x[::-1]
    r = np.zeros_like(x)
    r[3, 0] = r[0, 1]
    r[:, 0] = np.cos(y[:, 1])
    r[0] = np.tanh(y[0])
    r += np.sqrt(1.0 + y ** 2)
    return np.sum(np.sin(r))


def test_an_item_stored_into_its_own_array_shares_nothing():
    x = np.arange(8.0).reshape(4, 2) / 10
    f = copy_an_item_then_write_rows
    np.testing.assert_allclose(grad(f)(x), numeric_grad(f, x), atol=1e-7)
