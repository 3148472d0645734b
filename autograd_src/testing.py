"""Check derivatives against central finite differences."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

__all__ = ["numerical_grad", "check_grads"]


def _tolerances(dtype: np.dtype) -> tuple[float, float]:
    if dtype == np.float32 or dtype == np.float16:
        return 2e-2, 2e-3
    return 1e-5, 1e-7


def numerical_grad(f: Callable[..., Any], args: Sequence[Any], index: int,
                   eps: float = 1e-6) -> Any:
    """Central-difference gradient of ``sum(f(*args))`` with respect to ``args[index]``.

    The argument is evaluated in float64 whatever its dtype, so the differences
    are not swamped by float32 rounding.
    """
    args = list(args)
    x = np.array(args[index], dtype=np.float64, order="C")
    scalar = np.ndim(args[index]) == 0 and not isinstance(args[index], np.ndarray)
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    out = grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        values = []
        for step in (eps, -eps):
            flat[i] = original + step
            args[index] = float(x) if scalar else x.copy()
            values.append(float(np.sum(f(*args))))
        flat[i] = original
        out[i] = (values[0] - values[1]) / (2 * eps)
    return float(grad) if scalar else grad


def check_grads(f: Callable[..., Any], *args: Any, wrt: Union[int, Sequence[int]] = 0,
                rtol: Optional[float] = None, atol: Optional[float] = None,
                df: Optional[Callable[..., Any]] = None) -> None:
    """Assert that ``grad(f, wrt)`` matches central finite differences at ``args``.

    Parameters
    ----------
    f : callable
        The function to check; its output is summed if it is not a scalar.
    *args
        The point at which to compare.
    wrt : int or sequence of int
        Positions of the arguments to check.
    rtol, atol : float, optional
        Tolerances; by default looser for float32 arguments than for float64.
    df : callable, optional
        The derivative to check (default ``grad(f, wrt)``); it must return one
        gradient per position in ``wrt`` (a tuple when ``wrt`` is a sequence).

    Raises
    ------
    AssertionError
        If a gradient differs from the numerical one, or has the wrong shape or
        dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_src.testing import check_grads
    >>> def f(x, y):
    ...     return np.sum(np.tanh(x) * y)
    >>> check_grads(f, np.ones(3), np.arange(3.0), wrt=(0, 1))
    """
    from .differentiate import grad

    positions = [wrt] if isinstance(wrt, int) else list(wrt)
    derivative = df if df is not None else grad(f, wrt=wrt)
    result = derivative(*args)
    results = [result] if isinstance(wrt, int) else list(result)
    for position, analytic in zip(positions, results):
        expected = numerical_grad(f, args, position)
        arg = args[position]
        dtype = np.asarray(arg).dtype
        default_rtol, default_atol = _tolerances(dtype)
        if np.shape(analytic) != np.shape(arg):
            raise AssertionError(f"gradient for argument {position} has shape "
                                 f"{np.shape(analytic)}, expected {np.shape(arg)}")
        if isinstance(arg, np.ndarray) and np.asarray(analytic).dtype != arg.dtype:
            raise AssertionError(f"gradient for argument {position} has dtype "
                                 f"{np.asarray(analytic).dtype}, expected {arg.dtype}")
        scale = max(1.0, float(np.max(np.abs(expected))) if np.size(expected) else 1.0)
        np.testing.assert_allclose(
            analytic, expected, rtol=rtol if rtol is not None else default_rtol,
            atol=(atol if atol is not None else default_atol) * scale * 1e2,
            err_msg=f"gradient for argument {position} differs from finite differences")
