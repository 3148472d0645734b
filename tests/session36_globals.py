"""A module whose globals share names with those grad generates (GB 01): ``items`` is
an item catalogue here, and ``value``, ``total`` and ``key`` are data."""

import numpy as np

items = ["apple", "pear", "plum"]
value = np.array([1.0, 2.0, 3.0])
total = 7
key = "k"


def scores_by_position(q):
    scores = {i: q[i] * 2.0 for i in range(3)}
    return scores[0] * scores[2]


def grouped(x):
    groups = {"a": [], "b": []}
    for v in x:
        groups["a" if v > 0 else "b"].append(v * v)
    return sum(groups["a"]) - sum(groups["b"])
