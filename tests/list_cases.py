"""Python lists holding differentiated values (issue: calls, closures and data)."""

import numpy as np


def stack_hidden_states(W, x):
    hs = []
    h = x
    for _ in range(3):
        h = np.tanh(W @ h)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H ** 2) + np.sum(hs[0])


def comprehension_with_condition(x):
    squares = [x[i] ** 2 for i in range(len(x)) if i % 2 == 0]
    return np.sum(np.stack(squares)) + sum(np.sin(v) for v in squares)


def nested_comprehension(x):
    products = [x[i] * x[j] for i in range(len(x)) for j in range(i)]
    return sum(products)


def literal_and_builtin_sum(x, y):
    pair = [x * 2, y]
    total = sum(pair)
    return np.sum(total * np.array(pair)[0])


def iterate_and_index(xs, w):
    total = 0.0
    for x in xs:
        total = total + np.dot(x, w)
    return total + len(xs) * np.sum(xs[1])


def list_of_weights(W1, W2, x):
    layers = [W1, W2]
    h = x
    for W in layers:
        h = np.tanh(W @ h)
    return np.sum(h)


def builtin_max_min(x, y):
    return max(x, y) * min(x * 2.0, y) + abs(x - y)


CASES = [
    (stack_hidden_states, lambda r: (r.normal(size=(3, 3)) * 0.5, r.normal(size=3)), (0, 1)),
    (comprehension_with_condition, lambda r: (r.normal(size=5),), 0),
    (nested_comprehension, lambda r: (r.normal(size=4),), 0),
    (literal_and_builtin_sum, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)),
    (iterate_and_index, lambda r: (list(r.normal(size=(3, 2))), r.normal(size=2)), 1),
    (builtin_max_min, lambda r: (0.3, 0.7), (0, 1)),
    (list_of_weights, lambda r: (r.normal(size=(3, 3)) * 0.5, r.normal(size=(3, 3)) * 0.5,
                                 r.normal(size=3)), (0, 1)),
]


def dict_of_parameters(W, b, x):
    params = {"W": W, "b": b}
    return np.sum(np.tanh(params["W"] @ x + params["b"]))


CASES.append((dict_of_parameters, lambda r: (r.normal(size=(2, 3)), r.normal(size=2),
                                             r.normal(size=3)), (0, 1)))


def extend_lists(x, y):
    xs = [x * 2.0]
    xs.extend([y, x * y])
    more = [np.sin(x)]
    xs.extend(more)
    return sum(np.sum(v ** 2) for v in xs)


CASES.append((extend_lists, lambda r: (r.normal(size=3), r.normal(size=3)), (0, 1)))
