"""Turn the primal and adjoint sweeps into the source text of one Python function."""

from __future__ import annotations

from typing import Any

import gast

from .ir import Comment, Verbatim
from .naming import clone
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
        import astunparse
        return astunparse.unparse(gast.gast_to_ast(node)).strip("\n")
    raise ValueError(f"unknown printer {printer!r}: use 'gast' or 'astunparse'")


def _signature(parsed: ParsedFunction, seed_param: str) -> gast.arguments:
    args = clone(parsed.node.args)
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if arg is not None:
            arg.annotation = None
    seed = gast.Name(id=seed_param, ctx=gast.Param(), annotation=None, type_comment=None)
    args.kwonlyargs.append(seed)
    args.kw_defaults.append(gast.Constant(value=None, kind=None))
    return args


def render(parsed: ParsedFunction, derivative: Derivative, name: str,
           single: bool, printer: str = "gast") -> str:
    """The source text of the derivative function called ``name``."""
    markers: dict[str, Any] = {}

    def lower(item: Any) -> gast.stmt:
        if isinstance(item, (Comment, Blank, Verbatim)):
            marker = f"__autograd_src_marker_{len(markers)}__"
            markers[marker] = item if isinstance(item, Verbatim) else \
                (item.text if isinstance(item, Comment) else None)
            return gast.Expr(value=gast.Name(id=marker, ctx=gast.Load(), annotation=None,
                                             type_comment=None))
        for block in ("body", "orelse"):  # comments inside if and for blocks
            if isinstance(getattr(item, block, None), list):
                setattr(item, block, [lower(s) for s in getattr(item, block)])
        return item

    results: gast.expr = derivative.results[0] if single else gast.Tuple(
        elts=list(derivative.results), ctx=gast.Load())
    if derivative.value is not None:
        results = gast.Tuple(elts=[derivative.value, results], ctx=gast.Load())
    body = list(derivative.primal)
    if derivative.adjoint:
        body += [Blank()] + list(derivative.adjoint)
    body.append(gast.Return(value=results))
    fn = gast.FunctionDef(name=name, args=_signature(parsed, derivative.seed_param),
                          body=[lower(s) for s in body], decorator_list=[], returns=None,
                          type_comment=None, type_params=[])
    module = gast.Module(body=[fn], type_ignores=[])
    # The printer reads line numbers of statements only (for type comments).
    for node in [fn] + fn.body:
        node.lineno = getattr(node, "lineno", None) or 1
    lines = []
    text = to_source(module, printer)
    if isinstance(results, gast.Tuple):
        # Printers parenthesize a returned tuple; "return a, b" reads better.
        head, _, last = text.rstrip().rpartition("\n")
        indent = last[: len(last) - len(last.lstrip())]
        text = f"{head}\n{indent}return {to_source(results, printer).strip()[1:-1]}"
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in markers:
            text = markers[stripped]
            indent = line[: len(line) - len(line.lstrip())]
            if isinstance(text, Verbatim):
                lines += [""] + [f"{indent}{row}" if row else ""
                                 for row in text.text.splitlines()] + [""]
            else:
                lines.append("" if text is None else f"{indent}# {text}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"
