"""Read a function's source and parse it with gast, keeping the file's own line numbers."""

from __future__ import annotations

import builtins
import contextlib
import copy
import functools
import importlib
import inspect
import re
import sys
import textwrap
import types
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

import gast
import numpy as np

from ..errors import DiffSyntaxError, SourceUnavailableError
from ..rules.runtime.containers import same_function
from .ir import walk
from .naming import clone

__all__ = ["ParsedFunction", "parse_function", "UNRESOLVED", "InstanceOf", "MethodOf"]

UNRESOLVED = object()


_ABSENT = object()


class Reads:
    """The functions and modules a transformation resolved names to, and how.

    A derivative is specialised to what ``g`` or ``np.sin`` meant when it was
    generated. Redefine ``g`` (a notebook cell run again) and the derivative
    must be generated again, or its adjoint would differentiate the old ``g``
    while the forward pass calls the new one; `unchanged` tells.
    """

    def __init__(self) -> None:
        self._entries: dict = {}
        # (globals, functions, others), made once; one attribute, set in one step, so a
        # thread calling the derivative never sees part of it (threads share derivatives)
        self._split: Optional[tuple] = None

    def note(self, kind: str, container: Any, name: str, value: Any) -> None:
        self._entries.setdefault((kind, id(container), name), (kind, container, name, value))
        self._split = None

    def merge(self, other: "Reads") -> None:
        for key, entry in other._entries.items():
            self._entries.setdefault(key, entry)
        self._split = None

    def unchanged(self) -> bool:
        """Whether every name still refers to the object it did.

        Runs on every call of a derivative, so globals, the common case, take
        the short path.
        """
        split = self._split
        if split is None:
            entries = tuple(self._entries.values())
            split = self._split = (
                tuple((c, n, v) for k, c, n, v in entries if k == "global"),
                tuple((c,) + v for k, c, n, v in entries if k == "function"),
                tuple(e for e in entries if e[0] != "global" and e[0] != "function"))
        globals_, functions, others = split
        for namespace, name, value in globals_:
            if namespace.get(name, _ABSENT) is not value:
                return False
        for function, code, defaults, kwdefaults in functions:
            if function.__code__ is not code or function.__defaults__ is not defaults or \
                    function.__kwdefaults__ is not kwdefaults:
                return False
        for kind, container, name, value in others:
            if kind == "number":  # (a module's dt = 0.1, made code as a number: still one)
                if not is_plain_number(container.get(name, _ABSENT) if isinstance(
                        container, dict) else getattr(container, "cell_contents", _ABSENT)):
                    return False
                continue
            if kind == "attribute":
                now = getattr(container, name, _ABSENT)
            elif kind == "class":
                now = inspect.getattr_static(container, name, _ABSENT)
            else:  # a closure cell
                try:
                    now = container.cell_contents
                except ValueError:
                    now = _ABSENT
            if not same_function(now, value):
                return False
        return True


_PLAIN_NUMBERS = (float, int, bool, np.floating, np.integer)


def is_plain_number(value: Any) -> bool:
    """Whether ``value`` is a real number: a Python one or a NumPy scalar (not an array)."""
    return isinstance(value, _PLAIN_NUMBERS)


def global_number(parsed: "ParsedFunction", name: str) -> bool:
    """Whether ``name``, read by ``parsed`` from its module or an enclosing function
    (not bound in the function), holds a real number now (``dt = 0.1``): watched, so
    that the code made treating it as a number is made again if it is rebound to
    anything else."""
    if name in parsed.locals or name in parsed.params or name in parsed.bound:
        return False
    if name in parsed.closure:
        container: Any = parsed.closure[name]
        try:
            value = container.cell_contents
        except ValueError:
            return False
    else:
        container = parsed.globals
        value = container.get(name, _ABSENT)
    if not is_plain_number(value):
        return False
    for reads in _RECORDING:
        reads.note("number", container, name, None)
    return True


#: The `Reads` of the transformations in progress (a helper's inside its caller's).
_RECORDING: list[Reads] = []


@contextlib.contextmanager
def recording() -> Iterator[Reads]:
    """Note every resolution made inside, including those of nested transformations."""
    from ..rules import registry  # (rules are read through the transformation)
    reads = Reads()
    reads.note("global", vars(registry), "RULES_EPOCH", registry.RULES_EPOCH)
    _RECORDING.append(reads)
    try:
        yield reads
    finally:
        _RECORDING.pop()
    replay(reads)


#: The functions being transformed: the one differentiated and the helpers on the way
#: to the one in hand (state a helper changes may be read by any of them).
_TRANSFORMING: list["ParsedFunction"] = []


@contextlib.contextmanager
def transforming(parsed: "ParsedFunction") -> Iterator[None]:
    """Count ``parsed`` among the functions being transformed while inside."""
    _TRANSFORMING.append(parsed)
    try:
        yield
    finally:
        _TRANSFORMING.pop()


def state_readers(target: Any, before: Optional[tuple] = None) -> list[str]:
    """Where the functions being transformed read ``target``: an object (by identity),
    named or reached as a module's attribute (``store.SAVED``), ``("global",
    globals, name)``, a module's global by name, or ``("cell", cell, name)``, an
    enclosing function's variable; ``file.py:12`` for each read.
    ``before``, ``(function, line, loops)``: reads in that function on earlier lines,
    outside the ``(first, last)`` line spans of ``loops``, come first and are left
    out (``m = ST.avg`` before the helper that sets it reads the last call's)."""
    from .mutation import is_user_function
    found: list[str] = []
    todo, seen = list(_TRANSFORMING), {id(p.fn) for p in _TRANSFORMING}
    while todo and len(seen) < 64:
        parsed = todo.pop(0)
        writes = _written_bases(parsed.node)
        for node in walk(parsed.node):
            if id(node) in writes:  # CACHE[k] = v, HIST.append(v): not reads
                continue
            if isinstance(node, gast.Call):  # what the helpers it calls read, too
                called = parsed.resolve(node.func)
                if inspect.isfunction(called) and is_user_function(called) and \
                        id(called) not in seen:
                    seen.add(id(called))
                    try:
                        todo.append(parse_function(called))
                    except (SourceUnavailableError, SyntaxError):
                        pass
                continue
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                if isinstance(target, tuple) and target[0] == "cell":  # (nonlocal s)
                    hit = node.id == target[2] and parsed.closure.get(node.id) is target[1] \
                        and node.id not in parsed.locals
                elif isinstance(target, tuple):
                    hit = node.id == target[2] and parsed.globals is target[1] and \
                        node.id not in parsed.locals and node.id not in parsed.closure
                else:
                    hit = node.id not in parsed.locals and parsed.resolve(node) is target
            elif isinstance(node, gast.Attribute) and isinstance(node.ctx, gast.Load) and \
                    not isinstance(target, tuple) and isinstance(node.value, gast.Name) and \
                    isinstance(parsed.resolve(node.value), types.ModuleType):
                hit = parsed.resolve(node) is target
            else:
                continue
            line = getattr(node, "lineno", None)
            if hit and before is not None and parsed.fn is before[0] and line is not None \
                    and before[1] is not None and line < before[1] and not any(
                        first <= line <= last for first, last in before[2]):
                continue
            if hit:
                found.append(parsed.where(node))
    return found


def _written_bases(tree: Any) -> set[int]:
    """The ids of the names ``tree`` writes into (``CACHE`` of ``CACHE[k] = v``,
    ``HIST`` of ``HIST.append(v)``), which `state_readers` does not count as reads."""
    from .ir import base_name
    from .mutation import MUTATING_METHODS
    written: set[int] = set()
    for node in walk(tree):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                node.func.attr in MUTATING_METHODS:
            chain = node.func.value
        elif isinstance(node, (gast.Subscript, gast.Attribute)) and \
                isinstance(node.ctx, (gast.Store, gast.Del)):
            chain = node.value
        else:
            continue
        while isinstance(chain, (gast.Subscript, gast.Attribute)):
            chain = chain.value
        if isinstance(chain, gast.Name) and base_name(chain) is not None:
            written.add(id(chain))
    return written


def replay(reads: Reads) -> None:
    """Pass ``reads`` on to the transformations in progress (a cached helper's)."""
    for outer in _RECORDING:
        outer.merge(reads)


def watch_function(fn: Any) -> None:
    """Note what a derivative made now reads of ``fn`` besides its name: its code and
    defaults, which IPython's autoreload (or a user) may replace in place."""
    for reads in _RECORDING:
        reads.note("function", fn, "", (fn.__code__, fn.__defaults__, fn.__kwdefaults__))


def _note(kind: str, container: Any, name: str, value: Any) -> Any:
    # Data (arrays, numbers, containers) is read when the derivative runs; what
    # the code may be specialised to (functions, modules, classes, objects whose
    # methods it calls) needs watching.
    if _RECORDING and not isinstance(value, _DATA) \
            and not (kind == "attribute" and _is_library(container)):
        for reads in _RECORDING:
            reads.note(kind, container, name, value)
    return value


_DATA = (np.ndarray, np.generic, int, float, complex, str, bytes, list, tuple, dict,
         set, frozenset, type(None))


def _is_library(module: Any) -> bool:
    """NumPy, math and the like, whose functions are not redefined while a program runs."""
    return inspect.ismodule(module) and \
        module.__name__.partition(".")[0] in ("numpy", "scipy", "math", "builtins")


@dataclass(frozen=True)
class MethodOf:
    """``self.method`` resolved on the class: ``function`` is called with ``self`` first."""

    function: Callable[..., Any]


class InstanceOf:
    """What ``self`` is known to be in a differentiated method: an instance of ``cls``.

    Methods are looked up on the class, so one derivative serves every instance;
    the names looked up are kept so that an instance attribute shadowing one of
    them can be refused (``resolved``).
    """

    _by_class: "weakref.WeakKeyDictionary[type, InstanceOf]" = weakref.WeakKeyDictionary()

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.resolved: set[str] = set()

    @classmethod
    def of(cls, instance: Any) -> "InstanceOf":
        """The one marker for ``type(instance)``, so caches keyed on it are shared."""
        return cls.for_class(type(instance))

    @classmethod
    def for_class(cls, kind: type) -> "InstanceOf":
        """The one marker for instances of ``kind``."""
        if kind not in cls._by_class:
            cls._by_class[kind] = cls(kind)
        return cls._by_class[kind]

    def watched_on(self, instance: Any) -> None:
        """Note, for the derivative being made, the methods looked up so far as
        ``instance`` reads them: an attribute set on it later that hides one
        (``model.act = np.sin``), or a new class, makes the derivative again (and
        refused where it hides one)."""
        for name in sorted(self.resolved):
            _note("attribute", instance, name, getattr(instance, name, _ABSENT))

    def hidden_by(self, instance: Any) -> str:
        """The methods looked up so far that ``instance``'s own attributes hide, as
        ``"a, b"`` ("" when none): calling them on it would not call the class's."""
        return ", ".join(sorted(self.resolved & set(getattr(instance, "__dict__", ()))))

    def no_method_hidden(self, instance: Any, method: Any) -> None:
        """Raise where ``instance``'s own attributes hide a method looked up so far:
        the derivative of the bound ``method`` (made for the class's) would not
        follow the function the instance calls (``m.forward = ...`` set after ``grad(m.loss)``
        was made). Checked when the derivative is made and on each call."""
        hidden = self.hidden_by(instance)
        if hidden:
            raise TypeError(f"cannot differentiate {method.__qualname__}: the instance's own "
                            f"attribute {hidden} hides the method of "
                            f"{type(instance).__name__} that {method.__name__}() calls; "
                            "rename one of them")

    def lookup(self, attr: str) -> Any:
        found = _note("class", self.cls, attr, inspect.getattr_static(self.cls, attr, _ABSENT))
        if found is _ABSENT:
            return UNRESOLVED
        if isinstance(found, staticmethod):
            found = found.__func__
        elif isinstance(found, types.FunctionType):
            found = MethodOf(found)
        else:  # classmethods, properties, data: known only when the call runs
            return UNRESOLVED
        self.resolved.add(attr)
        return found


@dataclass
class ParsedFunction:
    """A user function's syntax tree with everything needed to resolve its names."""

    fn: Callable[..., Any]
    node: gast.FunctionDef
    filename: str
    file_lines: list[str]
    globals: dict[str, Any]
    closure: dict[str, Any]
    params: list[str] = field(default_factory=list)
    locals: set[str] = field(default_factory=set)
    #: Names the transformation introduced (``np`` where the user imported numpy otherwise).
    introduced: dict[str, Any] = field(default_factory=dict)
    #: Parameters known to receive these objects (a function passed to a helper).
    bound: dict[str, Any] = field(default_factory=dict)
    #: Parameters the body assigns to, which a binding no longer describes.
    reassigned: set[str] = field(default_factory=set)
    #: Locals bound once, at the top of the body, to a module (``xp = np``).
    module_aliases: dict[str, Any] = field(default_factory=dict)
    #: Differentiated lists and dicts the function writes into, written back to the
    #: caller's at the end of its forward pass (their gradients: as the caller passed them).
    written_back: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def generated(self) -> bool:
        """Whether this is code grad generated (a gradient read again for second order)."""
        return self.filename.startswith("<autograd_src ")

    def line_text(self, lineno: int) -> Optional[str]:
        if 1 <= lineno <= len(self.file_lines):
            return self.file_lines[lineno - 1].rstrip("\n")
        return None

    def error(self, node: Any, message: str, cls: type = DiffSyntaxError) -> DiffSyntaxError:
        """An error located at ``node`` in the user's file."""
        if "_on_copies" in message:  # (helper_copies' copy of a helper: the user's name)
            message = re.sub(r"\b(\w+?)_on_copies(?:_\d+)?\b", r"\1", message)
            message = message.replace("is a nested function", "is a helper")
        lineno = getattr(node, "lineno", None) or self.node.lineno
        col = getattr(node, "col_offset", None)
        return cls(message, self.filename, lineno, col, self.line_text(lineno))

    def where(self, node: Any) -> str:
        """``file.py:12`` for ``node``."""
        import os
        lineno = getattr(node, "lineno", None) or self.node.lineno
        return f"{os.path.basename(self.filename)}:{lineno}"

    def resolve(self, expr: gast.expr) -> Any:
        """The object a dotted name refers to (``np.sin``), or UNRESOLVED.

        Locals cannot be resolved before run time; closure cells and globals are
        read now, the same way Python would read them when ``fn`` runs.
        """
        if isinstance(expr, gast.Name):
            name = expr.id
            if name in self.bound and name in self.params and name not in self.reassigned:
                return _numpy_under_hips(self.bound[name])  # (act=anp.tanh)
            if name in self.locals:
                return self.module_aliases.get(name, UNRESOLVED)
            if name in self.closure:
                cell = self.closure[name]
                try:
                    return _numpy_under_hips(_note("cell", cell, name, cell.cell_contents))
                except ValueError:
                    _note("cell", cell, name, _ABSENT)
                    return UNRESOLVED
            found = _note("global", self.globals, name, self.globals.get(name, _ABSENT))
            if found is not _ABSENT:
                return _numpy_under_hips(found)
            if name in self.introduced:
                return self.introduced[name]
            return getattr(builtins, name, UNRESOLVED)
        if isinstance(expr, gast.Attribute):
            base = self.resolve(expr.value)
            if base is UNRESOLVED:
                return UNRESOLVED
            if isinstance(base, InstanceOf):
                return base.lookup(expr.attr)
            found = _note("attribute", base, expr.attr, getattr(base, expr.attr, _ABSENT))
            return UNRESOLVED if found is _ABSENT else _numpy_under_hips(found)
        return UNRESOLVED


def _numpy_under_hips(found: Any) -> Any:
    """For a function of HIPS autograd's NumPy and SciPy wrappers (code ported from it:
    ``import autograd.numpy as np``), the NumPy or SciPy function of the same name,
    whose rule applies (the wrapper, called on arrays, computes the same values).
    Anything else: itself."""
    module = getattr(found, "__module__", None)
    if type(module) is not str or not (module == "autograd" or
                                       module.startswith("autograd.")):
        return found  # (not autograd_src's own: the wrappers' table imports SciPy)
    if not _HIPS_NAMES:
        _HIPS_NAMES[None] = None
        import importlib
        for wrapper, original in _HIPS_MODULES:
            try:
                ours, theirs = importlib.import_module(wrapper), _importable(original)
            except (ImportError, AttributeError):
                continue
            for name, value in vars(ours).items():
                same = getattr(theirs, name, None)
                if callable(value) and same is not None and not name.startswith("_"):
                    _HIPS_NAMES[id(value)] = (value, same)
    pair = _HIPS_NAMES.get(id(found))
    return pair[1] if pair is not None and pair[0] is found else found


def _importable(path: str) -> Any:
    """The module at ``path``, or the object a module holds there (``scipy.stats.norm``
    is a distribution object, not a module)."""
    import importlib
    try:
        return importlib.import_module(path)
    except ImportError:
        parent, _, name = path.rpartition(".")
        return getattr(importlib.import_module(parent), name)


# HIPS autograd's wrapper modules, and the module each wraps.
_HIPS_MODULES = (("autograd.numpy", "numpy"), ("autograd.numpy.linalg", "numpy.linalg"),
                 ("autograd.numpy.fft", "numpy.fft"),
                 ("autograd.scipy.special", "scipy.special"),
                 ("autograd.scipy.stats.norm", "scipy.stats.norm"),
                 ("autograd.scipy.linalg", "scipy.linalg"))
_HIPS_NAMES: dict = {}


def _not_replaced_by_a_reload(fn: Callable[..., Any]) -> None:
    """Refuse a module's function that a newer definition at the same place replaced
    with other code (``from mod import h``, then ``importlib.reload(mod)``): the file
    holds the new text, so the old ``h``, which Python still runs, cannot be read."""
    code = fn.__code__
    if code.co_freevars or fn.__qualname__ != fn.__name__:
        return  # (a closure or a method: not a module's name to compare with)
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    current = getattr(module, fn.__name__, None) if module is not None else None
    if not inspect.isfunction(current) or current is fn:
        return
    now = current.__code__
    if now.co_filename == code.co_filename and now.co_firstlineno == code.co_firstlineno \
            and (now.co_code != code.co_code or now.co_consts != code.co_consts or
                 now.co_names != code.co_names):
        raise _unavailable(fn, f"{fn.__module__}.{fn.__name__} has been defined again "
                               "with other code (importlib.reload, or the file re-run), "
                               "and the file holds the new text, not this function's; "
                               f"use the current one (import {fn.__name__} again from "
                               f"{fn.__module__})")


def _unavailable(fn: Callable[..., Any], why: str) -> SourceUnavailableError:
    name = getattr(fn, "__qualname__", repr(fn))
    return SourceUnavailableError(
        f"cannot read the source of {name}: {why}. grad reads a function's Python "
        "source, so define it in a .py file or a notebook cell (a plain interactive "
        "interpreter keeps no source); for a builtin or compiled function, register "
        "its derivative with autograd_src.extend.defvjp"
    )


def _parse_source(lines: list[str]) -> tuple[gast.Module, int]:
    """Parse possibly indented source; returns the tree and the indentation removed."""
    source = "".join(lines)
    dedented = textwrap.dedent(source)
    indent = len(lines[0]) - len(lines[0].lstrip()) if dedented != source else 0
    try:
        return gast.parse(dedented), indent
    except SyntaxError:
        # A comment at column 0 inside an indented body defeats dedent.
        return gast.parse("if 1:\n" + source), -1


def _source_lines(fn: Callable[..., Any]) -> tuple[list[str], int, Optional[tuple]]:
    """The lines of ``fn``'s definition, the number of the first one, and their parse
    (`_parse_source`) where it was made on the way (None otherwise).

    The code object knows where the definition starts and ends, which is much
    faster than ``inspect.getsourcelines`` (it tokenizes the file); that is the
    fallback when the code object's span does not parse on its own.
    """
    import linecache
    code = fn.__code__
    # A module edited and reloaded (importlib.reload, %autoreload) has new code
    # objects but may have stale lines in linecache: drop them if the file changed.
    linecache.checkcache(code.co_filename)
    file_lines = linecache.getlines(code.co_filename, fn.__globals__)
    ends = [end for _, end, _, _ in (code.co_positions() if hasattr(code, "co_positions") else ())
            if end is not None]
    if file_lines and ends and fn.__name__ != "<lambda>":
        first = code.co_firstlineno
        lines = file_lines[first - 1: max(ends)]
        try:
            return lines, first, _parse_source(lines)
        except SyntaxError:
            pass
    try:
        # (a decorator's wrapper: its own code, not what inspect unwraps it to)
        return (*inspect.getsourcelines(code if hasattr(fn, "__wrapped__") else fn), None)
    except (OSError, TypeError) as exc:
        raise _unavailable(fn, str(exc)) from None


def _lambda_as_function(tree: gast.AST, fn: Callable[..., Any]) -> gast.FunctionDef:
    code = fn.__code__
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    found = [n for n in walk(tree) if isinstance(n, gast.Lambda)
             and [a.id for a in n.args.args + n.args.kwonlyargs] == names]
    if len(found) != 1:
        raise _unavailable(fn, "its line holds several lambdas with these parameters; "
                               "give it a def of its own")
    lam = found[0]
    ret = gast.Return(value=lam.body)
    gast.copy_location(ret, lam.body)
    node = gast.FunctionDef(name="lambda_", args=lam.args, body=[ret], decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    return gast.copy_location(node, lam)


_FILE_TREES: dict = {}  # filename -> (its lines, its parsed tree)


def _lambda_in_file(fn: Callable[..., Any]) -> Optional[gast.FunctionDef]:
    """A lambda's definition found in its whole file: the lambda starting on its code's
    first line with its parameters, told apart from others there by where its code's
    instructions are (``co_positions``). Lambdas in a dict or list literal, several on
    one line, spanning lines: the lines of the statement alone may not parse. None where
    the file cannot be read or parsed, or no single lambda fits."""
    import linecache
    code = fn.__code__
    filename = code.co_filename
    linecache.checkcache(filename)
    lines = linecache.getlines(filename, fn.__globals__)
    if not lines:
        return None
    cached = _FILE_TREES.get(filename)
    if cached is None or cached[0] is not lines:
        try:
            cached = _FILE_TREES[filename] = (lines, gast.parse("".join(lines)))
        except (SyntaxError, ValueError):
            return None
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    found = [n for n in walk(cached[1]) if isinstance(n, gast.Lambda)
             and n.lineno == code.co_firstlineno
             and [a.id for a in n.args.args + n.args.kwonlyargs] == names]
    if len(found) > 1 and hasattr(code, "co_positions"):  # Python 3.11+
        spans = [(line, col, end, end_col) for line, end, col, end_col in code.co_positions()
                 if line is not None and col is not None and end_col is not None
                 and (end, end_col) > (line, col)]  # (RESUME's is empty, at column 0)
        found = [n for n in found if spans and all(
            (n.lineno, n.col_offset) <= (line, col) and
            (end, end_col) <= (n.end_lineno, n.end_col_offset)
            for line, col, end, end_col in spans)]
    elif len(found) > 1:  # the one whose compiled code is fn's
        found = [n for n in found if _same_code(n, lines, code)]
    if len(found) != 1:
        return None
    lam = copy.deepcopy(found[0])
    ret = gast.copy_location(gast.Return(value=lam.body), lam.body)
    node = gast.FunctionDef(name="lambda_", args=lam.args, body=[ret], decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    return gast.copy_location(node, lam)


def _same_code(node: gast.Lambda, lines: list[str], code: Any) -> bool:
    """Whether the lambda at ``node`` in ``lines`` compiles to what ``code`` holds, which
    tells apart lambdas on one line before Python 3.11."""
    text = "".join(lines[node.lineno - 1:node.end_lineno])
    end = len(text) - len(lines[node.end_lineno - 1]) + node.end_col_offset
    segment = text[node.col_offset:end]
    try:
        compiled = compile("(" + segment + ")", code.co_filename, "eval")
    except SyntaxError:
        return False
    made = next((c for c in compiled.co_consts if isinstance(c, types.CodeType)), None)
    # (constants and names, not the bytecode, which the way a module was compiled can
    # change: two lambdas alike in both stay ambiguous, refused)
    return made is not None and made.co_consts == code.co_consts and \
        made.co_names == code.co_names and made.co_varnames == code.co_varnames


def _shift(tree: gast.AST, lines: int, columns: int) -> None:
    for node in walk(tree):
        if hasattr(node, "lineno") and node.lineno is not None:
            node.lineno += lines
            if getattr(node, "end_lineno", None) is not None:
                node.end_lineno += lines
            if columns and getattr(node, "col_offset", None) is not None:
                node.col_offset += columns
                if getattr(node, "end_col_offset", None) is not None:
                    node.end_col_offset += columns


#: fn -> (its code, its file's lines, its parsed def): one transformation parses a
#: helper once per activity guess and per closure check, and a derivative's first
#: call parses again for its variant; a copy of the tree is several times cheaper.
_PARSED: "weakref.WeakKeyDictionary[Callable, tuple]" = weakref.WeakKeyDictionary()


def parse_function(fn: Callable[..., Any]) -> ParsedFunction:
    """Parse ``fn`` into a `ParsedFunction` whose nodes carry the file's line numbers.

    Each call gives a tree of its own (the stages rewrite it in place), copied from
    the one parsed for ``fn`` while its code and its file's lines stay those it was
    parsed from (a redefinition or an edited file is parsed afresh)."""
    if not inspect.isfunction(fn):
        kind = type(fn).__name__
        raise _unavailable(fn, f"it is a {kind}, not a Python function")
    import linecache
    watch_function(fn)
    filename = fn.__code__.co_filename
    linecache.checkcache(filename)
    file_lines = linecache.getlines(filename, fn.__globals__)
    _not_replaced_by_a_reload(fn)
    known = _PARSED.get(fn)
    if known is not None and known[0] is fn.__code__ and known[1] is file_lines and \
            file_lines:
        node = clone(known[2])
    else:
        node = _parse_def(fn)
        _PARSED[fn] = (fn.__code__, file_lines, clone(node))
    closure = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    args = node.args
    params = [a.id for a in args.posonlyargs + args.args]
    if args.vararg is not None:
        params.append(args.vararg.id)
    params += [a.id for a in args.kwonlyargs]
    if args.kwarg is not None:
        params.append(args.kwarg.id)
    assigned = {n.id for n in walk(node)
                if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}
    assigned |= {name for n in walk(node) if isinstance(n, (gast.Import, gast.ImportFrom))
                 for name in imported_names(n)}
    # (a nested def or class binds its name too: def min(p, q, r) is not the builtin)
    assigned |= {n.name for n in walk(node) if n is not node and
                 isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef))}
    parsed = ParsedFunction(fn=fn, node=node, filename=filename, file_lines=file_lines,
                            globals=fn.__globals__, closure=closure, params=params,
                            locals=assigned | set(params), reassigned=assigned & set(params))
    parsed.module_aliases = _module_aliases(parsed)
    return parsed


def imported_names(stmt: Any) -> list[str]:
    """The names an ``import`` statement binds (``import a.b`` binds ``a``)."""
    return [alias.asname or (alias.name.split(".")[0] if isinstance(stmt, gast.Import)
                             else alias.name) for alias in stmt.names]


def _imported(stmt: Any, package: Optional[str]) -> dict[str, Any]:
    """What an ``import`` statement at the top of the function binds, imported now (as
    running it would), by name; nothing for one that fails or imports ``*``."""
    found: dict[str, Any] = {}
    try:
        for alias, name in zip(stmt.names, imported_names(stmt)):
            if alias.name == "*":
                return {}
            if isinstance(stmt, gast.Import):
                module = importlib.import_module(alias.name)  # (and a.b's parents)
                found[name] = module if alias.asname else \
                    importlib.import_module(alias.name.split(".")[0])
                continue
            origin = importlib.import_module("." * stmt.level + (stmt.module or ""),
                                             package)
            value = getattr(origin, alias.name, _ABSENT)
            if value is _ABSENT:  # from package import submodule
                value = importlib.import_module(f"{origin.__name__}.{alias.name}")
            found[name] = value
    except Exception:  # noqa: BLE001 - not imported here: refused as before
        return {}
    return found


def _module_aliases(parsed: ParsedFunction) -> dict[str, Any]:
    """The locals that the function's body binds, once and at its top level, to a module
    (``xp = np``, ``la = np.linalg``), a builtin or a ufunc (``m = max``, ``act =
    np.tanh``): ``xp.sin`` is then ``np.sin`` wherever it runs.
    So too what an ``import`` statement there binds (``import scipy.special as sp``,
    ``from scipy.special import logsumexp``), bound nowhere else."""
    stores = Counter(n.id for n in walk(parsed.node)
                     if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)))
    stores.update(name for n in walk(parsed.node) if isinstance(n, (gast.Import, gast.ImportFrom))
                  for name in imported_names(n))
    aliases: dict[str, Any] = {}
    for stmt in parsed.node.body:
        if isinstance(stmt, (gast.Import, gast.ImportFrom)):
            imported = _imported(stmt, parsed.globals.get("__package__"))
            aliases.update({name: value for name, value in imported.items()
                            if stores[name] == 1 and name not in parsed.params})
            continue
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and \
                isinstance(stmt.value, (gast.Name, gast.Attribute)):
            name = stmt.targets[0].id
            if stores[name] == 1 and name not in parsed.params:
                module = parsed.resolve(stmt.value)
                # (and a builtin or ufunc named otherwise: m = max; act = np.tanh)
                if isinstance(module, (types.ModuleType, types.BuiltinFunctionType)) or \
                        type(module).__name__ == "ufunc":
                    aliases[name] = module
    return aliases


def _parse_def(fn: Callable[..., Any]) -> gast.FunctionDef:
    """``fn``'s def (a lambda made one), parsed from its file, decorators left out."""
    lam = _lambda_in_file(fn) if fn.__name__ == "<lambda>" else None
    if lam is not None:
        node = lam
    else:
        lines, first, parsed = _source_lines(fn)
        tree, indent = parsed or _parse_source(lines)
        if indent == -1:  # parsed under an "if 1:" wrapper
            body = tree.body[0].body
            _shift(tree, first - 2, 0)
        else:
            body = tree.body
            _shift(tree, first - 1, indent)
    if lam is not None:
        pass
    elif fn.__name__ == "<lambda>":
        node = _lambda_as_function(tree, fn)
    else:
        defs = [n for n in body if isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef))]
        if not defs:
            raise _unavailable(fn, "no def statement was found in its source")
        node = defs[0]
        _no_stale_source(fn, node, lines)
    if isinstance(node, gast.AsyncFunctionDef):
        raise DiffSyntaxError("async functions cannot be differentiated; write a plain def",
                              fn.__code__.co_filename, node.lineno, node.col_offset)
    node.decorator_list = []
    _mangle_private_names(node, fn.__qualname__)
    return node


def _mangle_private_names(node: gast.FunctionDef, qualname: str) -> None:
    """Write ``self.__scale`` in a method of ``Model`` as Python compiled it,
    ``self._Model__scale``: generated code is compiled outside the class."""
    parts = qualname.split(".")[:-1]
    owner = next((part for k, part in reversed(list(enumerate(parts)))
                  if part != "<locals>" and (k + 1 == len(parts) or
                                             parts[k + 1] != "<locals>")), None)
    prefix = owner.lstrip("_") if owner else ""
    if not prefix:
        return

    def mangled(name: str) -> str:
        if name.startswith("__") and not name.endswith("__") and "." not in name:
            return f"_{prefix}{name}"
        return name

    for sub in walk(node):
        if isinstance(sub, gast.Attribute):
            sub.attr = mangled(sub.attr)
        elif isinstance(sub, gast.Name):
            sub.id = mangled(sub.id)


def _no_stale_source(fn: Callable[..., Any], node: gast.FunctionDef, lines: list) -> None:
    """Refuse a def read from a file edited since ``fn`` was made (a module changed on
    disk and not reloaded): the text is not the code that runs, so its derivative
    would be another function's. Told by its name, its numbers (``x ** 2`` now
    ``x ** 3``), its names (``np.sin(x)`` now ``x ** 2``) and where its expressions
    lie (``np.sin(x)`` now ``np.sin(x * x)``); what the compiler drops or folds (dead
    code, ``2 * 3``) is confirmed by compiling the text read, in its place. An edit
    keeping all four (``x * y`` now ``x - y``) is not told."""
    code = fn.__code__
    stale = node.name != code.co_name
    # (a test module's asserts, which pytest rewrites as it imports it, compile to
    # code the text does not: only the name is told there)
    rewritten = any(name.startswith("@py") for name in code.co_names + code.co_varnames)
    if not stale and not rewritten and _may_differ(node, code):
        compiled = _compiled(lines, code)
        stale = compiled is not None and _signature(compiled) != _signature(code)
    if stale:
        moved = "" if node.name == code.co_name else \
            f" (line {code.co_firstlineno}, where it began, now defines {node.name})"
        raise SourceUnavailableError(
            f"the source of {fn.__qualname__} changed in {code.co_filename} after it was "
            f"defined{moved}: the text on disk is not the code that runs, so grad cannot "
            "differentiate it. Reload the module (importlib.reload) or restart the kernel")


def _may_differ(node: gast.FunctionDef, code: types.CodeType) -> bool:
    """Whether the text of ``node`` may be another function than ``code``: a number,
    a name or an expression's place of the code that the text lacks, or a name of
    the text the code lacks (each may be the compiler's doing, so only a hint)."""
    written = {n.value for n in walk(node) if isinstance(n, gast.Constant)
               and type(n.value) in (int, float)}
    written |= {-v for v in written}
    if not _numbers_of(code) <= written:
        return True
    named, used = _names_in(node), _names_of(code)
    if not _plain(named) <= used | _strings_of(code) or not _plain(used) <= named:
        return True
    return not _places_of(code) <= _places_in(node)


def _signature(code: types.CodeType) -> tuple:
    """What tells two compilations of a def apart, beside its operators: its numbers,
    names, strings and the places of its expressions (names the compiler makes or
    mangles left out: the text is compiled outside its class and closure)."""
    return (_numbers_of(code), _plain(_names_of(code)), _strings_of(code),
            _places_of(code))


def _places_of(code: types.CodeType) -> set:
    """The (line, end line, column, end column) of the instructions of ``code`` and of
    its nested code (none before Python 3.11), the prologue's aside."""
    if not hasattr(code, "co_positions"):
        return set()
    return {place for each in _codes_in(code) for place in each.co_positions()
            if place[0] is not None and place[2] is not None and
            place != (each.co_firstlineno, each.co_firstlineno, 0, 0)}


def _places_in(node: gast.FunctionDef) -> set:
    """The places of the expressions and statements of ``node`` (and of each ``k: v``
    of a dict, where the compiler puts an item's instructions)."""
    places = set()
    for n in walk(node):
        if getattr(n, "end_lineno", None) is not None and \
                getattr(n, "end_col_offset", None) is not None:
            places.add((n.lineno, n.end_lineno, n.col_offset, n.end_col_offset))
        pairs = zip(n.keys, n.values) if isinstance(n, gast.Dict) else \
            [(n.key, n.value)] if isinstance(n, gast.DictComp) else ()
        for key, value in pairs:
            if key is not None and getattr(value, "end_lineno", None) is not None:
                places.add((key.lineno, value.end_lineno, key.col_offset,
                            value.end_col_offset))
    return places


def _names_in(node: gast.FunctionDef) -> set:
    """The names the text of ``node`` uses: variables, attributes, keywords of calls,
    names imported or declared global (its comments and docstring aside)."""
    names = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    names |= {a.id for a in (node.args.vararg, node.args.kwarg) if a is not None}
    # (not its decorators, defaults and annotations: the enclosing code runs them)
    for n in walk(gast.Module(body=node.body, type_ignores=[])):
        if isinstance(n, gast.Name):
            names.add(n.id)
        elif isinstance(n, gast.Attribute):
            names.add(n.attr)
        elif isinstance(n, gast.keyword) and n.arg:
            names.add(n.arg)
        elif isinstance(n, gast.alias):
            names.add((n.asname or n.name).split(".")[0])
            names.update(n.name.split("."))
        elif isinstance(n, (gast.Global, gast.Nonlocal)):
            names.update(n.names)
        elif isinstance(n, (gast.FunctionDef, gast.ClassDef)):
            names.add(n.name)
    return names


def _names_of(code: types.CodeType) -> set:
    """The names ``code`` and the code objects nested in it use."""
    return {name for each in _codes_in(code) for name in
            each.co_names + each.co_varnames + each.co_freevars + each.co_cellvars}


def _strings_of(code: types.CodeType) -> set:
    """The strings among the constants of ``code`` and its nested code (keywords of
    calls are kept there), tuples of them opened; not the qualified names Python
    before 3.11 keeps there for nested defs (``outer.<locals>.inner``), which say
    where the def was compiled."""
    strings: set = set()
    for const in (const for each in _codes_in(code) for const in each.co_consts):
        if isinstance(const, str) and "<locals>" not in const:
            strings.add(const)
        elif isinstance(const, tuple):
            strings |= {c for c in const if isinstance(c, str)}
    return strings


def _plain(names: set) -> set:
    """``names`` without those the compiler makes (``.0``, ``__class__``, mangled
    ``_Model__scale``), which the text need not spell."""
    return {n for n in names if n.isidentifier() and not n.startswith("_")}


def _numbers_of(code: types.CodeType) -> set:
    """The int and float constants of ``code`` and of the code objects nested in it (a
    NaN, ``1e999 * 0`` folded, as ``"nan"``: it equals no NaN, not even itself)."""
    return {const if const == const else "nan" for each in _codes_in(code)
            for const in each.co_consts if type(const) in (int, float)}


def _codes_in(code: types.CodeType) -> list:
    """``code`` and the code objects nested in it, at any depth."""
    found = [code]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found += _codes_in(const)
    return found


def _compiled(lines: list, code: types.CodeType) -> Optional[types.CodeType]:
    """The code object of the def in ``lines`` (starting at ``code``'s first line),
    compiled in its place in the file (its lines and columns) as ``code`` was (its
    future flags); None where the text does not compile alone."""
    import __future__
    flags = code.co_flags & functools.reduce(
        lambda a, f: a | getattr(__future__, f).compiler_flag, __future__.all_feature_names, 0)
    text = "".join(lines)
    first = code.co_firstlineno
    start = next((line for line in lines if line.strip()), "")
    if start[:1] in (" ", "\t"):  # (indented: a method, a nested def)
        text = "\n" * max(first - 2, 0) + "if 1:\n" + text
    else:
        text = "\n" * (first - 1) + text
    try:
        module = compile(text, code.co_filename, "exec", flags=flags, dont_inherit=True)
    except SyntaxError:
        return None
    found = [c for c in _nested_code(module) if c.co_name == code.co_name]
    return found[0] if found else None


def _nested_code(code: types.CodeType) -> list:
    return [c for c in code.co_consts if isinstance(c, types.CodeType)]


def parameters(fn: Callable[..., Any]) -> tuple[list[str], int]:
    code = fn.__code__
    positional = code.co_argcount
    names = list(code.co_varnames[: positional + code.co_kwonlyargcount])
    if is_bound_method(fn):  # its caller never passes `self`
        return names[1:], positional - 1
    return names, positional


def default_values(fn: Callable[..., Any]) -> dict[str, Any]:
    """``fn``'s parameters that have defaults, with them (keyword-only ones too)."""
    names, positional = parameters(fn)
    given = fn.__defaults__ or ()
    defaults = dict(zip(names[positional - len(given):positional], given))
    defaults.update(fn.__kwdefaults__ or {})
    return defaults


def is_bound_method(fn: Callable[..., Any]) -> bool:
    return isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType)
