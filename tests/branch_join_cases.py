"""Adjoints joined after branches and loops where a value is made only on some paths
(s = np.sin(x) under an if): an earlier branch wrote ds = ... over a later one's
(a wrong gradient, found by the forward-mode work), and a loop read zeros_like(s)
of an unbound s."""

import numpy as np


def f(x, w):
    c = w[0] > 0
    y = np.sum(x)
    if c:
        s = np.sin(x)
        p = s ** 2
    if c:
        y = np.sum(p * s)
    return y

def g(x, w):
    c = w[0] > 0
    y = np.sum(x)
    if c:
        s = np.sin(x)
    for i in range(2):
        if c:
            y = y + np.sum(s ** 2) * i
    return y

def h(x, w):
    c = w[0] > 0
    y = np.sum(x)
    for i in range(2):
        if c:
            s = np.sin(x) * (i + 1.0)
        if c:
            y = y + np.sum(s ** 2)
    return y

def k(x, w):
    c = w[0] > 0
    y = 0.0
    while y < 3.0:
        if c:
            s = np.sin(x)
            y = y + 1.0 + np.sum(s) * 0.1
        else:
            y = y + 2.0
    if c:
        y = y * np.sum(s)
    return y


def read_then_rebound_in_an_arm(x, w):
    # p, maybe unbound before the second if, is read there and then rebound in a
    # nested arm: its adjoint leaves the branch (it was dropped at the join, so the
    # first if's adjoint overwrote this one's; found by reverse over reverse)
    if w[0] > -10.0:
        p = x + x
        s = np.sum(p ** 2)
    if x[1] > -10.0:
        q = s * p
        if x[0] < -10.0:
            p = x * 3.0
    return np.sum(q)


def saved_while_maybe_unbound(x, w):
    # e, made in an if not taken, is rebound in a later one: the value saved before
    # it (e0 = e) was read while unbound (an UnboundLocalError in the gradient)
    if w[0] > 10.0:
        e = np.exp(x)
    if x[1] > -10.0:
        e = np.sin(x)
    return np.sum(e * x)
