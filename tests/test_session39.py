"""Session 39: what testers and fuzzers found, each kept in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad

from .finite_differences import numeric_grad as _fd


def _shifted(u0, q):
    u = u0.copy()
    u[1:3] = q[1:3]
    u[2:4] = u[1:3]
    u[0:1] = u[2:3]
    return np.sum(u)


def _advected(u0, q):
    u = u0.copy()
    for _ in range(3):
        u[1:-1] = u[1:-1] + 0.1 * q[1:-1]
        u[1:] = u[:-1]
        u[0] = u[-1]
    return np.sum(u ** 2)


@pytest.mark.parametrize("f", [_shifted, _advected])
def test_a_slice_store_of_an_overlapping_slice_keeps_the_earlier_gradient(f):
    # HI 01: the adjoint's part read as a view, then zeroed in place (zero_into):
    # the gradient reaching q came back [0, 1, 0, 0] for [0, 3, 1, 0]
    rng = np.random.default_rng(0)
    u0, q = rng.normal(size=6), rng.normal(size=6)
    np.testing.assert_allclose(grad(f, wrt=1)(u0, q), _fd(lambda v: f(u0, v), q),
                               rtol=1e-6, atol=1e-8)


_E = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]])


def _popped(E, ctx):
    h = np.zeros(2)
    for i in range(len(ctx)):
        h = np.tanh(E[ctx[i]] + h)
    ctx.pop()
    for t in ctx:
        h = h * 0.5 + E[t]
    return np.sum(h ** 2)


def _removed(E, ctx):
    h = np.zeros(2)
    for i in range(len(ctx)):
        h = np.tanh(E[ctx[i]] + h)
    ctx.remove(2)
    for t in ctx:
        h = h * 0.5 + E[t]
    return np.sum(h ** 2)


def _deleted(E, ctx):
    h = np.zeros(2)
    for i in range(len(ctx)):
        h = np.tanh(E[ctx[i]] + h)
    del ctx[0]
    for t in ctx:
        h = h * 0.5 + E[t]
    return np.sum(h ** 2)


def _reversed_in_a_loop(E, ctx):
    h = np.zeros(2)
    for _ in range(2):
        for i in range(len(ctx)):
            h = np.tanh(E[ctx[i]] + h)
        ctx.reverse()
    return np.sum(h ** 2)


def _generated_into(E, ctx):
    h = np.zeros(2)
    total = 0.0
    for i in range(len(ctx)):
        h = np.tanh(E[ctx[i]] + h)
    for _ in range(2):
        nxt = int(np.argmax(h))
        ctx.append(nxt)
        total = total + h[nxt]
        h = np.tanh(E[nxt] + h)
    return total


def _prompt_then_generated(E, prompt):
    ctx = list(prompt)
    h = np.zeros(2)
    for t in ctx:
        h = np.tanh(E[t] + h)
    total = 0.0
    for _ in range(2):
        nxt = int(np.argmax(h))
        ctx.append(nxt)
        total = total + h[nxt]
        h = np.tanh(E[nxt] + h)
    return total + np.sum(h) + len(ctx)


@pytest.mark.parametrize("f", [_popped, _removed, _deleted, _reversed_in_a_loop,
                               _generated_into, _prompt_then_generated])
def test_a_token_list_changed_after_a_loop_reading_it(f):
    # HJ 03/04: the caller's list, copied, was changed in place after the loop, whose
    # derivative then read the changed list (len(ctx), ctx[i]): wrong rows, or
    # IndexError; HJ 02: a local list so changed was refused
    given, plain = [0, 2, 2], [0, 2, 2]
    g = grad(f)(_E, given)
    f(_E, plain)
    assert given == plain
    np.testing.assert_allclose(g, _fd(lambda E: f(E, [0, 2, 2]), _E), rtol=1e-6, atol=1e-8)


_WORDS = ["<s>", "the", "cat", "sat"]


def _scored_with_words(W):
    words = []
    total = 0.0
    for tok in range(2):
        words.append(_WORDS[tok])
        total = total + W[tok]
    sentence = " ".join(words)
    return total + 0.0 * len(sentence)


def test_words_collected_and_joined_beside_the_gradient():
    # HJ 01: refused, words taken to share an array with W
    np.testing.assert_allclose(grad(_scored_with_words)(np.array([0.1, 0.5, -0.2, 0.3])),
                               [1.0, 1.0, 0.0, 0.0])


class _Loader:
    def __init__(self, data):
        self.data = data
        self.epochs = 0

    def __iter__(self):
        self.epochs += 1
        return iter(self.data)


def _batched_loss(w, batches):
    s = 0.0
    for b in batches:
        s = s + np.sum(np.tanh(w * b)) ** 2
    return s


def test_a_loader_defining_iter_alone_is_walked_once():
    # HH 14: __iter__ was called twice (once to tell an iterator), so a shuffling loader
    # gave another order than Python's run, and its generator was drawn twice
    loader = _Loader([np.ones(3), np.arange(3.0)])
    grad(_batched_loss)(np.full(3, 0.2), loader)
    assert loader.epochs == 1


_Pair = __import__("collections").namedtuple("_Pair", ["size", "shape"])


def _either(p, flag=True):
    r = p if flag else p._replace(shape=0.0)
    return r.size ** 2 + r.shape ** 2


def test_a_namedtuple_chosen_by_a_conditional_expression_is_read_by_its_fields():
    # HH 09: r = p if flag else p._replace(...) read r.size as an array's: zeros
    g = grad(_either)(_Pair(0.3, 0.5))
    np.testing.assert_allclose(tuple(g), (0.6, 1.0))


def _recorded(x, log):
    log.append(float(np.sum(x ** 2)))
    return x * 0.8


def _logged(x, log=None):
    if log is None:
        log = []
    for _ in range(2):
        x = _recorded(x, log)
    return np.sum(np.sin(x))


def _logged_or(x, log=None):
    log = log or []
    for _ in range(2):
        x = _recorded(x, log)
    return np.sum(np.sin(x))


def test_the_none_idiom_keeps_a_helpers_appends_for_the_caller():
    # HH 03: the helper's appends, given back as a new list, were not the caller's
    x = np.array([0.3, -0.7, 1.2])
    log, plain = [], []
    g = grad(_logged)(x, log)
    _logged(x, plain)
    assert log == plain and len(log) == 2
    np.testing.assert_allclose(g, 0.64 * np.cos(0.64 * x))


def test_the_or_idiom_with_a_helper_writing_into_it_is_refused():
    # the sibling with log = log or []: which list the caller is given back is known
    # only as it runs; refused, naming the None idiom
    from autograd_src.errors import DiffSyntaxError
    with pytest.raises(DiffSyntaxError, match="is None"):
        grad(_logged_or)(np.array([0.3, -0.7, 1.2]), [7.0])
