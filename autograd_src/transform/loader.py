"""Compile generated source into a function whose code is visible to inspect, pdb and tracebacks."""

from __future__ import annotations

import ast
import itertools
import linecache
import os
import sys
import traceback
import types
import weakref
from typing import Any, Callable, Optional

__all__ = ["load", "user_line"]

_counter = itertools.count(1)
_FACTORY = "__autograd_src_factory__"
#: For each generated file: the user's file, the user's line each generated line was
#: made for (0 for none), and the name of the function differentiated.
_ORIGINS: dict[str, tuple[str, list, str]] = {}


def _register(filename: str, source: str) -> None:
    # mtime None: linecache.checkcache() keeps the entry (there is no file to check).
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _show_generated_lines_in_tracebacks()


def parameter_text(parameter: Any, namespace: dict, default: bool = True) -> str:
    """``name`` or, where the parameter has a default (and ``default``),
    ``name=_default_name``, the default kept in ``namespace``: a parameter of a def the
    package writes (see `defined`)."""
    if default and parameter.default is not parameter.empty:
        namespace[f"_default_{parameter.name}"] = parameter.default
        return f"{parameter.name}=_default_{parameter.name}"
    return parameter.name


def defined(text: str, name: str, filename: str, namespace: dict) -> Callable[..., Any]:
    """The function ``name`` that ``text`` (a small def the package writes: a wrapper, a
    ufunc as a function) defines in ``namespace``, compiled as ``filename``, its text
    registered with linecache for inspect, tracebacks and grad to read."""
    _register(filename, text)
    exec(compile(text, filename, "exec"), namespace)
    return namespace[name]


def _show_generated_lines_in_tracebacks() -> None:
    """Before Python 3.13 the interpreter prints an uncaught exception in C, reading
    source lines from files only: a generated frame showed no line under ``python
    script.py`` (IPython, pdb and the traceback module read linecache and show it).
    Where the default hook is still in place, the traceback module's printer, whose
    output is the same but for those lines, takes its place."""
    if sys.version_info >= (3, 13) or sys.excepthook is not sys.__excepthook__:
        return
    sys.excepthook = _print_with_generated_lines


def _print_with_generated_lines(kind: type, value: BaseException, tb: Any) -> None:
    traceback.print_exception(kind, value, tb)


def load(source: str, name: str, fn: Callable[..., Any], injected: dict[str, Any],
         origin: str, lines: Optional[tuple[str, list, str]] = None) -> Callable[..., Any]:
    """Compile ``source`` (one ``def name(...)``) as a function living beside ``fn``.

    The derivative reads the user's module globals live (``fn.__globals__``) and
    shares ``fn``'s closure cells, so later changes to globals or closed-over
    variables are seen exactly as ``fn`` sees them. Names the generated code adds
    (``_ad``, ``np``) are closure cells of their own, so nothing is written into
    the user's module. The function is compiled inside a factory whose free
    variables are those names; line and column numbers stay those of ``source``.
    ``lines``: the user's file, the user's line each line of ``source`` was generated
    for, and the function's name (see `user_line`).
    """
    filename = f"<autograd_src {name} of {origin} #{next(_counter)}>"
    tree = ast.parse(source, filename)
    inner = tree.body[0]
    free = list(fn.__code__.co_freevars) + [n for n in injected
                                            if n not in fn.__code__.co_freevars]
    factory = ast.FunctionDef(
        name=_FACTORY,
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in free], vararg=None,
                           kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[inner, ast.Return(value=ast.Name(id=inner.name, ctx=ast.Load()))],
        decorator_list=[], returns=None, type_params=[])
    for node in [factory, factory.args, factory.body[1], factory.body[1].value,
                 *factory.args.args]:
        ast.copy_location(node, inner)
    module = ast.Module(body=[factory], type_ignores=[])
    code = compile(module, filename, "exec")
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner_code = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType)
                      and c.co_name == inner.name)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    closure = tuple(cells[n] if n in cells else types.CellType(injected[n])
                    for n in inner_code.co_freevars)
    derivative = types.FunctionType(inner_code, fn.__globals__, inner.name,
                                    fn.__defaults__, closure or None)
    kwdefaults = dict(fn.__kwdefaults__ or {})
    for arg, default in zip(inner.args.kwonlyargs, inner.args.kw_defaults):
        if arg.arg not in kwdefaults and isinstance(default, ast.Constant):
            kwdefaults[arg.arg] = default.value
    derivative.__kwdefaults__ = kwdefaults or None
    derivative.__module__ = fn.__module__
    derivative.__qualname__ = inner.name
    _register(filename, source)
    if lines is not None:
        _ORIGINS[filename] = lines
    # Its text is kept while it lives (inspect, pdb, tracebacks), not after.
    weakref.finalize(derivative, _forget, filename).atexit = False
    return derivative


def _forget(filename: str) -> None:
    linecache.cache.pop(filename, None)
    _ORIGINS.pop(filename, None)


def user_line(exc: BaseException) -> None:
    """Add to ``exc``, raised while a generated derivative ran, a note naming the line
    of the user's function its innermost generated frame was made for (the traceback
    shows the generated code, which is what ran)."""
    if not hasattr(exc, "add_note") or getattr(exc, "_autograd_src_noted", False):
        return  # (before Python 3.11, or noted by a derivative nested inside)
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in _ORIGINS:
            found = tb
        tb = tb.tb_next
    if found is None:
        return
    filename, lines, label = _ORIGINS[found.tb_frame.f_code.co_filename]
    line = lines[found.tb_lineno - 1] if 0 < found.tb_lineno <= len(lines) else 0
    if not line:
        return
    text = linecache.getline(filename, line).strip()
    try:
        exc._autograd_src_noted = True  # type: ignore[attr-defined]
    except AttributeError:
        return
    exc.add_note(f"(raised in the derivative of {label}, by the code generated for "
                 f"{os.path.basename(filename)}:{line}{': ' + text if text else ''})")
