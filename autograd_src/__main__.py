"""Command line: print the generated derivative of a function in a file.

    python -m autograd_src model.py:loss --wrt W
    python -m autograd_src model.py:loss --wrt W --mode forward
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import sys
from typing import Optional, Sequence

from .api import grad


def _load_function(spec: str):
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise SystemExit(f"error: expected FILE.py:FUNCTION, got {spec!r}")
    if os.path.exists(path):
        module = _module_of_file(path)
    elif path.replace(".", "").replace("_", "").isalnum():  # pkg.model: a module's name
        sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(path)
        except ImportError as exc:
            raise SystemExit(f"error: no such file, and no module {path} to import "
                             f"({exc})") from None
    else:
        raise SystemExit(f"error: no such file: {path}")
    fn = module
    for part in name.split("."):
        if not hasattr(fn, part):
            raise SystemExit(f"error: {path} defines no {name!r}")
        fn = getattr(fn, part)
    return fn


def _module_of_file(path: str):
    """The module of the file ``path``: imported by its dotted name from the root of
    the packages holding it (so ``from .config import SCALE`` works), else run as a
    module of its own."""
    folder, stem = os.path.split(os.path.abspath(path))
    parts = [os.path.splitext(stem)[0]]
    while os.path.exists(os.path.join(folder, "__init__.py")):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    sys.path.insert(0, folder)
    if len(parts) > 1:  # inside a package: its relative imports need its name
        return importlib.import_module(".".join(parts))
    module_name = "_autograd_src_cli_" + parts[0]
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    module_spec.loader.exec_module(module)
    return module


def _highlight(text: str) -> str:
    if not sys.stdout.isatty():
        return text
    try:
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return text
    return highlight(text, PythonLexer(), TerminalFormatter())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograd_src",
        description="Print the derivative that autograd_src generates for a function.")
    parser.add_argument("target", metavar="FILE.py:FUNC", help="the function to differentiate")
    parser.add_argument("--wrt", action="append", metavar="NAME",
                        help="parameter to differentiate with respect to (repeatable, "
                             "or W,b; default: the first)")
    parser.add_argument("--mode", choices=("reverse", "forward"), default="reverse",
                        help="reverse: the gradient (grad, the default); forward: the "
                             "forward-mode derivative (make_jvp), each statement followed "
                             "by its tangent")
    args = parser.parse_args(argv)
    fn = _load_function(args.target)
    names = [n.strip() for each in args.wrt or () for n in each.split(",")]  # (--wrt W,b)
    names = [int(n) if n.isdigit() else n for n in names]  # (--wrt 0,1: positions)
    wrt = 0 if not names else (names[0] if len(names) == 1 else tuple(names))
    if not args.wrt and "." in args.target.rpartition(":")[2]:
        # Class.method: the first parameter is self, whose derivative says nothing
        names = list(inspect.signature(fn).parameters)
        if names and names[0] == "self" and len(names) > 1:
            wrt = names[1]
            print(f"# with respect to {wrt} (the first parameter after self; "
                  "--wrt NAME for another)", file=sys.stderr)
    try:
        if args.mode == "forward":
            from .forward import make_jvp
            text = make_jvp(fn, wrt=wrt).source
        else:
            text = grad(fn, wrt=wrt).source
    except (ValueError, TypeError) as exc:  # (a --wrt naming no parameter, say)
        raise SystemExit(f"error: {exc}") from None
    sys.stdout.write(_highlight(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
