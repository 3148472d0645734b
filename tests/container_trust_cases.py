"""The smallest forms of silently wrong gradients an independent tester found in
ordinary code with lists, dicts, comprehensions and functions (each now right, or a
clear error): list + and * where one side was not known to be a list, a
comprehension's loop name leaking into the function, in-place updates seen through a
container, and functions reading differentiated values under a second name."""

import collections

import numpy as np


def feats(x, w):
    return [x * w, x]


def joined_with_list_argument(w, base):
    cols = base + [w * 2.0]
    return sum(np.sum(c ** 2) for c in cols)


def joined_with_helper_result(x, w):
    cols = feats(x, w) + [x ** 2]
    return sum(np.sum(c) * (i + 1.0) for i, c in enumerate(cols))


def joined_with_conditional(x, w):
    extra = True
    cols = [x * w, x] + ([x ** 2] if extra else [])
    return sum(np.sum(c ** 2) for c in cols)


def joined_with_container_item(params, x):
    ws = params["ws"] + [x]
    return sum(np.sum(w ** 2) for w in ws)


def repeated_helper_result(x, w):
    cols = feats(x, w) * 2
    return sum(np.sum(c) for c in cols)


def comprehension_name_kept_apart(W, X):
    h = np.tanh(X @ W)
    norms = [np.sqrt(np.sum(h ** 2)) for h in X]
    return np.sum(h) + sum(norms)


def nested_comprehension_names(w, xs):
    x = w * 2.0
    ys = [x * w for x in xs]
    return np.sum(x ** 2) + sum(np.sum(y) for y in ys)


# In-place updates that NumPy would make visible through another reference: refused.

def item_update_of_a_copied_list(params, x):
    ws = list(params)
    ws[0] += x
    return np.sum(ws[0] ** 2) + np.sum(params[0])


def item_update_of_a_copied_dict(d, x):
    d2 = dict(d)
    d2["w"] += x
    return np.sum(d2["w"] ** 2) + np.sum(d["w"])


def item_update_seen_by_the_stored_name(x):
    h = np.sin(x)
    hs = [h]
    hs[0] += x
    return np.sum(h * x)


def update_of_a_name_stored_in_a_dict(x):
    h = np.sin(x)
    cache = {}
    cache["h"] = h
    h[0] = 5.0
    return np.sum(cache["h"] * x)


# Item updates that share nothing: allowed, and right.

def item_update_of_an_own_list(x):
    hs = [np.sin(x), np.cos(x)]
    hs[0] += x
    hs[1] *= 2.0
    return np.sum(hs[0] * hs[1])


def item_update_of_numbers(x):
    totals = [0.0, 0.0]
    for i in range(2):
        totals[i] += np.sum(x * (i + 1.0))
    return totals[0] * totals[1]


def split(a):
    return a * 2.0, a * 3.0


def zip_of_a_helpers_tuple(a):
    # zip(*unpack(params)), as HIPS autograd's GMM example writes it
    s = 0.0
    for u, v in zip(*split(a)):
        s = s + u * v
    return s


def flattened_with_sum(w, x):
    groups = [[x * w, x], [x ** 2]]
    flat = sum(groups, [])
    return sum(np.sum(c ** 2) for c in flat)


def list_rebuilt_each_step(w, v):
    # hs = [] makes a new list each step: appending to it changes nothing the
    # derivative of the last step's sum(hs) reads (was refused; found by the fuzzer).
    tmp = 0.0
    for t in range(len(w)):
        hs = []
        hs.append(1.2 + 0.1 * t)
        hs.append(np.tanh(np.sum(w)) - np.mean(w) * v[t])
        tmp = tmp + 0.1 * sum(hs) * sum(hs)
    return tmp


def pop_from_a_copy(x):
    xs = [x, x * 2.0, x ** 2]
    stack = list(xs)
    last = stack.pop()
    return np.sum(last * stack[0]) + np.sum(xs[2])


def two_lists_in_one_line(x):
    pre, post = [], []
    for i in range(3):
        z = np.sin(x * i)
        pre.append(z)
        post.append(z * 2.0)
    return np.sum(pre[1] * post[2])


def helper_features(x, w):
    return [x * w, x]


def stacked_helper_list(w, x):
    fs = helper_features(x, w)
    return np.sum(np.stack(fs) ** 2) + len(fs) * np.sum(fs[-1] * w)


def extended_by_helper_list(w, x):
    cols = [x ** 2]
    extra = helper_features(x, w)
    cols.extend(extra)
    return sum(np.sum(c * (i + 1.0)) for i, c in enumerate(cols))


def append_after_item_update(params, x):
    ws = list(params)
    ws[0] = ws[0] + x
    ws.append(ws[0] - ws[1])
    return sum(np.sum(w ** 2) for w in ws)


def starred_display(params, x):
    ws = [*params, x * 2.0]
    pair = (*ws[:1], x)
    return sum(np.sum(w ** 2) for w in ws) + np.sum(pair[0] * pair[1])


def while_a_list_has_items(xs):
    stack = list(xs)
    total = 0.0
    while stack:
        top = stack.pop()
        total = total * 0.9 + np.sum(top ** 3)
    return total


def rebinding_helper(u):
    for n in range(2):
        for j in range(2):
            u = np.tanh(u * 0.5)
            u[0:1] += np.sin(u[1:])
    return u * 2.0


def helper_rebinds_then_updates(x):
    # u is rebound before each update: the caller's array is never the one changed
    # (the container check for u[0:1] += ... raised here; found by the fuzzer)
    return np.sum(rebinding_helper(x) ** 2)


def ufunc_positional_out(y):
    x = np.zeros(2)
    np.multiply(y, 2.0, x)
    return np.sum(x * y)


def branchy(x, c):
    y = x
    for i in range(len(c)):
        if y > c[i]:
            y = 0.5 * y * x + c[i]
        else:
            y = 0.25 * y * y + x * c[i]
    return y


def fill_reading_a_view(w, v):
    # out1.T is a view the adjoint of out1.T @ w keeps: filling out1 in place changed
    # it (a wrong gradient for w; found by the shared fuzzer)
    out1 = np.zeros((2, 2))
    for n in range(out1.shape[0]):
        out1[n] = v.mean() - out1.T @ w
    return np.mean(out1) + np.sum(out1 ** 2)


def update_after_exp(x):
    # exp's adjoint reads its result y; y[0] = 0 changed it in place (a wrong gradient)
    y = np.exp(x)
    z = y + 1.0
    y[0] = 0.0
    return np.sum(z) + np.sum(y)


def fill_after_sqrt(x):
    y = np.sqrt(x ** 2 + 1.0)
    s = y * 2.0
    for i in range(len(x)):
        y[i] = s[i] ** 2
    return np.sum(y) + np.sum(s)


def default_reads_a_value(x, a):
    g = lambda z, a=a: a * z  # noqa: E731
    return np.sum(g(x))


def shadowing_sibling(x, y):
    def g(z):
        return z * x

    def h(x):
        return g(x) + 1.0

    return np.sum(h(y))


def list_item_assigned_a_tuple(params, x):
    params = list(params)
    W, b = params[0]
    params[0] = (W * x, b)
    total = 0.0
    for W, b in params:
        total = total + np.sum(np.tanh(W) * b)
    return total


def own_list_item_assigned_a_tuple(params):
    out = []
    for W, b in params:
        out.append((W * 2.0, b))
    out[0] = (out[0][0] * 3.0, out[0][1])
    return sum(np.sum(W * b) for W, b in out)


Lin = collections.namedtuple("Lin", "W b")
Net = collections.namedtuple("Net", "enc dec")


def nested_namedtuple_fields(p, x):
    h = np.tanh(x @ p.enc.W + p.enc.b)
    return np.sum(h @ p.dec.W + p.dec.b)


def nested_namedtuple_items(p, x):
    return np.sum(np.tanh(x @ p.enc[0] + p.enc[1]))


def one_array_twice_in_a_list(x):
    h = x * 2
    hs = [h, h]
    hs[0] += 1  # NumPy changes hs[1] too: the same array
    return np.sum(hs[0] * hs[1])


def rows_kept_by_a_comprehension(x):
    out = np.zeros((2, 2))
    rows = [out[i] for i in range(2)]  # views of out's rows
    out[0] = x
    return np.sum(rows[0] * x)


def rows_swapped_by_tuple_assignment(a):
    a = a * 1.0
    a[0], a[1] = a[1], a[0]  # a[1] is a view: NumPy gives both rows the old a[1]
    return np.sum(a * np.arange(4.0).reshape(2, 2))


def entries_swapped_by_tuple_assignment(x):
    x = x * 1.0
    x[0], x[1] = x[1], x[0]  # numbers, not views: a true swap
    return np.sum(x * np.arange(2.0))
