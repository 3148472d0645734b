"""Tester A's and B's findings (session 9): state a called function changes after the
function read it, lambdas whose defaults read differentiated values, a recursive helper
given a function."""

import numpy as np

SCALE = np.ones(2)
STEP = 1.0
CFG = {"lr": 0.5}


class Buf:
    def __init__(self):
        self.k = 1.0

    def anneal(self):
        self.k = self.k * 4.0


def annealed(x, buf):
    a = buf.k * np.sin(x)
    buf.anneal()
    return a + buf.k * x ** 2


def bump():
    SCALE[:] = SCALE * 2.0


def scale_changed_in_place(x):
    a = np.sum(SCALE * x ** 2)
    bump()  # LINE bump
    return a


def advance():
    global STEP
    STEP = STEP * 2.0


def global_rebound(x):
    a = STEP * np.sin(x)
    advance()
    return a + STEP * x


class Opt:
    def __init__(self, lr):
        self.lr = lr

    def decay(self):
        self.lr = self.lr * 0.5


def unrolled(w, opt):
    for _ in range(3):
        w = w - opt.lr * np.sin(w)
        opt.decay()
    return np.sum(w ** 2)


def decay_cfg():
    CFG["lr"] = CFG["lr"] * 0.5


def unrolled_config(w):
    for _ in range(3):
        w = w - CFG["lr"] * np.sin(w)
        decay_cfg()
    return np.sum(w ** 2)


def integrate(f, y0, n):
    y = y0
    for _ in range(n):
        y = y + 0.1 * f(y)
    return y


def lambda_default(x):
    k = x[0]
    return integrate(lambda y, k=k: -k * y, 1.0, 5)  # LINE lambda_default


def rec(f, a, depth):
    if depth <= 0:
        return f(a)
    return rec(f, a, depth - 1) + rec(f, a + 1.0, depth - 1)


def recursive_helper_given_a_lambda(s):
    f = lambda t: s * t * t  # noqa: E731
    return rec(f, 1.0, 2)  # LINE recursive
