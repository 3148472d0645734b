"""Normalization: one primitive operation per statement, and which values carry gradient.

`normalize` (here) runs the normalizer of `statements` (statements, control
flow) over a function's body, with its expressions in `expressions`, calls
(rules, helpers, nested functions) in `calls`, containers and assignment into
arrays in `data`, activity in `activity` and shape facts in `shapes`; calls of
``mg.*`` functions first become calls of their NumPy primitives (`tensor_calls`).
"""

import copy
import re
import types
from typing import Any, Callable, Iterator, Optional

import gast
import numpy as np

from ...rules import runtime
from .. import mutation
from ..ir import (
    Branch,
    Loop,
    Normalized,
    Op,
    Primal,
    Verbatim,
    assign_node,
    base_name,
    children,
    kept_by,
    load_names,
    name_ids,
    name_node,
    ops_in,
    walk,
)
from ..naming import Namer
from ..source import ParsedFunction
from .shapes import float_array_ndims
from .statements import Normalizer
from .tensor_calls import TensorCallsToNumPy

__all__ = ["normalize"]


def normalize(parsed: ParsedFunction, wrt: list[str], namer: Namer,
              scalars: tuple = (), scalar_sequences: tuple = (),
              shape_groups: tuple = (), containers: tuple = (), dicts: tuple = (),
              helper: bool = False, *,
              derive: Any) -> Normalized:
    """Normalize the body of ``parsed``, treating the parameters in ``wrt`` as active.

    ``scalars`` and ``scalar_sequences`` name parameters known to hold scalars, or
    lists of scalars, in the calls this code is generated for; ``containers`` name those
    that hold lists, tuples or dicts (of arrays, floats or more containers), whose
    adjoints are summed item by item, and ``dicts`` those that hold dicts. ``derive`` makes the
    derivatives of the helpers it calls (``derive.helper``, ``derive.nested``): the
    pipeline, which hands itself in.
    """
    parsed.introduced = namer.injected
    for stmt in parsed.node.body:
        TensorCallsToNumPy(parsed, namer).visit(stmt)
    state = Normalizer(parsed, wrt, namer)
    state.scalars |= set(scalars)
    state.scalar_sequences = set(scalar_sequences)
    state.float_arrays = float_array_ndims(parsed.node, parsed.resolve, frozenset(scalars),
                                           frozenset(scalar_sequences))
    for name in parsed.params:  # each argument its own shape, unless the call says more
        state.shape_class[name] = state.new_class()
    for group in shape_groups:
        shared = state.new_class()
        for name in group:
            state.shape_class[name] = shared
    state.helper = helper
    state.derive = derive
    if helper:  # its caller holds the arrays it is given: x += 1 would change them
        state.shared |= set(parsed.params) - set(scalars)
        # (not those the caller surely gives arrays: never lists, tuples or dicts)
        state.opaque |= set(parsed.params) - set(scalars) - \
            set(getattr(parsed, "given_arrays", ()))
    # Differentiated containers: their items and adjoints may be containers too.
    # Lists passed in, differentiated or not (base + [x] joins them): their items and
    # adjoints may be containers too.
    state.opaque |= set(containers)
    state.dicts = set(dicts)  # for k in d: its keys
    state.sequences_given = set(containers) - set(dicts)
    written_back: list = []  # (the caller's list or dict, the name of its copy)
    arrays_back: list = []  # (the caller's array, the name of its copy)
    # (a gradient read again copies what it writes into itself: its first lines)
    if not helper and not parsed.generated:
        # X[:, 0] = 1.0 or X *= 0.5 on an argument without gradient: NumPy would write
        # into the caller's array, which the derivative must read as it was; the
        # function works on a copy (its own aliasing unchanged: every name it makes of X
        # sees the copy), whose values the caller's array is given afterwards
        ad = namer.reference(runtime, "_ad")
        # (p, state = step(p, state): p bound anew too, an item of a tuple target; HF 01)
        rebound = {t.id for n in walk(parsed.node) if isinstance(n, gast.Assign)
                   for target in n.targets for t in walk(target)
                   if isinstance(t, gast.Name) and isinstance(t.ctx, gast.Store)
                   and t.id not in getattr(n, "writes_back", ())}
        # Y = X; Y += 1.0 (or m = items[0], v = d['a']): an argument without gradient
        # written through another name; copied, arrays in its containers too
        # (x += v, X[0] = v, np.copyto(X, v), or a helper of yours writing into X)
        by_helpers = _passed_to_writing_helpers(parsed)
        written = _written_in_place(parsed.node.body) | by_helpers
        through = _written_through_other_names(parsed, written) - set(wrt) - set(scalars)
        for name in sorted(through - _written_in_place(parsed.node.body)):
            copy_call = gast.Call(func=gast.Attribute(value=name_node(ad),
                                                      attr="copied_through", ctx=gast.Load()),
                                  args=[name_node(name)], keywords=[])
            state.origin = parsed.node.body[0]
            if (name in containers or name in _changed_as_containers(parsed.node.body)) \
                    and name not in rebound:
                # (log['hist'].append(v) beside a write through log['c']: what the copy
                # then holds, the caller's list or dict holds, as after one run)
                given = _the_callers(state, namer, name, parsed.node.body[0])
                written_back.append((given, name))
            else:  # (Y = X; Y *= 0.5: NumPy changes the caller's X)
                _given_back_to_the_caller(parsed, state, namer, name, arrays_back)
            state.primal(gast.copy_location(assign_node(name, copy_call, parsed.node.body[0]),
                                            parsed.node.body[0]))
        # a list or dict whose arrays are written into (d['w'][1:] += 1.0, or by a
        # helper given it): those arrays are the caller's, copied too
        items_written = by_helpers | _items_written_in_place(parsed.node.body)
        from ..source import default_values
        defaults = default_values(parsed.fn) if hasattr(parsed.fn, "__code__") else {}
        for name in sorted(written & set(parsed.params) - set(scalars)):
            if isinstance(defaults.get(name), np.ndarray) and name not in rebound:
                # def f(x, buf=np.zeros(3)): buf += x changes, in NumPy, the default
                # every later call finds; grad's copy would not: checked as it runs
                where = (f"{parsed.where(parsed.node)}: {parsed.name}() writes into its "
                         f"argument {name}, left to its default array, which NumPy then "
                         "changes for every later call; grad would write into a copy, "
                         "leaving the default as it was. Pass the array, or default "
                         f"{name} to None and make it in the function")
                state.primal(gast.copy_location(gast.Expr(value=gast.Call(
                    func=gast.Attribute(value=name_node(ad), attr="not_the_default",
                                        ctx=gast.Load()),
                    args=[name_node(name), name_node(namer.reference(
                        defaults[name], f"{name}_default")),
                        gast.Constant(value=where, kind=None)], keywords=[])),
                    parsed.node.body[0]))
            deep = name not in wrt and name in items_written and (
                name in containers or name in _changed_as_containers(parsed.node.body))
            copy_call = gast.Call(func=gast.Attribute(
                value=name_node(ad), attr="copied_through" if deep else "copied",
                ctx=gast.Load()), args=[name_node(name)], keywords=[])
            state.origin = parsed.node.body[0]
            others = [p for p in parsed.params if p != name and p not in scalars] + \
                _module_arrays_read(parsed) + _module_containers_read(parsed)
            container = name in containers or \
                name in _changed_as_containers(parsed.node.body)
            if others and (name not in rebound or container and name not in wrt):
                # (u = u.copy() first: an array of its own; a list or dict bound anew,
                # cache = {} where None, is still the caller's elsewhere: HD 04)
                # the caller may pass one array for two parameters (f(a, a)), or a
                # module's array the function also reads by its name (f(x, G)): NumPy's
                # write into this one would change the other, which the copy would not
                where = gast.Constant(value=f"{parsed.where(parsed.node)}: {parsed.name}() "
                                            f"writes into its argument {name}", kind=None)
                # (arguments the function only appends to, log.append(state), may hold
                # this one from an earlier call: both are written back at once,
                # `written_back_all`, and such a list need not be this one's only
                # holder; it must not be this one itself. Where its items' arrays are
                # written, A[0] *= 2.0, each of them is checked too: the caller may hold
                # one in another argument the function reads, f(x, [m], {'m': m}))
                read = [p for p in others if _read_otherwise_than_appended_to(parsed, p)]
                appended = [p for p in others if p not in read]
                keywords = [gast.keyword(arg="items", value=gast.Constant(
                    value=True, kind=None))] if deep and read else []
                if appended:
                    keywords.append(gast.keyword(arg="appended_to", value=gast.Tuple(
                        elts=[name_node(p) for p in appended], ctx=gast.Load())))
                check = gast.Expr(value=gast.Call(
                    func=gast.Attribute(value=name_node(ad), attr="alone", ctx=gast.Load()),
                    args=[name_node(name), gast.Tuple(elts=[name_node(p) for p in read],
                                                      ctx=gast.Load()), where],
                    keywords=keywords))
                # (a check, which shares nothing: not through state.primal, which would
                # take the names it reads for sharing, the lists made the function's own)
                state.body.append(Primal(gast.copy_location(check, parsed.node.body[0]),
                                         parsed.node.body[0], set()))
            as_container = name in containers or \
                name in _changed_as_containers(parsed.node.body)
            if name in wrt and as_container and name not in rebound:
                # params['W'] = ..., ws.append(v) on a differentiated list or dict: its
                # slots are rebound on a copy of its own (the adjoint reads the copy as
                # it was), and the caller's holds at the end what one run leaves in it
                given = _the_callers(state, namer, name, parsed.node.body[0])
                written_back.append((given, name))
                parsed.written_back.add(name)
                state.statement(gast.copy_location(assign_node(name, copy_call,
                                                               parsed.node.body[0]),
                                                   parsed.node.body[0]))
                if name not in dicts:  # (ws.append(v) then makes a new list)
                    state.lists.add(name)
                    state.all_lists.add(name)
            if name not in wrt:  # (a differentiated one is updated as a new array)
                copy_held = None
                if as_container and name in rebound:
                    _rebound_before_written(parsed, name)
                when_none = as_container and name in rebound and \
                    _bound_anew_only_when_none(parsed.node, name)
                if as_container and name in rebound and not when_none and \
                        not _a_new_one_first(parsed.node.body, name):
                    # (history = history or [], stats = {**stats}: the name may still
                    # hold the copy when written; the caller's is given what the copy
                    # holds at the end, unchanged where the name was bound to another
                    # one; HC 01)
                    _written_by_no_helper(parsed, name)
                    given = _the_callers(state, namer, name, parsed.node.body[0])
                    copy_held = namer.fresh(f"{name}_copy")
                    written_back.append((given, copy_held))
                    state.copies_held[name] = copy_held
                if as_container and (name not in rebound or when_none):
                    # (if cache is None: cache = {}: bound anew only where the caller
                    # gave None, which nothing is given back to; HC 01, HD 05)
                    # a list or dict: the caller's holds what the copy holds at the end
                    # (not where the name is bound to another one: stats = {**stats})
                    given = _the_callers(state, namer, name, parsed.node.body[0])
                    written_back.append((given, name))
                elif not as_container:
                    # running *= 0.9 on an array without gradient: NumPy changes the
                    # caller's array; grad works on a copy (the derivative reads the values
                    # it was taken at) and puts the copy's values into the caller's at the
                    # end, or before the statement binding the name to another value
                    _given_back_to_the_caller(parsed, state, namer, name, arrays_back)
                state.primal(gast.copy_location(assign_node(name, copy_call,
                                                            parsed.node.body[0]),
                                                parsed.node.body[0]))
                if copy_held is not None:  # (read by written_back alone, at the end)
                    first = parsed.node.body[0]
                    state.body.append(Primal(gast.copy_location(
                        assign_node(copy_held, name_node(name), first), first), first,
                        {copy_held}))
                if written_back and written_back[-1][1] == name:
                    state.owned.add(name)  # (the copy: appends and stores go into it)
                    state.shared.discard(name)  # (log.append(v) changes no array read)
                    if name in containers and name not in dicts or \
                            name in _changed_as_containers(parsed.node.body, _LIST_METHODS):
                        state.lists.add(name)
                        state.all_lists.add(name)
    vararg = parsed.node.args.vararg
    if vararg is not None and vararg.id in wrt:  # *values differentiated: a tuple of them
        state.lists.add(vararg.id)
        state.all_lists.add(vararg.id)
    state.container_copies = {name for _, name in written_back}
    state.arrays_written_back = {name for _, name in arrays_back}
    # (the caller's own objects, read by written_back alone, after everything)
    state.given_names = {given for given, _ in written_back + arrays_back} | {
        copy for _, copy in written_back if copy not in parsed.locals}
    for stmt in parsed.node.body:
        if not state.statement(stmt):
            output, active = state.output(stmt)
            pairs = written_back + arrays_back
            if len(pairs) > 1:
                # (at once: a copy one holds, log.append(state), is the caller's other
                # object there, as Python's log holds state itself)
                state.origin = stmt
                state.primal(gast.copy_location(gast.Expr(value=gast.Call(
                    func=gast.Attribute(value=name_node(ad), attr="written_back_all",
                                        ctx=gast.Load()),
                    args=[gast.Tuple(elts=[name_node(given), name_node(name)],
                                     ctx=gast.Load()) for given, name in pairs],
                    keywords=[])), stmt))
                pairs = []
            for given, name in pairs:
                # cache['h'] = h, log.append(v): what the copy now holds, the caller's
                # list or dict holds (as one run of the function leaves it)
                state.origin = stmt
                state.primal(gast.copy_location(gast.Expr(value=gast.Call(
                    func=gast.Attribute(value=name_node(ad), attr="written_back",
                                        ctx=gast.Load()),
                    args=[name_node(given), name_node(name)], keywords=[])), stmt))
            _drop_unused_local_derivatives(state.body)
            if helper:
                _no_write_into_what_the_backward_reads(parsed, state, set(wrt))
            _assign_in_place(state.body, state.read_by_adjoints)
            lists = state.all_lists | ({output} if output in state.lists else set())
            # What may hold lists, tuples or dicts: parameters that may (a helper's;
            # containers passed), and names made from them (v = xs.copy()).
            opaque = (set(parsed.params) - set(scalars) if helper else
                      set(containers) & set(wrt)) | state.opaque
            # (a function made here and called as the code runs, fs['f'](x): its
            # derivative, made then, must not read these as constants from its cells)
            carried = frozenset(set(wrt) | {op.target for op in ops_in(state.body)})
            for method in state.dynamic_calls:
                method.gradient_names = carried
            return Normalized(state.body, output, active, stmt, output in state.scalars, lists,
                              opaque, state.state_reads, state.operand_params,
                              frozenset(set(scalars) - parsed.reassigned),
                              _state_arrays_read(parsed, state), frozenset(state.logged))
    raise parsed.error(parsed.node, f"{parsed.name}() has no return statement: grad "
                                    "differentiates the returned value")


def _read_otherwise_than_appended_to(parsed: ParsedFunction, name: str) -> bool:
    """Whether the function reads ``name`` other than as the list its statements append
    to (``hist.append(v)``)."""
    receivers = {id(n.value.func.value) for n in walk(parsed.node)
                 if isinstance(n, gast.Expr) and isinstance(n.value, gast.Call) and
                 isinstance(n.value.func, gast.Attribute) and
                 n.value.func.attr in ("append", "extend", "insert")}
    return any(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load)
               and id(n) not in receivers for n in walk(parsed.node))


def _the_callers(state: Any, namer: Namer, name: str, first: gast.stmt) -> str:
    """``st_given = st``, first: a name for the caller's list or dict ``name`` holds
    before it is copied, read by ``_ad.written_back`` alone at the end (not a name
    sharing ``name``'s items as the function's code could read them)."""
    given = namer.fresh(f"{name}_given")
    state.body.append(Primal(gast.copy_location(assign_node(given, name_node(name), first),
                                                first), first, {given}))
    return given


def _state_arrays_read(parsed: ParsedFunction, state: Any) -> list:
    """The arrays of module objects, dicts and globals (``CFG.w``, ``D["w"]``, ``W``) the
    adjoints read by reference, read once into names of their own, and those the
    helpers called read: ``(function, expression, text, helper)`` each, the
    expression read in the function's scope (what it holds when a caller is made)."""
    found = list(state.helper_state_reads)
    for name in sorted(state.read_by_adjoints):
        for expr in state.state_exprs_of(name):
            if isinstance(mutation.held_value(parsed.fn, expr), np.ndarray):
                found.append((parsed.fn, expr, gast.unparse(expr).strip(), None))
    return found


def _reads_what_is_written(state: Any, container: gast.expr) -> bool:
    """Whether the backward reads ``container`` (``self.cache``), what holds it, or what
    it holds, read once into a name of its own; or ``self`` itself."""
    from .statements import _nested_in
    written = gast.unparse(container).strip()
    root = base_name(container)
    if root in state.read_by_adjoints:
        return True
    for name in state.read_by_adjoints:
        value = state.state_values.get(name)
        if value is not None:
            read = gast.unparse(value).strip()
            if _nested_in(read, written) or _nested_in(written, read):
                return True
    return False


def _no_write_into_what_the_backward_reads(parsed: Any, state: Any, wrt: set) -> None:
    """A helper writing into an array it was given (``buf[i] = 1.0``, ``self.buf[i] =
    1.0``) that its derivative's backward reads: the backward runs after the caller
    went on, when a later call has written into it again. Refused at the write."""
    read = {state.state_roots.get(n, n) for n in state.read_by_adjoints}
    rebound: dict[str, int] = {}  # a parameter's first rebinding (b = b.copy()): a new array
    for node in walk(parsed.node):
        line = getattr(node, "lineno", None)  # (nodes the stages made may have none)
        if getattr(node, "copies_argument", False):  # (p = _ad.copied(p), first)
            rebound.update({t.id: 0 for t in node.targets if isinstance(t, gast.Name)})
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) and \
                node.id in parsed.params and line is not None:
            rebound[node.id] = min(rebound.get(node.id, line), line)
    for node in walk(parsed.node):
        targets = node.targets if isinstance(node, gast.Assign) else \
            [node.target] if isinstance(node, gast.AugAssign) else []
        for target in targets:
            root = base_name(target) if isinstance(target, gast.Subscript) else None
            if root is not None and isinstance(target.value, gast.Attribute) and \
                    not _reads_what_is_written(state, target.value):
                continue  # self.cache['k'] = v: the backward reads other attributes
            if root is not None and root in parsed.params and root not in wrt and \
                    root in read and rebound.get(root, 1 << 30) >= getattr(node, "lineno", 0):
                raise parsed.error(node, f"{gast.unparse(target).strip()} = ... writes into "
                                         f"an array {parsed.name}() was given, which its "
                                         "derivative reads afterwards: a later call (or the "
                                         "caller) may write into it again before the "
                                         "gradient is computed. Return the new values, or "
                                         "write into an array the helper makes")


#: Methods that change a list or dict in place, which arrays do not have.
_CONTAINER_METHODS = mutation.CONTAINER_CHANGING_METHODS
#: Methods that change their object in place: an array's, a list's and a dict's.
_CHANGING_METHODS = mutation.MUTATING_METHODS
#: Of those, an array's own (and the in-place operators' methods).
_ARRAY_METHODS = mutation.ARRAY_WRITING_METHODS


#: NumPy's functions that write into their first argument, and the operator module's.
_WRITING_INTO_THEIR_FIRST = frozenset({"copyto", "put", "place", "putmask", "fill_diagonal",
                                       "put_along_axis"} |
                                      {f.__name__ for f in mutation.OPERATOR_IN_PLACE})


#: Of those, the methods a dict does not have.
_LIST_METHODS = frozenset({"append", "extend", "insert", "remove", "reverse"})


def _passed_to_writing_helpers(parsed: ParsedFunction) -> set[str]:
    """Names passed to a function of yours that writes into that parameter in place
    before binding it anew (``hinplace(W)`` doing ``a *= 2.0``): NumPy changes their
    arrays, which for an argument are the caller's (copied first, as for ``W *= 2``)."""
    return _given_to_writers(parsed.node, parsed.resolve, _local_defs(parsed))


def _local_defs(parsed: ParsedFunction) -> dict:
    """The defs inside the function, by name."""
    return {n.name: n for n in walk(parsed.node)
            if isinstance(n, gast.FunctionDef) and n is not parsed.node}


#: code object -> (parameters, those written in place before being bound anew)
_WRITTEN_PARAMETERS: dict = {}


def params_written_in_place(fn: Any) -> tuple[list[str], list[str]]:
    """The positional parameters of your function ``fn`` and those it may write into
    in place before binding them anew (`written_before_rebound`), itself or through a
    function of yours it passes them to (``scale(W)`` doing ``a *= 2.0``), read once
    per definition (a loop's body is normalized several times)."""
    from ..mutation import _definition
    code = getattr(fn, "__code__", None)
    found = _WRITTEN_PARAMETERS.get(code)
    if found is None:
        node = _definition(fn)
        params = [a.id for a in node.args.posonlyargs + node.args.args] if node else []
        if code is not None:  # (a recursive call, while this one is read: no writes)
            _WRITTEN_PARAMETERS[code] = (params, [])
        found = (params, written_before_rebound(node, _helper_resolver(fn))) \
            if node else ([], [])
        if code is not None:
            _WRITTEN_PARAMETERS[code] = found
    return found


def augmented_only(node: Any, resolve: Callable[[gast.Name], Any]) -> frozenset:
    """The parameters of the ``def`` ``node`` that it writes into before binding them
    anew only as ``p += v`` (``p *= v``, ...) on the bare name (`written_before_rebound`
    without those finds none): an array (or a list) is updated in place, as the caller
    sees it, and a number bound anew, as it does not. ``resolve`` finds the functions
    it calls."""
    if not node:
        return frozenset()
    params = {a.id for a in node.args.posonlyargs + node.args.args}
    augmented = {n.target.id for n in walk(node) if isinstance(n, gast.AugAssign)
                 and isinstance(n.target, gast.Name) and n.target.id in params}
    if not augmented:
        return frozenset()
    cached = getattr(node, "augmented_only", None)  # (read once per def)
    if cached is not None:
        return cached

    class _WithoutAugmented(gast.NodeTransformer):
        def visit_AugAssign(self, stmt: Any) -> Any:
            if isinstance(stmt.target, gast.Name) and stmt.target.id in params:
                return gast.copy_location(gast.Expr(value=gast.Constant(
                    value=None, kind=None)), stmt)
            return self.generic_visit(stmt)

    without = _WithoutAugmented().visit(copy.deepcopy(node))
    found = frozenset(augmented - set(written_before_rebound(without, resolve)))
    node.augmented_only = found
    return found


def items_written(fn: Any) -> dict[str, list]:
    """For each parameter your ``fn`` writes into only through items of it with
    constant integer indices that it passes to a function of yours writing into that
    parameter (``h(u[1, 1])`` where ``h`` does ``y += v``), those indices (gast nodes): the
    write reaches the caller's array only where such an item is a view of it (an array
    of more dimensions), not a number. Parameters written otherwise are absent."""
    code = getattr(fn, "__code__", None)
    found = _ITEMS_WRITTEN.get(code)
    if found is None:
        if code is not None:  # (a recursive call, while this one is read: no narrowing)
            _ITEMS_WRITTEN[code] = {}
        found = _items_written(fn)
        if code is not None:
            _ITEMS_WRITTEN[code] = found
    return found


#: code object -> `items_written` of the function
_ITEMS_WRITTEN: dict = {}


def _items_written(fn: Any) -> dict[str, list]:
    import copy as _copy

    from ..mutation import _definition
    node = _definition(fn)
    params, written = params_written_in_place(fn)
    if node is None or not written or any(
            isinstance(n, (gast.FunctionDef, gast.Lambda)) for n in walk(node) if n is not node):
        return {}  # (a def or lambda of its own may write too, unseen here: no narrowing)
    resolve = _helper_resolver(fn)
    found: dict[str, list] = {}
    items: set = set()  # (the arguments that are such items)
    for argument, root, callee, param in _arguments_to_writers(node, resolve):
        if root not in written:
            continue
        if isinstance(argument, gast.Subscript) and isinstance(argument.value, gast.Name) \
                and _constant_integers(argument.slice):
            found.setdefault(root, []).append(argument.slice)
            items.add(id(argument))
        elif isinstance(argument, gast.Name) and not isinstance(callee, gast.FunctionDef):
            # (passed whole to a helper writing into it only through such items: the
            # same items of this parameter)
            indices = items_written(callee).get(param)
            if indices:
                found.setdefault(root, []).extend(indices)
                items.add(id(argument))
    # written otherwise too (itself, whole or through a view, by another helper): the
    # function with those items passed as numbers must write into none of them
    masked = _copy.deepcopy(node)
    for original, made in list(zip(walk(node), walk(masked))):  # (then changed)
        if isinstance(original, gast.Call):
            made.args = [gast.Constant(value=0.0, kind=None) if id(a) in items else m
                         for a, m in zip(original.args, made.args)]
            for a, m in zip(original.keywords, made.keywords):
                if id(a.value) in items:
                    m.value = gast.Constant(value=0.0, kind=None)
    return {param: indices for param, indices in found.items()
            if not _writes_before_rebinding(masked.body, param, False, resolve)[0]}


def _constant_integers(index: Any) -> bool:
    items = index.elts if isinstance(index, gast.Tuple) else [index]
    return all(isinstance(i, gast.Constant) and type(i.value) is int or
               isinstance(i, gast.UnaryOp) and isinstance(i.op, gast.USub) and
               isinstance(i.operand, gast.Constant) and type(i.operand.value) is int
               for i in items)


def _helper_resolver(fn: Any) -> Callable[[gast.Name], Any]:
    """The object a plain name (a ``gast.Name``) in ``fn``'s body calls: a free
    variable of its closure, else a global (None where neither holds it)."""
    code = getattr(fn, "__code__", None)
    cells = dict(zip(code.co_freevars, getattr(fn, "__closure__", None) or ())) \
        if code is not None else {}
    namespace = getattr(fn, "__globals__", {})

    def resolve(node: gast.Name) -> Any:
        if not isinstance(node, gast.Name):  # (np.asarray: shared_names asks too)
            from ..mutation import _resolve
            return _resolve(fn, node)
        name = node.id
        if name in cells:
            try:
                return cells[name].cell_contents
            except ValueError:  # (a cell not filled yet)
                return None
        return namespace.get(name)

    return resolve


def written_before_rebound(node: gast.FunctionDef,
                           resolve: Optional[Callable[[gast.Name], Any]] = None) -> list[str]:
    """The parameters of the ``def`` ``node`` it may write into in place before binding
    the name to a new value (``a *= 2.0`` first, not ``a = a.copy()`` first): the
    caller's arrays, which NumPy changes. ``resolve`` finds the functions it calls, whose
    writes into what they are given count too."""
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    return [p for p in params
            if _writes_before_rebinding(node.body, p, False, resolve)[0]]


def written_through_aliases(node: gast.FunctionDef,
                            resolve: Callable[[gast.Name], Any]) -> frozenset:
    """The parameters of the ``def`` ``node`` it may write into through another name
    sharing their array (``q = p; q += 1.0``, ``v = p[1:]; v *= 2.0``)."""
    params = {a.id for a in node.args.posonlyargs + node.args.args}
    candidates = _written_in_place(node.body) - params
    own = own_lists_changed_only(node.body, candidates)
    others = {name for name in candidates - own
              if not _new_at_each_write(node.body, name, resolve)}
    if not others:
        return frozenset()
    from ..helper_copies import _items_written_through
    # (not those reached only through items by integers, q = p[0]; q *= 2.0: a number
    # where p has one dimension, bound anew, which is checked where it is passed; nor
    # those bound anew first, u = np.cos(u), whose names then hold the new value)
    return frozenset(p for p in written_through(node, others, resolve) & params
                     if not _items_written_through(node, p, others, resolve) and
                     not _rebound_first(node.body, p, resolve))


def own_lists_changed_only(body: list, names: Any) -> set[str]:
    """Those of ``names`` that are only ever bound to a new list (``rows = [m[0]]``, a
    list comprehension) and each write `_written_in_place` finds into which changes the
    list alone (``rows.append(v)``, ``rows[k] = v``, ``rows += [v]``): their items may be
    views of a parameter's array, but nothing written changes them (``rows[k] += v``
    would). One walk of ``body`` for all (a gradient read again asks it of every name
    it writes: a walk each was quadratic in the code's length)."""
    names = set(names)
    refused: set = set()
    accepted: set = set()  # the Name nodes binding one to a new list, or extending it
    stored: dict = {}
    for node in walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Name) and node.id in names and \
                isinstance(node.ctx, (gast.Store, gast.Del)):
            stored.setdefault(node.id, []).append(node)
        elif isinstance(node, (gast.FunctionDef, gast.ClassDef)) and node.name in names:
            refused.add(node.name)
        refused.update(names.intersection(getattr(node, "writes_back", ())))
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name) and target.id in names:
                    if len(node.targets) == 1 and (
                            isinstance(node.value, (gast.List, gast.ListComp)) or
                            _slice_of(node.value, target.id)):
                        accepted.add(id(target))  # (rows = rows[:-1]: a list's slice,
                        # a new list, as forward mode pops a gradient's stacks)
                elif isinstance(target, gast.Subscript) and \
                        isinstance(target.value, gast.Subscript) and \
                        _subscript_base(target) in names:
                    refused.add(_subscript_base(target))  # rows[k][j] = v: into an item
        elif isinstance(node, gast.AugAssign):
            if isinstance(node.target, gast.Name) and node.target.id in names:
                accepted.add(id(node.target))  # rows += [v]: the list extended
            elif _subscript_base(node.target) in names:
                refused.add(_subscript_base(node.target))  # rows[k] += v: into the item
        elif isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                    func.value.id in names and func.attr in _CHANGING_METHODS and \
                    func.attr not in mutation.CONTAINER_CHANGING_METHODS | {"sort"}:
                refused.add(func.value.id)
            given = [k.value for k in node.keywords if k.arg == "out"] + (
                node.args[:1] if isinstance(func, gast.Attribute) and
                func.attr in _WRITING_INTO_THEIR_FIRST else [])
            refused.update(w.id for w in given if isinstance(w, gast.Name) and w.id in names)
    return {name for name, nodes in stored.items() if name not in refused and
            all(id(n) in accepted for n in nodes)}


def _slice_of(value: Any, name: str) -> bool:
    """Whether ``value`` is ``name[a:b]``."""
    return isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice) and \
        isinstance(value.value, gast.Name) and value.value.id == name


def _subscript_base(target: Any) -> Optional[str]:
    """``rows`` of ``rows[k][j]`` (a name under subscripts), else None."""
    while isinstance(target, gast.Subscript):
        target = target.value
    return target.id if isinstance(target, gast.Name) else None


def _rebound_first(body: list, name: str, resolve: Callable[[gast.Name], Any]) -> bool:
    """Whether the first statement of ``body`` that names ``name`` binds it to a new
    value (``u = np.cos(u)``), so no other name ever holds the array it was given."""
    from ..mutation import shared_names
    for stmt in body:
        if not any(isinstance(n, gast.Name) and n.id == name for n in walk(stmt)):
            continue
        return isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name and \
            name not in shared_names(stmt, resolve)
    return False


def _new_at_each_write(body: list, name: str, resolve: Callable[[gast.Name], Any]) -> bool:
    """Whether ``name`` holds an array of its own, made by the function, wherever ``body``
    writes into it: each write follows ``name = <a new value>`` (no name's array shared,
    `mutation.shared_names`) on every path, with nothing binding ``name`` otherwise in
    between, within a loop's pass too. ``val = u; ...; val = val - val[::-1]; val *= c``
    then writes into its own array, never into ``u``'s (a flow-insensitive alias rule
    took it for a write into ``u``)."""
    from ..mutation import shared_names

    def stores(tree: Any) -> list:
        return [n for n in walk(tree) if isinstance(n, gast.Name) and n.id == name and
                isinstance(n.ctx, (gast.Store, gast.Del))]

    def bound_new(stmt: Any) -> Optional[gast.Name]:
        """The target ``name`` of ``name = <a new value>`` (``name, z = np.tanh(u), ...``
        too), or None."""
        if not isinstance(stmt, gast.Assign) or len(stmt.targets) != 1:
            return None
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, gast.Name):
            pairs = [(target, value)]
        elif isinstance(target, (gast.Tuple, gast.List)) and \
                isinstance(value, (gast.Tuple, gast.List)) and \
                len(target.elts) == len(value.elts) and \
                not any(isinstance(e, gast.Starred) for e in target.elts + value.elts):
            pairs = list(zip(target.elts, value.elts))
        else:
            return None
        for each, part in pairs:
            if isinstance(each, gast.Name) and each.id == name:
                return each if not shared_names(types.SimpleNamespace(value=part),
                                                resolve) else None
        return None

    def binds_new(stmt: Any) -> bool:
        return bound_new(stmt) is not None

    def only_new_bindings(tree: Any) -> bool:
        # (an update, name += v, keeps the array name holds)
        plain = {id(found) for s in walk(tree) if (found := bound_new(s)) is not None} | \
            {id(s.target) for s in walk(tree) if isinstance(s, gast.AugAssign)}
        return all(id(n) in plain for n in stores(tree))

    def through(block: list, new: bool) -> Optional[bool]:
        """Whether ``name`` holds a new array after ``block`` (None: a write may reach
        an array it shares)."""
        for stmt in block:
            if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                if stmt.name == name:
                    new = False
                continue
            if isinstance(stmt, gast.If):
                new = new and not stores(stmt.test)  # (if (v := u) ...)
                after_body = through(stmt.body, new)
                after_else = through(stmt.orelse, new)
                if after_body is None or after_else is None or \
                        (not new and name in _written_in_place([stmt.test])):
                    return None
                new = after_body and after_else
            elif isinstance(stmt, (gast.For, gast.While)):
                # a pass starts with what the last one left: the same, where each binding
                # in the loop is a new array
                start = new and only_new_bindings(stmt)
                if name in _written_in_place([stmt.iter if isinstance(stmt, gast.For)
                                              else stmt.test]) and not start:
                    return None
                end = through(stmt.body, start)
                if end is None or through(stmt.orelse, start and end) is None:
                    return None
                new = start and end
            elif isinstance(stmt, (gast.With, gast.Try)) or \
                    type(stmt).__name__ in ("Match", "AsyncFor", "AsyncWith"):
                if name in _written_in_place([stmt]):
                    return None
                if stores(stmt):
                    new = False
            else:
                if name in _written_in_place([stmt]) and not new:
                    return None
                if binds_new(stmt):
                    new = True
                elif stores(stmt) and not isinstance(stmt, gast.AugAssign):
                    new = False
        return new

    return through(body, False) is not None


def items_aliased(node: gast.FunctionDef, resolve: Callable[[gast.Name], Any]) -> dict:
    """``{parameter: [index, ...]}`` for the parameters of the ``def`` ``node`` written
    into only through names bound to their items by integers (``q = p[0]; q *= 2.0``):
    a number where ``p`` has one dimension, which the write rebinds, else a view of the
    caller's array (checked as the call runs, `Normalizer.no_write_through_an_item`)."""
    params = {a.id for a in node.args.posonlyargs + node.args.args}
    candidates = _written_in_place(node.body) - params
    own = own_lists_changed_only(node.body, candidates)
    others = {name for name in candidates - own
              if not _new_at_each_write(node.body, name, resolve)}
    if not others:
        return {}
    from ..helper_copies import _items_written_through
    found = {}
    for p in sorted(written_through(node, others, resolve) & params):
        indices = _items_written_through(node, p, others, resolve)
        if indices:
            found[p] = indices
    return found


def given_whole_to_writers(node: gast.FunctionDef,
                           resolve: Callable[[gast.Name], Any]) -> frozenset:
    """The parameters of the ``def`` ``node`` it passes, or a view of which it passes,
    to a function of yours writing into what it is given (``inner(p)``, ``inner(p[1:])``;
    not an item by integers, ``inner(p[0, 0])``, maybe a number, which that function
    checks)."""
    params = {a.id for a in node.args.posonlyargs + node.args.args}
    return frozenset(root for argument, root, _, _ in _arguments_to_writers(node, resolve)
                     if root in params and not (isinstance(argument, gast.Subscript) and
                                                _constant_integers(argument.slice)))


def given_whole_to_augmenting_writers(node: gast.FunctionDef,
                                      resolve: Callable[[gast.Name], Any]) -> frozenset:
    """Of `given_whole_to_writers`, the parameters every such function writes into only
    as ``p += v`` (`augmented_only`): an array is updated in place, a number bound anew
    inside that function, which the caller does not see (``inner(x)`` doing ``v += v``
    given a float)."""
    from ..mutation import _definition
    params = {a.id for a in node.args.posonlyargs + node.args.args}
    augmenting: set = set()
    other: set = set()
    for argument, root, fn, param in _arguments_to_writers(node, resolve):
        if root not in params or isinstance(argument, gast.Subscript) and \
                _constant_integers(argument.slice):
            continue
        if not isinstance(argument, gast.Name):
            other.add(root)  # (a view given: an array's, whatever the writes)
            continue
        definition = fn if isinstance(fn, gast.FunctionDef) else _definition(fn)
        only = augmented_only(definition, resolve if isinstance(fn, gast.FunctionDef)
                              else _helper_resolver(fn)) if definition else frozenset()
        (augmenting if param in only else other).add(root)
    return frozenset(augmenting - other)


def _given_to_writers(stmt: Any, resolve: Optional[Callable[[gast.Name], Any]],
                      local_defs: Optional[dict] = None) -> set[str]:
    """Names ``stmt`` passes (or a view of which it passes: ``W[1:]``, ``W.ravel()``,
    ``np.reshape(W, -1)``) to a function of yours that writes into that parameter in
    place, a def of the function's own (``local_defs``, by name) included."""
    if resolve is None:
        return set()
    return {root for _, root, _, _ in _arguments_to_writers(stmt, resolve, local_defs)
            if root is not None}


def _arguments_to_writers(tree: Any, resolve: Callable[[gast.Name], Any],
                          local_defs: Optional[dict] = None) -> Iterator[tuple]:
    """``(argument, root, function, parameter)`` for each argument ``tree``'s calls pass
    to a parameter that a function of yours (or a def of ``local_defs``, by name: its
    node) writes into in place, with the name whose array it is or may view
    (`_viewed_root`; None for a new value)."""
    from ..mutation import is_user_function
    local_defs = local_defs or {}
    for call in walk(tree):
        if not isinstance(call, gast.Call) or not isinstance(call.func, gast.Name):
            continue
        fn = local_defs.get(call.func.id)
        if fn is not None:  # (def inner(a): a *= 2.0, called inner(data))
            params, written = _local_params_written(fn, resolve, local_defs)
        else:
            fn = resolve(call.func)
            if not is_user_function(fn):
                continue
            params, written = params_written_in_place(fn)
        for param, argument in list(zip(params, call.args)) + [
                (k.arg, k.value) for k in call.keywords]:
            if param in written:
                yield argument, _viewed_root(argument, resolve), fn, param


def _viewed_root(argument: Any, resolve: Callable[[gast.Name], Any]) -> Optional[str]:
    """The name whose array ``argument`` is, or may be a view of (None for a value
    that is surely new)."""
    from ..mutation import VIEW_FUNCTIONS, VIEW_METHODS
    if isinstance(argument, gast.Name):
        return argument.id
    if isinstance(argument, (gast.Subscript, gast.Attribute)):
        return base_name(argument)
    if isinstance(argument, gast.Call) and isinstance(argument.func, gast.Attribute):
        owner = argument.func.value
        if isinstance(owner, gast.Name) and resolve(owner) is np:  # np.ravel(W)
            return _viewed_root(argument.args[0], resolve) if argument.args and \
                getattr(np, argument.func.attr, None) in VIEW_FUNCTIONS else None
        if argument.func.attr in VIEW_METHODS:  # W.ravel(), W.reshape(-1)
            return _viewed_root(owner, resolve)
    return None


def _local_params_written(node: gast.FunctionDef, resolve: Callable[[gast.Name], Any],
                          local_defs: dict) -> tuple[list[str], list[str]]:
    """`params_written_in_place` of a def inside the function read (by its node)."""
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    inner = {k: v for k, v in local_defs.items() if v is not node}  # (no recursion)
    written = [p for p in params
               if _writes_before_rebinding(node.body, p, False, resolve, inner)[0]]
    return params, written


def _writes_before_rebinding(block: list, name: str, rebound: bool,
                             resolve: Optional[Callable[[gast.Name], Any]] = None,
                             local_defs: Optional[dict] = None) -> tuple[bool, bool]:
    """Whether ``block`` may write into ``name``'s array in place while ``name`` still
    holds the array it was given (``rebound``: bound anew before the block), and
    whether it surely binds ``name`` anew (``x = np.log1p(x ** 2)`` before ``x += x``
    in a loop's body writes into the new value)."""
    for stmt in block:
        if isinstance(stmt, (gast.For, gast.While)):
            writes, _ = _writes_before_rebinding(stmt.body, name, rebound, resolve,
                                                 local_defs)
            if writes or _writes_before_rebinding(stmt.orelse, name, rebound, resolve,
                                                  local_defs)[0]:
                return True, rebound
        elif isinstance(stmt, gast.If):
            writes_body, in_body = _writes_before_rebinding(stmt.body, name, rebound,
                                                            resolve, local_defs)
            writes_else, in_else = _writes_before_rebinding(stmt.orelse, name, rebound,
                                                            resolve, local_defs)
            if writes_body or writes_else:
                return True, rebound
            rebound = rebound or (in_body and in_else)
        elif not rebound and name in _given_to_writers(stmt, resolve, local_defs):
            return True, rebound  # (before its binding: y = scale(y) gives the old one)
        elif isinstance(stmt, gast.Assign) and any(
                isinstance(t, gast.Name) and t.id == name for t in stmt.targets):
            rebound = True  # a new value: later writes go into it
        elif not rebound and name in _written_in_place([stmt]):
            return True, rebound
    return False, rebound


def _items_written_in_place(body: list) -> set[str]:
    """Names whose items' arrays the statements of ``body`` write into in place
    (``d['w'][1:] += 1.0``, ``d['w'] *= 2.0``, ``d['w'].fill(0)``): a subscript,
    augmented assignment or method of an item, not a slot rebound (``d['w'] = v``)."""
    names: set[str] = set()
    for n in walk(gast.Module(body=body, type_ignores=[])):
        targets = n.targets if isinstance(n, gast.Assign) else \
            [n.target] if isinstance(n, gast.AugAssign) else []
        for t in targets:
            if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Subscript):
                names.add(base_name(t))  # d['w'][1:] = v, d['w'][1:] += v
            elif isinstance(n, gast.AugAssign) and isinstance(t, gast.Subscript):
                names.add(base_name(t))  # d['w'] *= 2.0: NumPy writes into the item
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                isinstance(n.func.value, gast.Subscript) and \
                n.func.attr in _ARRAY_METHODS:
            names.add(base_name(n.func.value))  # d['w'].fill(0)
    return names - {None}


def _changed_as_containers(body: list, methods: frozenset = _CONTAINER_METHODS) -> set[str]:
    """Names the statements of ``body`` call a list's or dict's changing method on
    (``log.append(v)``, ``cache.update(...)``): lists or dicts, whatever the call."""
    nodes = list(walk(gast.Module(body=body, type_ignores=[])))
    return {n.func.value.id for n in nodes
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
            and isinstance(n.func.value, gast.Name) and n.func.attr in methods} | {
        n.target.id for n in nodes  # (d |= {'k': v}: a dict's update)
        if isinstance(n, gast.AugAssign) and isinstance(n.op, gast.BitOr) and
        isinstance(n.target, gast.Name) and isinstance(n.value, gast.Dict) and
        "update" in methods} | {
        t.value.id for n in nodes  # (del xs[0]: a list's or dict's, as xs.pop(0))
        if isinstance(n, gast.Delete) and "pop" in methods for t in n.targets
        if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}


def _module_arrays_read(parsed: ParsedFunction) -> list[str]:
    """The names of module (or enclosing) arrays the function reads by name."""
    bound = parsed.locals | set(parsed.params) | {
        n.name for n in walk(parsed.node) if isinstance(n, (gast.FunctionDef, gast.ClassDef))}
    return sorted(n for n in _body_names(parsed) if n not in bound and isinstance(
        _outer_value(parsed, n), np.ndarray))


def _body_names(parsed: ParsedFunction) -> set[str]:
    """The names the function's body reads or binds: not its defaults' (``hist=HISTORY``
    is read where the function is defined; GZ 05)."""
    return set().union(*(name_ids(stmt) for stmt in parsed.node.body))


def _outer_value(parsed: ParsedFunction, name: str) -> Any:
    """What the enclosing function's cell (its contents) or the module holds as
    ``name``; None where neither does."""
    if name in parsed.closure:
        held = parsed.closure[name]
        try:
            return held.cell_contents
        except ValueError:  # (an empty cell)
            return None
        except AttributeError:  # (a value, not a cell)
            return held
    return parsed.globals.get(name)


def _module_containers_read(parsed: ParsedFunction) -> list[str]:
    """The names of module (or enclosing) lists and dicts the function reads by name:
    the caller may pass one of them as the argument the function writes into (``f(w,
    G)`` reading ``G`` too), which grad's copy of the argument would leave as it was
    while the function reads it (GS F1-F4)."""
    bound = parsed.locals | set(parsed.params) | {
        n.name for n in walk(parsed.node) if isinstance(n, (gast.FunctionDef, gast.ClassDef))}
    return sorted(n for n in _body_names(parsed) if n not in bound and isinstance(
        _outer_value(parsed, n), (list, dict)))


def _bound_anew(nodes: list) -> set[str]:
    """The names ``nodes`` bind otherwise than by an augmented assignment (``X = ...``,
    ``a, X = ...``, ``for X in ...``, ``X := ...``), a helper's writes taken back aside."""
    found: list = []
    pending = list(nodes)
    while pending:  # (not into nested defs: their names are their own)
        node = pending.pop()
        found.append(node)
        if not isinstance(node, (gast.FunctionDef, gast.Lambda, gast.ClassDef)):
            pending += children(node)
    augmented = {id(n.target) for n in found if isinstance(n, gast.AugAssign)}
    taken_back = {id(t) for n in found if isinstance(n, gast.Assign)
                  for target in n.targets  # (h, s = helper_on_copies(h, s) too)
                  for t in (target.elts if isinstance(target, gast.Tuple) else [target])
                  if isinstance(t, gast.Name) and t.id in getattr(n, "writes_back", ())}
    return {n.id for n in found if isinstance(n, gast.Name) and
            isinstance(n.ctx, gast.Store) and id(n) not in augmented and
            id(n) not in taken_back}


_NOWHERE, _REFUSED = "nowhere", "refused"


def _write_back_plan(parsed: ParsedFunction, name: str) -> Any:
    """How the caller's array passed as ``name`` (written in place) is given the values
    of grad's copy: `_NOWHERE` where every binding of ``name`` to another value comes
    first, at the top, to a new array (``X = X.copy(); X *= 2.0`` writes into an
    array of the function's); `_REFUSED` where a binding may make ``name`` a view of
    the copy that is then written into (``X = X.reshape(-1); X *= 2.0``: NumPy writes
    into the caller's array), or is a loop's target; else the statements (at any depth)
    before which the copy's values are given back, the first one that runs disabling
    the rest (``X -= m; X = X / s``; a binding in a branch or a loop), and then at the
    end of the forward pass."""
    body = parsed.node.body
    bindings = [k for k, stmt in enumerate(body) if name in _bound_anew([stmt])]
    if not bindings:
        return []
    local_defs = _local_defs(parsed)
    writes = [k for k, stmt in enumerate(body) if name in _written_in_place([stmt]) or
              name in _given_to_writers(stmt, parsed.resolve, local_defs)]
    sharing = [k for k in bindings if name in mutation.shared_names(body[k], parsed.resolve)]
    if sharing and (not writes or max(writes) > min(sharing) or
                    not isinstance(body[min(sharing)], gast.Assign)):
        return _REFUSED
    if writes and max(bindings) < min(writes) and \
            all(isinstance(body[k], gast.Assign) for k in bindings):
        return _NOWHERE
    places: list = []
    pending = list(body)
    while pending:
        stmt = pending.pop()
        if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)) or \
                name not in _bound_anew([stmt]):
            continue
        if isinstance(stmt, (gast.Assign, gast.AnnAssign)):
            places.append(stmt)
        elif isinstance(stmt, (gast.If, gast.While, gast.With)) or (
                isinstance(stmt, gast.For) and name not in _bound_anew([stmt.target])):
            pending += [s for block in ("body", "orelse") for s in getattr(stmt, block, [])]
        else:  # (for X in ...: each pass binds X; X := ... in a test)
            return _REFUSED
    return places


def _given_back_to_the_caller(parsed: ParsedFunction, state: Any, namer: Namer,
                              name: str, arrays_back: list) -> None:
    """``name_given = name`` (the caller's array, before ``name`` is made a copy) and
    the statements giving it the copy's values (`_write_back_plan`), or the refusal."""
    plan = _write_back_plan(parsed, name)
    if plan is _REFUSED:
        _refused_as_it_runs(parsed, state, namer, name)
    elif plan is not _NOWHERE:
        given = namer.fresh(f"{name}_given")
        state.primal(gast.copy_location(assign_node(given, name_node(name), parsed.node.body[0]),
                                        parsed.node.body[0]))
        state.shared.discard(given)  # (the caller's array: no copy's)
        arrays_back.append((given, name))
        if _give_back_before(parsed, plan, given, name, namer):
            # (a statement split in two: what each part's checks find read after it)
            state.read_later, state.bound_before = mutation.read_later(parsed.node.body)
            state._values_read_later = None


def _give_back_before(parsed: ParsedFunction, places: list, given: str, name: str,
                      namer: Namer) -> bool:
    """``given = _ad.written_back(given, name)`` before each statement of ``places``:
    the caller's array given the copy's values where ``name`` is bound anew, once (the
    call gives None, after which the others and the one at the end do nothing)."""
    marked = {id(stmt) for stmt in places}
    ad = namer.reference(runtime, "_ad")
    local_defs = _local_defs(parsed)

    def inserted(block: list) -> list:
        out: list = []
        for stmt in block:
            if id(stmt) in marked:
                back = gast.copy_location(assign_node(given, gast.Call(
                    func=gast.Attribute(value=name_node(ad), attr="written_back",
                                        ctx=gast.Load()),
                    args=[name_node(given), name_node(name)], keywords=[]), stmt), stmt)
                back.gives_back = True  # (normalized as written: see Normalizer.statement)
                if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                        isinstance(stmt.targets[0], gast.Name) and \
                        name in _given_to_writers(stmt.value, parsed.resolve, local_defs):
                    # a = bump(a): bump's write into a's copy is given back after the
                    # call, before a is bound to its value
                    shown = getattr(stmt, "shown_as", None) or \
                        gast.unparse(stmt).strip().splitlines()[0]
                    value = gast.copy_location(assign_node(
                        namer.fresh(f"{name}_value"), stmt.value, stmt), stmt)
                    stmt.value = name_node(value.targets[0].id)
                    value.shown_as = stmt.shown_as = shown
                    value.binds = name  # (as the line did: for the normalizer's checks)
                    out.append(value)
                    split.append(value)
                out.append(back)
            for field in ("body", "orelse"):
                if isinstance(stmt, (gast.If, gast.For, gast.While, gast.With)) and \
                        hasattr(stmt, field):
                    setattr(stmt, field, inserted(getattr(stmt, field)))
            out.append(stmt)
        return out

    split: list = []
    parsed.node.body = inserted(parsed.node.body)
    return bool(split)


def _refused_as_it_runs(parsed: ParsedFunction, state: Any, namer: Namer,
                        name: str) -> None:
    """Refuse, as the call runs, an array passed as ``name``, which the function writes
    into and binds anew in a way grad cannot give the caller (a number, ``scale *=
    2.0``, is rebound, as in Python)."""
    body = parsed.node.body
    where = (f"{parsed.where(parsed.node)}: {parsed.name}() writes into its argument "
             f"{name} and also binds {name} to another value (in a loop or a branch, or "
             "to a view of it): NumPy's writes change the caller's array, which grad, "
             f"working on a copy, cannot follow there. Copy it first ({name} = "
             f"{name}.copy()), give the new value a name of its own, or write the "
             f"updates as {name} = {name} - ...")
    ad = namer.reference(runtime, "_ad")
    state.origin = body[0]
    state.primal(gast.copy_location(gast.Expr(value=gast.Call(
        func=gast.Attribute(value=name_node(ad), attr="not_an_array", ctx=gast.Load()),
        args=[name_node(name), gast.Constant(value=where, kind=None)], keywords=[])),
        body[0]))


def _a_new_one_first(body: list, name: str) -> bool:
    """Whether ``name`` is bound to a new list or dict (``S = S.copy()``, ``dict(S)``,
    ``{**S}``, ``list(L)``, ``L[:]``, ``[]``) by a statement of the function's own, before
    any other statement mentions it: it never holds the caller's after."""
    for stmt in body:
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name:
            value = stmt.value
            return isinstance(value, (gast.Dict, gast.List, gast.DictComp, gast.ListComp)) \
                or isinstance(value, gast.Subscript) and isinstance(value.slice, gast.Slice) \
                or isinstance(value, gast.Call) and (
                    isinstance(value.func, gast.Attribute) and value.func.attr == "copy" or
                    isinstance(value.func, gast.Name) and value.func.id in ("dict", "list"))
        if any(isinstance(n, gast.Name) and n.id == name for n in walk(stmt)):
            return False
    return False


def _bound_anew_only_when_none(node: Any, name: str) -> bool:
    """Whether every binding of ``name`` in ``node`` runs only where it holds None:
    ``if name is None: name = ...`` (or the ``else`` of ``if name is not None``), or
    ``name = ... if name is None else name`` (``name if name is not None else ...``)."""
    def none_test(test: Any) -> Optional[bool]:
        if isinstance(test, gast.Compare) and len(test.ops) == 1 and \
                isinstance(test.left, gast.Name) and test.left.id == name and \
                isinstance(test.comparators[0], gast.Constant) and \
                test.comparators[0].value is None:
            return True if isinstance(test.ops[0], gast.Is) else \
                False if isinstance(test.ops[0], gast.IsNot) else None
        return None

    guarded: set = set()
    for n in walk(node):
        if isinstance(n, gast.If) and none_test(n.test) is not None:
            for stmt in n.body if none_test(n.test) else n.orelse:
                guarded |= {id(t) for t in walk(stmt)}
        if isinstance(n, gast.Assign) and isinstance(n.value, gast.IfExp) and \
                none_test(n.value.test) is not None:
            kept = n.value.orelse if none_test(n.value.test) else n.value.body
            if isinstance(kept, gast.Name) and kept.id == name:
                guarded |= {id(t) for t in n.targets}
        if isinstance(n, gast.Assign) and name in getattr(n, "writes_back", ()):
            # (x, log = record_on_copies(x, log): a helper's appends to log, given
            # back, not another list; HH 03)
            guarded |= {id(t) for target in n.targets for t in walk(target)}
    return all(id(n) in guarded for n in walk(node)
               if isinstance(n, gast.Name) and n.id == name and
               isinstance(n.ctx, (gast.Store, gast.Del)))


def _written_by_no_helper(parsed: ParsedFunction, name: str) -> None:
    """Refuse a list or dict argument bound anew otherwise than where it is None
    (``log = log or []``) that a helper of the user's writes into: the helper's writes
    are given back as a new list (``x, log = record_on_copies(x, log)``), which the copy
    the caller is given back may or may not be, as the call runs (HH 03's sibling)."""
    for n in walk(parsed.node):
        if isinstance(n, gast.Assign) and name in getattr(n, "writes_back", ()):
            raise parsed.error(n, (
                f"{name}, the list or dict the caller passed, is bound anew in "
                f"{parsed.name}() ({name} = {name} or ..., or the like), and the function "
                f"of yours called here writes into it: grad cannot tell which one the "
                f"caller's is given back. Write `if {name} is None: {name} = ...` instead"))


def _rebound_before_written(parsed: ParsedFunction, name: str) -> None:
    """Refuse a list or dict argument ``name`` written into (``log.append(v)``) and also
    bound to another one (``log = []``) unless every binding comes first (``log =
    list(log)`` at the top): the writes before a binding are the caller's to see, which
    the copy grad works on would not show."""
    def binds(stmt: Any) -> bool:
        return any(isinstance(n, gast.Assign) and name not in getattr(n, "writes_back", ())
                   and any(isinstance(t, gast.Name) and t.id == name for t in n.targets)
                   for n in walk(stmt))

    body = parsed.node.body
    writes = [k for k, stmt in enumerate(body) if name in _written_in_place([stmt])]
    bindings = [k for k, stmt in enumerate(body) if binds(stmt)]
    if writes and bindings and max(bindings) >= min(writes):
        where = next(n for n in walk(body[max(bindings)]) if isinstance(n, gast.Assign) and
                     any(isinstance(t, gast.Name) and t.id == name for t in n.targets))
        raise parsed.error(where, f"{name}, the list or dict the caller passed, is written "
                                  f"into and bound here to another one: the caller's "
                                  f"would keep the writes made before, which grad cannot "
                                  f"follow. Give the new one a name of its own")


def written_through(node: Any, written: set, resolve: Any) -> set[str]:
    """The names whose arrays the names ``written`` (written in place) may hold, through
    assignments in ``node`` that may share an array (`mutation.shared_names`), however
    many steps away."""
    from ..mutation import shared_names
    bindings: dict[str, set] = {}
    for stmt in walk(node):
        if isinstance(stmt, gast.Assign):
            target, value = stmt.targets[0], stmt.value
            pairs = list(zip(target.elts, value.elts)) if len(stmt.targets) == 1 and \
                isinstance(target, gast.Tuple) and isinstance(value, gast.Tuple) and \
                len(target.elts) == len(value.elts) and not any(
                    isinstance(e, gast.Starred) for e in target.elts + value.elts) \
                else [(t, value) for t in stmt.targets]  # (h, tmp = f(h), q: tmp is q)
            for part, part_value in pairs:
                names = {n.id for n in walk(part)
                         if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
                if names:
                    shared = shared_names(gast.Assign(targets=[part], value=part_value,
                                                      type_comment=None), resolve)
                    for name in names:
                        bindings.setdefault(name, set()).update(shared)
    reached: set = set()
    pending = list(written)
    while pending:
        name = pending.pop()
        for source in bindings.get(name, ()):
            if source not in reached:
                reached.add(source)
                pending.append(source)
    return reached


def _written_through_other_names(parsed: ParsedFunction, written: set[str]) -> set[str]:
    """The parameters of ``parsed`` a name ``written`` in place may hold (``Y = X`` then
    ``Y += 1.0``; ``items = [x, w]; m = items[0]; m *= 3``): see `written_through`."""
    return written_through(parsed.node, written - set(parsed.params),
                           parsed.resolve) & set(parsed.params)


def _written_in_place(body: list) -> set[str]:
    """Names the statements of ``body`` (not its nested defs) write into: ``x[i] = v``,
    ``x[i] += v``, ``x += v``, ``x.fill(v)`` and the like."""
    names: set[str] = set()
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (gast.FunctionDef, gast.Lambda, gast.ClassDef)):
            continue
        targets = node.targets if isinstance(node, (gast.Assign, gast.Delete)) else \
            [node.target] if isinstance(node, gast.AugAssign) else []
        # lst = bump_on_copies(lst): a helper's writes into lst, taken back (helper_copies)
        names.update(getattr(node, "writes_back", ()))
        for target in targets:
            if isinstance(target, gast.Name) and not isinstance(node, gast.AugAssign):
                continue  # x = ...: a new binding, nothing written
            while isinstance(target, gast.Subscript):
                target = target.value
            if isinstance(target, gast.Name):
                names.add(target.id)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and \
                isinstance(node.func.value, gast.Name) and \
                node.func.attr in _CHANGING_METHODS:
            names.add(node.func.value.id)
        if isinstance(node, gast.Call):  # np.copyto(W, v), np.exp(v, out=W)
            written = [k.value for k in node.keywords if k.arg == "out"]
            if isinstance(node.func, gast.Attribute) and node.args and \
                    node.func.attr in _WRITING_INTO_THEIR_FIRST:
                written.append(node.args[0])
            names.update(w.id for w in written if isinstance(w, gast.Name))
        stack += children(node)
    return names


def _drop_unused_local_derivatives(body: list) -> None:
    """Remove the derivatives of nested defs that no call uses: a loop's body is
    normalized until its activity settles, and its first passes may ask for a
    derivative with respect to fewer arguments than the last."""
    used = {op.rule.local_name for op in ops_in(body)
            if op.rule is not None and hasattr(op.rule, "local_name")}
    texts: list = []

    def collect(items: list) -> None:
        for item in items:
            if isinstance(item, Primal) and isinstance(item.stmt, Verbatim):
                texts.append(item.stmt.text)
            for part in ("body", "orelse"):
                if isinstance(getattr(item, part, None), list):
                    collect(getattr(item, part))

    collect(body)
    for text in texts:  # one nested derivative may call another
        own = re.findall(r"^\s*def (\w+)", text, re.M)[:1]
        used |= set(re.findall(r"\b\w+\b", text)) - set(own)

    def prune(items: list) -> None:
        items[:] = [item for item in items if not (
            isinstance(item, Primal) and isinstance(item.stmt, Verbatim)
            and not item.assigned & used)]
        for item in items:
            for part in ("body", "orelse"):
                inner = getattr(item, part, None)
                if isinstance(inner, list):
                    prune(inner)

    prune(body)


def _views_of(name: str, ops: list, reads: tuple = ()) -> set:
    """``name`` and every name an operation may have made a view of it, or an alias,
    directly or through another view; ``reads``: ``(target, root)`` of the items and
    attributes read once into names (``term_part = term[::-1]``), views as well."""
    import operator

    found = {name}
    grown = True
    while grown:
        grown = False
        for target, root in reads:
            if root in found and target not in found:
                found.add(target)
                grown = True
        for op in ops:
            if op.target in found or op.gives_number:
                continue
            inputs = {n for entry in op.inputs if entry is not None
                      for n in (entry if isinstance(entry, list) else [entry])
                      if isinstance(n, str)}
            rule = op.rule
            viewing = rule is None or rule.primitive is operator.getitem or \
                rule.primitive in mutation.VIEW_FUNCTIONS or hasattr(rule, "helper_keywords")
            if viewing and inputs & found:
                found.add(op.target)
                grown = True
    return found


def _assign_in_place(body: list, read_by_adjoints: set) -> None:
    """``y = _ad.setitem(y, i, v)`` as ``y[i] = v`` where ``y`` holds an array of its own
    whose old values nobody needs: no adjoint of an operation before the update (or in
    a loop around it) reads ``y``, nor does a branch test or loop header. Filling an
    array of n entries one by one then costs O(n), not O(n²).

    Two reads do not count. An item's adjoint (``_ad.unindex(g, y, i)``) reads ``y`` for
    its shape and dtype only, which the update keeps (where ``y`` is bound once, to an
    array: see ``kept_by``). And an item read before the update
    and kept for an adjoint (``row = traj[t - 1]``, read by the adjoint of
    ``np.sin(k * row)``) is taken as a copy (``traj[t - 1].copy()``) where nothing but
    operations before the update reads it: then ``traj[t] = ...`` in a time-stepping loop
    writes in place, rather than copying the whole trajectory at every step."""
    tested: set = set()
    order: list = []  # (op, enclosing loops) per operation
    # (item, enclosing loops) for every statement, test and header, in order
    sequence: list = []

    def walk_items(items: list, loops: tuple) -> None:
        for item in items:
            if isinstance(item, Branch):
                tested.update(load_names(item.test))
                sequence.append((item.test, loops))
                walk_items(item.body, loops)
                walk_items(item.orelse, loops)
            elif isinstance(item, Loop):
                tested.update(load_names(item.header))
                sequence.append((item.header, loops))
                walk_items(item.body, loops + (id(item),))
            elif isinstance(item, Op):
                order.append((item, loops))
                sequence.append((item, loops))
            elif isinstance(item, Primal):
                sequence.append((item, loops))
                if isinstance(item.stmt, gast.Assign) and len(item.stmt.targets) == 1 and \
                        isinstance(item.stmt.targets[0], gast.Name) and \
                        isinstance(item.stmt.value, (gast.Subscript, gast.Attribute)):
                    root = base_name(item.stmt.value)
                    if root is not None:
                        reads.append((item.stmt.targets[0].id, root))

    reads: list = []
    walk_items(body, ())
    ops = [other for other, _ in order]
    fixed = {op.target for op, _ in order if getattr(op, "fixed_shape", False)}
    structures = _structures_kept(ops)
    fixed |= structures
    for other in ops:  # (their adjoints read the array's shape, which stays as it is)
        if _item_of(other, fixed):
            other.reads_shape_only = True
    for k, (op, loops) in enumerate(order):
        if not getattr(op, "own_array", False) or op.target in tested:
            continue
        # An adjoint reading a view of the array (out1_T = out1.T, kept for the adjoint
        # of out1_T @ w) sees the update too: the views count as the array.
        # (an item of a list or dict is no view of it: an update rebinds the slot; and
        # a structure kept is bound to no other name)
        names = {op.target} if op.target in structures else \
            _views_of(op.target, ops, tuple(reads))
        before = [other for j, (other, around) in enumerate(order)
                  if (j < k or set(loops) & set(around)) and other is not op]
        array = getattr(op, "surely_an_array", False)
        copies = [] if not array else \
            [item for item in before if _item_of(item, names) and not item.gives_number
             and _read_only_before(item, op, loops, sequence)]  # (a number: a copy)
        if copies:  # the views there are once those items are copies
            copied = {id(item) for item in copies}
            names = _views_of(op.target, [o for o in ops if id(o) not in copied], tuple(reads))
        readers = [other for other in before if names & set(kept_by(other))]
        if readers:
            continue
        kept = set().union(*(kept_by(other) for other in before))
        for item in copies:
            if _views_of(item.target, ops, tuple(reads)) & kept:
                copy_call = gast.Call(func=gast.Attribute(value=item.value, attr="copy",
                                                          ctx=gast.Load()),
                                      args=[], keywords=[])
                item._statement = assign_node(item.target, copy_call, item.origin)
        store = gast.Subscript(value=name_node(op.target), slice=op.bound["index"],
                               ctx=gast.Store())
        op._statement = gast.copy_location(
            gast.Assign(targets=[store], value=op.bound["v"], type_comment=None), op.origin)
        op.in_place = True
        # (a list's or dict's zero adjoint is made from its last value, whose items may
        # have other shapes than those read before: reverse's `structures`)
        op.zeroes_item = op.target in structures


def _structures_kept(ops: list) -> set:
    """The lists and dicts whose items' adjoints read only their layout, which stays
    (``fixed_structure``: a list's length, a dict's keys, added to alone): every
    operation that reads one reads an item of it or writes one. A time loop keeping
    its states in one (``hs[t] = np.tanh(W @ hs[t - 1] + xs[t])``) then writes into it
    in place, not into a copy of it made at every step."""
    import operator
    kept = {op.target for op in ops if getattr(op, "fixed_structure", False)}
    for other in ops:
        if not kept:
            break
        read = kept & set().union(*(load_names(v) for v in other.bound.values()))
        if not read:
            continue
        x = other.bound.get("x")
        writes = other.rule is not None and other.rule.primitive is runtime.setitem and \
            isinstance(x, gast.Name) and other.target == x.id
        item = other.rule is not None and other.rule.primitive is operator.getitem and \
            isinstance(x, gast.Name)
        if (writes or item) and read == {x.id} and \
                not load_names(other.bound.get("v")) & read and \
                not load_names(other.bound.get("index")) & read:
            continue
        kept -= read
    return kept


def _item_of(op: Op, names: set) -> bool:
    """Whether ``op`` reads an item of one of ``names`` (``row = traj[t - 1]``)."""
    import operator
    x = op.bound.get("x")
    return op.rule is not None and op.rule.primitive is operator.getitem and \
        isinstance(x, gast.Name) and x.id in names


def _read_only_before(item: Op, update: Op, loops: tuple, sequence: list,
                      depth: int = 0) -> bool:
    """Whether ``item``'s result is bound there alone and read, until ``update`` and
    never after, only by operations that make a new array of it (not a view, not a
    helper, not a statement kept as written), or by parts of it read so in turn: as a
    copy it then reads the same."""
    positions = {id(entry): k for k, (entry, _) in enumerate(sequence)}
    start, end = positions.get(id(item)), positions.get(id(update))
    if start is None or end is None or start > end or \
            next(around for entry, around in sequence if entry is item) != loops:
        return False
    name = item.target
    for k, (entry, around) in enumerate(sequence):
        if entry is item:
            continue
        if isinstance(entry, Op):
            if entry.target == name:
                return False
            rule = entry.rule
            if name not in entry.input_names() and not any(
                    name in load_names(v) for v in entry.bound.values()):
                continue
            number = getattr(entry, "gives_number", False)  # (S = row[0]: a number)
            if rule is not None and hasattr(rule, "helper_keywords") and \
                    _fresh_and_keeps_nothing(rule.primitive):
                pass  # (rhs(traj[k], p) of a helper returning new arrays: a copy reads
                # the same; its backward keeps the copy)
            elif rule is not None and getattr(rule.primitive, "__name__", "") == "getitem" \
                    and not number and depth < 4 and \
                    _read_only_before(entry, update, loops, sequence, depth + 1):
                pass  # (u = U[n], then u[1:-1] + v: a part of it read only so, too)
            elif rule is None or hasattr(rule, "helper_keywords") or \
                    rule.primitive in mutation.VIEW_FUNCTIONS or \
                    rule.primitive in mutation.RETURNS_AN_ARGUMENT or \
                    getattr(rule.primitive, "__name__", "") in \
                    {"getitem", "setitem"} | mutation.VIEW_METHODS and not number:
                return False
            if not (start < k < end and around[:len(loops)] == loops):
                return False
        else:
            node = entry.stmt if isinstance(entry, Primal) else entry
            if _counted_only(node, name) and start < k < end:
                continue  # (S, I, R = row: _ad.unpacking(row, 3) reads its length)
            if any(isinstance(n, gast.Name) and n.id == name for n in walk(node)):
                return False
    return True


def _fresh_and_keeps_nothing(fn: Any) -> bool:
    """Whether the user function ``fn`` returns only new arrays and numbers, and keeps
    nothing it is given (writes into no argument, changes no state): given a copy of an
    array in place of a view of it, it computes and keeps the same."""
    try:
        return mutation.returns_fresh(fn) and not mutation.may_change_state(fn) and \
            mutation.helper_writes_into(fn) is None
    except Exception:  # noqa: BLE001 - not readable: not known
        return False


def _counted_only(node: Any, name: str) -> bool:
    """Whether ``node`` is ``_ad.unpacking(name, n)``, which reads ``name``'s length."""
    return isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) and \
        isinstance(node.value.func, gast.Attribute) and \
        node.value.func.attr == "unpacking" and \
        isinstance(node.value.func.value, gast.Name) and \
        node.value.func.value.id.startswith("_ad") and node.value.args and \
        isinstance(node.value.args[0], gast.Name) and node.value.args[0].id == name and \
        not any(isinstance(n, gast.Name) and n.id == name
                for a in node.value.args[1:] for n in walk(a))

