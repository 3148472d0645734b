"""The shape of the package, counted from its imports (issue: the house).

    python benchmarks/architecture.py [PACKAGE_DIR]

Prints the number of modules, the internal import arrows (lazy imports inside
functions included), the import floors (the longest chain of imports, circles
counted as one floor), any import circle, and the largest modules and function
bodies (docstrings left out).
"""

from __future__ import annotations

import ast
import itertools
import os
import sys
from functools import lru_cache


def modules(root: str) -> dict[str, str]:
    """Dotted module name -> file, for every module under ``root``."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, os.path.dirname(root))[:-3].replace(os.sep, ".")
                found[dotted.removesuffix(".__init__")] = path
    return found


def arrows(found: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the package modules it imports (submodules named in ``from . import``)."""
    edges: dict[str, set[str]] = {m: set() for m in found}
    for module, path in found.items():
        package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(open(path).read())):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level else []
                imported = ".".join(base + ([node.module] if node.module else [])) \
                    if node.level else (node.module or "")
                subs = [f"{imported}.{a.name}" for a in node.names
                        if f"{imported}.{a.name}" in found]
                targets = subs + ([imported] if len(subs) < len(node.names) else [])
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            edges[module] |= {t for t in targets if t in found and t != module}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = itertools.count()
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = next(counter)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = next(counter)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "autograd_src")
    found = modules(root)
    edges = arrows(found)
    components = circles(edges)
    component_of = {m: k for k, members in enumerate(components) for m in members}

    @lru_cache(maxsize=None)
    def floor(k: int) -> int:
        below = {component_of[t] for m in components[k] for t in edges[m]} - {k}
        return 1 + max((floor(b) for b in below), default=0)

    print(f"modules {len(found)}, arrows {sum(map(len, edges.values()))}, "
          f"floors {max(floor(component_of[m]) for m in found)}")
    loops = [sorted(c) for c in components if len(c) > 1]
    print("import circles:", loops or "none")
    sizes = sorted(((sum(1 for _ in open(p)), m) for m, p in found.items()), reverse=True)
    print("largest modules:", ", ".join(f"{m} {n}" for n, m in sizes[:5]))
    bodies = []
    for module, path in found.items():
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.body[0]
                documented = isinstance(first, ast.Expr) and isinstance(
                    getattr(first, "value", None), ast.Constant) and isinstance(
                    first.value.value, str) and len(node.body) > 1
                start = node.body[1].lineno if documented else node.lineno
                bodies.append((node.end_lineno - start + 1, f"{module}.{node.name}"))
    bodies.sort(reverse=True)
    print("largest function bodies:", ", ".join(f"{f} {n}" for n, f in bodies[:5]))


if __name__ == "__main__":
    main()
