"""``mg.random``: MyGrad's random tensors, drawn from NumPy's global generator.

Each draw is NumPy's (``np.random.rand``, ``np.random.randn``...), so
``mg.random.seed(0)`` and ``np.random.seed(0)`` are one seed; the result is a
tensor of its own (a variable unless ``constant=True``, as in MyGrad).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .tensor import Tensor

__all__ = ["rand", "randint", "randn", "random", "random_sample", "ranf", "sample", "seed"]


def rand(*shape: int, constant: Optional[bool] = None) -> Tensor:
    """Uniform values in [0, 1) of the given shape (``np.random.rand``)."""
    return Tensor(np.random.rand(*shape), constant=constant, copy=False)


def randn(*shape: int, constant: Optional[bool] = None) -> Tensor:
    """Standard normal values of the given shape (``np.random.randn``)."""
    return Tensor(np.random.randn(*shape), constant=constant, copy=False)


def randint(low: Any, high: Any = None, shape: Any = None, dtype: Any = int) -> Tensor:
    """Integers in [low, high), or [0, low) without ``high`` (``np.random.randint``):
    a constant tensor, as integers carry no gradient."""
    return Tensor(np.random.randint(low, high, shape, dtype), copy=False)


def random_sample(shape: Any = None, *, constant: Optional[bool] = None) -> Tensor:
    """Uniform values in [0, 1) (``np.random.random_sample``)."""
    return Tensor(np.random.random_sample(shape), constant=constant, copy=False)


random = ranf = sample = random_sample  # (MyGrad's aliases, as NumPy's)


def seed(seed_number: Any) -> None:
    """Seed NumPy's global generator, which these functions draw from."""
    np.random.seed(seed_number)
