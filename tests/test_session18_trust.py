"""Session 18: the smallest forms of what independent testers and the fuzzers found,
each checked against finite differences or against one plain run of the function."""
import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.errors import DiffSyntaxError


def test_grad_of_grad_keeps_dict_update_or_refuses_with_grad():
    # BK: reverse over reverse ran the general code of grad(f), which works on a copy of
    # a dict argument and writes nothing back: the caller's dict was left untouched.
    def f(x, st):
        st['calls'] = st['calls'] + 1
        y = np.sum(x ** 2) + st['calls'] * x[0] * x[1]
        st['scale'] = st['scale'] * 0.5
        return y

    x = np.array([0.3, -0.7, 1.1])
    with pytest.raises(DiffSyntaxError):
        grad(f)(x, {'calls': 0, 'scale': 1.0})
    st = {'calls': 0, 'scale': 1.0}
    with pytest.raises(DiffSyntaxError):
        grad(grad(f))(x, st)

    def g(x, log):
        y = np.sum(np.sin(x) ** 2)
        log.append(float(y))
        return y * x[0]

    plain: list = []
    g(x, plain)
    log: list = []
    got = grad(grad(g))(x, log)
    assert log == plain
    np.testing.assert_allclose(got, hessian(g)(x, []).sum(axis=1), rtol=1e-10)
