"""Random Python/NumPy programs for the property tests of `grad`, seeded and validated.

`generate(seed, feature)` writes a module: NumPy, a few module-level helpers and
``def f(...)`` returning a scalar, with ``feature`` (one of `FEATURES`) forced in
and others drawn at random. A program is kept only if, at its arguments, it runs
without floating-point errors, every data-dependent comparison it evaluates is
at least `MARGIN` away from its threshold (each condition is measured through a
*probe* rendering, where ``lhs > t`` becomes ``_probe(k, lhs, t) > t``), and the
5-point central difference agrees with the 3-point one at a much smaller step.
The 5-point gradient is the expected one.

Values stay bounded by construction (contracting updates in loops, squashing
functions). In-place updates (``v += e``, ``z[i] = e``) touch only arrays the
function made and no other name shares (the library refuses updates of shared
arrays, and these programs are after gradients), and loops mostly leave alone
the array they iterate over. ``generate(..., move=...)`` also writes the
same program with a loop, or a loop's body, moved into a module-level helper.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import Callable, Optional

import numpy as np

FEATURES = ("shared", "branches", "for_loop", "while_loop", "reassign", "tuple_assign",
            "indexing", "helpers", "closures")
MARGIN = 0.02  # the least |lhs - threshold| a program may evaluate
_MARKER = re.compile(r"__cond(\d+)__")


class _Redraw(Exception):
    """The program drawn so far cannot be finished safely: draw another."""


@dataclasses.dataclass
class Program:
    seed: int
    feature: str
    features: frozenset
    source: str           # the module, as grad will read it
    args: tuple
    wrt: tuple
    expected: tuple       # the 5-point central differences at args
    value: float          # f(*args)
    moved: Optional[str] = None  # the same program with a loop moved into a helper


@dataclasses.dataclass
class _Condition:
    template: str  # "{L} > {T}", "np.any({L} < {T})"
    lhs: str
    threshold: float

    def render(self, number: int, probe: bool) -> str:
        lhs = f"_probe({number}, {self.lhs}, {self.threshold})" if probe else self.lhs
        return self.template.format(L=lhs, T=self.threshold)


class _Builder:
    """One program being written: its names and their kinds, its helpers and conditions."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.n = n
        self.kinds: dict[str, str] = {}   # live name -> "s" scalar, "v" vector, "m" matrix
        self.owned: set[str] = set()      # values made here and shared by no other name
        self.conditions: list[_Condition] = []
        self.helpers: list[str] = []
        self.features: set[str] = set()
        self.shared: list[tuple[str, str]] = []  # (kind, expression) to repeat
        self.indices: list[str] = []      # loop variables valid as indices below n
        self.augmented: list[set[str]] = []  # per enclosing loop: names updated in place
        self.frozen: set[str] = set()     # names a loop iterates over: mostly left alone
        self.loop_depth = 0
        self.counter = 0

    # --- small draws -------------------------------------------------------
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, items):
        return items[int(self.rng.integers(len(items)))]

    def const(self, lo: float = 0.3, hi: float = 1.5) -> str:
        return f"{self.rng.uniform(lo, hi):.2f}"

    def threshold(self) -> float:
        return round(float(self.rng.uniform(-0.6, 0.6)), 2)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def names(self, kind: str) -> list[str]:
        return [name for name, k in self.kinds.items() if k == kind]

    def assignable(self) -> list[str]:
        return [name for name in self.kinds if name not in self.frozen]

    # --- expressions -------------------------------------------------------
    def index_leaf(self, kind: str) -> Optional[str]:
        if not self.indices:
            return None
        i = self.pick(self.indices)
        v, m = self.names("v"), self.names("m")
        if kind == "s":
            forms = [f"{self.pick(v)}[{i}]", f"{self.pick(v)}[{i} - 1]",
                     f"np.sum({self.pick(v)}[:{i} + 1])", f"np.sum({self.pick(v)}[{i}:])"]
            if m:
                j = self.pick(self.indices)
                forms.append(f"{self.pick(m)}[{i}, {j}]")
            return self.pick(forms)
        if kind == "v" and m:
            return self.pick([f"{self.pick(m)}[{i}]", f"{self.pick(m)}[:, {i}]"])
        return None

    def leaf(self, kind: str) -> str:
        if self.shared and self.chance(0.4):
            options = [e for k, e in self.shared if k == kind]
            if options:
                return self.pick(options)
        if self.chance(0.3):
            text = self.index_leaf(kind)
            if text:
                return text
        names = self.names(kind)
        if kind == "s":
            if names and self.chance(0.6):
                return self.pick(names)
            v = self.pick(self.names("v"))
            return self.pick([f"np.sum({v})", f"np.mean({v})", f"{v}[{self.rng.integers(self.n)}]",
                              f"{v}[-1]", self.const(), f"np.sum({v}[1:] * {v}[:-1])"])
        if kind == "v":
            m = self.names("m")
            if m and self.chance(0.2):
                return self.pick([f"{self.pick(m)} @ {self.pick(names)}",
                                  f"{self.pick(m)}[:, {self.rng.integers(self.n)}]"])
            if self.chance(0.1):
                return f"{self.pick(names)}[::-1]"
            return self.pick(names)
        return self.pick(names) if names else f"np.outer({self.leaf('v')}, {self.leaf('v')})"

    def expr(self, kind: str, depth: int = 2) -> str:
        if depth <= 0 or self.chance(0.25):
            return self.leaf(kind)
        if depth >= 2 and self.chance(0.04):
            self.features.add("branches")
            return (f"({self.expr(kind, depth - 1)} if {self.condition()} "
                    f"else {self.expr(kind, depth - 1)})")
        a = self.expr(kind, depth - 1)
        r = self.rng.random()
        if r < 0.4:
            sq = _op(a, "**", "2")
            return self.pick([f"np.sin({a})", f"np.cos({a})", f"np.tanh({a})", f"np.arctan({a})",
                              sq, f"np.exp({_neg(sq)})", f"np.sqrt(1.0 + {sq})",
                              f"np.log(1.0 + {sq})", _op(self.const(), "*", a), _neg(a)])
        other = kind if kind == "s" or self.chance(0.7) else "s"
        b = self.expr(other, depth - 1)
        if r < 0.85:
            return self.pick([_op(a, "+", b), _op(a, "-", b), _op(a, "*", b),
                              _op(a, "/", f"1.0 + {_op(b, '**', '2')}")])
        if kind == "s":
            v, w = self.expr("v", depth - 1), self.expr("v", depth - 1)
            return self.pick([f"np.sum({_op(v, '*', w)})", f"np.dot({v}, {w})", f"np.mean({v})"])
        if kind == "v":
            return self.pick([f"np.tanh({_op(a, '@', self.leaf('m'))})" if self.names("m") else a,
                              _op(a, "+", f"np.sum({self.expr('v', 0)})")])
        return _op(a, "+", b)

    def using(self, name: str, kind: str) -> str:
        """An expression of ``kind`` that reads ``name``."""
        have = self.kinds[name]
        if have == kind:
            text = name
        elif kind == "s":
            text = (self.pick([f"np.sum({name})", f"{name}[0]", f"np.mean({name})"]) if have == "v"
                    else f"{name}[0, {1 % self.n}]")
        elif kind == "v":
            text = _op(name, "*" if have == "s" else "@", self.leaf("v"))
        else:
            text = _op(name, "*", self.leaf("m")) if have == "s" else f"np.outer({name}, {name})"
        return self.pick([_op(self.expr(kind, 1), "+", text), f"np.sin({text})",
                          _op(self.expr(kind, 1), "*", text),
                          f"np.tanh({_op(text, '-', self.const())})"])

    def bounded(self, kind: str, target: Optional[str] = None) -> str:
        """An expression safe to assign in a loop: loop-carried values stay bounded."""
        e = self.expr(kind)
        if target is None:
            return self.pick([f"np.tanh({e})", f"np.sin({e})", e]) if self.loop_depth else e
        return self.pick([f"np.tanh({e})", f"0.5 * {target} + 0.3 * np.sin({e})",
                          _op(target, "*", f"np.cos({e})"), f"np.tanh({_op(target, '+', e)})"])

    def condition(self, kind_hint: Optional[str] = None) -> str:
        """A marker for a data-dependent condition; rendered plain or as a probe later."""
        lhs_kind = kind_hint or self.pick(["s", "s", "v"])
        if lhs_kind == "v":
            template = self.pick(["np.any({L} > {T})", "np.all({L} < {T})"])
            lhs = self.expr("v", 1)
        else:
            template = self.pick(["{L} > {T}", "{L} < {T}", "{L} >= {T}", "{L} <= {T}"])
            v = self.pick(self.names("v"))
            lhs = self.pick([self.expr("s", 1), f"np.max({v})", f"np.min({v})",
                             f"np.linalg.norm({v}) - 1.0", self.leaf("s")])
        self.conditions.append(_Condition(template, lhs, self.threshold()))
        text = f"__cond{len(self.conditions) - 1}__"
        if self.chance(0.15):
            other = self.condition("s")
            return self.pick([f"({text} and {other})", f"({text} or {other})", f"not {text}"])
        return text

    # --- statements --------------------------------------------------------
    def result(self) -> str:
        """``return`` of a scalar reading the names made last and one more."""
        live = list(self.kinds)
        terms = []
        for name in dict.fromkeys(live[-3:] + [self.pick(live)]):
            kind = self.kinds[name]
            terms.append(name if kind == "s" else self.pick([f"np.sum({name})",
                                                             f"np.sum(np.sin({name}))",
                                                             f"np.mean({name} ** 2)"]))
        return "return " + " + ".join(terms)

    def assign(self, name: str, kind: str, text: str) -> list[str]:
        """``name = text``, keeping the record of kinds and of owned arrays."""
        if name in self.owned and _is_view(text):
            text = f"np.tanh({text})"  # an owned array is never rebound to a shared one
        self.owned -= _shared_names(text)
        self.kinds[name] = kind
        if not _is_view(text):
            self.owned.add(name)
        elif name in self.owned:
            self.owned.discard(name)
        return [f"{name} = {text}"]

    def new_value(self) -> list[str]:
        kind = self.pick(["s", "v", "v"] + (["m"] if self.names("m") else []))
        name = self.fresh({"s": "s", "v": "v", "m": "m"}[kind])
        return self.assign(name, kind, self.bounded(kind))

    def reassign(self) -> list[str]:
        self.features.add("reassign")
        name = self.pick(self.assignable())
        kind = self.kinds[name]
        if self.chance(0.5):
            augmentable = [n for n in self.assignable() if n in self.owned]
            if augmentable:
                name = self.pick(augmentable)
                kind = self.kinds[name]
                for names in self.augmented:
                    names.add(name)
                op = self.pick(["+=", "-=", "*="])
                e = self.expr(kind if kind == "s" or self.chance(0.6) else "s")
                e = f"np.cos({e})" if op == "*=" else f"0.3 * np.sin({e})"
                return [f"{name} {op} {e}"]
        if name in self.owned or self.chance(0.5):
            return self.assign(name, kind, self.bounded(kind, name))
        return self.assign(name, kind, self.using(name, kind))

    def owned_array(self) -> list[str]:
        kind = "v"
        name = self.fresh("z")
        v = self.pick(self.names("v"))
        text = self.pick([f"np.zeros({self.n})", f"np.zeros_like({v})", f"{v}.copy()",
                          f"{v} * 1.0", f"np.ones(len({v}))"])
        self.kinds[name] = kind
        self.owned.add(name)
        return [f"{name} = {text}"]

    def tuple_assign(self) -> list[str]:
        self.features.add("tuple_assign")
        candidates = [n for n in self.assignable() if n not in self.owned]
        if len(candidates) < 2 or self.chance(0.3):
            kind = self.pick(["s", "v"])
            a, b = self.fresh("p"), self.fresh("q")
            first = [f"{a}, {b} = {self.bounded(kind)}, {self.bounded(kind)}"]
            self.owned -= _shared_names(first[0].split(" = ", 1)[1])
            self.kinds[a] = self.kinds[b] = kind
        else:
            a = self.pick(candidates)
            kind = self.kinds[a]
            same = [n for n in candidates if self.kinds[n] == kind and n != a]
            first = []
            if same:
                b = self.pick(same)
            else:
                b = self.fresh("q")
                first = self.assign(b, kind, self.bounded(kind))
        self.owned.discard(a)
        self.owned.discard(b)
        form = int(self.rng.integers(4))
        if form == 0:
            line = f"{a}, {b} = {b}, {a}"
        elif form == 1:
            line = f"{a}, {b} = {self.bounded(kind)}, {self.using(a, kind)}"
        elif form == 2:
            line = f"{a}, {b} = {b}, 0.5 * ({a} + {b})"
        else:
            line = f"{a}, {b} = {self.using(b, kind)}, {self.using(a, kind)}"
        self.owned -= _shared_names(line.split(" = ", 1)[1])
        lines = first + [line]
        if self.chance(0.5):  # a later statement reassigns a name the tuple read
            lines += self.assign(a, kind, self.bounded(kind, a))
        return lines

    def ifexp(self) -> list[str]:
        self.features.add("branches")
        kind = self.pick(["s", "v"])
        existing = [n for n in self.names(kind) if n not in self.frozen]
        name = self.pick(existing) if existing and self.chance(0.5) else self.fresh("c")
        return self.assign(name, kind, f"({self.bounded(kind)} if {self.condition()} "
                                       f"else {self.bounded(kind)})")

    def branch(self, depth: int) -> list[str]:
        self.features.add("branches")
        lines = []
        common = None
        if self.chance(0.5):  # a value both arms read
            lines += self.new_value()
            common = lines[-1].split(" = ")[0]
        before_kinds, before_owned = dict(self.kinds), set(self.owned)
        has_else = self.chance(0.75)
        arms = 1 + (self.chance(0.35) and has_else)
        targets = list(dict.fromkeys(self.pick(self.assignable())
                                     for _ in range(int(self.rng.integers(1, 3)))))
        if has_else and self.chance(0.5):
            targets.append(self.fresh("b"))
        target_kinds = {t: self.kinds.get(t) or self.pick(["s", "v"]) for t in targets}
        owned_after = set(self.owned) if not has_else else None
        heads = [f"if {self.condition()}:"] + [f"elif {self.condition()}:" for _ in range(arms - 1)]
        if has_else:
            heads.append("else:")
        for head in heads:
            self.kinds, self.owned = dict(before_kinds), set(before_owned)
            lines.append(head)
            body = []
            for t in targets:
                e = self.using(common, target_kinds[t]) if common and self.chance(0.7) else None
                old = t if t in before_kinds else None
                body += self.assign(t, target_kinds[t], e or self.bounded(target_kinds[t], old))
            if depth > 0 and self.chance(0.3):
                body += self.block(depth - 1)
            if self.chance(0.08):
                body.append(self.result())
                self.features.add("early_return")
            elif self.loop_depth and self.chance(0.2):
                body.append(self.pick(["break", "continue"]))
                self.features.add("break_continue")
            lines += _indent(body)
            owned_after = self.owned if owned_after is None else owned_after & self.owned
        # Names made in one arm only are not live after the branch.
        self.kinds = {**before_kinds, **target_kinds}
        self.owned = owned_after & set(self.kinds)
        return lines

    def shared_block(self, depth: int) -> list[str]:
        self.features.add("shared")
        kind = self.pick(["s", "v"])
        a = self.pick(list(self.kinds))
        b = self.pick(list(self.kinds))
        forms = [f"np.sin({a})", _op(a, "*", b), f"np.exp({_neg(_op(a, '**', '2'))})"]
        if self.indices:
            i = self.pick(self.indices)
            forms.append(f"{self.pick(self.names('v'))}[{i}]")
        text = self.pick(forms)
        if self.kinds[a] != kind or self.kinds[b] != kind:
            text = f"np.sum({text})" if kind == "s" else _op(text, "*", self.leaf("v"))
            if self.kinds[a] == "m" or self.kinds[b] == "m":
                text = f"np.sum({a})" if kind == "s" else self.leaf("v")
        self.shared.append((kind, text))
        lines = self.assign(self.fresh("u"), kind, _op(text, "+", self.expr(kind, 1)))
        for _ in range(int(self.rng.integers(0, 2))):
            lines += self.new_value()
        if a in self.assignable() and self.chance(0.4):  # the same text, a new value
            lines += self.assign(a, self.kinds[a], self.bounded(self.kinds[a], a))
        # The subexpression in a condition and in both arms.
        self.conditions.append(_Condition(self.pick(["{L} > {T}", "{L} < {T}"]),
                                          text if kind == "s" else f"np.sum({text})",
                                          self.threshold()))
        lines.append(f"if __cond{len(self.conditions) - 1}__:")
        target = self.fresh("r")
        arms = [_indent(self.assign(target, kind, value))
                for value in [self.bounded(kind), self.bounded(kind)]]
        lines += arms[0] + ["else:"] + arms[1]
        self.owned.discard(target)
        if depth > 0 and self.chance(0.5):
            lines += self.block(depth - 1)
        self.shared.pop()
        return lines

    def for_loop(self, depth: int) -> list[str]:
        self.features.add("for_loop")
        v = self.pick(self.names("v"))
        i = f"i{self.loop_depth}" if self.loop_depth else "i"
        form = int(self.rng.integers(6))
        loop_vars: dict[str, str] = {}
        if form <= 1:
            head = f"for {i} in range(len({v})):"
        elif form == 2:
            head = f"for {i} in range(1, len({v})):"
        elif form == 3:
            head = f"for {i} in range({self.n}):"
        elif form == 4:
            e = self.fresh("e")
            head, loop_vars = f"for {i}, {e} in enumerate({v}):", {e: "s"}
        else:
            e, u, w = self.fresh("e"), self.fresh("u"), self.pick(self.names("v"))
            head = f"for {e}, {u} in zip({v}, {w}):"
            loop_vars, i = {e: "s", u: "s"}, None
        # Rebinding the array a loop iterates over is rare in real code: mostly not done.
        frozen = {v, w} - self.frozen if form == 5 else {v} - self.frozen
        frozen = frozen if form >= 4 and self.chance(0.8) else set()
        self.frozen |= frozen
        lines = self.loop(head, i, loop_vars, depth)
        self.frozen -= frozen
        return lines

    def loop(self, head: str, index: Optional[str], loop_vars: dict, depth: int,
             prologue: tuple = ()) -> list[str]:
        before = dict(self.kinds)
        owned_before = set(self.owned)
        self.kinds.update(loop_vars)
        if index:
            self.indices.append(index)
        self.loop_depth += 1
        self.augmented.append(set())
        body = list(prologue)
        for _ in range(int(self.rng.integers(1, 4))):
            body += self.block(depth - 1) if depth > 0 and self.chance(0.4) else self.reassign()
        carried = [n for n in before if n not in loop_vars and n not in self.frozen]
        if not carried:
            raise _Redraw("nothing for the loop to carry")
        body += self.assign(*self.carried_update(carried))
        self.loop_depth -= 1
        augmented = self.augmented.pop()
        if index:
            self.indices.pop()
        if (owned_before - self.owned) & augmented:
            raise _Redraw("an array updated in place is shared on the next iteration")
        self.owned &= owned_before
        self.kinds = {n: k for n, k in self.kinds.items() if n in before}
        return [head] + _indent(body)

    def carried_update(self, carried: list[str]) -> tuple[str, str, str]:
        name = carried[-1] if self.chance(0.5) else self.pick(carried)
        kind = self.kinds[name]
        return name, kind, self.bounded(kind, name)

    def while_loop(self, depth: int) -> list[str]:
        self.features.add("while_loop")
        k = self.fresh("k")
        cap = int(self.rng.integers(1, 5))
        head = f"while {k} < {cap} and {self.condition()}:"
        if self.chance(0.3):
            head = f"while {k} < {cap}:"
        prologue = [f"{k} += 1"]
        lines = [f"{k} = 0"]
        loop = self.loop(head, None, {}, max(depth, 1), tuple(prologue))
        if self.chance(0.5):  # break or continue after some of the body
            self.features.add("break_continue")
            starts = [k for k in range(2, len(loop)) if not loop[k].startswith("     ")]
            at = self.pick(starts + [len(loop)])
            jump = self.pick(["break", "continue"])
            loop[at:at] = [f"    if {self.condition()}:", f"        {jump}"]
        return lines + loop

    def indexing(self) -> list[str]:
        self.features.add("indexing")
        lines = []
        target = None
        if self.chance(0.6):
            lines += self.owned_array()
            target = lines[-1].split(" = ")[0]
        v = self.pick(self.names("v"))
        i = f"i{self.loop_depth}" if self.loop_depth else "i"
        self.indices.append(i)
        self.loop_depth += 1
        self.augmented.append(set())
        s = self.fresh("s")
        reads = [f"{v}[{i}] * {self.pick(self.names('v'))}[{i} - 1]",
                 _op(f"np.sum({v}[:{i} + 1])", "*", self.leaf("s")), self.expr("s")]
        body = [f"{s} = {s} + 0.3 * np.sin({self.pick(reads)})"]
        if self.names("m") and self.chance(0.6):
            j = f"j{self.loop_depth}"
            body += [f"for {j} in range(len({v})):",
                     f"    {s} += {self.pick(self.names('m'))}[{i}, {j}] * {v}[{j}] * 0.2"]
        if target:
            op = self.pick(["=", "+=", "-="])
            self.augmented[-1].add(target)
            body.append(f"{target}[{i}] {op} {self.bounded('s')}")
        self.augmented.pop()
        self.loop_depth -= 1
        self.indices.pop()
        self.kinds[s] = "s"
        return lines + [f"{s} = 0.0", f"for {i} in range(len({v})):"] + _indent(body)

    def block(self, depth: int) -> list[str]:
        choices = [self.new_value, self.new_value, self.reassign, self.tuple_assign, self.ifexp,
                   self.helper_call, self.indexing]
        nested = [self.branch, self.for_loop, self.while_loop, self.shared_block]
        if depth > 0 and self.chance(0.5):
            return self.pick(nested)(depth)
        return self.pick(choices)()

    # --- helpers and closures ----------------------------------------------
    def helper_body(self, params: dict[str, str], result_kind: str) -> str:
        """Expression over a helper's parameters (one a vector), drawn in the helper's scope."""
        saved = (self.kinds, self.owned, self.indices, self.shared)
        self.kinds, self.owned, self.indices, self.shared = dict(params), set(), [], []
        text = self.bounded(result_kind)
        for name in params:  # every parameter reaches the result
            if not re.search(r"(?<![\w.'])" + re.escape(name) + r"(?![\w\['])", text):
                text = _op(text, "+", _op("0.5", "*", self.using(name, result_kind)))
        self.kinds, self.owned, self.indices, self.shared = saved
        return text

    def helper_call(self) -> list[str]:
        self.features.add("helpers")
        k = len(self.helpers)
        form = self.pick(["net", "layer", "dict", "pair", "tuple_arg", "twice"])
        vs = self.names("v")
        x = self.pick(vs)
        out = self.fresh("h")
        if form in ("net", "twice"):
            wk = self.pick(["s", "v"])
            e = self.helper_body({"h": "v", "w": wk}, "v")
            loop = ("for w in ws:" if self.chance(0.7)
                    else "for j in range(len(ws)):\n        w = ws[j]")
            self.helpers.append(f"def net{k}(ws, h):\n    {loop}\n        h = np.tanh({e})\n"
                                f"    return h\n")
            items = ", ".join(self.leaf(wk)
                              for _ in range(int(self.rng.integers(1, 4))))
            if form == "net":
                return self.assign(out, "v", f"net{k}([{items}], {x})")
            ws = self.fresh("ws")
            if self.chance(0.4):  # a list made by a comprehension or by appends
                item = self.leaf(wk)
                self.owned -= _shared_names(item)
                made = self.pick([[f"{ws} = [{_op(item, '*', 'j + 1.0')} for j in range(3)]"],
                                  [f"{ws} = []", "for j in range(3):",
                                   f"    {ws}.append(np.tanh({_op(item, '-', 'j')}))"]])
                return made + self.assign(out, "v", f"net{k}({ws}, {x})")
            second = self.fresh("h")
            y = self.pick(vs)
            self.owned -= _shared_names(f"[{items}, {x}, {y}]")
            lines = [f"{ws} = [{items}]", f"{out} = net{k}({ws}, {x})",
                     f"{second} = net{k}({ws}, {y})"]
            self.kinds[out] = self.kinds[second] = "v"
            return lines
        if form == "layer":
            ms = self.names("m")
            if not ms:
                return self.helper_call()
            inner = self.helper_body({"W": "m", "b": "v", "h": "v"}, "v")
            unpack, arg = (("W, b = params[0]", "params"), ("W, b = p", "params[0]")
                           )[int(self.rng.integers(2))]
            name = "params" if unpack.endswith("params[0]") else "p"
            self.helpers.append(f"def layer{k}({name}, h):\n    {unpack}\n"
                                f"    return np.tanh(W @ h + b) + 0.1 * {inner}\n")
            params = self.fresh("params")
            pair = f"({self.pick(ms)}, {self.pick(vs)})"
            self.owned -= _shared_names(pair)
            return [f"{params} = [{pair}]",
                    *self.assign(out, "v", f"layer{k}({arg.replace('params', params)}, {x})")]
        if form == "dict":
            bk = self.pick(["s", "v"])
            e = self.helper_body({"p['w']": "v", "p['b']": bk, "h": "v"}, "v")
            self.helpers.append(f"def affine{k}(p, h):\n    return {e}\n")
            d = f"{{'w': {self.pick(vs)}, 'b': {self.pick(self.names(bk) or ['0.5'])}}}"
            self.owned -= _shared_names(d)
            if self.chance(0.5):
                p = self.fresh("p")
                return [f"{p} = {d}", *self.assign(out, "v", f"affine{k}({p}, {x})")]
            return self.assign(out, "v", f"affine{k}({d}, {x})")
        if form == "pair":
            kinds = {"u": self.pick(["s", "v"]), "v": "v"}
            e1 = self.helper_body(kinds, kinds["u"])
            e2 = self.helper_body(kinds, "v")
            self.helpers.append(f"def pair{k}(u, v):\n    return {e1}, {e2}\n")
            a = self.leaf(kinds["u"])
            o1 = self.fresh("g")
            self.kinds[o1] = kinds["u"]
            self.kinds[out] = "v"
            self.owned -= {o1, out} | _shared_names(f"({a}, {x})")
            return [f"{o1}, {out} = pair{k}({a}, {x})"]
        e = self.helper_body({"a": "v", "b": "v", "h": "v"}, "v")
        self.helpers.append(f"def mix{k}(t, h):\n    a, b = t\n    return {e}\n")
        return self.assign(out, "v", f"mix{k}(({self.pick(vs)}, {self.pick(vs)}), {x})")

    def closure(self) -> list[str]:
        self.features.add("closures")
        k = len(self.helpers)
        out = self.fresh("h")
        form = self.pick(["def", "lambda", "factory", "own_args"])
        saved = dict(self.kinds)
        self.kinds["v_arg"] = "v"
        body = self.using("v_arg", "v")
        if form == "own_args":
            body = f"np.sin(v_arg) * {self.const()}"
        self.kinds = saved
        if form == "factory":
            a = self.pick(self.names("s") or self.names("v"))
            self.helpers.append(f"def make_step{k}(a):\n"
                                f"    return lambda v: v - 0.05 * (v ** 2 - a)\n")
            step = self.fresh("step")
            target = self.fresh("z")
            start = self.pick(self.names("v"))
            self.kinds[target] = "v"
            self.owned -= {start, target}
            return [f"{step} = make_step{k}({a})", f"{target} = {start}",
                    "for _ in range(3):", f"    {target} = {step}({target})"]
        g = self.fresh("g")
        if form == "lambda":
            lines = [f"{g} = lambda v_arg: {body}"]
        else:
            lines = [f"def {g}(v_arg):", f"    return {body}"]
        x, y = self.pick(self.names("v")), self.pick(self.names("v"))
        return lines + self.assign(out, "v", f"{g}({x}) + {self.const()} * {g}({y})")


_BINDING = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.MatMult: 2, ast.Pow: 4}


def _binding(text: str) -> int:
    """How tightly the expression ``text`` binds: 5 for atoms, 0 for conditionals."""
    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.BinOp):
        return _BINDING[type(node.op)]
    if isinstance(node, ast.UnaryOp):
        return 3
    atomic = (ast.Name, ast.Call, ast.Subscript, ast.Attribute, ast.Constant)
    return 5 if isinstance(node, atomic) else 0


def _op(a: str, op: str, b: str) -> str:
    """``a op b`` with the parentheses it needs and no others."""
    level = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4}[op]
    left = a if _binding(a) >= level + (op == "**") else f"({a})"
    right = b if _binding(b) > level else f"({b})"
    return f"{left} {op} {right}"


def _neg(a: str) -> str:
    return f"-{a}" if _binding(a) >= 3 else f"-({a})"


def _is_view(text: str) -> bool:
    """Whether ``text`` may evaluate to an array another name also holds."""
    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.IfExp):
        return _is_view(ast.unparse(node.body)) or _is_view(ast.unparse(node.orelse))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return True  # the user's helpers and closures may return an argument as it is
    return isinstance(node, (ast.Name, ast.Subscript))


def _shared_names(text: str) -> set[str]:
    """Names whose arrays ``text`` may hand on: ``a``, ``a[1:]``, ``[a, b]``, ``f(a)``, ..."""
    node = ast.parse(text, mode="eval").body
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Subscript):
            stack.append(n.value)
        elif isinstance(n, ast.IfExp):
            stack += [n.body, n.orelse]
        elif isinstance(n, (ast.List, ast.Tuple)):
            stack += n.elts
        elif isinstance(n, ast.Dict):
            stack += n.values
        elif isinstance(n, ast.Call) and not isinstance(n.func, ast.Attribute):
            stack += n.args  # the user's helpers may return an argument as it is
    return out


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


_FORCED: dict[str, Callable[[_Builder], list[str]]] = {
    "shared": lambda b: b.shared_block(1),
    "branches": lambda b: b.branch(1) if b.chance(0.7) else b.ifexp(),
    "for_loop": lambda b: b.for_loop(1),
    "while_loop": lambda b: b.while_loop(1),
    "reassign": lambda b: b.reassign() + b.reassign(),
    "tuple_assign": lambda b: b.tuple_assign(),
    "indexing": lambda b: b.indexing(),
    "helpers": lambda b: b.helper_call(),
    "closures": lambda b: b.closure(),
}


# --- whole programs -----------------------------------------------------------

def _draw(rng: np.random.Generator, feature: str, n: int) -> tuple[_Builder, list[str], list[str],
                                                                   int]:
    """A builder, f's parameters, f's body lines and where the forced block starts."""
    b = _Builder(rng, n)
    params = ["x"]
    b.kinds["x"] = "v"
    for name, kind, p in (("y", "v", 0.6), ("M", "m", 0.35), ("c", "s", 0.4)):
        if b.chance(p):
            params.append(name)
            b.kinds[name] = kind
    b.owned = {name for name in params if b.kinds[name] == "s"}  # Python floats
    count = int(rng.integers(1, 4))
    forced_at = int(rng.integers(count + 1))
    body: list[str] = []
    start = 0
    for k in range(count + 1):
        if k == forced_at:
            start = len(body)
            body += _FORCED[feature](b)
        else:
            body += b.block(1)
    body.append(b.result())
    return b, params, body, start


def _render(b: _Builder, params: list[str], body: list[str], probe: bool) -> str:
    text = "\n\n".join(["import numpy as np\n", *b.helpers,
                        f"def f({', '.join(params)}):\n" + "\n".join(_indent(body)) + "\n"])
    return _MARKER.sub(lambda m: b.conditions[int(m.group(1))].render(int(m.group(1)), probe),
                       text)


def _arguments(rng: np.random.Generator, params: list[str], n: int) -> tuple:
    kinds = {"x": "v", "y": "v", "M": "m", "c": "s"}
    out = []
    for name in params:
        kind = kinds[name]
        if kind == "s":
            out.append(float(rng.uniform(-1.5, 1.5)))
        elif kind == "v":
            out.append(rng.uniform(-1.5, 1.5, n))
        else:
            out.append(rng.uniform(-1.0, 1.0, (n, n)))
    return tuple(out)


def _load(source: str, **extra) -> Callable:
    namespace = {"__name__": "generated", **extra}
    exec(compile(source, "<generated program>", "exec"), namespace)
    return namespace["f"]


def _copy(args: tuple) -> tuple:
    return tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)


def _shifted(args: tuple, k: int, index: tuple, delta: float) -> tuple:
    out = list(_copy(args))
    if isinstance(out[k], np.ndarray):
        out[k][index] += delta
    else:
        out[k] = out[k] + delta
    return tuple(out)


def finite_differences(f: Callable, args: tuple, wrt: tuple, points: int = 5,
                       step: float = 1e-3) -> tuple:
    """Central differences of f at args, one gradient per position in wrt (Python floats stay)."""
    grads = []
    for k in wrt:
        value = np.asarray(args[k], dtype=np.float64)
        g = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            h = step * max(1.0, abs(float(value[index])))
            at = [float(f(*_shifted(args, k, index, d * h))) for d in (2, 1, -1, -2)]
            if points == 5:
                g[index] = (-at[0] + 8 * at[1] - 8 * at[2] + at[3]) / (12 * h)
            else:
                g[index] = (at[1] - at[2]) / (2 * h)
        grads.append(g if isinstance(args[k], np.ndarray) else float(g))
    return tuple(grads)


def tolerance(expected) -> np.ndarray:
    """What a gradient may differ by from the 5-point differences, entry by entry."""
    e = np.abs(np.asarray(expected, dtype=np.float64))
    return 1e-7 * max(1.0, float(np.max(e, initial=0.0))) + 1e-6 * e


def _validate(b: _Builder, source: str, probe_source: str, args: tuple) -> Optional[tuple]:
    """(f(*args), expected gradient), or None if the program is unsafe to compare at args."""
    margins: list[float] = []

    def _probe(number, lhs, threshold):
        margins.append(float(np.min(np.abs(np.asarray(lhs, dtype=np.float64) - threshold))))
        return lhs

    probed, f = _load(probe_source, _probe=_probe), _load(source)
    before = _copy(args)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            value = probed(*args)
            wrt = tuple(range(len(args)))
            expected = finite_differences(f, args, wrt)
            coarse = finite_differences(f, args, wrt, points=3, step=1e-6)
    except FloatingPointError:
        return None
    for a, c in zip(args, before):
        if not np.array_equal(a, c):
            raise AssertionError(f"generated program modified its argument\n{source}")
    if not np.isfinite(value) or abs(value) > 1e4 or (margins and min(margins) < MARGIN):
        return None
    for e, c in zip(expected, coarse):
        if not np.all(np.isfinite(e)) or np.any(np.abs(np.subtract(e, c)) > tolerance(e) / 4):
            return None
    return float(value), expected


def generate(seed: int, feature: str, *, move: Optional[str] = None) -> Program:
    """The program of ``seed``, with ``feature`` forced in.

    ``move="body"`` or ``"loop"``: the forced block is a for loop, and the program
    also comes with a copy whose loop body (or whole loop) is a module-level helper.
    """
    rng = np.random.default_rng(seed)
    for _ in range(500):
        n = int(rng.integers(2, 5))
        try:
            b, params, body, start = _draw(rng, feature, n)
            moved = _moved(b, params, body, start, move) if move else None
        except _Redraw:
            continue
        if move and moved is None:
            continue
        source, probe = _render(b, params, body, False), _render(b, params, body, True)
        for _ in range(3):
            args = _arguments(rng, params, n)
            checked = _validate(b, source, probe, args)
            if checked is not None:
                value, expected = checked
                return Program(seed, feature, frozenset(b.features | {feature}), source, args,
                               tuple(range(len(args))), expected, value, moved)
    raise RuntimeError(f"no valid program for seed {seed} ({feature}) in 500 draws")


def _names(nodes, ctx) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _moved(b: _Builder, params: list[str], body: list[str], start: int,
           move: str) -> Optional[str]:
    """The program with the for loop at body[start:] (body or whole loop) in a helper."""
    plain = _render(b, params, body, False)
    tree = ast.parse(plain)
    f = tree.body[-1]
    first = next(i for i, line in enumerate(body[start:]) if line.startswith("for "))
    lineno = plain.splitlines().index("def f(" + ", ".join(params) + "):") + 2 + start + first
    index = next(k for k, s in enumerate(f.body) if s.lineno == lineno)
    loop = f.body[index]
    if (not isinstance(loop, ast.For) or loop.orelse
            or any(isinstance(n, ast.Return) for n in ast.walk(loop))):
        return None
    before = set(params) | _names(f.body[:index], ast.Store)
    lines = plain.splitlines()
    loop_lines = lines[loop.lineno - 1:loop.end_lineno]
    if move == "body":
        if any(isinstance(n, (ast.Break, ast.Continue)) for s in loop.body for n in ast.walk(s)):
            return None
        targets = sorted(_names([loop.target], ast.Store))
        stores, loads = _names(loop.body, ast.Store), _names(loop.body, ast.Load)
        returned = sorted(stores & before - set(targets))
        args = targets + sorted((loads | stores) & before - set(targets))
        helper_body = [line[4:] for line in loop_lines[1:]]
        head = [loop_lines[0]]
        call_indent = "        "
        name = "body0"
    else:
        stores, loads = _names([loop], ast.Store), _names([loop], ast.Load)
        returned = sorted(stores & before)
        args = sorted((loads | stores) & before)
        helper_body = loop_lines
        head = []
        call_indent = "    "
        name = "loop0"
    if not returned:
        return None
    helper = (f"def {name}({', '.join(args)}):\n" + "\n".join(helper_body)
              + f"\n    return {', '.join(returned)}\n\n\n")
    call = f"{call_indent}{', '.join(returned)} = {name}({', '.join(args)})"
    rest = lines[:loop.lineno - 1] + head + [call] + lines[loop.end_lineno:]
    at = rest.index("def f(" + ", ".join(params) + "):")
    return "\n".join(rest[:at] + helper.splitlines() + rest[at:]) + "\n"
