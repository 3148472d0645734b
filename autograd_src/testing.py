"""Check derivatives against finite differences computed in float64."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

__all__ = ["numerical_grad", "check_grads"]

# Relative step of the finite differences: x_i moves by STEP * max(1, |x_i|). Small
# enough that a kink (abs, maximum, a branch) is rarely within reach, large enough
# that float64 rounding of f stays far below what the comparison allows.
STEP = 1e-5
# The rounding a correct gradient may show, in epsilons of its dtype, relative to
# |n_i| + max|n| (n the numerical gradient).
ULPS = 512
# Allowance for float64 rounding in the finite differences, in epsilons of the
# values of f (and of the change max|n| * |x_i| that x_i brings), over the step.
FD_ULPS = 256


def _upcast(value: Any) -> Any:
    """``value`` with its floating-point arrays and numbers widened to float64."""
    if isinstance(value, dict):
        return type(value)((k, _upcast(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        items = [_upcast(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, (np.ndarray, np.floating)) and np.issubdtype(value.dtype, np.floating):
        return value.astype(np.float64) if isinstance(value, np.ndarray) else np.float64(value)
    return value


def _precision(value: Any) -> np.dtype:
    """The floating dtype ``value`` is computed in (float64 for Python numbers)."""
    if isinstance(value, (np.ndarray, np.generic)) and np.issubdtype(value.dtype, np.floating):
        return value.dtype
    if isinstance(value, (list, tuple)) and value:
        return max((_precision(v) for v in value), key=lambda d: np.finfo(d).eps)
    return np.dtype(np.float64)


def _rebuild(original: Any, x: np.ndarray) -> Any:
    """The float64 values ``x`` in the form of ``original`` (number, array or list)."""
    if isinstance(original, np.ndarray):
        return x.copy()
    if isinstance(original, (list, tuple)):
        return type(original)(_rebuild(o, row) for o, row in zip(original, x))
    if isinstance(original, np.generic):
        return np.float64(x)
    return float(x)


def _differences(f: Callable[..., Any], args: Sequence[Any], index: int,
                 seed: Optional[np.ndarray], step: float) -> tuple[np.ndarray, np.ndarray]:
    """Richardson-extrapolated central differences of ``sum(seed * f(*args))``.

    Everything is evaluated in float64 (``args`` must already be upcast). Returns
    the estimate and a bound on its error: the gaps between the steps ``h``, ``2h``
    and ``h/2``, which show truncation, kinks and rounding, plus the float64
    rounding of f.
    """
    args = list(args)
    original = args[index]
    x = np.array(original, dtype=np.float64, order="C")
    flat = x.reshape(-1)

    def value(at: np.ndarray) -> float:
        args[index] = _rebuild(original, at)
        out = np.asarray(f(*args), dtype=np.float64)
        return float(np.sum(out if seed is None else seed * out))

    base = np.asarray(f(*args), dtype=np.float64)
    magnitude = float(np.sum(np.abs(base if seed is None else seed * base)))
    estimate = np.zeros(flat.size)
    error = np.zeros(flat.size)
    scale = np.zeros(flat.size)
    for i in range(flat.size):
        centre = flat[i]
        h = step * max(1.0, abs(centre))
        h = (centre + h) - centre  # a step exactly representable around x_i
        slopes, largest_value = [], magnitude
        for width in (h, 2 * h, h / 2):
            flat[i] = centre + width
            up = value(x)
            flat[i] = centre - width
            down = value(x)
            slopes.append((up - down) / (2 * width))
            largest_value = max(largest_value, abs(up), abs(down))
        flat[i] = centre
        estimate[i] = (4 * slopes[0] - slopes[1]) / 3
        # Truncation shows between h and 2h; rounding, which doubles as the step halves,
        # between h and h/2 (it hides in f's value when f cancels terms much larger
        # than itself, as -x/y + x does near y = 1).
        # The extrapolation weighs them by up to 5/3: twice the larger gap bounds it.
        error[i] = 2 * max(abs(slopes[0] - slopes[1]), abs(slopes[0] - slopes[2]))
        # Rounding of f's values, and of the change x_i itself brings, over the step.
        scale[i] = largest_value / h
    largest = float(np.max(np.abs(estimate))) if flat.size else 0.0
    error += FD_ULPS * np.finfo(np.float64).eps * (scale + largest / step)
    return estimate.reshape(x.shape), error.reshape(x.shape)


def numerical_grad(f: Callable[..., Any], args: Sequence[Any], index: int,
                   eps: float = STEP) -> Any:
    """The gradient of ``sum(f(*args))`` with respect to ``args[index]`` by finite differences.

    Central differences at steps ``h`` and ``2h``, combined by Richardson
    extrapolation (error of order ``h**4``), with ``h = eps * max(1, |x_i|)``.
    Every floating-point argument is evaluated in float64 whatever its dtype, so
    the differences are not swamped by float32 rounding.

    Parameters
    ----------
    f : callable
        The function; its output is summed if it is not a scalar.
    args : sequence
        The point at which to differentiate.
    index : int
        The position in ``args`` of the argument to differentiate with respect to.
    eps : float, optional
        The relative step.

    Returns
    -------
    float or numpy.ndarray
        The float64 gradient, shaped like ``args[index]`` (a float for a Python number).
    """
    args = [_upcast(a) for a in args]
    estimate, _ = _differences(f, args, index, None, eps)
    scalar = np.ndim(args[index]) == 0 and not isinstance(args[index], np.ndarray)
    return float(estimate) if scalar else estimate


def _leaves(tree: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """The leaves of a container argument with their paths; an array is its own leaf."""
    if isinstance(tree, dict):
        return [leaf for k, v in tree.items() for leaf in _leaves(v, path + (k,))]
    if isinstance(tree, (list, tuple)):
        return [leaf for k, v in enumerate(tree) for leaf in _leaves(v, path + (k,))]
    return [(path, tree)]


def _leaf_at(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def _leaf_of(gradient: Any, path: tuple, where: str) -> Any:
    """The entry of ``gradient`` at ``path``, or an AssertionError naming what is missing."""
    for depth, key in enumerate(path):
        if not isinstance(gradient, (list, tuple, dict)):
            raise AssertionError(f"{where}: the gradient has a {type(gradient).__name__} "
                                 f"where the argument has a container (at depth {depth})")
        try:
            gradient = gradient[key]
        except (IndexError, KeyError):
            raise AssertionError(f"{where}: the gradient has no entry {key!r}") from None
    return gradient


def _replaced(tree: Any, path: tuple, leaf: Any) -> Any:
    """A copy of the containers of ``tree`` with the leaf at ``path`` replaced."""
    if not path:
        return leaf
    key, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return type(tree)({**tree, key: _replaced(tree[key], rest, leaf)})
    items = list(tree)
    items[key] = _replaced(items[key], rest, leaf)
    if isinstance(tree, list):
        return items
    return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)


def _with_leaf(f: Callable[..., Any], position: int, tree: Any,
               path: tuple) -> Callable[..., Any]:
    """``f`` as a function of one leaf of its argument ``position`` (in that slot)."""
    if not path:
        return f

    def of_leaf(*args: Any) -> Any:
        args = list(args)
        args[position] = _replaced(tree, path, args[position])
        return f(*args)

    return of_leaf


def _parameter_name(f: Callable[..., Any], position: int) -> str:
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return ""
    if 0 <= position < len(parameters) and parameters[position].kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        return f" ({parameters[position].name})"
    return ""


def _seed_keyword(derivative: Callable[..., Any]) -> Optional[str]:
    """The keyword through which a derivative made by `grad` takes its output seed."""
    compiled = getattr(derivative, "__wrapped__", derivative)
    return getattr(compiled, "__autograd_src_seed__", None)


def _gradients(result: Any, positions: list[int], single: bool) -> list[Any]:
    """The gradients in ``result``, one per position asked, or an AssertionError."""
    if single:
        return [result]
    if not isinstance(result, (tuple, list)):
        raise AssertionError(f"the derivative returned a {type(result).__name__}, "
                             f"expected a tuple of {len(positions)} gradients for "
                             f"wrt={tuple(positions)}")
    if len(result) != len(positions):
        raise AssertionError(f"the derivative returned {len(result)} gradient(s), "
                             f"expected {len(positions)}: one for each of "
                             f"wrt={tuple(positions)}")
    return list(result)


def _check_structure(analytic: Any, arg: Any, where: str) -> None:
    if np.shape(analytic) != np.shape(arg):
        raise AssertionError(f"{where} has shape {np.shape(analytic)}, expected "
                             f"{np.shape(arg)} (the argument's)")
    if isinstance(arg, (np.ndarray, np.floating)) and np.issubdtype(arg.dtype, np.floating):
        dtype = np.asarray(analytic).dtype
        if dtype != arg.dtype:
            raise AssertionError(f"{where} has dtype {dtype}, expected {arg.dtype} "
                                 "(the argument's)")


def _compare(analytic: Any, expected: np.ndarray, fd_error: np.ndarray, rtol: float,
             atol: float, where: str) -> None:
    """Raise an AssertionError saying where and by how much ``analytic`` is off."""
    kind = np.asarray(analytic).dtype
    got = np.asarray(analytic, dtype=np.float64)
    largest = float(np.max(np.abs(expected))) if expected.size else 0.0
    # Below the smallest normal number (subnormals) a dtype has no relative precision.
    tiny = float(np.finfo(kind if kind.kind == "f" else np.float64).tiny)
    allowed = fd_error + rtol * (np.abs(expected) + largest) + atol + tiny
    difference = np.abs(got - expected)
    bad = ~(difference <= allowed)  # NaN on either side counts as a difference
    if not np.any(bad):
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(np.isnan(difference), np.inf, difference / allowed)
    worst = np.unravel_index(int(np.argmax(np.where(bad, score, -1.0))), got.shape)
    at = f" at index {tuple(int(i) for i in worst)}" if got.ndim else ""
    share = (f" ({difference[worst] / largest:.3g} of the largest expected entry, "
             f"{largest:.6g})" if largest else "")
    lines = [f"{where} differs from finite differences in {int(np.sum(bad))} of "
             f"{got.size} entries; the worst{at}: got {float(got[worst])!r}, expected "
             f"{float(expected[worst])!r}, off by {difference[worst]:.3g}{share}, "
             f"allowed {allowed[worst]:.3g}"]
    if got.size > 1:
        options = dict(precision=8, threshold=60)
        lines += [f"  got:      {np.array2string(got, **options)}",
                  f"  expected: {np.array2string(expected, **options)}"]
    raise AssertionError("\n".join(lines))


def _random_seed(out: Any) -> np.ndarray:
    """A fixed seed for a non-scalar output: entries of either sign, none near zero."""
    rng = np.random.default_rng(0)
    shape = np.shape(out)
    seed = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return seed.astype(np.result_type(np.asarray(out).dtype, np.float32))


def _position(f: Callable[..., Any], wrt: Union[int, str]) -> int:
    """The position of the argument ``wrt`` names (a parameter's name) or gives."""
    if not isinstance(wrt, str):
        return int(wrt)
    try:
        params = [p.name for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    if wrt not in params:
        raise ValueError(f"wrt={wrt!r} is not a positional parameter of "
                         f"{getattr(f, '__name__', 'f')}() (its positional parameters: "
                         f"{', '.join(params) or 'none'}): check_grads passes *args by position")
    return params.index(wrt)


def check_grads(f: Callable[..., Any], *args: Any,
                wrt: Union[int, str, Sequence[Union[int, str]]] = 0,
                rtol: Optional[float] = None, atol: Optional[float] = None,
                df: Optional[Callable[..., Any]] = None,
                kwargs: Optional[dict] = None) -> None:
    """Assert that ``grad(f, wrt)`` matches finite differences at ``args``.

    The finite differences are central differences at steps ``h`` and ``2h``
    (``h = 1e-5 * max(1, |x_i|)``) combined by Richardson extrapolation, taken
    in float64 on widened copies of the arguments: their error is far below the
    rounding of a float32 gradient, so float32 gradients are checked as tightly
    as their own rounding allows. Entry ``i`` of a gradient ``g`` passes when::

        |g_i - n_i| <= e_i + rtol * (|n_i| + max|n|) + atol

    where ``n`` is the numerical gradient and ``e_i`` bounds its error: the gap
    between the differences at ``h`` and ``2h`` (truncation, a kink within
    reach), plus 256 float64 epsilons of the values of ``f`` and of
    ``max|n| * max(1, |x_i|)`` divided by the step (about ``5.7e-9 * max|n|``).
    The default ``rtol`` is 512 epsilons of the argument's dtype: ``1.1e-13``
    for float64, ``6.1e-5`` for float32, so the largest entry may be off by
    ``1.2e-4`` of itself in float32, and by about ``6e-9`` in float64, where
    the finite differences are the limit. None of this depends on the
    derivative being checked.

    Parameters
    ----------
    f : callable
        The function to check, returning a float or an array.
    *args
        The point at which to compare. Arguments not differentiated may be of
        any type (ints, objects); float32 ones are widened to float64 for the
        finite differences, as is the argument differentiated.
    wrt : int, str or sequence of them
        Positions (or names of positional parameters) of the arguments to check.
        One expects the derivative to return one gradient; a sequence, a tuple of
        exactly one gradient per argument.
    rtol : float, optional
        Allowed difference relative to ``|n_i| + max|n|``, replacing the default
        described above.
    atol : float, optional
        Allowed absolute difference, added to the rest (default 0). Useful for a
        float32 gradient that cancels to nearly zero, whose rounding is large
        relative to its entries.
    df : callable, optional
        The derivative to check (default ``grad(f, wrt)``), called with ``args``.
    kwargs : dict, optional
        Keyword arguments passed to ``f`` (and to the derivative) in every call;
        they are not differentiated.

    Raises
    ------
    AssertionError
        If the derivative returns the wrong number of gradients, a gradient has
        the wrong shape or dtype (a floating-point argument's own), or a
        gradient differs from the numerical one; the message names the
        argument, the worst entry, the difference and what was allowed.

    Notes
    -----
    A non-scalar output is checked twice: seeded with ones (the gradient of
    ``sum(f(...))``, which `grad` computes by default) and, when the derivative
    comes from `grad`, with a fixed random seed passed as its ``dout`` keyword.
    The second catches rules that are wrong in a way a sum hides, such as a
    flip or a transpose that the adjoint forgets.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_src.testing import check_grads
    >>> def f(x, y):
    ...     return np.sum(np.tanh(x) * y)
    >>> x, y = np.array([0.3, -1.2, 2.0]), np.array([0.5, 1.5, -2.0])
    >>> check_grads(f, x, y, wrt=(0, 1))
    >>> def one_percent_off(x, y):
    ...     return 1.01 * (1 - np.tanh(x) ** 2) * y, np.tanh(x)
    >>> check_grads(f, x, y, wrt=(0, 1), df=one_percent_off)
    Traceback (most recent call last):
        ...
    AssertionError: gradient for argument 0 (x) differs from finite differences in 3 of 3 ...
    """
    from .api import grad

    single = isinstance(wrt, (int, np.integer, str))
    positions = [_position(f, p) for p in ([wrt] if single else wrt)]
    positions = [p + len(args) if p < 0 else p for p in positions]
    for p in positions:
        if not 0 <= p < len(args):
            raise IndexError(f"wrt={wrt!r} names argument {p}, but {len(args)} were given")
    derivative = df if df is not None else grad(f, wrt=wrt)
    wide = [_upcast(a) for a in args]
    kwargs = dict(kwargs or {})
    of_args = functools.partial(f, **kwargs) if kwargs else f  # (the differences' f)

    checks: list[tuple[Any, Optional[np.ndarray], str]] = [
        (derivative(*args, **kwargs), None, "")]
    keyword = _seed_keyword(derivative)  # known once it has run (methods of arguments)
    out = f(*args, **kwargs)
    if np.ndim(out) and keyword is not None:
        seed = _random_seed(out)
        checks.append((derivative(*args, **kwargs, **{keyword: seed}), seed,
                       f" (output seeded with a random {keyword})"))
    for result, seed, seeded in checks:
        for position, gradient in zip(positions, _gradients(result, positions, single)):
            where = f"gradient for argument {position}{_parameter_name(f, position)}{seeded}"
            wide_seed = None if seed is None else seed.astype(np.float64)
            # A container (list, tuple, dict) is checked leaf by leaf.
            for path, arg in _leaves(args[position]):
                here = where + "".join(f"[{k!r}]" for k in path)
                analytic = _leaf_of(gradient, path, here)
                _check_structure(analytic, arg, here)
                leaf_f = _with_leaf(of_args, position, wide[position], path)
                expected, fd_error = _differences(
                    leaf_f, wide[:position] + [_leaf_at(wide[position], path)]
                    + wide[position + 1:], position, wide_seed, STEP)
                default = ULPS * float(np.finfo(_precision(arg)).eps)
                _compare(analytic, expected, fd_error, default if rtol is None else rtol,
                         atol or 0.0, here)
