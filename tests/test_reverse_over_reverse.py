# ruff: noqa: B007, E501, F841 - the fuzzer's program, kept as it was generated
"""Reverse over reverse (grad of the code grad generates, the fallback of grad(grad(f)))
on programs the second-order fuzzer found crashing: the optimizer's hoisting of pops out
of a loop's branches read positions an earlier stack's hoisting had moved ('NoneType'
object is not subscriptable, in the transformation). Checked against forward over
reverse."""

import numpy as np

from autograd_src import grad
from autograd_src.api import general_code


def __mix0(u):
    q = 0.1 * (u[::-1] * np.sin(u if np.max(u) < 0.29 or np.linalg.norm(u) >= 1.91 else u) + (np.exp(np.tanh(u[0, 0])) - np.sin(u ** 2)))
    if u.sum() < -1.1:
        act = q[::-1]
    elif np.max(u) < -0.65:
        hid = np.tanh(q)
    else:
        tot = q / (2.0 + np.cos(u))
    r = np.cos(u if np.mean(q) > -0.17 else q) - (np.log(1.0 + np.exp(q)) - q[::-1])
    r[0] = np.sin(q[2])
    return (q.sum() if np.sum(q) >= 0.91 and np.linalg.norm(q) <= 1.56 else r[0, 1]) / (2.0 + np.cos(0.05 * np.sum(u)))


def fuzz_data_20(x, w):
    x = np.tanh(x + np.exp(x[1]))
    parts1 = []
    parts1.append(w.sum(axis=0))
    parts1.append(x / (1.0 + np.exp(x[-1] + np.arctan(np.sum(w)))))
    z = np.stack(parts1)
    acc = np.zeros((2, 2))
    acc[0, 1] += np.sum(x) / np.sqrt(1.0 + x[-1] ** 2)
    acc[0] += x + x
    s1 = np.zeros((3, 2))
    for step1 in range(s1.shape[0]):
        s1[step1] += x
    hs = []
    for n in range(1):
        if s1[0, 0] < 0.98:
            acc = np.tanh(acc - z * x)
            s1 = x @ x * s1
            w = np.arctan(w + np.log1p(x ** 2))
        else:
            z = np.sin(z - (x * np.mean(acc))[:, None])
            term1 = z * z
        hs.append(np.arctan(w @ z))
        rows = []
        for j in range(1):
            rows.append(np.tanh(np.sqrt(1.0 + (s1 * x) ** 2)))
        h = sum(rows)
    val = np.mean(np.stack(hs), axis=0)
    return np.sum(np.sin(s1)) + np.mean(z) - np.mean(val)


X = np.array([-0.6854892292678096, 0.07798404336080611])
W = np.array([[-1.1732487992426184, 0.49145775557026017],
              [-0.003814106134089279, 1.0790269253803753],
              [0.8250424930549887, 0.8159575708168809]])


def test_hoisted_pops_of_two_stacks_in_one_branch():
    inner = grad(fuzz_data_20)
    np.testing.assert_allclose(grad(general_code(inner))(X, W), grad(inner)(X, W),
                               rtol=1e-8, atol=1e-10)
