"""Read a gradient's helper calls again as recomputation, so forward mode can follow them.

`grad` runs a helper once: ``h, back = dcell(W, h)`` gives its value and a backward
closure, called later as ``back(dh)``. Forward mode cannot follow a closure made
from differentiated values, so in a generated gradient read again (`hessian`,
`hvp`, `jvp` of a gradient) each such call becomes

    back = (W, h)            # the helper's arguments, kept as a value
    h = cell(W, h)           # the helper itself (its forward-mode derivative follows)
    ...
    dparts = dcell_then_back(dh, back[0], back[1])

where ``dcell_then_back`` is the helper's derivative with its backward function's
body written after its own, returning what that returns: plain code, which forward
mode reads like any gradient (helpers returning tuples alike). The helper then
runs once more, in that code: only helpers whose code cannot behave differently
the second time are read this way (no random draws, no changes to their arguments or globals, no
``global``; helpers they call alike); for the others the call stays as it was, and
forward mode refuses it, saying why.
"""

from __future__ import annotations

import builtins
import copy
import functools
import inspect
import operator
import types
from typing import Any, Optional

import gast

from ... import errors
from ...rules import runtime
from .. import mutation, source
from ..function_cache import FunctionCache
from ..ir import Transformer, base_name, walk
from ..naming import Namer

__all__ = ["helpers_recomputed"]

# Methods that change the object they are called on (or its flags).
_MUTATING = mutation.MUTATING_METHODS | mutation.SET_CHANGING_METHODS | {"setflags"}
# Methods of arrays, lists and dicts that only read.
_READING = frozenset({
    "sum", "mean", "max", "min", "prod", "std", "var", "dot", "reshape", "transpose",
    "copy", "astype", "ravel", "flatten", "squeeze", "clip", "round", "cumsum", "cumprod",
    "argmax", "argmin", "any", "all", "item", "tolist", "conj", "conjugate", "trace",
    "diagonal", "nonzero", "keys", "values", "items", "get", "count", "index", "repeat",
    "take", "swapaxes", "view", "argsort", "searchsorted", "ptp", "real", "imag",
    # a string's (k.startswith('W'), name.format(i))
    "startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip", "lower",
    "upper", "format", "join", "replace", "find", "rfind", "isdigit"})
# Methods of the lists a gradient keeps (its stacks, the user's lists).
_LIST_METHODS = frozenset({"append", "pop", "extend", "insert"})
# Builtins whose result depends on more than their arguments' values, or that act.
_IMPURE_BUILTINS = frozenset({
    "input", "open", "exec", "eval", "compile", "setattr", "delattr", "globals", "locals",
    "vars", "next", "iter", "id", "hash", "__import__", "breakpoint", "exit", "quit"})


def helpers_recomputed(parsed: source.ParsedFunction, namer: Namer) -> None:
    """Rewrite, in place, the helper calls of a generated gradient (see the module)."""
    calls: dict[str, Any] = {}
    _find(parsed.node.body, parsed, calls)
    usable = {back: entry for back, entry in calls.items() if entry is not None}
    if usable:
        _no_state_changed_before_backward(parsed, usable, set(calls))
        _rewrite(parsed.node.body, usable, namer)


def _no_state_changed_before_backward(parsed: source.ParsedFunction, usable: dict,
                                      backs: set) -> None:
    """Refuse where a helper run again reads state (``K[0]``, ``self.scale``) that code
    the gradient calls may change between the helper's call and its backward (``setk(3.0)``
    in between): run again at the backward, it would read the new value, which grad's own
    backward, reading it once, did not. Reads and changes are matched by what they reach
    (a module's name, an object), and an attribute of an argument by any change of an
    object's attributes."""
    reads: dict = {}
    for entry in usable.values():
        for key, what in _state_reads(entry[0], set()):
            reads.setdefault(key, (entry[0], what))
    if not reads:
        return
    # (``backs``: every helper's backward function, grad's own code, which changes no
    # state of yours: those read again and those that stay calls alike)
    for node, call, keys in _state_changes(parsed, backs | set(usable)):
        hit = next((key for key in reads if _reaches(keys, key)), None)
        if hit is None:
            continue
        helper, what = reads[hit]
        error = parsed.error(node, f"forward mode over grad runs {helper.__name__}() again "
                                   f"where its backward runs, and it reads {what}, which "
                                   f"{call} may change before then: pass it to the helper "
                                   "as an argument", errors.NoRuleError)
        error.conclusive = True  # (reverse over reverse cannot follow the helper either)
        raise error


#: An array's attributes (``u.shape``, ``u.T``): what it holds, not an object's state.
_ARRAY_VIEWS = mutation.INACTIVE_ATTRIBUTES | {"T", "mT", "real", "imag", "flat"}
#: A change that may reach anything (a method of an object known only as it runs).
_ANY = frozenset({"any"})
_ATTRIBUTES = ("attributes",)  # what a read of an argument's attribute is keyed by
_WRITTEN = "attribute written"  # (_WRITTEN, name): obj.name = ... changes that attribute
_READ = "attribute read"  # (_READ, name, cls): a method of cls reads self.name


def _reaches(keys: Any, read: tuple) -> bool:
    """Whether a change reaching ``keys`` may change what the read keyed ``read``
    reads. ``self.ncalls += 1`` changes no ``self.k`` a method reads (GP 01, GW 01),
    unless its class sets attributes its own way (``__setattr__``, a property)."""
    if keys is _ANY or read in keys:
        return True
    if read[0] == _READ:
        return _ATTRIBUTES in keys or any(
            key[0] == _WRITTEN and (key[1] == read[1] or _sets_others(read[2], key[1]))
            for key in keys)
    return read == _ATTRIBUTES and any(key[0] == _WRITTEN for key in keys)


def _sets_others(cls: type, name: str) -> bool:
    """Whether setting ``name`` on an instance of ``cls`` (or of a subclass) may change
    other attributes: its class defines ``__setattr__``, or ``name`` is a descriptor
    that sets (a property)."""
    pending, seen = [cls], set()
    while pending:
        kind = pending.pop()
        if kind in seen:
            continue
        seen.add(kind)
        if getattr(kind, "__setattr__", object.__setattr__) is not object.__setattr__ or \
                any(name in vars(c) and hasattr(vars(c)[name], "__set__")
                    for c in kind.__mro__):
            return True
        pending += type.__subclasses__(kind)
    return False


def _class_of_method(fn: Any) -> Optional[type]:
    """The class a function is defined in (``FF.bond``: ``FF``), found from its
    module by its qualified name; None for a function of a function's or not found."""
    parts = getattr(fn, "__qualname__", "").split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    found: Any = getattr(fn, "__globals__", {}).get(parts[0])
    for part in parts[1:-1]:
        found = getattr(found, part, None)
    return found if isinstance(found, type) and \
        inspect.getattr_static(found, parts[-1], None) is fn else None


#: Modules whose data (``np.pi``, ``math.e``) is theirs, not state a program changes.
_LIBRARIES = frozenset({"numpy", "math", "cmath", "scipy"})


def _global_key(namespace: dict, name: str) -> tuple:
    return ("global", id(namespace), name)


def _state_reads(fn: Any, seen: set) -> list:
    """``(key, text)`` for each global holding data, attribute of a module of the
    user's, or attribute of an argument that ``fn`` (or a helper it calls) reads."""
    if fn in seen:
        return []
    seen.add(fn)
    try:
        parsed = source.parse_function(fn)
    except Exception:  # noqa: BLE001 - unsafe_to_repeat refuses what has no source
        return []
    called = {id(n.func) for n in walk(parsed.node) if isinstance(n, gast.Call)}
    cls = _class_of_method(fn) if parsed.params else None
    found: list = []
    for node in walk(parsed.node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and \
                node.id not in parsed.locals:
            value = parsed.resolve(node)
            if isinstance(value, types.FunctionType):
                found += _state_reads(value, seen)
            elif _is_data(value):
                found += [(_global_key(fn.__globals__, node.id), node.id),
                          (("object", id(value)), node.id)]
        elif isinstance(node, gast.Attribute) and id(node) not in called:
            root = base_name(node)
            if root in parsed.params and node.attr not in _ARRAY_VIEWS:
                found.append(((_READ, node.attr, cls) if cls is not None and
                               root == parsed.params[0] else _ATTRIBUTES,
                               gast.unparse(node).strip()))
            elif root is not None and root not in parsed.locals and \
                    isinstance(node.value, gast.Name):
                module = parsed.resolve(node.value)
                if isinstance(module, types.ModuleType) and \
                        module.__name__.partition(".")[0] not in _LIBRARIES and \
                        _is_data(getattr(module, node.attr, None)):
                    found.append((_global_key(vars(module), node.attr),
                                  gast.unparse(node).strip()))
                elif _is_data(module) or hasattr(module, "__dict__") and \
                        not isinstance(module, (type, types.ModuleType)):
                    found.append((("object", id(module)), gast.unparse(node).strip()))
    return found


def _is_data(value: Any) -> bool:
    return value is not source.UNRESOLVED and value is not None and not callable(value) \
        and not isinstance(value, (types.ModuleType, str, bytes, bool, type))


def _state_changes(parsed: source.ParsedFunction, backs: set, seen: Optional[set] = None
                   ) -> list:
    """``(node, description, keys)`` for each thing in a generated gradient that may
    change state: the keys of what it may reach (`_state_reads`' keys), or ``_ANY``."""
    seen = set() if seen is None else seen
    changes: list = []

    def outside(expr: Any) -> Any:
        root = base_name(expr)
        if root is None or root in parsed.locals:
            return None
        return parsed.resolve(gast.Name(id=root, ctx=gast.Load(), annotation=None,
                                        type_comment=None))

    for node in walk(parsed.node):
        if isinstance(node, gast.Global):
            changes.append((node, "a global statement", _ANY))
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            for target in getattr(node, "targets", None) or [node.target]:
                if not isinstance(target, (gast.Subscript, gast.Attribute)):
                    continue
                root = base_name(target)
                if root is None:  # vars(S)['k'] = v: what it reaches is not known
                    changes.append((node, f"{gast.unparse(target).strip()} = ...", _ANY))
                    continue
                if root in parsed.locals and root not in parsed.params:
                    continue
                obj = outside(target)
                keys = {("object", id(obj))} if obj is not None else set()
                if isinstance(target, gast.Attribute):
                    keys.add((_WRITTEN, target.attr))
                    if isinstance(obj, types.ModuleType):
                        keys.add(_global_key(vars(obj), target.attr))
                changes.append((node, f"{gast.unparse(target).strip()} = ...", keys))
        if not isinstance(node, gast.Call):
            continue
        func = node.func
        text = f"{gast.unparse(func).strip()}()"
        if isinstance(func, gast.Name) and func.id in backs:
            continue
        if isinstance(func, gast.Attribute):
            root = base_name(func.value)
            if root is not None and root in parsed.locals and func.attr in _LIST_METHODS \
                    or func.attr in _READING:
                continue  # a list's or array's own (stack.append(v))
            obj = outside(func.value)
            if func.attr in _MUTATING and obj is not None and \
                    not isinstance(obj, types.ModuleType):
                keys = {("object", id(obj))}  # D.update(k=2.0)
                if isinstance(func.value, (gast.Attribute, gast.Subscript)):
                    keys.add(_ATTRIBUTES)  # S.cfg.update(k=3.0): what S's attributes hold
                changes.append((node, text, keys))
                continue
        target = parsed.resolve(func)
        if target in (setattr, delattr) and node.args:  # setattr(PS, "k", 2.0)
            obj = outside(node.args[0])
            keys = {_ATTRIBUTES} | ({("object", id(obj))} if obj is not None else set())
            changes.append((node, text, keys))
            continue
        if _origin(target) is not None:
            continue  # a helper derivative grad made: run as the helper is
        if isinstance(target, types.MethodType):
            owner = target.__self__  # OPT.decay() (or DECAY = OPT.decay) setting OPT.lr
            if not isinstance(owner, (type, types.ModuleType)) and \
                    _changes_its_object(target.__func__):
                changes.append((node, text, {("object", id(owner)), _ATTRIBUTES}))
            target = target.__func__
        from ...api import without_copied_marks  # (the api imports the transformation)
        origin = getattr(without_copied_marks(target), "__autograd_src_origin__", None)
        if origin is not None:  # a derivative grad made (dloss = grad(loss)): its function's
            target = origin.function()
        if _generated(target):  # a derivative's code: what it calls
            if target in seen:
                continue
            seen.add(target)
            inner = source.parse_function(target)
            changes += [(node, inner_text, keys) for _, inner_text, keys in
                        _state_changes(inner, _backward_functions(inner), seen)]
            continue
        if isinstance(target, types.FunctionType):
            module = getattr(target, "__module__", None) or ""
            if module.startswith(("numpy", "scipy", "math", "autograd_src")):
                continue
            keys = set()
            for written, _ in mutation.state_written_by(target):
                keys.add(_global_key(written[1], written[2]) if isinstance(written, tuple)
                         and written and written[0] == "global" else ("object", id(written)))
            if mutation.helper_writes_into(target):
                keys.add(_ATTRIBUTES)  # an object it is given
            if unsafe_to_repeat(target, set()) is not None and not keys:
                keys = set(_ANY)  # what it changes is not known
            if keys:
                changes.append((node, text, keys))
            continue
        if isinstance(target, (source.InstanceOf, source.MethodOf)) or \
                target is source.UNRESOLVED and isinstance(func, gast.Attribute) or \
                target is source.UNRESOLVED and isinstance(func, gast.Name) and \
                func.id not in parsed.locals:
            changes.append((node, text, _ANY))
        elif target is source.UNRESOLVED and isinstance(func, gast.Name):
            changes.append((node, text, _ANY))  # a function held in a local: not known
    return changes


def _changes_its_object(method: Any) -> bool:
    """Whether a method may change the object it is bound to: it assigns (or updates)
    an attribute or item of its first parameter, or calls a method of it (which may);
    True where its source cannot be read."""
    module = getattr(method, "__module__", None) or ""
    if module.partition(".")[0] in _LIBRARIES or module.startswith("autograd_src"):
        return False
    try:
        parsed = source.parse_function(method)
    except Exception:  # noqa: BLE001 - not known: it may
        return True
    if not parsed.params:
        return False
    this = parsed.params[0]
    for node in walk(parsed.node):
        if isinstance(node, (gast.Attribute, gast.Subscript)) and \
                isinstance(node.ctx, (gast.Store, gast.Del)) and base_name(node) == this:
            return True
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                base_name(node.func.value) == this:
            return True  # self.hist.append(v), self.step(): may change it
        if isinstance(node, gast.Call) and any(isinstance(a, gast.Name) and a.id == this
                                               for a in node.args):
            return True  # setattr(self, ...), helper(self)
    return False


def _backward_functions(parsed: source.ParsedFunction) -> set:
    """The names a derivative's code binds to its helpers' backward functions (``h,
    back = dcell(W, h)``): grad's own code, which changes no state of yours."""
    return {found[1] for stmt in walk(parsed.node) if (found := _helper_call(stmt))}


def _generated(fn: Any) -> bool:
    code = getattr(fn, "__code__", None)
    return isinstance(fn, types.FunctionType) and code is not None and \
        code.co_filename.startswith("<autograd_src ")  # (a derivative; not a composition)


def _name(id_: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def _helper_call(stmt: Any) -> Optional[tuple[str, str, gast.Call]]:
    """``(value, back, call)`` of ``value, back = derivative(args...)``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Tuple) and len(stmt.targets[0].elts) == 2 and \
            all(isinstance(e, gast.Name) for e in stmt.targets[0].elts) and \
            isinstance(stmt.value, gast.Call) and isinstance(stmt.value.func, gast.Name) and \
            not any(isinstance(a, gast.Starred) for a in stmt.value.args):
        value, back = (e.id for e in stmt.targets[0].elts)
        return value, back, stmt.value
    return None


def _blocks(stmt: Any) -> list:
    return [getattr(stmt, f) for f in ("body", "orelse", "finalbody")
            if isinstance(getattr(stmt, f, None), list)]


def _find(stmts: list, parsed: source.ParsedFunction, calls: dict) -> None:
    for stmt in stmts:
        found = _helper_call(stmt)
        if found is not None:
            _, back, call = found
            try:
                entry = _recomputation(parsed.resolve(call.func), len(call.args))
            except _Unsafe as exc:
                raise parsed.error(call, f"grad runs the helper once and keeps a backward "
                                         f"function; forward mode over it runs the helper "
                                         f"again, and cannot here: {exc}",
                                   errors.NoRuleError) from None
            keywords = tuple(k.arg for k in call.keywords)
            # Constant arguments (axis=1) are passed as themselves, not read back from the
            # saved tuple, whose items forward mode takes for differentiated values.
            # (a helper writing into its arguments runs again on copies of them: saved)
            entry = entry + (len(call.args), keywords, _argument_kinds(
                call, parsed, not mutation.helper_writes_into(entry[0]))) \
                if entry and entry[1] is not None else None
            if back in calls and (entry is None or calls[back] is None
                                  or calls[back][1:] != entry[1:]):
                calls[back] = None  # two helpers behind one name: left as it is
            else:
                calls[back] = entry
        for block in _blocks(stmt):
            _find(block, parsed, calls)


def _recomputation(derivative: Any, n_args: int) -> Optional[tuple]:
    """``(helper, its derivative flattened)`` for a helper derivative grad made, where
    the helper can safely run again; else None."""
    origin = _origin(derivative)
    if origin is None:
        return None
    helper, _, bindings = origin
    reason = unsafe_to_repeat(helper, set(), bindings)
    if reason is not None:
        raise _Unsafe(reason)
    made = _recursive_reference(derivative)
    return helper, _flattened(made[2] if made is not None else derivative, bindings)


def _argument_kinds(call: gast.Call, parsed: source.ParsedFunction,
                    by_name: bool = True) -> tuple:
    """For each argument of a helper derivative's call, positional then keywords:
    ``("literal", value)`` for a constant (axis=1), passed as itself; ``("name", id)``
    for a function or class named from outside (``act=relu``), passed by its name, so
    that forward mode knows what the helper calls; ``("expression", text)`` for a
    module's constant (``np.inf``) or an item of a name holding one value (``p[1]``),
    read again as the backward runs; else ``("saved", None)``, read back
    from the saved tuple. An argument the helper's derivative does not differentiate
    (an object, data) is saved too: forward mode's tangent may run along it (the mixed
    derivative of grad(f, wrt=0) along b). With ``by_name``, a name holding one value
    throughout is passed by its name (`_bound_once`)."""
    fixed = _bound_once(parsed) if by_name else frozenset()

    def kind(value: Any) -> tuple:
        if isinstance(value, gast.Constant):
            return ("literal", value.value)
        if isinstance(value, gast.Name) and value.id in fixed:
            return ("name", value.id)  # (its own tangent, not that of a saved tuple's item)
        if isinstance(value, gast.Name) and value.id not in parsed.locals:
            found = parsed.resolve(value)
            if found is not source.UNRESOLVED and callable(found):
                return ("name", value.id)
        if isinstance(value, (gast.Attribute, gast.Subscript)) and _fixed_read(value):
            return ("expression", gast.unparse(value).strip())  # (np.inf, p[1], cfg.tau)
        return ("saved", None)

    def _fixed_read(value: Any) -> bool:
        # what it reads when the backward runs is what the helper was given
        if isinstance(value, gast.Attribute):  # np.inf, math.pi: a module's
            base = value
            while isinstance(base, gast.Attribute):
                base = base.value
            return isinstance(base, gast.Name) and base.id not in parsed.locals and \
                isinstance(parsed.resolve(base), types.ModuleType)
        # p[1], w[k, -1]: an item, by constants or names holding one value, of a name
        # holding one value (never written into, itself or through another name)
        return isinstance(value.value, gast.Name) and value.value.id in fixed and all(
            isinstance(n, (gast.Constant, gast.Tuple, gast.UnaryOp, gast.USub, gast.Load))
            or (isinstance(n, gast.Name) and n.id in fixed) for n in walk(value.slice))
    return tuple(kind(value) for value in list(call.args) + [k.value for k in call.keywords])


def _bound_once(parsed: source.ParsedFunction) -> frozenset:
    """The names of the gradient ``parsed`` that hold one value wherever they are read:
    bound once, outside any loop (a parameter, ``mask = np.tril(...)`` before the loop),
    never written into in place, itself or through another name. A helper's backward
    reads such an argument by its name (``mask`` in a loop's backward is the mask the
    helper was given), which forward mode knows as it is: a constant stays one, not an
    item of a saved tuple whose other items carry tangents (np.where's condition)."""
    from ..normalize import _written_in_place, own_lists_changed_only, written_through
    bindings: dict = {}
    looped: set = set()

    def visit(node: Any, in_loop: bool) -> None:
        for child in gast.iter_child_nodes(node):
            if isinstance(child, gast.Name) and \
                    isinstance(child.ctx, (gast.Store, gast.Del, gast.Param)):
                bindings[child.id] = bindings.get(child.id, 0) + 1
                if in_loop:
                    looped.add(child.id)
            visit(child, in_loop or isinstance(child, (gast.For, gast.While,
                                                        gast.comprehension)))

    visit(parsed.node, False)
    written = _written_in_place(parsed.node.body)
    # (through an alias; not through the gradient's stacks, whose appends and pops change
    # the list alone: a parameter saved in a tuple on a stack is not written)
    written |= written_through(
        parsed.node, written - own_lists_changed_only(parsed.node.body, written),
        _helper_values_fresh(parsed))
    return frozenset(name for name, count in bindings.items()
                     if count == 1 and name not in looped and name not in written)


def _helper_values_fresh(parsed: source.ParsedFunction) -> Any:
    """``parsed.resolve``, but a helper derivative whose helper returns new values
    (`mutation.returns_fresh`) resolves to a function known to: in ``h, back =
    dcell(W, h)`` neither ``h`` nor ``back`` (a closure, only ever called, its result a
    gradient) then holds the arrays ``W`` and ``h`` it was given."""
    def resolve(name: Any) -> Any:
        found = parsed.resolve(name)
        origin = _origin(found)
        if origin is not None and mutation.returns_fresh(origin[0]):
            return runtime.copied
        return found
    return resolve


class _Unsafe(Exception):
    """A helper that might not do the same when run again (the reason)."""


_FLAT = FunctionCache("flattened")  # derivative -> its one-function form


def _flattened(derivative: Any, bindings: Optional[dict] = None) -> Any:
    """The helper derivative ``def dh(W, h): ...; def backward(dout): ...; return out,
    backward`` as one function ``def dh_then_back(dout, W, h)``: its body, then the
    backward function's (its ``nonlocal`` statements dropped: the names are the same
    ones now), returning what the backward function returns. A closure reads the
    values its function's body left; so does the code after it. ``bindings``, what
    the derivative was specialised to (``self``, ``act``), are kept on it for forward
    mode, which makes its derivative for them too."""
    if derivative in _FLAT:
        return _FLAT[derivative]
    from .. import codegen, loader
    node = copy.deepcopy(source.parse_function(derivative).node)
    body = node.body
    last = body[-1] if body else None
    made = None
    if isinstance(last, gast.Return) and isinstance(last.value, gast.Tuple) and \
            len(last.value.elts) == 2 and isinstance(last.value.elts[1], gast.Name):
        back = last.value.elts[1].id
        defs = [k for k, stmt in enumerate(body)
                if isinstance(stmt, gast.FunctionDef) and stmt.name == back]
        args = body[defs[0]].args if len(defs) == 1 else None
        if args is not None and len(args.args) == 1 and not (
                args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg):
            seed = args.args[0]
            before = [stmt for k, stmt in enumerate(body[:-1]) if k != defs[0]]
            params = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            used = {n.id for stmt in before for n in walk(stmt)
                    if isinstance(n, gast.Name)} | {a.id for a in params}
            if seed.id not in used:
                node.body = before + [stmt for stmt in body[defs[0]].body
                                      if not isinstance(stmt, gast.Nonlocal)]
                # first, where the call passes it: before positional-only parameters too
                first = node.args.posonlyargs if node.args.posonlyargs else node.args.args
                first.insert(0, seed)
                node.name = f"{node.name}_then_back"
                node.decorator_list = []
                made = loader.load(codegen.to_source(node), node.name, derivative, {},
                                   derivative.__code__.co_filename.strip("<>"))
                made.__autograd_src_bindings__ = {
                    k: v for k, v in (bindings or {}).items() if k.isidentifier()}
    _FLAT[derivative] = made
    return made


def _origin(derivative: Any) -> Optional[tuple]:
    """``(helper, positions, bindings)`` of a helper derivative grad made: the helper,
    the positions it was made for, and what it was specialised to (``act=np.tanh``,
    ``self``); None for anything else."""
    if not isinstance(derivative, types.FunctionType):
        return None
    made = _recursive_reference(derivative)
    if made is not None:  # a recursive helper's call of itself: the derivative it calls
        helper, key, _ = made
        return (helper, list(key[1]), {}) if not key[2] else None
    from ..pipeline import HELPER_ORIGINS
    origin = HELPER_ORIGINS.get(derivative)
    # (a derivative's derivative, a third order: left as it is, refused in user terms)
    return origin if origin is not None and not _generated(origin[0]) else None


def _recursive_reference(derivative: Any) -> Optional[tuple]:
    """``(helper, key, the derivative)`` where ``derivative`` is the stand-in a
    recursive helper's derivative calls itself through (made while it was being
    generated, calling the cache entry ``key`` of ``helper`` once made); else None."""
    if not derivative.__qualname__.endswith("<locals>.recursive") or \
            derivative.__module__ != "autograd_src.transform.pipeline":
        return None
    cells = dict(zip(derivative.__code__.co_freevars, derivative.__closure__ or ()))
    try:
        per_fn, key = cells["per_fn"].cell_contents, cells["key"].cell_contents
    except (KeyError, ValueError):
        return None
    entry = per_fn.get(key) if isinstance(per_fn, dict) else None
    if not isinstance(entry, tuple) or not isinstance(key, tuple) or not key or \
            key[0] != "helper":
        return None
    from ..pipeline import owner_of
    helper = owner_of(per_fn)
    return (helper, key, entry[0]) if helper is not None else None


def unsafe_to_repeat(fn: Any, seen: set, bindings: Optional[dict] = None) -> Optional[str]:
    """Why running ``fn`` again with the same arguments might not do the same, or None
    where it surely does: its calls resolve to NumPy (not numpy.random), math, pure
    builtins, or functions that are themselves safe; no global/nonlocal, and nothing
    changed in place but the values it made. ``bindings``: what its parameters are
    known to hold where it was specialised (``act=np.tanh``, ``self``)."""
    key = (fn, tuple(sorted((k, id(v)) for k, v in (bindings or {}).items())))
    if key in seen:
        return None
    seen.add(key)
    name = getattr(fn, "__qualname__", "the helper")
    try:
        parsed = source.parse_function(fn)
    except Exception:  # noqa: BLE001 - no source: not known to be safe
        return f"the source of {name} cannot be read"
    parsed.bound = {k: v for k, v in (bindings or {}).items() if k in parsed.params}
    parsed.bound.update({p: v for p, v in source.default_values(fn).items()
                         if p not in parsed.bound and callable(v) and not isinstance(v, type)})
    params = set(parsed.params)
    made: set = set()  # names assigned inside (values of its own, unless aliases)
    local_defs: list = []
    for node in walk(parsed.node):
        if isinstance(node, (gast.Global, gast.Nonlocal, gast.Yield, gast.YieldFrom,
                             gast.Await)):
            return f"{name} uses {type(node).__name__.lower()}"
        if isinstance(node, gast.Lambda):
            # (a key for min(p._fields, key=lambda n: ...): its body is checked with
            # the rest, its parameters its own)
            args = node.args
            params |= {a.id for a in args.posonlyargs + args.args + args.kwonlyargs +
                       [args.vararg, args.kwarg] if isinstance(a, gast.Name)}
        if isinstance(node, (gast.AsyncFunctionDef, gast.ClassDef)) or \
                isinstance(node, gast.FunctionDef) and node is not parsed.node and \
                node.decorator_list:
            return f"{name} defines {node.name}, which it would define again"
        if isinstance(node, gast.FunctionDef) and node is not parsed.node:
            # (a plain def inside, its body checked here with the rest: its parameters
            # may hold what the helper was given, written into by no one)
            local_defs.append(node.name)
            args = node.args
            params |= {a.id for a in args.posonlyargs + args.args + args.kwonlyargs +
                       [args.vararg, args.kwarg] if isinstance(a, gast.Name)}
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            made.add(node.id)
    # a name of a def inside, bound nowhere else: calling it runs the body checked here
    defined = {d for d in local_defs if local_defs.count(d) == 1 and d not in made and
               d not in params}
    copied = _parameters_copied(parsed, params & made)
    parsed.seeded_generators = _seeded_generators(parsed, params)
    # a name bound once, to a lambda (rhs = lambda z: -k * np.sin(z)): its body is
    # checked with the rest, as a def's
    lambdas = [t.id for node in walk(parsed.node) if isinstance(node, gast.Assign) and
               isinstance(node.value, gast.Lambda) for t in node.targets
               if isinstance(t, gast.Name)]
    stored = [node.id for node in walk(parsed.node)
              if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store)]
    defined |= {n for n in lambdas if stored.count(n) == 1 and n not in params and
                n not in local_defs}
    for node in walk(parsed.node):
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Delete)):
            targets = node.targets if isinstance(node, (gast.Assign, gast.Delete)) \
                else [node.target]
            for target in targets:
                if isinstance(target, (gast.Subscript, gast.Attribute)):
                    base = base_name(target)
                    # (into a copy made inside: its own entries, C[i] = v, not those of
                    # an item a shallow copy shares with the caller's, C[i][j] = v)
                    if base is None or base not in made or base in params and not (
                            base in copied and isinstance(target, gast.Subscript) and
                            isinstance(target.value, gast.Name)):
                        return f"{name} changes {base or 'a value'} in place"
        if isinstance(node, gast.Call):
            if isinstance(node.func, gast.Name) and node.func.id in defined:
                continue
            reason = _unsafe_call(node, parsed, params, made, seen)
            if reason is not None:
                return f"{name} {reason}"
    return None


#: Methods of NumPy's generators that draw numbers (and advance the generator).
_DRAWS = frozenset({
    "normal", "standard_normal", "uniform", "random", "integers", "choice", "permutation",
    "exponential", "standard_exponential", "gamma", "standard_gamma", "beta", "binomial",
    "poisson", "lognormal", "multivariate_normal", "dirichlet", "laplace", "logistic",
    "gumbel", "chisquare", "standard_t", "standard_cauchy", "weibull", "rand", "randn",
    "randint", "random_sample", "triangular", "vonmises", "wald", "rayleigh", "pareto"})

_GENERATOR_MAKERS = ("default_rng", "RandomState", "Generator", "PCG64", "PCG64DXSM",
                     "MT19937", "Philox", "SFC64", "SeedSequence")


def _seeded(call: gast.Call, parsed: source.ParsedFunction) -> bool:
    """Whether ``call`` makes a NumPy generator from a constant seed
    (``np.random.default_rng(0)``, ``np.random.Generator(np.random.PCG64(7))``): made
    anew by each run, it draws the same numbers each run."""
    import numpy as np
    target = parsed.resolve(call.func)
    if not any(target is getattr(np.random, maker, None) for maker in _GENERATOR_MAKERS) \
            or call.keywords or len(call.args) != 1:
        return False
    seed = call.args[0]
    if isinstance(seed, gast.Call):
        return _seeded(seed, parsed)
    return isinstance(seed, gast.Constant) and type(seed.value) is int


def _seeded_generators(parsed: source.ParsedFunction, params: set) -> set:
    """The names bound once, in the function's own body, to a generator made from a
    constant seed (`_seeded`), never a parameter."""
    values: dict = {}
    for node in walk(parsed.node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            values.setdefault(node.id, []).append(node)
    found = set()
    for node in parsed.node.body:
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], gast.Name) and \
                isinstance(node.value, gast.Call) and _seeded(node.value, parsed):
            name = node.targets[0].id
            if name not in params and len(values.get(name, ())) == 1:
                found.add(name)
    return found


def _parameters_copied(parsed: source.ParsedFunction, rebound: set) -> set:
    """The parameters among ``rebound`` that the helper binds to copies of their own
    (``C = C.copy()``, ``np.copy(C)``, ``np.array(C)``, ``dict(C)``) wherever it binds them, and
    writes into only after that: running it again finds the caller's values as they
    were."""
    from ..normalize import written_before_rebound
    if not rebound:
        return set()
    written_first = set(written_before_rebound(parsed.node, parsed.resolve))
    copied = set()
    for param in rebound - written_first:
        values = [node.value for node in walk(parsed.node) if isinstance(node, gast.Assign)
                  and any(isinstance(t, gast.Name) and t.id == param for t in node.targets)]
        stores = sum(isinstance(node, gast.Name) and node.id == param and
                     isinstance(node.ctx, gast.Store) for node in walk(parsed.node))
        # (every binding a plain one, param = value: none in a tuple, a loop, a with)
        if values and stores == len(values) and all(_a_copy(v, parsed) for v in values):
            copied.add(param)
    return copied


def _a_copy(value: Any, parsed: source.ParsedFunction) -> bool:
    """Whether ``value`` surely makes a new array, list or dict: ``x.copy()``,
    ``np.copy(x)``, ``np.array(x)`` without ``copy=False``, ``dict(d)``, ``list(l)``."""
    import numpy as np
    if not isinstance(value, gast.Call):
        return False
    if isinstance(value.func, gast.Attribute) and value.func.attr == "copy" and \
            not value.args and not value.keywords:
        return True
    target = parsed.resolve(value.func)
    if target is dict or target is list:  # (a new list or dict: S = dict(S))
        return len(value.args) == 1 and not value.keywords
    return target is np.copy or target is np.array and not any(
        k.arg == "copy" for k in value.keywords) and len(value.args) == 1


def _bindings_of(call: gast.Call, target: Any, parsed: source.ParsedFunction) -> dict:
    """The functions ``call`` passes to ``target``'s parameters (``step(rhs, y)``:
    ``{"f": rhs}``), known where the caller is read."""
    try:
        names, positional = source.parameters(target)
    except Exception:  # noqa: BLE001 - not a plain function: nothing known
        return {}
    given = list(zip(names[:positional], call.args)) if not any(
        isinstance(a, gast.Starred) for a in call.args) else []
    given += [(k.arg, k.value) for k in call.keywords if k.arg in names]
    found = {}
    for param, value in given:
        resolved = parsed.resolve(value)
        if resolved is not source.UNRESOLVED and callable(resolved) and \
                not isinstance(resolved, type):
            found[param] = resolved
    return found


def _unsafe_call(call: gast.Call, parsed: source.ParsedFunction, params: set, made: set,
                 seen: set) -> Optional[str]:
    func = call.func
    called = getattr(func, "attr", getattr(func, "id", "a function"))
    target = parsed.resolve(func)
    if isinstance(target, source.MethodOf):  # self.predict(x), self known (a binding)
        first = source.parameters(target.function)[0][:1]
        return unsafe_to_repeat(target.function, seen,
                                dict.fromkeys(first, parsed.resolve(func.value)))
    if isinstance(func, gast.Attribute):
        if func.attr in _READING and not isinstance(func.value, gast.Name):
            return None  # (x + y).mean(): a method that only reads, of a value made here
        base = base_name(func.value)
        module = parsed.resolve(func.value)
        if module is source.UNRESOLVED and isinstance(func.value, gast.Name) and \
                func.value.id in params:
            try:  # (def f(x, xp=np): the module it defaults to)
                module = source.default_values(parsed.fn).get(func.value.id)
            except (TypeError, ValueError, AttributeError):
                module = None
        if isinstance(module, types.ModuleType) and \
                not str(getattr(module, "__name__", "")).endswith("random"):
            base = None  # (xp = np; xp.tanh(x): the module's function, np.tanh's)
            if target is source.UNRESOLVED:
                target = getattr(module, func.attr, source.UNRESOLVED)
        if base in getattr(parsed, "seeded_generators", ()) and func.attr != "shuffle":
            return None  # (rng = np.random.default_rng(0) here: the same draws each run)
        if base is not None and (base in made or base in params):
            # a method of a value: of its own it may change, an argument's it must not;
            # other methods must be known to read only (rng.normal() is not)
            if func.attr in _MUTATING:
                if base in params:
                    return f"calls {base}.{func.attr}(), which changes its argument"
                return None
            if func.attr in _READING:
                return None
            if base in params and func.attr in _DRAWS:
                return (f"calls {base}.{func.attr}(), a draw from the generator it is "
                        "given, which a second run would advance again (draw in the "
                        "function differentiated and pass the draws, or make the "
                        "generator in the helper from a seed: "
                        "np.random.default_rng(0))")
            return f"calls {base}.{func.attr}(), not known to give the same result twice"
    if isinstance(func, gast.Call) and parsed.resolve(func.func) is builtins.type:
        return None  # type(t)(...): a list or tuple made again (_ad.rebuilt_like)
    if target is source.UNRESOLVED:
        return f"calls {called}(), which cannot be resolved"
    if target is functools.reduce and call.args:
        # reduce(layer, Ws, x): the same as its function, applied in a loop
        return _unsafe_call(gast.Call(func=call.args[0], args=[], keywords=[]), parsed,
                            params, made, seen)
    module = getattr(target, "__module__", None) or ""
    owner = getattr(target, "__self__", None)
    if type(owner).__name__ == "ufunc":  # np.add.at(y, idx, v), np.add.reduce(x)
        if getattr(target, "__name__", "") != "at":
            return None
        base = base_name(call.args[0]) if call.args else None
        if base is None or base not in made or base in params:
            return f"calls {called}(), which changes its argument"
        return None  # (into an array of its own: the same each run)
    owner_module = getattr(type(owner), "__module__", "") or "" if owner is not None else ""
    if "random" in module or "random" in owner_module:
        if _seeded(call, parsed):
            return None  # (np.random.default_rng(0): a generator made anew, the same)
        return f"calls {called}() (random: another value the second time)"
    if isinstance(target, types.FunctionType) and \
            not module.startswith(("numpy", "scipy", "math")):
        # (step(rhs, y) reads f() as rhs)
        return unsafe_to_repeat(target, seen, _bindings_of(call, target, parsed))
    if isinstance(target, types.MethodType) and \
            isinstance(target.__func__, types.FunctionType) and \
            not module.startswith(("numpy", "scipy", "math")):
        # parser.get(w, "a") of an object of yours named from outside: its method, the
        # object its first parameter (what it reads of the object is checked as state)
        first = source.parameters(target.__func__)[0][:1]
        return unsafe_to_repeat(target.__func__, seen,
                                dict.fromkeys(first, target.__self__))
    if isinstance(owner, (dict, list, tuple, str)) and \
            getattr(target, "__name__", "") in _READING:
        return None  # (NESTS.items() of a module's dict: read, the same each run)
    if module == "builtins" or getattr(builtins, getattr(target, "__name__", ""), None) \
            is target:
        if getattr(target, "__name__", "") in _IMPURE_BUILTINS:
            return f"calls {called}()"
        return None
    if type(target).__name__ == "ufunc" or module.startswith(("numpy", "scipy", "math")):
        return None
    if module in ("operator", "_operator"):  # operator.mul: arithmetic, as np.multiply
        if target in mutation.OPERATOR_IN_PLACE or target in (operator.setitem,
                                                               operator.delitem):
            return f"calls {called}(), which changes its argument"
        return None
    if isinstance(target, type) and issubclass(target, tuple) and \
            hasattr(target, "_fields") and \
            (getattr(target.__new__, "__module__", None) or "").startswith("namedtuple_"):
        return None  # (Plain(a=..., b=...): a namedtuple made of its values; HD 14)
    return f"calls {called}(), which is not known to give the same result twice"


def _rewrite(stmts: list, usable: dict, namer: Namer) -> None:
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        found = _helper_call(stmt)
        if found is not None and found[1] in usable:
            value, back, call = found
            helper, kinds = usable[back][0], usable[back][4]
            # (constants and functions named from outside are passed as themselves)
            items = [copy.deepcopy(item) for item, (kind, _) in
                     zip(call.args + [k.value for k in call.keywords], kinds)
                     if kind == "saved"]
            if mutation.helper_writes_into(helper):
                # v *= 0.5 on an array it is given: the run again reads the values the
                # first run was given, copied before it changes them
                items = [gast.Call(func=gast.Attribute(
                    value=_name(namer.reference(runtime, "_ad")), attr="copied",
                    ctx=gast.Load()), args=[item], keywords=[]) for item in items]
            saved = gast.copy_location(gast.Assign(
                targets=[_name(back, gast.Store())],
                value=gast.Tuple(elts=items, ctx=gast.Load()),
                type_comment=None), stmt)
            rerun = gast.copy_location(gast.Assign(
                targets=[_name(value, gast.Store())],
                value=gast.Call(func=_name(namer.reference(helper, helper.__name__)),
                                args=copy.deepcopy(call.args),
                                keywords=copy.deepcopy(call.keywords)),
                type_comment=None), stmt)
            stmts[index:index + 1] = [saved, rerun]
            index += 2
            continue
        visitor = _BackCalls(usable, namer)
        for field in stmt._fields:
            if field in ("body", "orelse", "finalbody"):
                continue
            value = getattr(stmt, field)
            if isinstance(value, gast.AST):
                setattr(stmt, field, visitor.visit(value))
            elif isinstance(value, list):
                setattr(stmt, field, [visitor.visit(v) if isinstance(v, gast.AST) else v
                                      for v in value])
        for block in _blocks(stmt):
            _rewrite(block, usable, namer)
        index += 1


class _BackCalls(Transformer):
    """``back(g)`` becomes ``dhelper(back[0], ..., back[n - 1], dout=g)``."""

    def __init__(self, usable: dict, namer: Namer) -> None:
        self.usable, self.namer = usable, namer

    def visit_Call(self, node: gast.Call) -> Any:
        node = self.generic_visit(node)
        func = node.func
        if isinstance(func, gast.Name) and func.id in self.usable and \
                len(node.args) == 1 and not node.keywords:
            _, gradient, n_args, keywords, kinds = self.usable[func.id]
            items, saved = [], 0
            for kind, value in kinds:
                if kind == "literal":
                    items.append(gast.Constant(value=value, kind=None))
                elif kind == "expression":
                    items.append(gast.parse(value).body[0].value)
                elif kind == "name":
                    items.append(_name(value))
                else:
                    items.append(gast.Subscript(value=_name(func.id), slice=gast.Constant(
                        value=saved, kind=None), ctx=gast.Load()))
                    saved += 1
            return gast.Call(func=_name(self.namer.reference(gradient, gradient.__name__)),
                             args=[node.args[0]] + items[:n_args],
                             keywords=[gast.keyword(arg=k, value=v)
                                       for k, v in zip(keywords, items[n_args:])])
        return node
