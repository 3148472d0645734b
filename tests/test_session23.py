"""Session 23: the smallest forms of what independent testers and this session's own
checks found (each test failed before its fix)."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jacfwd, value_and_grad


def _fd(f, x, h=1e-6):
    flat = np.asarray(x, dtype=float).ravel()
    out = np.zeros_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        out[i] = (f((flat + e).reshape(np.shape(x))) - f((flat - e).reshape(np.shape(x)))) / (2 * h)
    return out.reshape(np.shape(x))


X3 = np.array([[1.2, -0.3, 0.7], [0.4, 2.0, -1.1], [0.3, 0.2, 1.5]])


# ----- ndarray methods and attributes that are NumPy functions (were refused) -----

def _diagonal_method(x):
    return np.sum(x.diagonal(1) ** 2) + x.diagonal().sum()


def _take_method(x):
    return np.sum(x.take([0, 2, 2]) ** 2) + np.sum(x.take([2, 0], axis=1) ** 3)


def _conj_methods(x):
    return np.sum(x.conj() * x) + np.sum(x.conjugate() * x ** 2)


def _real_imag_attributes(x):
    return np.sum(x.real ** 2) + np.sum(x.imag + x)


@pytest.mark.parametrize("f", [_diagonal_method, _take_method, _conj_methods,
                               _real_imag_attributes])
def test_array_methods_that_are_numpy_functions(f):
    value, gradient = value_and_grad(f)(X3)
    assert value == pytest.approx(f(X3))
    np.testing.assert_allclose(gradient, _fd(f, X3), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(jacfwd(f)(X3), _fd(f, X3), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", [_diagonal_method, _take_method])
def test_array_methods_second_order(f):
    H = hessian(f)(X3)
    expected = np.stack([_fd(lambda y, i=i: grad(f)(y)[i], X3, 1e-5)
                         for i in np.ndindex(X3.shape)]).reshape(X3.shape * 2)
    np.testing.assert_allclose(H, expected, rtol=1e-4, atol=1e-6)


# ----- xs.insert(i, v) into a list of the function's own (was refused) -----

def _insert_into_own_copy(ws, x):
    ws = list(ws)  # a list of this function's own, under the parameter's name
    ws.insert(1, x)
    return sum(w * w * (i + 1) for i, w in enumerate(ws))


def _insert_differentiated_into_data(ws, x):
    vs = list(ws)
    vs.insert(1, x)
    return sum(w * w * (i + 1) for i, w in enumerate(vs))


@pytest.mark.parametrize("f", [_insert_into_own_copy, _insert_differentiated_into_data])
@pytest.mark.parametrize("wrt", [0, 1, (0, 1)])
def test_insert_into_a_list_of_its_own(f, wrt):
    ws, x = [1.0, 2.0], 3.0
    gradient = grad(f, wrt=wrt)(ws, x)
    assert ws == [1.0, 2.0]
    dws = [_fd(lambda v, k=k: f([v if j == k else w for j, w in enumerate(ws)], x), w)
           for k, w in enumerate(ws)]
    dx = _fd(lambda v: f(ws, v), x)
    expected = {0: dws, 1: dx, (0, 1): (dws, dx)}[wrt]
    np.testing.assert_allclose(np.hstack(gradient) if wrt != 1 else gradient,
                               np.hstack(expected) if wrt != 1 else expected, rtol=1e-6)


def _insert_into_the_callers_list(x, ws):
    ws.insert(1, x)
    return sum(w * w * (i + 1) for i, w in enumerate(ws))


def test_insert_into_the_callers_list_as_python_does():
    ws = [1.0, 2.0]
    assert grad(_insert_into_the_callers_list)(3.0, ws) == pytest.approx(12.0)
    assert ws == [1.0, 3.0, 2.0]  # as one plain run leaves it


# ----- a record of a differentiated value in a module's dict or list (was refused) -----

STATE: dict = {}
LOG = [0.0]


def _records_into_module_containers(x):
    y = x * 2.0
    STATE["y"] = float(y)
    LOG[0] = y
    return y * x


def _reads_its_record_back(x):
    STATE["y"] = x * 2.0
    return STATE["y"] * x


def test_record_into_a_module_dict_as_python_does():
    assert grad(_records_into_module_containers)(1.5) == pytest.approx(6.0)
    assert STATE["y"] == 3.0 and LOG[0] == 3.0
    value, gradient = value_and_grad(_records_into_module_containers)(2.5)
    assert (value, gradient) == (12.5, 10.0) and STATE["y"] == 5.0
    assert jacfwd(_records_into_module_containers)(1.0) == pytest.approx(4.0)


def test_record_read_back_stays_refused_naming_the_dict():
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match="a global or enclosing function's dict"):
        grad(_reads_its_record_back)(1.5)
