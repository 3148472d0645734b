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
