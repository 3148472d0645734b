"""A helper imported from another module."""

import numpy as onp


def imported_helper(x, p):
    return onp.exp(-x ** 2) * p


K = 1.0  # rebound by set_k (tester I: a setter in another module)


def set_k(v):
    global K
    K = v
