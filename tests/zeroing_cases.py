"""Programs that overwrite entries of an array in a loop: the sweep zeroes the
adjoint's entries in place there (`optimize.zeroing`), and each must keep its
gradient exact, views of the adjoint included."""

import numpy as np


def fill_entries(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * (i + 1.0)
    return np.sum(out ** 2)


def fill_rows(m):
    # out[i] is a row: reading d_out[i] gives a view of the adjoint being zeroed.
    out = np.zeros((m.shape[0], m.shape[1]))
    for i in range(m.shape[0]):
        out[i] = np.tanh(m[i]) * (i + 2.0)
    return np.sum(out * out)


def same_entry_each_step(x):
    # Each step overwrites the same row: only the last value reaches the sum.
    out = np.zeros((2, 3))
    for i in range(len(x)):
        out[0] = x[i] * np.arange(1.0, 4.0)
        out[1] = out[0] * x[i]
    return np.sum(np.sin(out))


def update_after_the_loop_reads_a_view(x):
    # out[0:2] += w after the loop: its adjoint reads d_out[0:2] before the loop's
    # zeroing, and must keep the values it read.
    w = x[0:2] * 3.0
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = x[i] ** 2
    out[0:2] += w
    return np.sum(out * np.arange(1.0, len(x) + 1.0))


def read_and_overwrite(x):
    out = np.ones(len(x))
    for i in range(1, len(x)):
        out[i] = out[i - 1] * np.cos(x[i]) + x[i]
    return np.sum(out ** 2)


def two_fills(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.exp(0.1 * x[i])
    total = np.sum(out)
    for i in range(len(x)):
        out[i] = out[i] * x[i]
    return total + np.sum(out ** 2)


def nested_fill(m):
    out = np.zeros(m.shape)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            out[i, j] = m[i, j] * (i - j) + np.sin(m[i, j])
    return np.sum(out ** 2)


def fill_with_while(x):
    out = np.zeros(len(x))
    i = 0
    while i < len(x):
        out[i] = x[i] * x[len(x) - 1 - i]
        i += 1
    return np.sum(out * out)


def row_alias_inside(m):
    # row = out[i] then out[i] = ...: the view is of the forward array.
    out = m * 1.0
    total = 0.0
    for i in range(m.shape[0]):
        row = out[i] * 2.0
        out[i] = np.sin(row)
        total = total + np.sum(out[i] * row)
    return total


CASES = [
    (fill_entries, lambda rng: (rng.standard_normal(6),)),
    (fill_rows, lambda rng: (rng.standard_normal((4, 3)),)),
    (same_entry_each_step, lambda rng: (rng.standard_normal(4),)),
    (update_after_the_loop_reads_a_view, lambda rng: (rng.standard_normal(5),)),
    (read_and_overwrite, lambda rng: (rng.standard_normal(5),)),
    (two_fills, lambda rng: (rng.standard_normal(5),)),
    (nested_fill, lambda rng: (rng.standard_normal((3, 4)),)),
    (fill_with_while, lambda rng: (rng.standard_normal(5),)),
    (row_alias_inside, lambda rng: (rng.standard_normal((3, 2)),)),
]
