"""Functions with branches and loops; each is checked on inputs that take every path."""

import math

import numpy as np


def if_else(x):
    y = x * 2.0
    if np.sum(y) > 0:
        y = y ** 2
    else:
        y = -np.sin(y)
    return np.sum(y)


def elif_chain(x):
    s = np.sum(x)
    if s > 1.0:
        z = x * s
    elif s > -1.0:
        z = np.exp(x)
    else:
        z = x ** 3
    return np.sum(z * x)


def if_without_else(x, w):
    z = x * w
    if np.max(z) > 0.5:
        z = np.tanh(z)
        w = w * 3.0
    return np.sum(z * w)


def nested_if(x):
    y = x
    if np.mean(x) > 0:
        if np.max(x) > 1.0:
            y = y * np.max(x)
        else:
            y = y + 1.0
    else:
        y = np.cos(y)
    return np.sum(y ** 2)


def conditional_expressions(x):
    y = x * 2.0 if np.sum(x) > 0 else np.sin(x)
    return np.sum(y) if np.min(x) > -0.5 else np.sum(y ** 2)


def boolean_conditions(x):
    total = 0.0
    if np.any(x > 1.0) and not np.all(x > 0):
        total = total + np.sum(x ** 2)
    if np.sum(x) < 0 or x[0] > 0.3:
        total = total + np.sum(np.exp(x))
    return total + np.sum(x)


def scalar_branch(x):
    if x > 0.5:
        return math.sin(x) * x
    return x ** 3


def for_overwrite_array(x, w):
    for i in range(3):
        x = np.sin(x) * w + i
    return np.sum(x)


def for_rows(X, w):
    total = 0.0
    for row in X:
        total = total + np.tanh(np.dot(row, w))
    return total


def for_enumerate_zip(xs, ys):
    total = 0.0
    for i, x in enumerate(xs):
        total = total + x * (i + 1.0)
    for a, b in zip(xs, ys):
        total = total + np.sum(a * b)
    return np.sum(total)


def nested_loops(x):
    total = 0.0
    for i in range(3):
        y = x * (i + 1)
        for j in range(i + 1):
            y = np.sin(y) + x
        total = total + np.sum(y)
    return total


def data_dependent_trip_count(x):
    n = int(np.sum(np.abs(x)) * 2) % 5
    y = x
    for _ in range(n):
        y = y * x + 0.1
    return np.sum(y)


def zero_iterations(x, n):
    y = x * 2.0
    for _ in range(n):
        y = y * y
    return np.sum(y)


def newton_sqrt(a):
    y = a
    i = 0
    while np.abs(y * y - a) > 1e-12 and i < 50:
        y = 0.5 * (y + a / y)
        i += 1
    return y


def while_with_array(x):
    y = x
    count = 0
    while np.sum(y ** 2) < 10.0 and count < 20:
        y = y * 1.5 + 0.1
        count += 1
    return np.sum(y)


def loop_with_break(x):
    y = x
    for i in range(10):
        y = np.sin(y) * 2.0
        if np.sum(y) > 1.5:
            break
        y = y + 0.1 * i
    return np.sum(y)


def loop_with_continue(x):
    total = 0.0
    for i in range(6):
        if i % 2 == 0:
            continue
        total = total + np.sum(x ** i)
    return total


def for_else(x):
    y = x
    for i in range(4):
        y = y * 0.9
        if np.sum(y) > 100.0:
            break
    else:
        y = y + np.exp(x)
    return np.sum(y)


def early_return_in_loop(x):
    y = x
    for i in range(5):
        y = y * 1.7
        if np.sum(y) > 3.0:
            return np.sum(y ** 2)
    return np.sum(y)


def horner(x, coeffs):
    y = 0.0
    for c in coeffs:
        y = y * x + c
    return y


def scalar_loop_with_branch(x):
    s = 0.0
    for i in range(100):
        if math.sin(i) > 0:
            s = s + math.sin(x * i * 0.01)
        else:
            s = s * 0.99 + x
    return s


def rnn(Wh, Wx, xs, h0):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(h @ Wh + xs[t] @ Wx)
    return np.sum(h ** 2)


def small_array_loop(x, v):
    for _ in range(20):
        v = v + 0.01 * np.cross(x, v)
        x = x * 0.99 + v * 0.01
    return np.sum(x * v)


def while_with_break(x):
    y = x
    while True:
        y = y * 2.0
        if np.sum(np.abs(y)) > 4.0:
            break
    return np.sum(y)


def branch_inside_loop_overwrites(x):
    z = x
    for i in range(4):
        if np.sum(z) > i:
            z = z * 0.5
        else:
            z = z + np.cos(z)
    return np.sum(z)


def growing_arrays(x, w):
    y = x
    for _ in range(2):
        t = y + w[:len(y)]
        y = np.concatenate([t, t * y])
    return np.sum(np.sin(y))


def branch_grows_array(x):
    y = x
    total = 0.0
    for i in range(3):
        if i == 1:
            y = np.concatenate([y, y * 2.0])
        else:
            total = total + np.sum(y ** 2)
    return total + np.sum(np.sin(y))


def shape_changes_between_iterations(x):
    for i in range(3):
        if i % 2 == 0:
            z = np.concatenate([x, x]) * i
        else:
            z = x * 3.0
    return np.sum(z ** 2)


def shape_read_in_branch(x, b):
    a = x[:2] * 1.0
    if np.sum(x) > 0:
        z = a * b  # the adjoint reads the shape of a, which is overwritten below
    else:
        z = a * b * 2.0
    a = np.concatenate([a, a, a])
    return np.sum(z) + np.sum(a)


def value_read_only_by_itself(x, n):
    # b feeds only its own next value and the output does not read it: with
    # the gradient alone wanted, its updates are dead code inside the loop.
    a = x
    b = 0.0
    for i in range(n):
        b = b * 0.5 + a
        if i % 2 == 0:
            a = np.sin(a * x)
        else:
            b = b - a
            a = a * 1.5
    return a


def while_with_dead_total(x):
    total = 0.0
    y = x
    k = 0
    while k < 4:
        total = total + y
        y = y * x
        k += 1
    return y


CASES = [
    (if_else, [lambda r: (r.uniform(0.1, 1, 3),), lambda r: (r.uniform(-1, -0.1, 3),)], 0),
    (elif_chain, [lambda r: (r.uniform(0.5, 1, 3),), lambda r: (r.uniform(-0.3, 0.3, 3),),
                  lambda r: (r.uniform(-1, -0.5, 3),)], 0),
    (if_without_else, [lambda r: (r.uniform(0.6, 1, 3), r.uniform(0.9, 1, 3)),
                       lambda r: (r.uniform(0, 0.3, 3), r.uniform(0, 0.3, 3))], (0, 1)),
    (nested_if, [lambda r: (r.uniform(1.2, 2, 3),), lambda r: (r.uniform(0.1, 0.9, 3),),
                 lambda r: (r.uniform(-1, -0.1, 3),)], 0),
    (conditional_expressions, [lambda r: (r.uniform(0.1, 1, 3),),
                               lambda r: (r.uniform(-1, -0.6, 3),)], 0),
    (boolean_conditions, [lambda r: (np.array([1.5, -0.5, 0.2]),),
                          lambda r: (r.uniform(-1, -0.1, 3),),
                          lambda r: (r.uniform(0.1, 0.2, 3),)], 0),
    (scalar_branch, [lambda r: (0.8,), lambda r: (0.2,)], 0),
    (for_overwrite_array, [lambda r: (r.normal(size=3), r.normal(size=3))], (0, 1)),
    (for_rows, [lambda r: (r.normal(size=(4, 3)), r.normal(size=3))], (0, 1)),
    (for_enumerate_zip, [lambda r: (r.normal(size=(3, 2)), r.normal(size=(3, 2)))], (0, 1)),
    (nested_loops, [lambda r: (r.normal(size=3),)], 0),
    (data_dependent_trip_count, [lambda r: (r.uniform(0.1, 0.3, 3),),
                                 lambda r: (r.uniform(0.6, 0.7, 3),)], 0),
    (zero_iterations, [lambda r: (r.normal(size=3), 0), lambda r: (r.normal(size=3), 2)], 0),
    (newton_sqrt, [lambda r: (2.0,), lambda r: (np.float64(9.0),)], 0),
    (while_with_array, [lambda r: (r.uniform(0.1, 0.5, 3),), lambda r: (r.uniform(2, 3, 3),)],
     0),
    (loop_with_break, [lambda r: (r.uniform(0.5, 0.8, 3),), lambda r: (r.uniform(-1, -0.5, 3),)],
     0),
    (loop_with_continue, [lambda r: (r.uniform(0.5, 1, 3),)], 0),
    (for_else, [lambda r: (r.uniform(0.5, 1, 3),), lambda r: (r.uniform(60, 70, 3),)], 0),
    (early_return_in_loop, [lambda r: (r.uniform(0.5, 1, 3),), lambda r: (r.uniform(-1, -0.5, 3),)],
     0),
    (horner, [lambda r: (0.7, list(r.normal(size=8)))], 0),
    (scalar_loop_with_branch, [lambda r: (0.3,)], 0),
    (rnn, [lambda r: (r.normal(size=(4, 4)) * 0.3, r.normal(size=(3, 4)) * 0.3,
                      r.normal(size=(5, 2, 3)), r.normal(size=(2, 4)))], (0, 1, 3)),
    (small_array_loop, [lambda r: (r.normal(size=3), r.normal(size=3))], (0, 1)),
    (branch_grows_array, [lambda r: (r.normal(size=2),)], 0),
    (shape_changes_between_iterations, [lambda r: (r.normal(size=2),)], 0),
    (shape_read_in_branch, [lambda r: (np.abs(r.normal(size=3)), r.normal(size=(3, 2))),
                            lambda r: (-np.abs(r.normal(size=3)), r.normal(size=(3, 2)))],
     (0, 1)),
    (growing_arrays, [lambda r: (r.normal(size=2), r.normal(size=8))], (0, 1)),
    (while_with_break, [lambda r: (r.uniform(0.1, 0.3, 3),)], 0),
    (branch_inside_loop_overwrites, [lambda r: (r.uniform(-1, 1, 3),),
                                     lambda r: (r.uniform(1, 2, 3),)], 0),
    (value_read_only_by_itself, [lambda r: (0.7, 5), lambda r: (0.7, 0),
                                 lambda r: (r.uniform(0.5, 1, 3), 4)], 0),
    (while_with_dead_total, [lambda r: (0.9,), lambda r: (r.uniform(0.5, 1, 3),)], 0),
]
