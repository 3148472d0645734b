"""Helpers called with keywords, ``**kwargs`` and ``functools.partial``, the way model
code passes layers their parameters and settings."""

import functools
from collections import namedtuple
from functools import partial

import numpy as np


def layer(h, W, b=0.0, *, act=np.tanh):
    return act(h @ W + b)


def forwarding(x, W, **kwargs):
    # **kwargs of settings passed on to the layer.
    return np.sum(layer(x, W, **kwargs))


def settings_through_kwargs(x, W):
    return forwarding(x, W, b=0.5)


def function_through_kwargs(x, W):
    # act= through **kwargs: the layer's derivative is generated for the default act.
    return forwarding(x, W, act=np.sin)


def partial_with_keywords(x, W, b):
    step = functools.partial(layer, W=W, b=b)
    h = step(x)
    return np.sum(step(h @ W.T) ** 2)


def scale_shift(x, a, s):
    return x * a + s


def partial_with_positions(x, a):
    shifted = partial(scale_shift, x)
    return np.sum(shifted(a, 1.5) ** 2)


def partial_bound_value_kept(x, a):
    # The partial keeps the value a had when it was made, not a's later value.
    g = partial(scale_shift, a=a)
    a = a * 3.0
    return np.sum(g(x, s=0.25) * a)


def partial_in_a_loop(x, Ws):
    h = x
    for W in Ws:
        step = partial(layer, W=W, act=np.sin)
        h = step(h)
    return np.sum(h)


def dict_copied(p, x):
    q = dict(p)
    q["w"] = q["w"] * 2.0
    return np.sum(q["w"] * x) + np.sum(p["w"] * p["b"])


def dict_merged(p, x):
    q = {**p, "w": x, "c": p["w"] * 2.0}
    return np.sum(q["w"] * q["b"] * q["c"]) + np.sum(p["w"] ** 2)


def dict_with_keywords(p, x):
    q = dict(p, c=x)
    return np.sum(q["w"] * q["c"] * q["b"])


def settings_merged(p, x):
    # defaults updated by the caller's settings, the way configs are written
    defaults = {"scale": 2.0, "shift": 0.5}
    config = {**defaults, **p}
    return np.sum(np.tanh(x * config["scale"] + config["shift"]))


def sgd_step(p, g, lr):
    return {k: p[k] - lr * g[k] for k in p}


def dict_sgd(p, x):
    # a dict comprehension over a dict's keys, passed straight to a helper
    q = sgd_step(p, {k: 2.0 * p[k] for k in p}, 0.1)
    return np.sum(q["w"] * x) + q["b"]


def local_dict_keys(w, x):
    q = {"a": w * 2.0, "b": w * x}
    total = 0.0
    for k in q:
        total = total + np.sum(q[k] ** 2)
    return total


def enumerate_from_one(params, x):
    total = 0.0
    for i, (W, b) in enumerate(params, 1):
        total = total + i * np.sum(np.tanh(x @ W + b))
    return total


def enumerate_with_start_keyword(params, x):
    return sum(i * np.sum(x @ W + b) for i, (W, b) in enumerate(params, start=2))


def layer_keyword_only(h, *, W, act=np.tanh):
    return act(h @ W)


def keyword_only_parameter(x, W):
    return np.sum(layer_keyword_only(x, W=W)) + np.sum(layer_keyword_only(x, W=W * 2.0,
                                                                          act=np.sin))


def scaled(x, **kw):
    return np.sum(x * kw["scale"])


def into_kwargs(x, s):
    return scaled(x, scale=s)


def wrapper(x, **kw):
    return np.sum(layer(x, **kw) ** 2)


def forwarded_through_kwargs(x, W, b):
    return wrapper(x, W=W, b=b)


Layer = namedtuple("Layer", ["W", "b", "scale"], defaults=[1.0])


def apply_layer(layer_params, x):
    return np.tanh(x @ layer_params.W * layer_params.scale + layer_params.b)


def namedtuple_built_inside(W, b, x):
    # parameters packed into a namedtuple in the function, by position and by keyword
    first = Layer(W * 2.0, b)
    second = Layer(b=b * 0.5, W=W.T)
    return np.sum(apply_layer(first, x)) + np.sum(apply_layer(second, x) ** 2)


def namedtuple_step(params, x):
    updated = Layer(params.W - 0.1 * x.T @ x, params.b, params.scale)
    return np.sum(updated.W ** 2) + np.sum(updated.b * updated.scale)


def integrate_like(f, x):
    return f(x) + f(x * 0.5)


def clip_method_max(x):
    return np.sum(x.clip(max=0.3) ** 2)


def clip_min(x):
    return np.sum(np.clip(x, min=-0.3) ** 2)


def clip_both_keywords(x):
    return np.sum(np.clip(x, min=-0.2, max=0.4) * x)
