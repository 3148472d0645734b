"""Smallest forms of what the second-order checks on random programs found."""

import numpy as np


def early_returns_in_two_loops(a, x):
    # grad keeps result on one stack in both loops, constant in the first: its
    # tangent's stack must get a zero there, or forward mode over it pops too soon.
    for _step in range(1, 3):
        a += np.tanh(x[-1])
        return np.mean(0.05 * x) * x[0]
    for _k in range(3):
        return np.sin(np.mean(x)) / a


def two_results(x, y):
    return np.sin(x) * y, np.sum(x * y)


CASES = [
    (early_returns_in_two_loops, (-0.35, np.array([1.33, 0.55]))),
    (early_returns_in_two_loops, (-0.35, np.array([1.33, 0.55]) * 0.1)),
]


def stacked_list(x):
    # grad writes terms = _ad.appended(terms, v); read again, it is the list it was
    terms = []
    terms.append(np.sin(x))
    terms.append(x ** 2)
    t = np.mean(np.stack(terms), axis=0)
    return np.sum(t ** 2)


def summed_list(x):
    # builtin sum of a list: its gradient is _ad.unsum, read again by second order
    outs = []
    outs.append(x[0] * x[1])
    outs.append(np.sin(x[1]))
    return sum(outs) ** 3


FORWARD_OVER_REVERSE_CASES = [
    (stacked_list, (np.array([0.3, -0.7, 1.1]),)),
    (summed_list, (np.array([0.3, -0.7, 1.1]),)),
]


def checked_update(a, x, b):
    # grad checks, as it runs, that the update of b changes no array another name
    # holds (_ad.alone(b, ...)); read again, the check stays and its None is unused
    tmp = x[0]
    b -= x[-1]
    if tmp <= -0.42:
        return 0.05 * a if b > 0.98 else x.mean()
        b -= np.log1p((a / 1.7) ** 2)
    return tmp * a ** 2


FORWARD_OVER_REVERSE_CASES.append((checked_update, (1.33, np.array([-0.52, -0.42]), 0.3)))
FORWARD_OVER_REVERSE_CASES.append((checked_update, (1.33, np.array([-0.32, -0.42]), 0.3)))


def constant_then_differentiated(x, w):
    # w is constant in the first loop (a whole loop kept as it is, its stack
    # appends inside) and differentiated in the second: the tangent stack gets zeros
    for _ in range(2):
        y, r = w, np.sqrt(1.0 + np.exp(x) ** 2)  # noqa: F841 - kept: it saves w
        w = w[::-1]
    while np.linalg.norm(w) >= 1.69:
        w = np.sin(w + x[-1] * w)
    return np.sum(np.sin(w))


FORWARD_OVER_REVERSE_CASES.append((constant_then_differentiated, (
    np.array([-1.27490003, -0.33847902]),
    np.array([-0.50538285, -0.74612201, -0.63344502, -0.57124616]))))


def _projection(u, v):
    return (u * v).mean() + np.sin(u).sum()


def calls_a_helper(x, y):
    # at second order the helper runs again: its methods of values it made only read
    return _projection(x, y) ** 2 + np.sum(x * y)


FORWARD_OVER_REVERSE_CASES.append((calls_a_helper, (np.array([0.3, -0.4, 0.9]),
                                                    np.array([0.5, 0.1, -0.7]))))


def _two_results(u):
    return u.mean() / 4.24, np.tanh(u)


def calls_a_helper_returning_a_tuple(x, w):
    m = np.mean(x, axis=1)
    s, q = _two_results(m)
    return np.sum(np.sin(w - m)) - s * np.tanh(np.sum(q))


FORWARD_OVER_REVERSE_CASES.append((calls_a_helper_returning_a_tuple, (
    np.array([[0.9, 0.4], [-0.5, -1.1], [-0.2, -0.8]]), np.array([0.7, 0.7, -1.0]))))
