"""Scalar loops whose temporaries the adjoint makes again instead of stacking them
(analyze.remade_temporaries): operands changed between a temporary and its readers,
chains of temporaries, several readers, readers that replace an operand, branches and
inner loops between them. Each is checked against finite differences."""

import math


def operand_replaced_by_reader(x, c):
    y = x
    for ci in c:
        y = 0.5 * y * x + ci          # prod = 0.5 * y; y = prod * x + ci
    return y


def operand_changed_before_reader(x, n):
    y = x
    for _ in range(n):
        t = 0.5 * y
        y = y * x                     # y changes before t is read
        y = y + t * x
    return y


def two_readers(x, n):
    y = x
    s = 0.0
    for _ in range(n):
        t = 0.3 * y
        s = s + t * x
        y = t * y + 0.1
    return y + s


def chain(k, x0, n):
    x = x0
    e = 0.0
    for _ in range(n):
        e = e + 0.5 * k * x * x       # prod = 0.5 * k; prod_2 = prod * x; ...
        x = x - 0.01 * k * x
    return e


def branch_between(x, n):
    y = x
    for i in range(n):
        t = 0.7 * y
        if i % 2 == 0:
            y = y * x
        y = t * x + y
    return y


def inner_loop_between(x, n):
    y = x
    for _ in range(n):
        t = 0.9 * y
        for _ in range(2):
            y = y * 0.99 + x
        y = t * y
    return y


def while_loop(x, c):
    y = x
    i = 0
    while i < len(c):
        t = y - c[i]
        y = t * t * x + 0.5
        i += 1
    return y


def negation_and_division(a, n):
    y = 1.0
    for _ in range(n):
        m = -a
        q = y / 3.0
        y = q * m + math.sin(y)
    return y


def nested_loops(x, n):
    y = x
    for i in range(n):
        for j in range(n):
            p = 0.25 * y
            y = p * x + 0.01 * j
    return y


CASES = [
    (operand_replaced_by_reader, (0.9, [0.3, -0.2, 0.5, 0.1])),
    (operand_changed_before_reader, (0.8, 4)),
    (two_readers, (0.7, 5)),
    (chain, (1.3, 0.6, 6)),
    (branch_between, (0.8, 5)),
    (inner_loop_between, (0.6, 3)),
    (while_loop, (0.7, [0.1, 0.4, -0.3])),
    (negation_and_division, (0.4, 5)),
    (nested_loops, (0.9, 3)),
]
