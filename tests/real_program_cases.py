"""Programs written the way ML and science code is written: parameters in lists, tuples,
dicts and namedtuples, helpers called with keywords and defaults, closures, in-place
updates. Each entry: (function, make_args(rng), wrt)."""

from collections import namedtuple

import numpy as np

Layer = namedtuple("Layer", "W b")


# ----- parameters in containers -----


def mlp_pairs(params, x, y):
    h = x
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    out = h @ W + b
    return np.mean((out - y) ** 2)


def mlp_dict(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return np.sum((out - y) ** 2)


def mlp_enumerate(params, x):
    h = x
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = np.tanh(h)
    return np.mean(h)


def l2_penalty(params):
    return sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)


def nested_dicts(p, x):
    return np.sum(p["enc"][0] * x) + p["dec"]["scale"] * np.sum(p["enc"][1] ** 2)


def _halves(params):
    return {"a": params[0] * 2.0, "b": [params[1], params[1] ** 2]}


def helper_returns_dict(params, x):
    d = _halves(params)
    return np.sum(d["a"] * x) + np.sum(d["b"][1])


def horner_list(c, x):
    y = 0.0
    for i in range(len(c)):
        y = y * x + c[i]
    return y


def last_layer_by_index(params, x):
    W, b = params[-1]
    return np.sum(x @ params[0][0] @ W + b)


# ----- keyword arguments to helpers -----


def _mix(u, v, w=0.5):
    return w * u + (1 - w) * v


def _layer(h, W, b=None, act=np.tanh):
    z = h @ W
    if b is not None:
        z = z + b
    return act(z)


def mix_by_keywords(x, a):
    return np.sum(_mix(u=x, v=a))


def layer_keyword_function(x, W):
    return np.sum(_layer(x, W=W, act=np.sin))


def layer_default_function(x, W, b):
    return np.sum(_layer(x, b=b, W=W))


def keywords_out_of_order(x, a):
    return np.sum(_mix(v=x, u=a, w=a))


def nested_def_by_keyword(x, a):
    def scaled(p, q=2.0):
        return p * q
    return np.sum(scaled(q=a, p=x))


# ----- closures and map -----


def rnn_step_reads_params(params, xs):
    Wx, Wh, b = params

    def update(x, h):  # reads Wx, Wh and b from the enclosing function
        return np.tanh(x @ Wx + h @ Wh + b)

    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = update(xs[t], h)
    return np.sum(h ** 2)


def closure_with_a_default(x, a):
    def g(z, k=2.0):
        return a * z * k
    return np.sum(g(x) + g(x, k=3.0))


def lambda_reads_a_parameter(x, a):
    f = lambda z: np.sin(a * z)  # noqa: E731 - as users write it
    return np.sum(f(x) * f(2.0 * x))


def sum_of_map_of_a_lambda(x, w):
    return sum(map(lambda z: np.sum(np.tanh(z * w)), [x, 2.0 * x]))


def _squared_norm(v):
    return np.sum(v ** 2)


def list_of_map_of_a_helper(x, w):
    parts = list(map(_squared_norm, [x * w, x + w]))
    return parts[0] * parts[1]


def map_over_two_lists(x, w):
    return sum(map(lambda a, b: np.dot(a, b), [x, w], [w, x]))


# ----- the long tail of builtins and forms -----


def columns_of_pairs(params, x):
    Ws, bs = zip(*params)
    h = x
    for W, b in zip(Ws, bs):
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def reversed_list(c, x):
    y = x
    for v in reversed(c):
        y = y * v + 1.0
    return np.sum(y)


def dict_items_loop(d, x):
    total = 0.0
    for name, v in d.items():
        total = total + np.sum(v * x)
    return total


def sum_with_a_start(xs, x):
    return np.sum(sum(xs, x))


def largest_and_smallest(x):
    vals = [np.sum(x), np.sum(x ** 2), np.sum(np.sin(x))]
    return max(vals) + min(vals) + max(vals[0], vals[1], 0.25 * vals[2])


def sorted_by_key(x):
    vals = [x[0] * x[1], np.sum(x ** 2), np.sum(np.sin(x))]
    s = sorted(vals, key=lambda v: -v)
    return s[0] * 2.0 + s[-1]


def dict_comprehension(x):
    d = {k: x * (i + 1.0) for i, k in enumerate(["a", "b", "c"])}
    return np.sum(d["b"] + d["c"] ** 2)


def dict_assign_and_get(x):
    d = {}
    d["a"] = x * 2.0
    d["b"] = np.sin(x)
    return np.sum(d.get("a") * d.get("b"))


def list_popped(x):
    xs = [x, x ** 2, np.sin(x)]
    last = xs.pop()
    first = xs.pop(0)
    return np.sum(last) + np.sum(first) * np.sum(xs[0])


def astype_and_index(x):
    i = np.int64(1)
    return np.sum(x.astype(float) ** 2) * x[i]


def noise_of_its_shape(x):
    rs = np.random.RandomState(0)
    return np.sum(x * rs.randn(*x.shape))


def hstack_of_joined_tuples(x, a):
    args = (a, a * 2.0)
    return np.sum(np.hstack(args + (x,)) ** 2)


def nested_and_starred_unpacking(params, x):
    (W, b), *rest = params
    first, *middle, last = [x, 2.0 * x, 3.0 * x, 4.0 * x]
    return np.sum(np.tanh(x @ W + b)) + len(rest) * np.sum(last - first) + np.sum(middle[1])


# ----- objects: layers in a list, a model calling itself -----


class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, h):
        return np.tanh(h @ self.W + self.b)


class Scale:
    def __init__(self, s):
        self.s = s

    def forward(self, h):
        return h * self.s


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        h = x
        for layer in self.layers:
            h = layer.forward(h)
        return h

    def loss(self, x):
        return np.sum(self(x) ** 2)


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def __call__(self, h):
        return np.tanh(h @ self.W + self.b)


def callable_layers(x, layers):
    h = x
    for layer in layers:
        h = layer(h)  # each layer's __call__, known when the loop runs
    return np.sum(h ** 2)


def layers_in_a_list(x, layers):
    h = x
    for layer in layers:  # each layer's class is known only when the loop runs
        h = layer.forward(h)
    return np.sum(h ** 2)


def _layers(rng):
    return [Dense(_rand(rng, 3, 3), _rand(rng, 3)), Scale(0.5),
            Dense(_rand(rng, 3, 2), _rand(rng, 2))]


# ----- in-place updates -----


def update_argument_in_place(x):
    x[0] = 2.0 * x[1]
    x *= 1.5
    return np.sum(x ** 2)


def view_updated_then_dropped(x):
    y = x * 1.0
    a = y[1:]
    a *= 2.0
    return np.sum(a ** 2)


def item_of_a_matrix_updated(m):
    a = m[0, 1]  # a number, not a view: a *= 3.0 rebinds it
    a *= 3.0
    return a * np.sum(m)


def alias_rebound_each_iteration(x):
    h = x * 1.0
    for _ in range(3):
        g = h
        h += np.sin(g)  # g, which shares h, is assigned anew before it is read
    return np.sum(h)


def fill_one_at_a_time(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * (i + 1.0)
    out[0] += x[-1]
    return np.sum(out ** 2)


def _rand(rng, *shape):
    return rng.standard_normal(shape)


def _pairs(rng, sizes):
    return [(_rand(rng, m, n), _rand(rng, n)) for m, n in zip(sizes[:-1], sizes[1:])]


CASES = [
    (mlp_pairs, lambda r: (_pairs(r, [3, 4, 2]), _rand(r, 5, 3), _rand(r, 5, 2)), 0),
    (mlp_pairs, lambda r: (_pairs(r, [3, 5, 4, 2]), _rand(r, 5, 3), _rand(r, 5, 2)), 0),
    (mlp_dict, lambda r: ({"W1": _rand(r, 3, 4), "b1": _rand(r, 4), "W2": _rand(r, 4, 2),
                           "b2": _rand(r, 2)}, _rand(r, 5, 3), _rand(r, 5, 2)), 0),
    (mlp_enumerate, lambda r: (_pairs(r, [3, 4, 2]), _rand(r, 5, 3)), 0),
    (l2_penalty, lambda r: (_pairs(r, [3, 4, 2]),), 0),
    (nested_dicts, lambda r: ({"enc": (_rand(r, 3), _rand(r, 2)), "dec": {"scale": 0.7}},
                              _rand(r, 3)), 0),
    (helper_returns_dict, lambda r: ([_rand(r, 3), _rand(r, 3)], _rand(r, 3)), 0),
    (horner_list, lambda r: ([0.5, -1.0, 2.0], 0.3), (0, 1)),
    (last_layer_by_index, lambda r: (_pairs(r, [3, 3, 2]), _rand(r, 5, 3)), 0),
    (mix_by_keywords, lambda r: (_rand(r, 2, 3), _rand(r, 2, 3)), (0, 1)),
    (layer_keyword_function, lambda r: (_rand(r, 2, 3), _rand(r, 3, 3)), (0, 1)),
    (layer_default_function, lambda r: (_rand(r, 2, 3), _rand(r, 3, 3), _rand(r, 3)),
     (0, 1, 2)),
    (keywords_out_of_order, lambda r: (_rand(r, 2, 3), _rand(r, 2, 3)), (0, 1)),
    (nested_def_by_keyword, lambda r: (_rand(r, 2, 3), _rand(r, 2, 3)), (0, 1)),
    (rnn_step_reads_params, lambda r: ([0.5 * _rand(r, 3, 4), 0.5 * _rand(r, 4, 4),
                                         _rand(r, 4)], _rand(r, 5, 3)), 0),
    (closure_with_a_default, lambda r: (_rand(r, 3), _rand(r, 3)), (0, 1)),
    (lambda_reads_a_parameter, lambda r: (_rand(r, 3), 0.7), (0, 1)),
    (sum_of_map_of_a_lambda, lambda r: (_rand(r, 3), _rand(r, 3)), (0, 1)),
    (list_of_map_of_a_helper, lambda r: (_rand(r, 3), _rand(r, 3)), (0, 1)),
    (map_over_two_lists, lambda r: (_rand(r, 3), _rand(r, 3)), (0, 1)),
    (columns_of_pairs, lambda r: (_pairs(r, [3, 3, 3]), _rand(r, 3)), (0, 1)),
    (reversed_list, lambda r: ([0.5, 1.5, -0.3], _rand(r, 3)), (0, 1)),
    (dict_items_loop, lambda r: ({"a": _rand(r, 3), "b": _rand(r, 3)}, _rand(r, 3)), (0, 1)),
    (sum_with_a_start, lambda r: ([_rand(r, 3), _rand(r, 3)], _rand(r, 3)), (0, 1)),
    (largest_and_smallest, lambda r: (_rand(r, 3),), 0),
    (sorted_by_key, lambda r: (_rand(r, 3),), 0),
    (dict_comprehension, lambda r: (_rand(r, 3),), 0),
    (dict_assign_and_get, lambda r: (_rand(r, 3),), 0),
    (list_popped, lambda r: (_rand(r, 3),), 0),
    (astype_and_index, lambda r: (_rand(r, 3),), 0),
    (noise_of_its_shape, lambda r: (_rand(r, 3),), 0),
    (hstack_of_joined_tuples, lambda r: (_rand(r, 3), _rand(r, 2)), (0, 1)),
    (nested_and_starred_unpacking, lambda r: (_pairs(r, [3, 2, 2]), _rand(r, 4, 3)), (0, 1)),
    (layers_in_a_list, lambda r: (_rand(r, 4, 3), _layers(r)), 0),
    (callable_layers, lambda r: (_rand(r, 4, 3), [Affine(_rand(r, 3, 3), _rand(r, 3)),
                                                  Affine(_rand(r, 3, 2), _rand(r, 2))]), 0),
    (update_argument_in_place, lambda r: (_rand(r, 4),), 0),
    (view_updated_then_dropped, lambda r: (_rand(r, 4),), 0),
    (item_of_a_matrix_updated, lambda r: (_rand(r, 2, 3),), 0),
    (alias_rebound_each_iteration, lambda r: (_rand(r, 3),), 0),
    (fill_one_at_a_time, lambda r: (_rand(r, 5),), 0),
]


# ----- found by an independent tester (each once a silent wrong gradient) -----


def closure_called_in_a_comprehension(w, xs):
    def f(x):
        return w * x
    return sum([f(x) for x in xs])  # was 0: the comprehension looked constant


def slice_of_a_list_joined(w, xs):
    ys = xs[1:] + [w]  # list concatenation, once compiled as NumPy addition
    return ys[0] * 10.0 + ys[-1]


def copy_of_a_list_looped(xs):
    v = xs.copy()  # a list: its adjoint once accumulated with += (concatenation)
    tot = 0.0
    for a in v:
        tot = tot * 1.5 + a
    return tot


def preallocated_list_filled(w, xs):
    v = [0.0] * len(xs)
    for i in range(len(xs)):
        v[i] = w * xs[i]
    tot = 0.0
    for i in range(len(v)):
        tot = tot * 2.0 + v[i]
    return tot


def dict_key_added_from_another(x):
    d = {}
    d["a"] = x * 2.0
    d["b"] = np.sum(d["a"] ** 2)  # a raw KeyError in the adjoint once
    return d["b"]


def sorted_array_items(x):
    s = sorted(x)  # an array's gradient once came back as a list
    return s[0] * 2.0 + s[-1] * s[1]


def list_holding_an_updated_array(x):
    y = x * 1.0
    items = [y]
    y[0] = 7.0  # NumPy changes items[0] too: raised as it runs
    return np.sum(items[0] * x)


def dict_renamed_then_updated(x):
    d = {"a": x * 1.0}
    e = d
    e["a"] = x * 3.0  # NumPy changes d too: raised as it runs
    return np.sum(d["a"] * x)


def complex_intermediate(x):
    return np.abs(np.sum(x * 1j))  # refused: the rules are for real values


def namedtuple_fields(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer.W + layer.b)
    return np.sum(h)


def dict_by_key(p, x):
    total = 0.0
    for k in p:
        total = total + np.sum(p[k] * x)
    return total


def activations_by_layer_name(params, x):
    acts = {}
    h = x
    for name, (W, b) in params.items():
        h = np.tanh(h @ W + b)
        acts[name] = h
    return np.sum(acts["l2"]) + np.sum(acts["l1"] ** 2)


def config_dict_loop(x, cfg):
    h = x
    for name, scale in cfg.items():
        h = np.sin(h) * scale
    return np.sum(h)


def _mean_over(u, v):
    return u.mean() / (2.0 + (np.sin(v) - 0.1 * (u @ u)) ** 2)


def entry_set_from_a_helper_reading_the_array(x):
    # found by the shared fuzzer: written in place, the array the helper's backward
    # function kept changed under it
    hid = np.arctan(x) * x
    hid[1] = _mean_over(hid, v=x[-1])
    return np.mean(hid)


def _squared_sum(u):
    return np.sum(u ** 2)


def constant_changed_after_a_helper_read_it(x):
    z = x * 1.0
    s = _squared_sum(z)
    z[0] = 5.0
    return s + np.sum(z)


def sorted_keys_and_get(p):
    total = 0.0
    for k in sorted(p.keys()):
        total = total + np.sum(p[k] ** 2)
    return total + np.sum(p.get("w", 0.0) * 2.0) + p.get("missing", 1.5)


def keys_in_order(p, x):
    total = 0.0
    for k in sorted(p):  # sorted(d), list(d), reversed(d): its keys, constants
        total = total + np.sum(p[k] * x) * len(k)
    for k in reversed(list(p.keys())):
        total = total * 0.5 + np.sum(p[k] ** 2)
    ws = [p[k] for k in list(p)]
    return total + sum(np.sum(np.tanh(w)) for w in ws) + sum(
        np.sum(p[k] ** 3) for k in tuple(p))


def cell_calling_a_sibling(W, s, xs):
    def squash(z):
        return np.tanh(z * s)  # reads s, differentiated, from the enclosing function

    def cell(x, h):
        return squash(x @ W + h)  # a nested def calling another

    h = np.zeros(W.shape[1])
    for x in xs:
        h = cell(x, h)
    return np.sum(h)


def only_the_sibling_reads_it(s, x0):
    def squash(z):
        return np.tanh(z * s)

    def cell(x):
        return squash(x)

    return np.sum(cell(x0))


TESTER_CASES = [
    (cell_calling_a_sibling, lambda r: (_rand(r, 3, 3), 0.7, _rand(r, 4, 3)), (0, 1)),
    (only_the_sibling_reads_it, lambda r: (0.7, _rand(r, 3)), (0, 1)),
    (sorted_keys_and_get, lambda r: ({"w": _rand(r, 2), "b": _rand(r, 3)},), 0),
    (keys_in_order, lambda r: ({"w": _rand(r, 3), "bias": _rand(r, 3)}, _rand(r, 3)), 0),
    (entry_set_from_a_helper_reading_the_array, lambda r: (np.array([-0.65, 1.08]),), 0),
    (constant_changed_after_a_helper_read_it, lambda r: (np.array([0.3, -0.7, 1.1]),), 0),
    (namedtuple_fields, lambda r: ([Layer(_rand(r, 3, 4), _rand(r, 4)),
                                    Layer(_rand(r, 4, 2), _rand(r, 2))], _rand(r, 5, 3)), 0),
    (dict_by_key, lambda r: ({"a": _rand(r, 3), "b": _rand(r, 3)}, _rand(r, 3)), (0, 1)),
    (activations_by_layer_name, lambda r: ({"l1": (_rand(r, 3, 3), _rand(r, 3)),
                                            "l2": (_rand(r, 3, 2), _rand(r, 2))},
                                           _rand(r, 4, 3)), 0),
    (config_dict_loop, lambda r: (_rand(r, 3), {"a": 0.5, "b": 2.0}), 0),
    (closure_called_in_a_comprehension, lambda r: (1.5, [1.0, 2.0]), (0, 1)),
    (slice_of_a_list_joined, lambda r: (0.7, [1.2, -0.4, 0.9]), (0, 1)),
    (copy_of_a_list_looped, lambda r: ([1.0, 2.0, 3.0],), 0),
    (preallocated_list_filled, lambda r: (0.7, [1.0, 2.0, 3.0]), (0, 1)),
    (dict_key_added_from_another, lambda r: (_rand(r, 2),), 0),
    (sorted_array_items, lambda r: (np.array([0.3, -1.2, 2.0]),), 0),
]
