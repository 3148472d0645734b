"""Session 24: the smallest forms of what independent testers and this session's own
checks found (each test failed before its fix)."""

import numpy as np
import pytest

from autograd_src import grad, hessian, jacfwd, jvp
from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError

from .test_session22 import _fd  # (central differences, h = 1e-6)

X = np.array([1.0, 2.0, -0.5])
A = np.array([0.3, -0.7, 1.1])


# ----- a helper writing into its parameter through another name, or through a helper
# of its own (both were wrong once called twice: the second call's write reached the
# first call's derivative) -----

def _triples(r):
    r *= 3.0


def _triples_through_helper(xv, p):
    _triples(p)
    return p * xv


def _twice_in_a_loop(x, a):
    s = 0.0
    for _ in range(2):
        s = s + np.sum(_triples_through_helper(x, a))
    return s


def test_helper_writing_through_its_own_helper_in_a_loop():
    a = A.copy()
    gradient = grad(_twice_in_a_loop)(X, a)
    np.testing.assert_allclose(gradient, 12 * A)  # 3a + 9a
    np.testing.assert_allclose(a, 9 * A)  # as one plain run leaves it


def _adds_through_alias(xv, p):
    q = p
    q += 1.0
    return p * xv


def _alias_twice(x, a):
    s = 0.0
    k = 0
    while k < 2:
        s = s + np.sum(_adds_through_alias(x, a))
        k += 1
    return s


def _alias_in_one_line(x, a):
    return np.sum(_adds_through_alias(x, a)) + np.sum(_adds_through_alias(x, a))


@pytest.mark.parametrize("f", [_alias_twice, _alias_in_one_line])
def test_helper_writing_through_an_alias_called_twice_is_refused(f):
    # (grad refuses an aliased update it cannot follow; it gave (a+2)+(a+2) for
    # (a+1)+(a+2) before)
    with pytest.raises((DiffSyntaxError, InPlaceUpdateError)):
        grad(f)(X, A.copy())


def _alias_tanh(x, a):
    return np.sum(np.tanh(_adds_through_alias(x, a)))


def test_hessian_through_a_helper_writing_through_an_alias_is_refused():
    a = A.copy()  # (was: a wrong Hessian, and the caller's array written twice)
    with pytest.raises(DiffSyntaxError):
        hessian(_alias_tanh)(X, a)


def _multiplies_through_alias(xv, p):
    q = p
    q *= xv
    return 0.0


def _sum_after_alias_write(x, a):
    _multiplies_through_alias(x, a)
    return np.sum(a)


def test_forward_mode_through_a_helper_writing_through_an_alias_is_refused():
    # (the tangent came out 0.0 for 0.3)
    with pytest.raises(DiffSyntaxError, match="through another name"):
        jvp(_sum_after_alias_write, (X, A.copy()), (np.array([1.0, 0.0, 0.0]), None))


# ----- a helper storing into a list it is given (crashed in the derivative) -----

def _stores_first_item(xv, p):
    p[0] = xv[0] ** 2
    return np.sum(p) * xv


def _list_item_store(x, a):
    return np.sum(_stores_first_item(x, a))


def _stores_whole_slice(xv, p):
    p[:] = xv * 2.0
    return 0.0


def _list_slice_store(x, a):
    y = x * 1.0
    _stores_whole_slice(x, a)
    return np.sum(y * np.array(a))


@pytest.mark.parametrize("f", [_list_item_store, _list_slice_store])
def test_helper_storing_into_a_list_argument(f):
    given, plain = [0.3, -0.7, 1.1], [0.3, -0.7, 1.1]
    expected = _fd(lambda x: f(x, [0.3, -0.7, 1.1]), X)
    np.testing.assert_allclose(grad(f)(X, given), expected, rtol=1e-6, atol=1e-8)
    f(X, plain)
    np.testing.assert_allclose(given, plain)  # the caller's list as a plain run leaves it


# ----- forward mode: a = bump(a), bump writing into a (an array without tangent) -----

def _bumps(p):
    p += 1.0
    return p * 3.0


def _rebinds_to_bumped(x, a):
    a = _bumps(a)
    return np.sum(a * x)


def test_forward_mode_gives_the_callers_array_the_helpers_write():
    # (jvp and jacfwd left the caller's a unwritten: the copy was given back before
    # the call that wrote into it)
    for run in (lambda a: jvp(_rebinds_to_bumped, (X, a), (np.ones(3), None))[1],
                lambda a: jacfwd(_rebinds_to_bumped)(X, a),
                lambda a: grad(_rebinds_to_bumped)(X, a)):
        a, plain = A.copy(), A.copy()
        _rebinds_to_bumped(X, plain)
        got = run(a)
        np.testing.assert_allclose(np.sum(got) if np.ndim(got) else got,
                                   np.sum(3 * (A + 1)))
        np.testing.assert_allclose(a, plain)
