"""Programs the fuzzers found, kept as they were written out (second_order_fuzz seed
27183, data tier, program 7): hvp and grad(grad) crashed with AttributeError
'lineno' in a check reading the lines of nodes the stages made."""

import numpy as np

from autograd_src import grad, hvp
from autograd_src.testing import numerical_grad


def smooth0(u):
    s, term = np.cos(np.mean(u)), u.mean() + u[3]
    term = 0.5 * term + np.cos(np.tanh(np.dot(u, u)))
    return u


def mix1(u, v, alpha=0.2):
    primal = -(u if abs(alpha) >= 0.97 and alpha > -0.37 else u) / (1.0 + np.exp(alpha))
    for n in range(len(primal)):
        n_iter = 0
        while n_iter < 5 and np.sum(primal) >= 0.29:
            n_iter += 1
            primal *= -0.8
            alpha += 1.3 / (2.0 + np.cos(primal[n, 2]))
            primal = np.sin(primal)
        if n % 2 == 1:
            continue
        primal += primal[:, ::-1]
    return primal - 0.05 * alpha


def proj2(u, v, scale=1.2):
    tot = mix1(u, scale, 1.5)
    h = tot[0, 2] * (0.1 * tot.sum())
    iters = 0
    while iters < 1 and (h > -0.09 and h < 0.19):
        iters += 1
        val = tot[0, 0] - np.exp(-(tot[0, 2] / np.sqrt(1.0 + (0.1 * np.sum(tot)) ** 2)) ** 2)
        h *= 0.5
    h = h - scale
    return np.sin(tot), np.tanh((h - 1.5) ** 2)


def f(x, a, w):
    n_iter = 0
    while abs(a) <= 0.89 and n_iter < 2:
        n_iter += 1
        a -= 0.05 * (x @ x)
        a *= np.tanh(w[1, 2] / (2.0 + np.cos(np.arctan(np.mean(x)))))
        if np.linalg.norm(w) > 1.07:
            return np.tanh(x @ x) / 2.52
    it = 0
    while it < 1 and x.sum() <= -0.76:
        it += 1
        terms = []
        for step in range(3):
            terms.append(x ** 3)
            val = smooth0(u=x)
        res = np.tanh(sum(terms))
        vals = []
        vals.append(np.tanh(w))
        vals.append(w)
        vals.append(mix1(np.tanh(w ** 3), np.tanh(a), alpha=1.1))
        vals.append(mix1(w, np.tanh(a)))
        out = np.mean(np.stack(vals), axis=0)
        rows = []
        for k in range(1):
            rows.append((-0.89) ** 2)
            res = np.arctan(res - smooth0(res))
        e1 = np.stack(rows)
    a += x[3]
    tmp, s1 = mix1(u=w, v=np.tanh(a), alpha=0.28), 1.0 / (1.0 + np.exp(-x[::-1]))
    s = np.ones(7)
    for j in range(1, 7):
        s[j] = mix1(tmp, v=np.tanh(a)).mean()
    return np.mean(tmp) - 0.1 * np.sum(s1 ** 2) + np.tanh(np.sum(np.sin(s)))


ARGS = (np.array([0.4986649698109207, -0.6319296267174027, 0.1682177331943362, -0.6852758399124446, 0.5241631798133195, -1.1028634155848227, -1.0862819878381602]), 1.3001874594710032, np.array([[-0.2842044552877694, -0.5141906628083471, -0.06447560259977703], [1.248268820805143, -0.8868375290998187, -0.7505405796625308]]), )


def test_hvp_of_a_program_with_rebound_parameters_and_helpers():
    x, v, eps = ARGS[0], np.linspace(-1.0, 1.0, 7), 1e-6
    expected = (grad(f)(x + eps * v, *ARGS[1:]) - grad(f)(x - eps * v, *ARGS[1:])) / (2 * eps)
    np.testing.assert_allclose(hvp(f)(*ARGS, v), expected, rtol=1e-5, atol=1e-8)


def _first(y):
    return y[1]


def _bumped(x, y):
    z = _first(x)
    z += 1.0
    return x


def _calls_by_keyword_for_effect(w, v):
    unused = _bumped(x=w, y=v)
    return np.sum(v * v)


def test_a_helper_copy_called_by_keyword_only_for_its_effect_keeps_its_arguments():
    """run_fuzz seed 69171 (calls tier): a helper writing through another name
    (``z = first(x); z += 1``), called by keyword and its value unused, ran as
    ``bumped_on_copies()``: the primal call kept none of the arguments that the
    keyword-to-position step had moved."""
    w, v = np.array([1.0, 2.0]), np.array([0.5, 0.25])
    dw, dv = grad(_calls_by_keyword_for_effect, wrt=(0, 1))(w, v)
    np.testing.assert_allclose(dw, [0.0, 0.0])
    np.testing.assert_allclose(dv, 2 * v)
    np.testing.assert_array_equal(w, [1.0, 2.0])


def _mixes(x, y):
    s = y[2]
    s *= np.cos(y[4] * -0.32)
    return 0.1 * np.dot(y / (2.0 + np.cos(0.1 * s)), x)


def _updates_a_number_then_calls_by_keyword(x, a):
    a += a + a
    h = np.log(1.0 + np.exp(np.arctan(x.sum())))
    for _ in range(2):
        a -= np.tanh(a + a) / (1.0 + np.exp(0.1 * np.sum(x)))
        z = _mixes(x, y=x)
    return h


def test_grad_s_own_references_are_not_names_that_share_an_array():
    """run_fuzz seed 130404 (calls tier): `a += a + a` was refused as changing an array
    another name refers to; the other name was `_ad`, which a check the helper copy
    placed there reads."""
    x = np.array([0.48, 1.03, 0.13, -0.70, -0.30])
    dx, da = grad(_updates_a_number_then_calls_by_keyword, wrt=(0, 1))(x, 1.44)
    expected = numerical_grad(_updates_a_number_then_calls_by_keyword, (x, 1.44), 0)
    np.testing.assert_allclose(dx, expected, rtol=1e-6)
    assert da == 0.0
