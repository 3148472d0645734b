"""Arrays filled by recurrences and time-stepping loops (``traj[t] = f(traj[t - 1])``,
``u[i] += u[i - 1] ** 2``): the derivative writes them in place, copying only the items
its adjoints keep, and agrees with finite differences, at second order too; and views
taken before an update that grad made a new array are followed or refused, never left
with old values (the gradient was half the true one for ``r = M[0]; M[1] = ...;
M[0] = ...; use r``)."""

import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.errors import InPlaceUpdateError


def _fd(f, x, eps=1e-6):
    x = np.asarray(x, float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def trajectory(x0):
    traj = np.zeros((6, x0.shape[0]))
    traj[0] = x0
    for t in range(1, 6):
        traj[t] = traj[t - 1] + 0.1 * np.sin(2.0 * traj[t - 1])
    return np.sum(traj ** 2)


def row_updated_from_itself(x0):
    traj = np.zeros((3, x0.shape[0]))
    traj[0] = x0
    for t in range(3):
        traj[t] = traj[t] * x0 + 1.0
    return np.sum(traj ** 2)


def item_read_after_the_update(x0):
    u = x0.copy()
    for i in range(1, u.shape[0]):
        a = u[i - 1]
        u[i] = a * u[i]
        b = a * 2.0
    return np.sum(u) + b


def scalar_recurrence(x0):
    u = np.zeros(x0.shape[0])
    u[0] = x0[0]
    for i in range(1, u.shape[0]):
        u[i] += u[i - 1] ** 2 * 0.3 + x0[i]
    return np.sum(np.sin(u))


def leapfrog(q0):
    q = np.zeros((8, q0.shape[0]))
    p = np.zeros((8, q0.shape[0]))
    q[0] = q0
    for t in range(7):
        half = p[t] - 0.05 * np.sin(q[t])
        q[t + 1] = q[t] + 0.1 * half
        p[t + 1] = half - 0.05 * np.sin(q[t + 1])
    return np.sum(q[-1] ** 2 + p[-1] ** 2)


def wrapping_index(x):
    u = np.zeros(4)
    for i in range(4):
        u[i] = u[i - 1] * x[i] + 1.0
    return np.sum(u ** 2)


def first_item_kept(x):
    u = np.zeros(5)
    u[0] = x[0]
    first = u[0]
    for i in range(1, 5):
        u[i] = u[i - 1] + 0.1 * (first - u[i - 1] ** 2) * x[i - 1]
    return np.sum(u)


def first_row_kept(x):
    M = np.zeros((4, 2))
    M[0] = x[:2]
    first = M[0]
    for i in range(1, 4):
        M[i] = M[i - 1] * 0.5 + first * x[2:]
    return np.sum(M ** 2)


PROGRAMS = [trajectory, row_updated_from_itself, item_read_after_the_update,
            scalar_recurrence, leapfrog, wrapping_index, first_item_kept, first_row_kept]
X = np.array([0.3, -0.7, 1.1, 0.5])


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_gradient_and_hessian_agree_with_finite_differences(f):
    np.testing.assert_allclose(grad(f)(X.copy()), _fd(f, X), atol=1e-6)
    expected = np.array([_fd(lambda z, j=j: grad(f)(z)[j], X, 1e-5) for j in range(X.size)])
    np.testing.assert_allclose(hessian(f)(X.copy()), expected, atol=1e-4)


@pytest.mark.parametrize("f", [trajectory, scalar_recurrence, wrapping_index],
                         ids=lambda f: f.__name__)
def test_the_recurrence_is_written_in_place_without_stacking_the_array(f):
    """Each step writes into the array (no ``_ad.setitem`` copy of all of it, no stack
    of its states): O(n) per loop, not O(n^2) time and memory."""
    source = grad(f).source
    assert "_ad.setitem" not in source
    assert "traj_stack" not in source and "u_stack" not in source


def test_the_item_kept_for_the_adjoint_is_copied_before_the_row_is_written():
    source = grad(row_updated_from_itself).source
    assert "traj[t].copy()" in source and "traj[t] = " in source


def _row_taken_before_two_updates(x):
    M = np.zeros((3, x.shape[0]))
    M[0] = x
    r = M[0]
    M[1] = r * x
    M[0] = 2.0 * x  # NumPy: r sees this
    return np.sum(M * r)


def _row_taken_before_updates_elsewhere(x):
    M = np.zeros((3, x.shape[0]))
    M[0] = x
    r = M[0]
    M[1] = r * x
    M[2] = 2.0 * x  # r does not see this
    return np.sum(M * r)


def test_a_view_taken_before_an_update_is_not_left_with_old_values():
    """``M[1] = ...`` was checked against ``r`` where it wrote, then made ``M`` a new
    array: ``M[0] = ...`` was no longer checked, and ``r`` kept its old values (the
    gradient was half the true one)."""
    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(InPlaceUpdateError, match="before an earlier update"):
        grad(_row_taken_before_two_updates)(x)
    f = _row_taken_before_updates_elsewhere
    np.testing.assert_allclose(grad(f)(x), _fd(f, x), atol=1e-6)


def thomas(a, b, c, d):
    n = d.shape[0]
    cp = np.zeros(n)
    dp = np.zeros(n)
    x = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return np.sum(x ** 2)


def lu_in_place(A):
    M = A.copy()
    n = M.shape[0]
    for k in range(n):
        for i in range(k + 1, n):
            M[i, k] = M[i, k] / M[k, k]
            M[i, k + 1:] = M[i, k + 1:] - M[i, k] * M[k, k + 1:]
    return np.sum(M ** 2)


@pytest.mark.parametrize("wrt", [1, 3])
def test_hessian_of_the_thomas_solver(wrt):
    """Tester T: second derivatives of the tridiagonal solver (and other array
    recurrences) were refused, pointing at the generated code: the gradient pushed the
    array on a stack it then wrote into."""
    rng = np.random.default_rng(0)
    args = [rng.normal(size=4), 4 + rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)]

    def gradient_at(z):
        moved = list(args)
        moved[wrt] = z
        return grad(thomas, wrt=wrt)(*moved)

    expected = np.array([_fd(lambda z, j=j: gradient_at(z)[j], args[wrt], 1e-5)
                         for j in range(4)])
    np.testing.assert_allclose(hessian(thomas, wrt=wrt)(*args), expected, atol=1e-5)


def test_hessian_of_an_lu_factorisation_in_place():
    rng = np.random.default_rng(1)
    A = 4 * np.eye(3) + rng.normal(size=(3, 3))
    H = hessian(lu_in_place)(A).reshape(9, 9)
    expected = np.array([_fd(lambda z, j=j: grad(lu_in_place)(z).ravel()[j], A, 1e-5).ravel()
                         for j in range(9)])
    np.testing.assert_allclose(H, expected, atol=1e-4)


# ----- tester V (session 13): arrays without gradient updated in loops; views -----


def scaled_in_a_loop(w, d):
    y = np.sum(w * d)
    for _ in range(2):
        d *= 5.0  # NumPy: the adjoint of the line above must keep d's old values
    return y


def filled_in_a_loop(w):
    u = np.ones(3)
    y = np.sum(w * u)
    for i in range(3):
        u[i] = -1.0
    return y


def scaled_in_a_branch(w, d):
    y = np.sum(w * d)
    if d[0] > 0:
        d *= 5.0
    return y


def view_updated_after_its_base(x):
    u = x * 1.0
    v = u[1:]
    u[0] = 1.0
    v *= 0.5  # NumPy: writes into u
    return np.sum(u)


def row_updated_after_its_matrix(M):
    W = M * 1.0
    r = W[0]
    W[1] = 0.0
    r *= 3.0
    return np.sum(W)


@pytest.mark.parametrize("f", [scaled_in_a_loop, scaled_in_a_branch],
                         ids=lambda f: f.__name__)
def test_an_array_without_gradient_changed_in_control_flow_after_an_adjoint_read_it(f):
    """The loop (or if) computed nothing differentiable and was kept as written, its
    `d *= 5.0` rewritten as a new array dropped: the adjoint read the changed d
    ([25, 25, 25] for [1, 1, 1])."""
    w, d = np.array([1.0, 2.0, 3.0]), np.ones(3)
    np.testing.assert_allclose(grad(f)(w, d), [1.0, 1.0, 1.0])
    after = np.ones(3)
    f(w, after)
    np.testing.assert_allclose(d, after)  # (the caller's d, as one run leaves it)


def test_an_array_of_constants_filled_in_a_loop_after_an_adjoint_read_it():
    w = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(grad(filled_in_a_loop)(w), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("f, x", [(view_updated_after_its_base, np.array([0.3, -0.5, 0.7])),
                                  (row_updated_after_its_matrix, np.ones((2, 3)))],
                         ids=["view", "row"])
def test_an_update_through_a_view_taken_before_its_base_was_updated(f, x):
    """The base became a new array at its update, so the view's update no longer
    reached it: value 1.4 for 1.2, silently. Now refused at the view's update."""
    with pytest.raises(InPlaceUpdateError, match="took a view of it before"):
        grad(f)(x)
