"""Jacobians and second derivatives, built from both modes: `jacfwd`, `jacrev`,
`jacobian`, `hessian` and `hvp`.

`jacfwd` runs `make_jvp`'s derivative once per input element, `jacrev` `grad`'s
once per output element; `hessian` and `hvp` are forward mode over the code
`grad` generates (real Python, which forward mode reads like the user's).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .api import _resolve_wrt, grad
from .arguments import MISSING, SCALAR_SET, argument_reader
from .errors import NoRuleError
from .forward import Wrt, make_jvp
from .transform.pipeline import cache_for
from .transform.source import is_bound_method

__all__ = ["jacfwd", "jacrev", "jacobian", "hessian", "hvp"]


# ----- Jacobians -----


def _basis(value: Any) -> tuple[tuple, list]:
    """The shape of ``value`` and the unit tangents along each of its elements."""
    if type(value) in SCALAR_SET:
        return (), [1.0]
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise TypeError(f"a Jacobian needs floating-point arguments, got dtype {array.dtype}")
    units = []
    for k in range(array.size):
        unit = np.zeros(array.size, dtype=array.dtype)
        unit[k] = 1
        units.append(unit.reshape(array.shape))
    return array.shape, units


def _argument(fn: Callable[..., Any], name: str, args: tuple, kwargs: dict) -> Any:
    value = argument_reader(fn, name)(args, kwargs)
    if value is MISSING:
        raise TypeError(f"{getattr(fn, '__name__', 'f')}() is missing the argument {name}")
    if isinstance(value, (list, tuple, dict)):
        raise TypeError(f"a Jacobian with respect to {name}, a {type(value).__name__}, is "
                        "not supported: pass an array (np.concatenate the pieces)")
    return value


def jacfwd(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """The Jacobian of ``fn``, a column per input element by forward mode.

    ``jacfwd(f)(x)`` has the shape ``f(x).shape + x.shape``; with a tuple ``wrt``
    a tuple of such Jacobians, one per parameter. It costs one forward-mode pass
    per element of the inputs: the mode of choice for few inputs and many outputs.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0])])
    >>> jacfwd(f)(np.array([1.0, 2.0]))
    array([[2.        , 1.        ],
           [0.54030231, 0.        ]])
    """
    names, single = _resolve_wrt(fn, wrt)
    forwards = [make_jvp(fn, name) for name in names]

    def jacobian_fwd(*args: Any, **kwargs: Any) -> Any:
        jacobians = []
        for name, forward in zip(names, forwards):
            shape, units = _basis(_argument(fn, name, args, kwargs))
            columns = [forward.run(args, kwargs, [u])[1] for u in units]
            out_shape = np.shape(columns[0])
            jacobians.append(np.stack([np.asarray(c) for c in columns], axis=-1)
                             .reshape(out_shape + shape))
        return jacobians[0] if single else tuple(jacobians)

    jacobian_fwd.__name__ = f"jacfwd_{getattr(fn, '__name__', 'f')}"
    jacobian_fwd.source = "\n".join(f.source for f in forwards)  # type: ignore[attr-defined]
    return jacobian_fwd


def jacrev(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """The Jacobian of ``fn``, a row per output element by reverse mode (`grad` seeded
    with each unit vector): the mode of choice for few outputs and many inputs.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0])])
    >>> jacrev(f)(np.array([1.0, 2.0]))
    array([[2.        , 1.        ],
           [0.54030231, 0.        ]])
    """
    names, single = _resolve_wrt(fn, wrt)
    backward = grad(fn, wrt=tuple(names))

    def jacobian_rev(*args: Any, **kwargs: Any) -> Any:
        value = fn(*args, **kwargs)
        out_shape, seeds = _basis(value)
        rows = [backward(*args, dout=s, **kwargs) for s in seeds]
        jacobians = []
        for k, name in enumerate(names):
            shape = np.shape(_argument(fn, name, args, kwargs))
            jacobians.append(np.stack([np.asarray(r[k]) for r in rows], axis=0)
                             .reshape(out_shape + shape))
        return jacobians[0] if single else tuple(jacobians)

    jacobian_rev.__name__ = f"jacrev_{getattr(fn, '__name__', 'f')}"
    jacobian_rev.source = backward.source  # type: ignore[attr-defined]
    return jacobian_rev


jacobian = jacrev


# ----- second order: forward mode over grad's generated code -----


def _gradient_code(fn: Callable[..., Any], name: str) -> tuple[Callable[..., Any], Any]:
    """The general (unspecialised) code `grad` generates for ``fn``, as a function
    that forward mode can read and differentiate again: it is real Python,
    registered with linecache, calling NumPy and the runtime helpers, whose
    tangent rules are in `rules.runtime_rules`. Also the names its generation
    resolved, to see when a function it calls is redefined."""
    if is_bound_method(fn):
        raise TypeError("hessian and hvp of a bound method are not supported yet: "
                        "differentiate a function taking the object as an argument")
    code = grad(fn, wrt=name).__wrapped__
    entry = next((e for k, e in cache_for(fn).items() if k != "__code__" and e[0] is code),
                 None)
    return code, entry[2] if entry is not None else None


def _second_order(fn: Callable[..., Any], name: str, what: str) -> Callable[[], Any]:
    """A function giving ``make_jvp`` of `_gradient_code`, made again when a function
    the gradient calls was redefined; what stops it is said in terms of ``fn``."""
    made: dict = {}

    def current() -> Callable[..., Any]:
        reads = made.get("reads")
        if "forward" in made and (reads is None or reads.unchanged()):
            return made["forward"]
        gradient, made["reads"] = _gradient_code(fn, name)
        try:
            made["forward"] = make_jvp(gradient, name)
        except NoRuleError as exc:
            raise type(exc)(f"{what}({getattr(fn, '__name__', 'f')}) differentiates the code "
                            f"grad generates for it in forward mode, and cannot here: "
                            f"{exc.msg}", exc.filename, exc.lineno, (exc.offset or 1) - 1,
                            exc.text) from None
        return made["forward"]

    current()
    return current


def hvp(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """Hessian-vector products of a scalar function, forward mode over reverse mode.

    ``hvp(f)(x, v)`` is ``H(x) @ v`` for the Hessian of ``f`` with respect to ``x``
    (more arguments go before ``v``: ``hvp(f, wrt=0)(x, data, v)``). It costs
    about one gradient and its tangent: the forward-mode derivative of the code
    `grad` generates, which ``.source`` shows.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return np.sum(x ** 3)
    >>> hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 0.0]))  # diag(6 x) v
    array([6., 0.])
    """
    names, single = _resolve_wrt(fn, wrt)
    if not single:
        raise TypeError("hvp takes one parameter in wrt")
    forward = _second_order(fn, names[0], "hvp")

    def hessian_vector_product(*args: Any, **kwargs: Any) -> Any:
        if not args:
            raise TypeError("hvp(f)(*args, v): pass the vector v last")
        *primals, v = args
        latest = forward()
        hessian_vector_product.source = latest.source  # type: ignore[attr-defined]
        return latest.run(tuple(primals), kwargs, [v])[1]

    hessian_vector_product.__name__ = f"hvp_{getattr(fn, '__name__', 'f')}"
    hessian_vector_product.source = forward().source  # type: ignore[attr-defined]
    return hessian_vector_product


def hessian(fn: Callable[..., Any], wrt: Wrt = 0) -> Callable[..., Any]:
    """The Hessian of a scalar function: the forward-mode Jacobian of its gradient.

    ``hessian(f)(x)`` has the shape ``x.shape + x.shape``; one gradient and its
    tangent per element of ``x`` (forward mode over `grad`'s generated code).

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):
    ...     return x[0] ** 2 * x[1]
    >>> hessian(f)(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """
    names, single = _resolve_wrt(fn, wrt)
    if not single:
        raise TypeError("hessian takes one parameter in wrt")
    forward = _second_order(fn, names[0], "hessian")

    def hessian_of(*args: Any, **kwargs: Any) -> Any:
        shape, units = _basis(_argument(fn, names[0], args, kwargs))
        latest = forward()
        hessian_of.source = latest.source  # type: ignore[attr-defined]
        columns = [np.asarray(latest.run(args, kwargs, [u])[1]) for u in units]
        return np.stack(columns, axis=-1).reshape(shape + shape)

    hessian_of.__name__ = f"hessian_{getattr(fn, '__name__', 'f')}"
    hessian_of.source = forward().source  # type: ignore[attr-defined]
    return hessian_of
