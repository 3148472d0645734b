"""Show the adjoint code of a recorded Tensor computation, written by `grad`'s own generator.

The recorded graph is printed back as a straight-line Python function of its
leaf tensors; `grad` then transforms that function like any other. Students
see exactly what backpropagation computes for their expression.
"""

from __future__ import annotations

import itertools
import linecache
import math
import operator
import sys
from typing import Any

import numpy as np

from ..rules import registry
from . import backprop

__all__ = ["backward_source", "forward_source"]

_OPERATORS = {np.add: "+", np.subtract: "-", np.multiply: "*", np.divide: "/",
              np.power: "**", np.matmul: "@", np.remainder: "%"}
_UNARY = {np.negative: "-", np.positive: "+"}
_LEAF_NAMES = ["x", "y", "z", "w", "u", "v"]
# Operations nested in one expression before the printer names an intermediate:
# Python's parser refuses about 200 nested parentheses, and printing recurses.
_MAX_NESTING = 24
# A graph of more operations than this is printed as parts of _PART operations each,
# helper functions that `recorded` calls in turn: `grad` derives each helper on its
# own, so generating the derivative costs the same per operation at any size (one
# long function cost it more per operation the longer it was: 3.6 ms per operation
# at 3,200 against 1.0 at 800).
_ONE_FUNCTION = 200
_PART = 100
_counter = itertools.count(1)


def _literal(value: Any) -> str | None:
    """Source for a simple constant (number, None, string, tuple of those), else None."""
    if isinstance(value, np.generic) and value.ndim == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # repr writes inf or nan, names the generated code does not have
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, tuple):
        parts = [_literal(v) for v in value]
        if None not in parts:
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return None


def _index(value: Any) -> str | None:
    if isinstance(value, slice):
        parts = ["" if p is None else _literal(p) for p in (value.start, value.stop, value.step)]
        text = f"{parts[0]}:{parts[1]}" + (f":{parts[2]}" if value.step is not None else "")
        return text if None not in parts else None
    if value is Ellipsis:
        return "..."
    if isinstance(value, tuple):
        parts = [_index(v) for v in value]
        return ", ".join(parts) if None not in parts and parts else None
    return _literal(value)


class _Printer:
    def __init__(self, root: Any) -> None:
        self.order = list(reversed(backprop.topological_order(root)))
        self.root = root
        self.names: dict[int, str] = {}
        self.params: list[str] = []
        self.wrt: list[str] = []
        self.uses: dict[int, int] = {}
        self.shared = 0
        self.modules: set[str] = set()  # first names of the dotted calls printed
        # When printed in parts: each computed tensor's part, the part being printed
        # and the names it reads from outside (its parameters).
        self.part_of: dict[int, int] = {}
        self.part: Any = None
        self.inputs: list[str] = []
        for tensor in self.order:
            if tensor._node is not None:
                for _, _, parent in tensor._node.parents:
                    self.uses[id(parent)] = self.uses.get(id(parent), 0) + 1

    def param(self, base: str) -> str:
        name = base if base not in self.params else f"{base}{len(self.params)}"
        self.params.append(name)
        return name

    def constant(self, value: Any) -> str:
        text = _literal(value)
        if text is not None:
            return text
        name = self.param(f"c{len(self.params) + 1}")
        if self.part is not None:
            self.inputs.append(name)
        return name

    def _outside(self, tensor: Any, name: str) -> str:
        """``name``, a parameter of the part being printed when ``tensor`` is a leaf or
        was computed by an earlier part."""
        if self.part is not None and self.part_of.get(id(tensor)) != self.part \
                and name not in self.inputs:
            self.inputs.append(name)
        return name

    def operand(self, node: Any, slot: int, position: Any, value: Any) -> str:
        for parent_slot, parent_position, parent in node.parents:
            if parent_slot == slot and parent_position == position:
                text = self.expression(parent)
                if parent._data is not value:  # x.shape = ... after this operation read x
                    return f"np.reshape({text}, {_literal(np.shape(value))})"
                return text
        return self.constant(value)

    def expression(self, tensor: Any, named: bool = False) -> str:
        if id(tensor) in self.names:
            return self._outside(tensor, self.names[id(tensor)])
        node = tensor._node
        if node is None:  # a leaf
            name = _LEAF_NAMES[len(self.wrt)] if len(self.wrt) < len(_LEAF_NAMES) \
                else f"x{len(self.wrt) + 1}"
            self.wrt.append(self.param(name))
            self.names[id(tensor)] = name
            return self._outside(tensor, name)
        rule, args = node.rule, node.args
        operands = []
        for slot in range(len(args)):
            is_sequence = slot < rule.n_inputs and rule.input_is_sequence(slot)
            if is_sequence and isinstance(args[slot], (list, tuple)):
                items = [self.operand(node, slot, k, v) for k, v in enumerate(args[slot])]
                operands.append("[" + ", ".join(items) + "]")
            elif is_sequence:  # *operands
                start = slot
                operands += [self.operand(node, start, k, v)
                             for k, v in enumerate(args[start:])]
                break
            elif rule.primitive is operator.getitem and slot == 1:
                operands.append(_index(args[1]) or self.constant(args[1]))
            else:
                operands.append(self.operand(node, slot, None, args[slot]))
        keywords = [f"{k}={self.constant(v)}" for k, v in node.kwargs.items()]
        primitive = rule.primitive
        if primitive in _OPERATORS and not keywords:
            text = f"({operands[0]} {_OPERATORS[primitive]} {operands[1]})"
        elif primitive in _UNARY and not keywords:
            text = f"({_UNARY[primitive]}{operands[0]})"
        elif primitive is operator.getitem:
            text = f"{operands[0]}[{operands[1]}]"
        else:
            name = registry.primitive_name(primitive)
            self.modules.add(name.split(".")[0])
            text = f"{name}({', '.join(operands + keywords)})"
            if hasattr(rule, "whole"):  # one item of several results (backprop._Item)
                text += f"[{rule.index}]"
        if named or self.uses.get(id(tensor), 0) > 1:
            self.shared += 1
            name = f"t{self.shared}"
            self.lines.append(f"    {name} = {text}")
            self.names[id(tensor)] = name
            return name
        return text

    def function(self) -> str:
        computed = [t for t in self.order if t._node is not None]
        if len(computed) > _ONE_FUNCTION:
            return self.parts(computed)
        self.lines: list[str] = []
        # Name every _MAX_NESTING-th level of a deep graph first, operands before
        # results, so that no expression nests deeper (nor recurses further).
        depth: dict[int, int] = {}
        for tensor in self.order[:-1]:
            node = tensor._node
            level = 0 if node is None else \
                1 + max(depth[id(parent)] for _, _, parent in node.parents)
            if level >= _MAX_NESTING:
                self.expression(tensor, named=True)
                level = 0
            depth[id(tensor)] = level
        result = self.expression(self.root)
        header = f"def recorded({', '.join(self.params)}):"
        return "\n".join([header] + self.lines + [f"    return {result}"]) + "\n"


    def parts(self, computed: list) -> str:
        """``recorded`` calling ``part1``, ``part2``...: each computes _PART of the
        operations, from the leaves, constants and earlier parts' results it reads,
        and returns the results later parts read (the last one, the root)."""
        parts = [computed[i:i + _PART] for i in range(0, len(computed), _PART)]
        position = {id(t): i for i, t in enumerate(computed)}
        self.part_of = {id(t): k for k, part in enumerate(parts) for t in part}
        outputs: list[dict] = [{} for _ in parts]
        for k, part in enumerate(parts):
            for tensor in part:
                for _, _, parent in tensor._node.parents:
                    j = self.part_of.get(id(parent))
                    if j is not None and j != k:
                        outputs[j][id(parent)] = parent
        blocks, calls = [], []
        for k, part in enumerate(parts):
            self.part, self.lines, self.inputs = k, [], []
            last = k == len(parts) - 1
            depth: dict[int, int] = {}
            for tensor in part[:-1] if last else part:
                level = 1 + max(depth.get(id(parent), 0)
                                for _, _, parent in tensor._node.parents)
                if level >= _MAX_NESTING:
                    self.expression(tensor, named=True)
                    level = 0
                depth[id(tensor)] = level
            if last:
                results = [self.expression(self.root)]
            else:
                results = [self.expression(t, named=True) for t in
                           sorted(outputs[k].values(), key=lambda t: position[id(t)])]
            returned = ", ".join(results)
            blocks.append("\n".join([f"def part{k + 1}({', '.join(self.inputs)}):"]
                                    + self.lines + [f"    return {returned}"]))
            call = f"part{k + 1}({', '.join(self.inputs)})"
            calls.append(f"    return {call}" if last else f"    {returned} = {call}")
        self.part = None
        header = f"def recorded({', '.join(self.params)}):"
        return "\n\n\n".join(blocks + ["\n".join([header] + calls)]) + "\n"


def forward_source(root: Any) -> tuple[str, list[str]]:
    """The recorded computation of ``root`` as Python source, and its leaf parameters."""
    printer = _Printer(root)
    return printer.function(), printer.wrt


def backward_source(root: Any) -> str:
    """The derivative `grad` generates for the computation recorded in ``root``."""
    from ..api import derivative_source
    if root._constant or root._node is None:
        raise ValueError("this tensor has no recorded computation: backward_source needs a "
                         "tensor computed from non-constant tensors (before backward clears "
                         "the graph)")
    printer = _Printer(root)
    text, wrt = printer.function(), printer.wrt
    filename = f"<recorded graph {next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    # np, and the package of any other primitive printed (autograd_src.runtime.astype)
    namespace: dict[str, Any] = {name: sys.modules[name] for name in printer.modules
                                 if name in sys.modules}
    namespace["np"] = np
    namespace["__name__"] = "recorded_graph"  # the parts' __module__ (None without it)
    exec(compile(text, filename, "exec"), namespace)
    return derivative_source(namespace["recorded"], tuple(wrt) if len(wrt) > 1 else wrt[0])
