"""``grad`` by forward mode, for calls where the one differentiated argument is a number.

With one input number, the gradient is the tangent of the output along ``dx = 1``
(``x ** 0``: a one of ``x``'s type, which code may index as it indexes ``x``):
one forward pass, no stacks and no second sweep, which is how a derivative of a
scalar loop is written by hand (``dy = dy * x + y`` beside ``y = y * x + c[i]``).
Reverse mode would keep every iteration's values for a backward loop. The variant
reads::

    def dhornerdx(x, c, *, dout=None):
        out, tangent = jvp_horner(x, c, dx=x ** 0)
        return _ad.tangent_as_gradient(out, tangent, dout)

followed by ``jvp_horner``, the forward-mode derivative `make_jvp` generates. The
seed ``dout`` weighs the output as grad's does (the tangent of ``sum(dout * f)``).
Where forward mode refuses the function (a primitive without a tangent rule, a
construct it does not follow), the call's reverse-mode variant is made instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
from typing import Any, Callable, Iterator, Optional

from .. import errors
from ..rules import runtime
from . import loader, source

__all__ = ["gradient_by_forward_mode", "suits_forward_mode", "reverse_mode_only"]

_LIBRARY_ERRORS = tuple(getattr(errors, name) for name in errors.__all__)

#: Off inside `reverse_mode_only` (the tests of reverse mode's scalar variants).
ENABLED: contextvars.ContextVar = contextvars.ContextVar("one_number_by_forward_mode",
                                                        default=True)


@contextlib.contextmanager
def reverse_mode_only() -> Iterator[None]:
    """Within it, grad makes every variant by reverse mode (variants made within are
    cached apart from those made outside)."""
    token = ENABLED.set(False)
    try:
        yield
    finally:
        ENABLED.reset(token)


def suits_forward_mode(fn: Callable[..., Any], names: list[str], signature: tuple,
                       printer: str, rewrite: bool) -> bool:
    """Whether the variant for ``signature`` is better made by forward mode: one
    differentiated parameter, a number in this call; the plain printer and the
    optimizer on (``optimize=False`` promises reverse mode's adjoint as written); not a
    derivative differentiated again (second order reads reverse-mode code)."""
    code = getattr(fn, "__code__", None)
    return (ENABLED.get() and len(names) == 1 and printer == "gast" and rewrite
            and bool(signature)
            and bool(signature[0]) and names[0] in signature[0] and code is not None
            and not code.co_filename.startswith("<autograd_src")
            and not _calls_a_writer(fn))


def _calls_a_writer(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` calls a function of yours that writes into what it is given
    (``h(a, x)`` doing ``p *= v``): forward mode's derivative of it updates a new
    array, and the caller's would keep its values (reverse mode copies it in)."""
    from . import mutation
    from .ir import walk
    node = mutation._definition(fn)
    if not node:
        return False
    import gast
    for call in walk(node):
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Name):
            called = mutation._resolve(fn, call.func)
            if inspect.isfunction(called) and called is not fn and \
                    mutation.is_user_function(called) and \
                    mutation.helper_writes_into(called, attributes=False):
                return True
    return False


def gradient_by_forward_mode(fn: Callable[..., Any], names: list[str], single: bool,
                             value: bool, signature: tuple, bindings: Optional[dict],
                             seed: str = "dout"
                             ) -> Optional[tuple[Callable[..., Any], str, Any]]:
    """``(compiled, source, reads)`` of the gradient with respect to ``names[0]`` by
    forward mode (see the module), or None where forward mode refuses ``fn``."""
    from .pipeline import transform_forward  # (the pipeline imports this module's users)
    try:
        jvp, text, reads = transform_forward(fn, names, "gast", signature[:5],
                                             bindings=bindings or None, rewrite=True)
    except _LIBRARY_ERRORS:
        return None
    tangent = jvp.__autograd_src_tangents__[0]
    parameters = inspect.signature(fn).parameters.values()
    taken = {p.name for p in parameters} | {tangent, seed}
    jvp_name, ad, out, d_out = (_free(n, taken) for n in (jvp.__name__, "_ad", "out",
                                                          "tangent"))
    kinds = inspect.Parameter
    by_kind = {kind: [p.name for p in parameters if p.kind is kind] for kind in (
        kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD, kinds.VAR_POSITIONAL,
        kinds.KEYWORD_ONLY, kinds.VAR_KEYWORD)}
    only, plain = by_kind[kinds.POSITIONAL_ONLY], by_kind[kinds.POSITIONAL_OR_KEYWORD]
    var, keyword = by_kind[kinds.VAR_POSITIONAL], by_kind[kinds.KEYWORD_ONLY]
    var_keyword = by_kind[kinds.VAR_KEYWORD]
    header = only + (["/"] if only else []) + plain + ([f"*{var[0]}"] if var else ["*"]) + \
        keyword + [f"{seed}=None"] + [f"**{k}" for k in var_keyword]
    call = only + plain + [f"*{v}" for v in var] + [f"{k}={k}" for k in keyword] + \
        [f"**{k}" for k in var_keyword]
    from .pipeline import derivative_name
    name = derivative_name(fn.__name__, names, value)
    gradient = f"{ad}.tangent_as_gradient({out}, {d_out}, {seed})"
    if not single:  # wrt=(x,): a tuple of one gradient
        gradient = f"({gradient},)"
    result = f"{out}, {gradient}" if value else gradient
    wrapper = (f"def {name}({', '.join(header)}):\n"
               f"    # forward mode: {names[0]} is one number, so the tangent along "
               f"{tangent} = 1 (of its type) is the gradient\n"
               f"    {out}, {d_out} = {jvp_name}("
               f"{', '.join(call + [f'{tangent}={names[0]} ** 0'])})\n"
               f"    return {result}\n")
    parsed = source.parse_function(fn)
    origin = f"{parsed.filename.rsplit('/', 1)[-1]}:{parsed.node.lineno}"
    compiled = loader.load(wrapper, name, fn, {jvp_name: jvp, ad: runtime}, origin)
    compiled.__autograd_src_seed__ = seed
    return compiled, f"{wrapper}\n{text}", reads


def _free(name: str, taken: set) -> str:
    """``name``, or ``name_2``, ... where the function has a parameter of that name."""
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    taken.add(candidate)
    return candidate
