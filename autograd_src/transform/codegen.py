"""Turn the primal and adjoint sweeps into the source text of one Python function."""

from __future__ import annotations

import functools
from typing import Any, Optional

import gast

from .ir import Comment, Verbatim, name_ids
from .naming import clone
from .optimize import names_in
from .reverse import Derivative
from .source import ParsedFunction

__all__ = ["to_source", "render", "Blank"]


class Blank:
    """An empty line in the generated code."""


def to_source(node: gast.AST, printer: str = "gast") -> str:
    """Print a gast tree as Python source.

    ``gast.unparse`` (the default) prints minimal parentheses and reads like
    hand-written code; ``"astunparse"`` is kept as a fallback printer.
    """
    if printer == "gast":
        return gast.unparse(node)
    if printer == "astunparse":
        import io
        text = io.StringIO()
        _astunparse_printer()(gast.gast_to_ast(node), file=text)
        return text.getvalue().strip("\n")
    raise ValueError(f"unknown printer {printer!r}: use 'gast' or 'astunparse'")


@functools.lru_cache(maxsize=None)
def _astunparse_printer() -> type:
    """astunparse's printer, which on Python 3.9+ prints ``x[:, :1]`` as ``x[(:, :1)]``
    (not Python: the index tuple holds slices), with an index tuple printed bare."""
    import ast

    import astunparse

    class Printer(astunparse.Unparser):  # type: ignore[misc]
        def _Subscript(self, t: Any) -> None:
            if not isinstance(t.slice, ast.Tuple) or not t.slice.elts:
                return super()._Subscript(t)
            self.dispatch(t.value)
            self.write("[")
            for k, item in enumerate(t.slice.elts):
                self.write(", " if k else "")
                self.dispatch(item)
            self.write(",]" if len(t.slice.elts) == 1 else "]")

    return Printer


def _signature(parsed: ParsedFunction, seed_param: Optional[str]) -> gast.arguments:
    """The function's own parameters, plus the keyword-only seed if one is named."""
    args = clone(parsed.node.args)
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if arg is not None:
            arg.annotation = None
    if seed_param is not None:
        seed = gast.Name(id=seed_param, ctx=gast.Param(), annotation=None, type_comment=None)
        args.kwonlyargs.append(seed)
        args.kw_defaults.append(gast.Constant(value=None, kind=None))
    return args


def _split(parsed: ParsedFunction, derivative: Derivative, results: gast.expr,
           backward: str) -> list:
    """The body of a helper's derivative: its primal sweep, then ``def backward(dout)``
    holding the adjoint sweep, and ``return value, backward``.

    The caller runs the helper once, through this, and calls ``backward`` from its own
    adjoint: the helper's values are those of its one run, and nothing is computed
    twice. The adjoint restores primal values (``h = h_stack.pop()``): those names
    are the enclosing function's (``nonlocal``).
    """
    primal = list(derivative.primal)
    params = name_ids(parsed.node.args)
    shared = sorted(set(names_in(derivative.adjoint)[0]) & (set(names_in(primal)[0]) | params))
    inner_body = ([gast.Nonlocal(names=shared)] if shared else []) + \
        list(derivative.adjoint) + [gast.Return(value=results)]
    seed = gast.Name(id=derivative.seed_param, ctx=gast.Param(), annotation=None,
                     type_comment=None)
    args = gast.arguments(args=[seed], posonlyargs=[], vararg=None, kwonlyargs=[],
                          kw_defaults=[], kwarg=None,
                          defaults=[gast.Constant(value=None, kind=None)])
    inner = gast.FunctionDef(name=backward, args=args, body=inner_body, decorator_list=[],
                             returns=None, type_comment=None, type_params=[])
    value = derivative.value if derivative.value is not None else \
        gast.Constant(value=None, kind=None)
    body = primal + [inner]  # the printer leaves a blank line before a def
    body.append(gast.Return(value=gast.Tuple(
        elts=[value, gast.Name(id=backward, ctx=gast.Load(), annotation=None,
                               type_comment=None)], ctx=gast.Load())))
    return body


def _no_empty_undo(block: list) -> list:
    """``block`` less the ``# Undo: ...`` comments that no statement follows (the
    restores they headed were moved, into a loop's header say)."""
    kept = []
    for k, item in enumerate(block):
        after = block[k + 1] if k + 1 < len(block) else None
        if isinstance(item, Comment) and item.text.startswith("Undo:") and \
                (after is None or isinstance(after, Comment)):
            continue
        kept.append(item)
    return kept


_AT = "__autograd_src_at_"
#: The user's line each line of a text `render` made with ``origins`` was made for,
#: by text: a nested def's derivative, placed in its caller's code as it is.
_TEXT_ORIGINS: dict[str, list] = {}


def render(parsed: ParsedFunction, derivative: Derivative, name: str,
           single: bool, printer: str = "gast", backward: str = "",
           origins: Optional[list] = None, nested: bool = False) -> str:
    """The source text of the derivative function called ``name``.

    With ``backward`` (a helper's derivative), the function returns its value and
    a function of that name computing the gradients from a seed (see `_split`).
    ``origins``, if given, is filled with the line of ``parsed``'s file each line of
    the text was generated for (0 where none): what an exception raised by the
    derivative reports as the user's line (`loader.user_line`); with ``nested`` (a
    nested def's derivative, placed in its caller's text) they are kept for it.
    """
    markers: dict[str, Any] = {}

    def marker_of(text: str) -> gast.stmt:
        return gast.Expr(value=gast.Name(id=text, ctx=gast.Load(), annotation=None,
                                         type_comment=None))

    def lower(item: Any) -> list:
        if isinstance(item, (Comment, Blank, Verbatim)):
            marker = f"__autograd_src_marker_{len(markers)}__"
            markers[marker] = item if isinstance(item, Verbatim) else \
                (item.text if isinstance(item, Comment) else None)
            return [marker_of(marker)]
        for block in ("body", "orelse"):  # comments inside if and for blocks
            items = getattr(item, block, None)
            if isinstance(items, list):
                items = _no_empty_undo(items)
                if items and all(isinstance(s, (Comment, Blank)) for s in items):
                    # (its statements optimized away after the comments were read:
                    # an else of comments alone goes, a body gets its pass)
                    items = [] if block == "orelse" else items + [gast.Pass()]
                setattr(item, block, [s for i in items for s in lower(i)])
        line = getattr(item, "lineno", None)
        if origins is not None and isinstance(line, int) and isinstance(item, gast.stmt):
            return [marker_of(f"{_AT}{line}__"), item]  # (dropped from the text below)
        return [item]

    results: gast.expr = derivative.results[0] if single else gast.Tuple(
        elts=list(derivative.results), ctx=gast.Load())
    tuples = [results] if isinstance(results, gast.Tuple) else []
    if backward:
        body = _split(parsed, derivative, results, backward)
        tuples.append(body[-1].value)
        signature = _signature(parsed, None)
    else:
        if derivative.value is not None:
            results = gast.Tuple(elts=[derivative.value, results], ctx=gast.Load())
            tuples = [results]
        body = list(derivative.primal)
        if derivative.adjoint:
            body += [Blank()] + list(derivative.adjoint)
        body.append(gast.Return(value=results))
        signature = _signature(parsed, derivative.seed_param)
    fn = gast.FunctionDef(name=name, args=signature,
                          body=[s for i in _no_empty_undo(body) for s in lower(i)],
                          decorator_list=[],
                          returns=None,
                          type_comment=None, type_params=[])
    module = gast.Module(body=[fn], type_ignores=[])
    # The printer reads line numbers of statements only (for type comments).
    for node in [fn] + fn.body + (fn.body[-2].body if backward else []):
        node.lineno = getattr(node, "lineno", None) or 1
    lines = []
    text = to_source(module, printer)
    # Printers parenthesize a returned tuple; "return a, b" reads better.
    returns = {f"return {to_source(t, printer).strip()}": f"return "
               f"{to_source(t, printer).strip()[1:-1]}" for t in tuples}
    at = 0  # the user's line the text is generated for, from the last location marker
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(_AT):
            at = int(stripped[len(_AT):-2])
            continue
        if stripped in returns:
            line = line[: len(line) - len(line.lstrip())] + returns[stripped]
        stripped = line.strip()
        if stripped in markers:
            text = markers[stripped]
            indent = line[: len(line) - len(line.lstrip())]
            if isinstance(text, Verbatim):
                rows = [f"{indent}{row}" if row else "" for row in text.text.splitlines()]
                lines += [""] + rows + [""]
                if origins is not None:  # (its own lines' origins, where known)
                    origins += [at] + (_TEXT_ORIGINS.get(text.text) or [at] * len(rows)) + [at]
            else:
                lines.append("" if text is None else f"{indent}# {text}")
        else:
            lines.append(line)
        if origins is not None:  # (a nested def's text, Verbatim, adds several)
            origins.extend([at] * (len(lines) - len(origins)))
    text = "\n".join(lines) + "\n"
    if nested:
        _TEXT_ORIGINS[text] = origins or []
    return text
