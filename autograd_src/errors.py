"""Errors raised while transforming a function: each points at the user's own line."""

from __future__ import annotations

from typing import Optional

__all__ = ["DiffSyntaxError", "NoRuleError", "SourceUnavailableError",
           "UnresolvedMethodError", "UndefinedFunctionError", "InPlaceUpdateError",
           "SeveralOutputsError"]


class DiffSyntaxError(SyntaxError):
    """A construct `grad` cannot differentiate, located at the user's file and line.

    Python prints it like any ``SyntaxError``: file, line, the line's text and a
    caret under the construct, then the message, which names the construct and a
    workaround.
    """

    def __init__(self, message: str, filename: str, lineno: int,
                 col_offset: Optional[int] = None, text: Optional[str] = None) -> None:
        offset = None if col_offset is None else col_offset + 1
        super().__init__(message, (filename, lineno, offset, text))

    def __str__(self) -> str:
        where = f"{self.filename}:{self.lineno}"
        line = f"\n    {self.text.strip()}" if self.text else ""
        return f"{self.msg}\n  at {where}{line}"


class SeveralOutputsError(DiffSyntaxError):
    """``return a, b`` in a function given to `grad`, which needs one output (`vjp`, given
    a cotangent for each, takes several)."""


class NoRuleError(DiffSyntaxError):
    """A call on a differentiated value to a function with no derivative rule."""


class UnresolvedMethodError(NoRuleError):
    """``param.method(x)``: which function it is depends on the class of the argument.

    `grad` catches it and generates the derivative at the call, once per class.
    """

    def __init__(self, parameter: str, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.parameter = parameter


class UndefinedFunctionError(NoRuleError):
    """``act(x)`` where no ``act`` is defined yet (a notebook's helper cell run after the
    cell making ``grad(loss)``): as in Python, it may be defined before the call.

    `grad` catches it and generates the derivative at the first call.
    """

    def __init__(self, name: str, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.name = name


class InPlaceUpdateError(ValueError):
    """Raised by a derivative as it runs, at an in-place update (``a += v``, ``a[i] = v``)
    of an array that another name, read later, shares, or that a helper's caller passed.

    `grad` computes such an update as a new array, which is exact unless another name
    sees the array; where the code alone cannot tell (``a = m[0, 1]`` is a number,
    ``a = m[0]`` a view), the generated code checks. The message starts with the
    user's file and line.
    """


class SourceUnavailableError(OSError):
    """The source of the function to differentiate cannot be read."""
