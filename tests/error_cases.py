"""Functions grad must refuse, each with the construct on a line of its own."""

import math

import numpy as np


def guarded(x):
    try:  # LINE guarded
        y = x * 2
    except ValueError:
        y = x
    return y


def no_rule(x):
    y = np.sin(x)
    return np.sum(math.modf(y))  # LINE no_rule


def no_rule_numpy(x):
    return np.sum(np.unwrap(x))  # LINE no_rule_numpy


def _doubled_first(v):
    v[0] = v[1] * 2.0  # LINE subscript_assignment
    return np.sum(v)


def subscript_assignment(x):
    # The helper writes into its caller's array, which the caller reads again.
    return _doubled_first(x) * np.sum(x)


def no_return(x):
    y = x * 2  # noqa: F841


def returns_tuple(x):
    return x, x  # LINE returns_tuple


def active_index(x):
    return x[x]  # LINE active_index


def generator(x):
    yield x  # LINE generator


def active_axis(x):
    return np.sum(x, axis=x)  # LINE active_axis


def unsupported_keyword(x):
    return np.mean(x, where=x > 0)  # LINE unsupported_keyword


def in_place_method(x):
    x.sort()  # LINE in_place_method
    return np.sum(x)


def pop_inside_an_expression(xs):
    xs = list(xs)
    return np.sum(xs.pop() * xs[0])  # LINE pop_inside_an_expression


def evaluated(x):
    return eval("np.sum(x ** 2)")  # LINE evaluated


def by_name(x):
    y = x * 2.0
    return np.sum(locals()["y"])  # LINE by_name
