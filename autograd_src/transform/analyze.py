"""Decide which operations get adjoints and which overwritten values must be kept for them.

Usefulness is backward liveness of adjoints: an active operation gets an adjoint
only if its value reaches the output. A value is kept when an adjoint reads it
after the primal overwrote it: in straight-line code and branches outside loops
by a plain copy (``z0 = z``, exact to the version), inside loops on a stack
(``z_stack.append(z)``) for every name the loop's adjoints read.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

import gast

from ..rules import runtime
from .ir import (
    Branch,
    Loop,
    Op,
    Primal,
    assigned_in,
    differentiable_inputs,
    load_names,
    reads_of,
    shape_reads,
)
from .naming import Namer

__all__ = ["Plan", "Save", "plan"]


@dataclass(frozen=True)
class Save:
    """Where an overwritten value is kept: a variable (``z0``) or a stack (``z_stack``)."""

    holder: str
    on_stack: bool
    #: Only the shape is kept (``y_shape_stack.append(np.shape(y))``), for unbroadcast.
    shape: bool = False


@dataclass
class Plan:
    """The result of the analysis, keyed by ``id`` of the body items."""

    useful: set[int] = field(default_factory=set)
    #: Saves made just before an item runs (and undone just after its adjoint).
    saves: dict[int, dict[str, Save]] = field(default_factory=lambda: defaultdict(dict))
    stacks: list[str] = field(default_factory=list)
    #: For each loop (by id): names whose shapes its adjoint reads, and the variable
    #: holding each one's shape in the reversed iteration (``y_shape``).
    shapes: dict[int, dict[str, str]] = field(default_factory=dict)
    #: For each top-level branch (by id): names whose zero adjoints at its join are
    #: shaped like the copies saved before it (``dy = _ad.zeros_like(y0)``).
    zeros_from: dict[int, set[str]] = field(default_factory=dict)
    #: For each branch (by id): names whose adjoints are needed before it.
    needed_before: dict[int, set[str]] = field(default_factory=dict)
    #: For each branch outside loops (by id): names surely holding a value before it.
    bound_before: dict[int, set[str]] = field(default_factory=dict)
    #: Scalar temporaries in loops computed again where an adjoint reads them
    #: (``prod = 0.5 * y`` from the restored ``y``) instead of kept on a stack.
    remade: dict[str, Op] = field(default_factory=dict)

    def is_useful(self, op: Op) -> bool:
        return id(op) in self.useful

    def reads_of(self, op: Op) -> tuple[set[str], bool]:
        """`ir.reads_of`, with each temporary made again replaced by what it is made of."""
        names, reads_ans = reads_of(op)
        if self.remade and names & self.remade.keys():
            names = set(names)
            while names & self.remade.keys():
                for name in names & self.remade.keys():
                    names.discard(name)
                    names |= load_names(self.remade[name].value)
        return names, reads_ans

    def remade_for(self, op: Op) -> list[Op]:
        """The definitions of the temporaries ``op``'s adjoint reads that are made
        again, those they are made of first."""
        order: list[Op] = []

        def visit(names: set[str]) -> None:
            for name in sorted(names & self.remade.keys()):
                definition = self.remade[name]
                if definition not in order:
                    visit(load_names(definition.value))
                    order.append(definition)

        visit(reads_of(op)[0])
        return order


class _Planner:
    def __init__(self, namer: Namer) -> None:
        self.namer = namer
        self.plan = Plan()
        self.copies: dict[str, int] = defaultdict(int)
        self.live_after: dict[int, set[str]] = {}
        #: For each branch: names whose adjoints are needed after it.
        self.needed_after: dict[int, set[str]] = {}
        self.stack_names: dict[str, str] = {}
        #: Lists made by a display and read only at constant positions: those positions.
        self.items_read: dict[str, set] = {}

    # ----- usefulness -----

    def useful(self, items: list, needed: set[str]) -> set[str]:
        """Mark ops whose adjoints are needed; returns adjoints needed before ``items``."""
        needed = set(needed)
        for item in reversed(items):
            if isinstance(item, Op):
                if item.target in needed:
                    self.plan.useful.add(id(item))
                    needed.discard(item.target)
                    needed |= set(self.items_needed(item))
            elif isinstance(item, Primal):
                needed -= item.assigned
            elif isinstance(item, Branch):
                self.needed_after[id(item)] = set(needed)
                needed = self.useful(item.body, needed) | self.useful(item.orelse, needed)
                self.plan.needed_before[id(item)] = set(needed)
            else:  # a loop runs any number of times: iterate to a fixed point
                # Adjoints live after the loop and assigned in it are reset to zeros
                # shaped like their variable in each reversed iteration.
                self.live_after[id(item)] = needed & item.assigned()
                while True:
                    before = needed | self.useful(item.body, needed)
                    if before == needed:
                        break
                    needed = before
        return needed

    def items_needed(self, op: Op) -> list[str]:
        """`differentiable_inputs`, less the items of a list display that nothing reads
        (``ys = [x ** 2, np.sqrt(x)]`` read only as ``ys[0]``): their adjoints are zeros,
        and an adjoint rule multiplying a zero by an infinite derivative gives NaN
        (``np.sqrt`` at 0), which no gradient should."""
        read = self.items_read.get(op.target)
        if read is None or op.rule is None:
            return differentiable_inputs(op)
        if op.rule.primitive is runtime.pack and len(op.inputs) == 1 and \
                isinstance(op.inputs[0], list):
            return [name for k, name in enumerate(op.inputs[0])
                    if name is not None and (k in read or k - len(op.inputs[0]) in read)]
        keys = op.bound.get("keys")
        if op.rule.primitive is runtime.pack_dict and len(op.inputs) == 2 and \
                isinstance(op.inputs[1], list) and isinstance(keys, gast.Tuple) and \
                all(isinstance(k, gast.Constant) for k in keys.elts):
            return [name for key, name in zip(keys.elts, op.inputs[1])
                    if name is not None and key.value in read]
        return differentiable_inputs(op)

    # ----- what adjoints read -----

    def reads(self, items: list) -> set[str]:
        """Primal names the adjoint code of ``items`` reads (operands, tests, loop headers)."""
        names: set[str] = set()
        for item in items:
            if isinstance(item, Op) and id(item) in self.plan.useful:
                read, reads_ans = self.plan.reads_of(item)
                names |= read | shape_reads(item) | ({item.target} if reads_ans else set())
            elif isinstance(item, Branch):
                inner = self.reads(item.body) | self.reads(item.orelse)
                if inner or self.test_read(item):
                    names |= inner | load_names(item.test)
            elif isinstance(item, Loop):
                inner = self.reads(item.body)
                if inner or self.header_read(item):
                    names |= inner | header_reads(item) | self.resets(item)
        return names

    def exposed_values(self, items: list, assigned: Optional[set[str]] = None) -> set[str]:
        """Primal names the adjoints of ``items`` read before ``items`` assign them."""
        assigned = set() if assigned is None else assigned
        exposed: set[str] = set()
        for item in items:
            if isinstance(item, Op):
                if id(item) in self.plan.useful:
                    exposed |= (self.plan.reads_of(item)[0] | shape_reads(item)) - assigned
                assigned.add(item.target)
            elif isinstance(item, Primal):
                assigned |= item.assigned
            elif isinstance(item, Branch):
                if self.test_read(item):
                    exposed |= load_names(item.test) - assigned
                left, right = set(assigned), set(assigned)
                exposed |= self.exposed_values(item.body, left)
                exposed |= self.exposed_values(item.orelse, right)
                assigned |= left & right
            else:
                if self.header_read(item):
                    exposed |= (header_reads(item) - {item.counter}) - assigned
                exposed |= self.exposed_values(item.body, set(assigned))
        return exposed

    def test_read(self, branch: Branch) -> bool:
        """Whether the adjoint evaluates ``branch``'s test again: to run the adjoints in
        its arms, or to restore values they overwrote (``broke = broke_stack.pop()``
        under the same condition), so the test's names must hold their values then."""
        arms = branch.body + branch.orelse
        return self.has_adjoint(arms) or bool(assigned_in(arms))

    def header_read(self, loop: Loop) -> bool:
        """Whether the adjoint reverses ``loop``: to run the adjoints in its body, or to
        restore values (and reset adjoints) its iterations overwrote, so its header
        (the range, the iteration counter) must read what the primal loop read."""
        return self.has_adjoint(loop.body) or bool(loop.assigned() - {loop.counter, loop.target})

    def has_adjoint(self, items: list) -> bool:
        for item in items:
            if isinstance(item, Op) and id(item) in self.plan.useful:
                return True
            if isinstance(item, Branch) and self.has_adjoint(item.body + item.orelse):
                return True
            if isinstance(item, Loop) and self.has_adjoint(item.body):
                return True
        return False

    # ----- saves -----

    def copy_name(self, name: str) -> str:
        holder = self.namer.fresh(f"{name}{self.copies[name]}")
        self.copies[name] += 1
        return holder

    def stack(self, name: str) -> Save:
        if name not in self.stack_names:
            self.stack_names[name] = self.namer.fresh(f"{name}_stack")
            self.plan.stacks.append(self.stack_names[name])
        return Save(self.stack_names[name], True)

    def shape_stack(self, name: str) -> Save:
        key = name + " shape"
        if key not in self.stack_names:
            self.stack_names[key] = self.namer.fresh(f"{name}_shape_stack")
            self.plan.stacks.append(self.stack_names[key])
        return Save(self.stack_names[key], True, shape=True)

    def exact(self, items: list, bound: set[str]) -> None:
        """Outside loops: copy a value only when an adjoint reads that very version.

        ``bound``: names surely holding a value before ``items`` (updated as they run).
        """
        version: dict[str, int] = defaultdict(int)
        needed: set[tuple[str, int]] = set()
        overwrites: list[tuple[Any, str, int]] = []
        for item in items:
            if isinstance(item, Op):
                if id(item) in self.plan.useful:
                    read, reads_ans = self.plan.reads_of(item)
                    read = read | shape_reads(item)  # copies are references: cheap
                    needed |= {(n, version[n]) for n in read}
                    if reads_ans:
                        needed.add((item.target, version[item.target] + 1))
                assigned = _rebound(item)
            elif isinstance(item, Primal):
                assigned = item.assigned
            else:
                if isinstance(item, Branch):
                    self.plan.bound_before[id(item)] = set(bound)
                    arms = [set(bound), set(bound)]
                    self.exact(item.body, arms[0])
                    self.exact(item.orelse, arms[1])
                    # Zeros filled in at its join are shaped like the values from before
                    # it, kept here (the arm that replaced one may not restore it).
                    zeroed = self.zero_filled([item]) & bound
                    needed |= {(n, version[n]) for n in zeroed}
                    self.plan.zeros_from[id(item)] = zeroed
                    bound |= arms[0] & arms[1]
                else:
                    self.plan.bound_before[id(item)] = set(bound)
                    self.loop(item)
                assigned = item.assigned()
                # Values from before the compound that it reads without assigning them;
                # those it assigns, it restores itself by the end of its adjoint.
                needed |= {(n, version[n]) for n in self.exposed_values([item]) - assigned}
            for name in sorted(assigned):  # (a set: sorted, for the same code each run)
                overwrites.append((item, name, version[name]))
                version[name] += 1
            if not isinstance(item, (Branch, Loop)):  # a loop may run no iteration
                bound |= assigned
            if isinstance(item, (Branch, Loop)):
                # Its adjoint may read the values it leaves behind.
                needed |= {(n, version[n]) for n in self.reads([item]) & assigned}
            if isinstance(item, Loop):  # zeros before the reversed loop are shaped so
                needed |= {(n, version[n]) for n in exposed_reads(item.body, self.plan)}
        for item, name, old in overwrites:
            if (name, old) in needed:
                self.plan.saves[id(item)][name] = Save(self.copy_name(name), False)

    def zero_filled(self, items: list) -> set[str]:
        """Names whose values the adjoint of ``items`` reads to shape zero adjoints: at a
        branch's join, those an arm replaces whose adjoints are needed before it; before
        a reversed loop, those its iterations read."""
        names: set[str] = set()
        for item in items:
            if isinstance(item, Branch):
                before = self.plan.needed_before.get(id(item), set())
                after = self.needed_after.get(id(item), set())
                arms = (item.body, item.orelse)
                for arm, other in (arms, arms[::-1]):
                    exposed = exposed_reads(arm, self.plan)
                    # An arm replacing a value whose adjoint is needed before the branch,
                    # or not touching one whose adjoint only the other arm starts.
                    names |= (before & assigned_in(arm)) - exposed
                    names |= exposed_reads(other, self.plan) - exposed - assigned_in(arm) - after
                    names |= self.zero_filled(arm)
            elif isinstance(item, Loop):
                names |= exposed_reads(item.body, self.plan) | self.zero_filled(item.body)
        return names

    def loop(self, loop: Loop) -> None:
        """Plan the saves inside a loop: values its adjoints read, and shapes they read."""
        # Its own resets (zeros shaped like a variable, each reversed iteration) read too,
        # and so do zeros filled in by its branches and inner loops.
        values = self.value_reads(loop.body) | self.resets(loop) | self.zero_filled(loop.body)
        shapes = (self.reads(loop.body) - values) & assigned_in(loop.body)
        self.plan.shapes[id(loop)] = {n: self.namer.fresh(f"{n}_shape") for n in sorted(shapes)}
        self.in_loop(loop.body, values, shapes)

    def resets(self, loop: Loop) -> set[str]:
        """Variables whose adjoints each reversed iteration resets to zeros shaped like them:
        live after the loop, assigned in it, and not read before being assigned (an adjoint
        read in the iteration is defined again, not reset)."""
        assigned = self.live_after.get(id(loop), set())
        return assigned - exposed_reads(loop.body, self.plan)

    def value_reads(self, items: list) -> set[str]:
        """Like `reads`, without operands read only for their shapes (directly in ``items``)."""
        names: set[str] = set()
        for item in items:
            if isinstance(item, Op) and id(item) in self.plan.useful:
                read, reads_ans = self.plan.reads_of(item)
                names |= read | ({item.target} if reads_ans else set())
            elif isinstance(item, Branch):
                inner = self.value_reads(item.body) | self.value_reads(item.orelse)
                if inner or self.test_read(item):
                    names |= inner | load_names(item.test)
            elif isinstance(item, Loop):
                names |= self.reads([item])
        return names

    def in_loop(self, items: list, needed: set[str], shapes: set[str] = frozenset()) -> None:
        """Inside a loop: push, before overwriting it, every value of a name its adjoints
        read, and the shape of a name they read only for its shape."""
        for item in items:
            if isinstance(item, Op):
                assigned = _rebound(item)
            elif isinstance(item, Primal):
                assigned = item.assigned
            elif isinstance(item, Branch):
                self.in_loop(item.body, needed, shapes)
                self.in_loop(item.orelse, needed, shapes)
                continue
            else:
                self.loop(item)
                assigned = item.assigned()
            for name in sorted(assigned & needed):
                self.plan.saves[id(item)][name] = self.stack(name)
            for name in sorted((assigned & shapes) - needed):
                self.plan.saves[id(item)][name] = self.shape_stack(name)


def header_reads(loop: Loop) -> set[str]:
    """Names the reversed loop's header reads: the range's operands and the counter."""
    header = loop.header
    names = load_names(header.iter) if isinstance(header, gast.For) else set()
    if loop.counter:
        names.add(loop.counter)
    if loop.target:
        names.discard(loop.target)
    return names


def _rebound(op: Op) -> set[str]:
    """The name ``op`` binds to a new value: none for an update written in place
    (``y[i] = v``), which keeps its array; no adjoint reads its old values (see
    normalize's ``_assign_in_place``), and the shape zeros are made from stays. A copy
    of the name kept for its old value would be the same array (and, differentiated
    again, an alias of the array updated)."""
    return set() if getattr(op, "in_place", False) else {op.target}


def exposed_reads(items: list, plan: Plan, assigned: Optional[set[str]] = None) -> set[str]:
    """Active names whose adjoints flow into ``items`` from before them (loop-carried)."""
    assigned = set() if assigned is None else assigned
    exposed: set[str] = set()
    for item in items:
        if isinstance(item, Op):
            if plan.is_useful(item):
                exposed |= set(differentiable_inputs(item)) - assigned
            assigned.add(item.target)
        elif isinstance(item, Primal):
            assigned |= item.assigned
        elif isinstance(item, Branch):
            left, right = set(assigned), set(assigned)
            exposed |= exposed_reads(item.body, plan, left) | exposed_reads(item.orelse, plan,
                                                                            right)
            assigned |= left & right
        else:
            exposed |= exposed_reads(item.body, plan, set(assigned))
    return exposed


def plan(body: list, output: Optional[str], namer: Namer, params: list[str]) -> Plan:
    """Analyze a normalized body whose adjoint sweep starts from ``output``."""
    planner = _Planner(namer)
    planner.items_read = _constant_items_read(body, {output, *params})
    planner.useful(body, {output} if output else set())
    planner.plan.remade = remade_temporaries(body, {output, *params})
    planner.exact(body, set(params))
    return planner.plan


# ----- temporaries made again instead of kept -----

_CHEAP = (gast.Add, gast.Sub, gast.Mult, gast.Div)


def remade_temporaries(body: list, excluded: set) -> dict[str, Op]:
    """Scalar temporaries in loops that the adjoint computes again, from their operands
    restored there, instead of pushing each iteration's value on a stack.

    A candidate is one arithmetic operation on scalars (``prod = 0.5 * y``), the only
    assignment of its name, read only by operations after it in the same block. Its
    operands (through candidates it is made of) must keep their values from it to its
    last reader, which may itself replace one (``y = prod * x + c[i]``): that reader's
    adjoint then restores the operand before reading it, as for ``y = y * x``. Pushing
    and popping a float costs more than one float operation, and the stack goes.
    """
    assignments: dict[str, int] = defaultdict(int)
    readers: dict[str, int] = defaultdict(int)
    blocks: list[list] = []

    def scan(items: list, looped: bool) -> None:
        if looped:
            blocks.append(items)
        for item in items:
            if isinstance(item, Op):
                assignments[item.target] += 1
                read = load_names(item.value)
            elif isinstance(item, Primal):
                for name in item.assigned:
                    assignments[name] += 1
                read = load_names(item.stmt)
            elif isinstance(item, Branch):
                read = load_names(item.test)
                scan(item.body, looped)
                scan(item.orelse, looped)
            else:
                for name in item.assigned() - assigned_in(item.body):
                    assignments[name] += 1
                read = load_names(item.header)
                scan(item.body, True)
            for name in read:
                readers[name] += 1

    scan(body, False)
    remade: dict[str, Op] = {}
    spans: dict[str, tuple[list, int, int]] = {}
    for items in blocks:
        for start, item in enumerate(items):
            if not isinstance(item, Op) or not _cheap_scalar(item) or \
                    item.target in excluded or assignments[item.target] != 1:
                continue
            later = [k for k in range(start + 1, len(items)) if isinstance(items[k], Op)
                     and item.target in load_names(items[k].value)]
            if later and len(later) == readers[item.target]:
                remade[item.target] = item
                spans[item.target] = (items, start, later[-1])
    # Drop candidates whose operands change before their last reader, until none does
    # (dropping one changes what those made of it read, and where they are last read).
    changed = True
    while changed:
        changed = False
        for name in sorted(remade):
            items, start, _ = spans[name]
            last = _last_reader(name, spans, remade)
            operands = _made_of(name, remade)
            between = assigned_in(items[start + 1:last])
            final = items[last]
            if operands & between or (operands & {final.target} and not isinstance(final, Op)):
                del remade[name]
                changed = True
    return remade


def _cheap_scalar(op: Op) -> bool:
    """``a * b``, ``-a`` and the like, each operand a number, a scalar name, or an item
    known to be a scalar (``c[i]`` of a list of floats)."""
    value = op.value
    if isinstance(value, gast.BinOp) and isinstance(value.op, _CHEAP):
        operands = [value.left, value.right]
    elif isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        operands = [value.operand]
    else:
        return False
    for operand in operands:
        if isinstance(operand, gast.Constant) and type(operand.value) in (int, float):
            continue
        if isinstance(operand, gast.Name) and operand.id in op.scalars:
            continue
        if isinstance(operand, gast.Subscript) and id(operand) in op.scalar_operands and \
                isinstance(operand.value, gast.Name) and \
                isinstance(operand.slice, (gast.Name, gast.Constant)):
            continue
        return False
    return True


def _made_of(name: str, remade: dict[str, Op]) -> set[str]:
    """The names a temporary made again is computed from, through other such temporaries."""
    names: set[str] = set()
    for operand in load_names(remade[name].value):
        names |= _made_of(operand, remade) if operand in remade else {operand}
    return names


def _last_reader(name: str, spans: dict, remade: dict[str, Op]) -> int:
    """The position of the last operation reading ``name``, directly or through a
    temporary made of it that is made again too."""
    items, _, last = spans[name]
    for other in remade:
        if name in load_names(remade[other].value):
            last = max(last, _last_reader(other, spans, remade))
    return last


def _constant_items_read(body: list, excluded: set) -> dict[str, set]:
    """For each list or dict made once by a display and read only by items at constant
    positions or keys (``ys[0]``, ``ys[-1]``, ``d['sq']``), those positions or keys."""
    positions: dict[str, set] = defaultdict(set)
    other: set[str] = set(excluded)
    made: dict[str, int] = defaultdict(int)

    def scan(items: list) -> None:
        for item in items:
            if isinstance(item, Op):
                made[item.target] += 1
                value = item.bound.get("x") if item.rule is not None else None
                index = _constant_index(item.bound.get("index")) if item.rule is not None \
                    else None
                if item.rule is not None and item.rule.primitive is operator.getitem and \
                        isinstance(value, gast.Name) and index is not None:
                    positions[value.id].add(index)
                else:
                    other.update(load_names(item.value))
            elif isinstance(item, Primal):
                other.update(load_names(item.stmt))
                for name in item.assigned:
                    made[name] += 2  # (not a display of its own)
            elif isinstance(item, Branch):
                other.update(load_names(item.test))
                scan(item.body)
                scan(item.orelse)
            else:
                other.update(load_names(item.header))
                other.update(item.assigned())
                scan(item.body)

    scan(body)
    return {name: read for name, read in positions.items()
            if name not in other and made[name] == 1}


def _constant_index(index: Any) -> Any:
    """The int or str an index is written as (``0``, ``-1``, ``'sq'``), or None."""
    if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub) and \
            isinstance(index.operand, gast.Constant) and type(index.operand.value) is int:
        return -index.operand.value
    if isinstance(index, gast.Constant) and type(index.value) in (int, str):
        return index.value
    return None


def float_names(norm: Any, params: list) -> set[str]:
    """Names holding a float wherever they are assigned: the parameters known to be
    (``norm.scalar_params``), and names only ever set to arithmetic on floats and
    numbers (``x, v = x0, v0``; ``v = v + dt * a``). Their zero adjoints and tangents
    are ``0.0``, not ``_ad.zeros_like``."""
    floats = set(norm.scalar_params)
    assignments: dict[str, list] = {}

    def collect(items: list) -> None:
        for item in items:
            if isinstance(item, Op):
                assignments.setdefault(item.target, []).append(item.value)
            elif isinstance(item, Primal):
                pairs = _assigned_pairs(item.stmt)
                for name in item.assigned:
                    assignments.setdefault(name, []).append(pairs.get(name))
            elif isinstance(item, Branch):
                collect(item.body)
                collect(item.orelse)
            elif isinstance(item, Loop):
                for name in item.assigned() - assigned_in(item.body):
                    assignments.setdefault(name, []).append(None)  # a loop's target
                collect(item.body)

    collect(norm.body)

    def of_floats(value: Any) -> bool:
        if isinstance(value, gast.Constant):
            return type(value.value) is float
        if isinstance(value, gast.Name):
            return value.id in floats
        if isinstance(value, gast.BinOp) and isinstance(
                value.op, (gast.Add, gast.Sub, gast.Mult, gast.Div)):
            return (of_floats(value.left) or _is_int_constant(value.left)) and \
                (of_floats(value.right) or _is_int_constant(value.right)) and \
                (of_floats(value.left) or of_floats(value.right))
        if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
            return of_floats(value.operand)
        return False

    # The largest set that holds together: v = v + dt * a is a float if v was one
    floats |= {n for n in assignments if n not in params}
    shrunk = True
    while shrunk:
        shrunk = False
        for name, values in assignments.items():
            if name in floats and name not in norm.scalar_params and \
                    not all(v is not None and of_floats(v) for v in values):
                floats.discard(name)
                shrunk = True
    return floats


def _assigned_pairs(stmt: Any) -> dict:
    """The value each name gets in ``name = value`` or ``a, b = (u, v)``."""
    if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
        return {}
    target, value = stmt.targets[0], stmt.value
    if isinstance(target, gast.Name):
        return {target.id: value}
    if isinstance(target, gast.Tuple) and isinstance(value, gast.Tuple) and \
            len(target.elts) == len(value.elts):
        return {t.id: v for t, v in zip(target.elts, value.elts) if isinstance(t, gast.Name)}
    return {}


def _is_int_constant(value: Any) -> bool:
    return isinstance(value, gast.Constant) and type(value.value) is int
