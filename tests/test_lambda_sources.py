"""Lambdas where users keep them: in a dict or list literal (the statement's lines
alone do not parse: a raw SyntaxError "illegal target for annotation"), several on one
line (refused as ambiguous), spanning lines. Each is found in its file by its first
line, its parameters and where its code is."""

import numpy as np
import pytest

from autograd_src import grad

LOSSES = {
    "l2": lambda w: np.sum(w ** 2),
    "smooth_l1": lambda w: np.sum(np.sqrt(w ** 2 + 1e-3)),
}
ACTIVATIONS = [lambda w: np.sum(np.sin(w)),
               lambda w: np.sum(np.cos(w))]
CUBE, QUARTIC = (lambda w: np.sum(w ** 3)), (lambda w: np.sum(w ** 4))
SPANNING = (lambda w:  # noqa: E731 - the form under test
            np.sum(np.tanh(w) *
                   w))

X = np.array([0.5, -1.5])


@pytest.mark.parametrize("fn, expected", [
    (LOSSES["l2"], 2 * X),
    (LOSSES["smooth_l1"], X / np.sqrt(X ** 2 + 1e-3)),
    (ACTIVATIONS[0], np.cos(X)),
    (ACTIVATIONS[1], -np.sin(X)),
    (CUBE, 3 * X ** 2),
    (QUARTIC, 4 * X ** 3),
    (SPANNING, np.tanh(X) + X * (1 - np.tanh(X) ** 2)),
])
def test_lambdas_in_literals_and_on_one_line(fn, expected):
    np.testing.assert_allclose(grad(fn)(X), expected, rtol=1e-12)
