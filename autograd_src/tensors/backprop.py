"""Record operations on tensors and run their adjoints backwards, from the shared rule table.

`backward` calls each recorded rule once, node by node. Generating straight-line
code for the recorded graph was the alternative; calling the rules directly won
on measurement (see ``benchmarks/bench_tensor.py``): a graph built in Python is
rarely replayed with the same structure, so code generation and its cache
lookups cost more than they save. The generated form is still available to
read, through `Tensor.backward_source`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import operator
from typing import Any, Callable, Optional

import numpy as np

from ..rules import numpy_rules, registry, runtime
from . import memory
from .errors import InvalidBackprop, InvalidGradient

__all__ = ["Node", "apply", "backward", "no_autodiff", "is_recording", "unwrap",
           "topological_order"]


class _Recording:
    enabled = True
    clears = 0  # graphs cleared so far (by backward or clear_graph): a clock for Node.clears
    backwards = 0  # backward passes so far: a clock for a view's null_grad


class Node:
    """How a tensor was computed: the rule, the operands and which of them are tracked."""

    __slots__ = ("rule", "args", "kwargs", "parents", "versions", "clears", "locked")

    def __init__(self, rule: registry.Rule, args: tuple, kwargs: dict,
                 parents: list[tuple[int, Optional[int], Any]], versions: list[int]) -> None:
        self.rule = rule
        self.args = args          # NumPy operands, as the primitive received them
        self.kwargs = kwargs
        self.parents = parents    # (input slot, index in a sequence input or None, Tensor)
        # Each parent's version when read: an in-place update since then moved the
        # value this operation read to a placeholder (`_resolve`).
        self.versions = versions
        self.clears = _Recording.clears  # a parent cleared after this was recorded lost its past
        self.locked: Optional[list] = None  # arrays made read-only for this operation

    def release(self) -> None:
        """Unlock the arrays this operation held (its graph is cleared)."""
        if self.locked is not None:
            memory.release(self.locked)
            self.locked = None

    def __del__(self) -> None:
        if self.locked:
            memory.release(self.locked)


def backward_count() -> int:
    """How many backward passes have run (a clock for a view's `null_grad`)."""
    return _Recording.backwards


def is_recording() -> bool:
    """Whether operations on tensors are being recorded for `backward`."""
    return _Recording.enabled


class _NoAutodiff(contextlib.ContextDecorator):
    """Context manager and decorator that stops recording operations on tensors."""

    def __init__(self) -> None:
        # one entry per `with` in progress: the module-level instance is entered again
        # inside itself (an evaluate() under the optimiser's block), and each exit
        # restores what its own entry found
        self._previous: list[bool] = []

    def __enter__(self) -> "_NoAutodiff":
        self._previous.append(_Recording.enabled)
        _Recording.enabled = False
        return self

    def __exit__(self, *exc: Any) -> None:
        _Recording.enabled = self._previous.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _NoAutodiff():
                return fn(*args, **kwargs)
        return wrapper


#: ``with mg.no_autodiff:`` or ``@mg.no_autodiff``: run NumPy math on tensors untracked.
no_autodiff = _NoAutodiff()


def _slots(rule: registry.Rule, args: tuple) -> list[tuple[int, Optional[int], Any]]:
    """Every differentiable operand: (input slot, position in a sequence, operand)."""
    slots: list[tuple[int, Optional[int], Any]] = []
    for index in range(rule.n_inputs):
        if not rule.input_is_sequence(index):
            if index < len(args):
                slots.append((index, None, args[index]))
            continue
        param = rule.signature.parameters[rule.params[index]]
        elements = args[index:] if param.kind is param.VAR_POSITIONAL else \
            (args[index] if index < len(args) else ())
        slots += [(index, k, e) for k, e in enumerate(elements)]
    return slots


def _known_keywords(rule: registry.Rule, primitive: Any, kwargs: dict) -> None:
    """Refuse, at the call, a keyword the primitive's rule does not take (np.sum(t,
    dtype=...), np.einsum(..., optimize=True)): backward would fail on it later, after
    the forward value was made."""
    parameters = rule.signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = [k for k in kwargs if k not in parameters]
    if unknown:
        name = registry.primitive_name(primitive)
        raise TypeError(f"{name}(..., {unknown[0]}=...) on a tensor: the keyword "
                        f"{unknown[0]} has no derivative rule here; leave it out, or call "
                        "the function on tensor.data for a constant result")


def _positional(rule: registry.Rule, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Move differentiable inputs passed by keyword (np.sum(a=x)) to their positions."""
    if not kwargs:
        return args, kwargs
    names = rule.params[len(args):rule.n_inputs]
    if not any(n in kwargs for n in names):
        return args, kwargs
    bound = rule.signature.bind(None, None, *args, **kwargs)
    values = list(bound.args[2:])
    return tuple(values), dict(bound.kwargs)


#: NumPy functions whose result may be a view of their first operand. When it is,
#: the result is recorded as a view of that tensor (``.base``): an in-place update
#: of either reaches the other, in value and in the graph (`inplace`).
#: (A one-operand ``einsum`` NumPy returns as a view, ``'ij->ji'``, ``'ii->i'``, is
#: one of its second argument: recorded as `runtime.einsum_view` of it.)
VIEW_FUNCTIONS = {operator.getitem, np.transpose, np.reshape, np.ravel, np.squeeze,
                  np.expand_dims, np.swapaxes, np.moveaxis, np.broadcast_to,
                  np.atleast_1d, np.atleast_2d, np.atleast_3d, np.flip, np.fliplr,
                  np.flipud, np.rot90, np.rollaxis, np.diagonal,
                  *[getattr(np, name) for name in ("matrix_transpose", "permute_dims")
                    if hasattr(np, name)]}


#: NumPy functions that return their operand itself where it needs no change (a
#: matrix given to ``np.atleast_2d``, a real array to ``np.real``): so does the tensor
#: version, as in MyGrad, and an update through the result is an update of the operand.
RETURNS_ITS_OPERAND = {np.atleast_1d, np.atleast_2d, np.atleast_3d, np.real}

_NO_POSITIONS = itertools.repeat(None)


def _flat(args: tuple) -> list:
    """``args`` with the items of its lists and tuples (``np.concatenate([t, z])``)."""
    return [item for a in args
            for item in (a if type(a) is list or type(a) is tuple else (a,))]


def apply(tensor_type: type, primitive: Any, args: tuple, kwargs: dict,
          constant: Optional[bool] = None) -> Any:
    """Run ``primitive`` on the data of ``args`` and record it when a tensor needs a gradient."""
    rule = registry.lookup(primitive)
    sequence = False
    if rule is not None:
        if kwargs:
            if primitive is np.einsum and "optimize" in kwargs:  # the order of products
                kwargs = {k: v for k, v in kwargs.items() if k != "optimize"}
            if primitive is np.clip and ("min" in kwargs or "max" in kwargs):
                # (NumPy 2.1's names for the bounds, as grad reads them; GO 08)
                kwargs = {{"min": "a_min", "max": "a_max"}.get(k, k): v
                          for k, v in kwargs.items()}
            if "overwrite_input" in kwargs and primitive in numpy_rules.OVERWRITING:
                # (NumPy may reorder the data, which the rule reads: left as it was)
                kwargs = {k: v for k, v in kwargs.items() if k != "overwrite_input"}
            _known_keywords(rule, primitive, kwargs)
            args, kwargs = _positional(rule, args, kwargs)
        sequence = rule.__dict__.get("_has_sequence")
        if sequence is None:
            sequence = _has_sequence(rule)
        if sequence:
            args = _rows(tensor_type, rule, args)
        else:
            for a in args[:rule.n_inputs] if len(args) > rule.n_inputs else args:
                if type(a) is list or type(a) is tuple:
                    # mg.mean([t1, t2]): NumPy makes an array of the list; so does
                    # this, recorded
                    args = tuple(_stacked(tensor_type, a) if k < rule.n_inputs else a
                                 for k, a in enumerate(args))
                    break
    if rule is not None and not sequence and (kwargs or len(args) > rule.n_inputs):
        _no_gradient_through_options(tensor_type, rule, primitive, args, kwargs)
    raw_args = tuple([a._data if type(a) is tensor_type else unwrap(a) for a in args])
    raw_kwargs = {k: unwrap(v) for k, v in kwargs.items()} if kwargs else kwargs
    ans = primitive(*raw_args, **raw_kwargs)
    if getattr(ans, "dtype", None) is not None and ans.dtype.kind == "c" and \
            _Recording.enabled and any(
                type(a) is tensor_type and not a._constant for a in _flat(args)):
        raise TypeError(f"{registry.primitive_name(primitive)} of a tensor that needs "
                        "gradients gives complex values here: complex numbers are not "
                        "supported (MyGrad refuses complex data too); write the real and "
                        "imaginary parts as separate real tensors")
    if isinstance(ans, (tuple, list)):
        if primitive in _SPLITS and isinstance(args[0], tensor_type):
            return _pieces(args[0], ans, _SPLITS[primitive](raw_args, raw_kwargs), constant)
        if rule is not None and (registry.returns_sequence(primitive)
                                 or primitive is np.gradient):  # one array per axis
            return _several(tensor_type, rule, args, raw_args, raw_kwargs, ans, constant)
        raise TypeError(f"{registry.primitive_name(primitive)} returns several arrays; a tensor "
                        "records operations with one result: call it on tensor.data for "
                        "constants, or differentiate the function with grad")
    if ans is raw_args[0] and primitive in RETURNS_ITS_OPERAND and constant is None and \
            isinstance(args[0], tensor_type):
        return args[0]  # np.atleast_2d of a matrix is the matrix: writes through it reach it
    view_of = viewed_as = None
    unrecorded_view = False
    if primitive in VIEW_FUNCTIONS and type(ans) is np.ndarray and ans.base is not None \
            and isinstance(args[0], tensor_type):
        data = raw_args[0]
        if ans.base is data or ans.base is data.base:
            if _Recording.enabled:
                view_of = args[0]  # a view leaves its operand's gradient alone, as in MyGrad
            else:
                unrecorded_view = True
    elif primitive is np.einsum and len(args) == 2 and type(ans) is np.ndarray and \
            ans.base is not None and _Recording.enabled and isinstance(args[1], tensor_type) \
            and isinstance(raw_args[0], str) and not raw_kwargs:
        data = raw_args[1]
        if ans.base is data or ans.base is data.base:  # ('ij->ji', 'ii->i')
            view_of, viewed_as = args[1], (runtime.einsum_view, (raw_args[0],), {})
    parents: list = []
    versions: list = []
    # The arrays this operation must lock (memory.py): its operands' that no graph
    # holds yet (a computed tensor's array is held by its own operation, locked when
    # it leaves the engine: Tensor.data), and whether each may be the user's.
    held: list = []
    exposed: list = []
    if rule is not None:
        slots = _slots(rule, args) if sequence else \
            zip(range(rule.n_inputs), _NO_POSITIONS, args)
        for slot, position, operand in slots:
            if isinstance(operand, tensor_type):
                if operand._view is not None and not operand._constant and \
                        _Recording.enabled and (operand._node is None or _stale_view(operand)):
                    _recorded_again(operand)
                if view_of is None:
                    if operand._node is None:
                        held.append(operand._data)
                        exposed.append(operand._exposed)
                    elif operand._base is not None and operand._base._node is None:
                        # a view of a leaf read: the leaf's array holds its values (the
                        # view itself locked nothing: its adjoint reads no values, and a
                        # view kept for logging must leave W.data -= step writeable)
                        held += [operand._base._data, operand._data]  # (w0.data too)
                        exposed += [operand._base._exposed, operand._exposed]
                    if _Recording.enabled:  # (read under no_autodiff, it keeps it)
                        operand._grad = None  # a tensor used in a new operation drops it
                if not operand._constant:
                    parents.append((slot, position, operand))
                    versions.append(operand._version)
            elif type(operand) is np.ndarray:
                held.append(operand)
                exposed.append(True)
    elif registry.is_nondifferentiable(primitive):
        for operand in args:
            if isinstance(operand, tensor_type) and _Recording.enabled:
                operand._grad = None
    else:
        raise TypeError(f"{registry.primitive_name(primitive)} has no derivative rule: call it "
                        "on tensor.data to treat the result as a constant, or register a "
                        "rule with autograd_src.extend.defvjp")
    dtype = getattr(ans, "dtype", None)
    is_float = (dtype if dtype is not None else np.result_type(ans)).kind == "f"
    if constant is None:
        constant = not parents or not is_float
    result = tensor_type._wrap(ans, constant=bool(constant) or not is_float)
    if parents and not result._constant and _Recording.enabled:
        # Indices, masks and labels are read again by backward(): as they are now
        # (the user may refill the array before then, as a minibatch loop does)
        n = rule.n_inputs
        if len(raw_args) > n:
            raw_args = raw_args[:n] + tuple([_kept(a) for a in raw_args[n:]])
        if raw_kwargs:
            raw_kwargs = {k: _kept(v) for k, v in raw_kwargs.items()}
        node = result._node = Node(rule, raw_args, raw_kwargs, parents, versions)
        result._computed = True
        if held:
            node.locked = memory.lock(held, exposed)
    elif not result._data.flags.writeable:
        memory.note_view(result._data)
    if view_of is not None:
        view_of._add_view(result, *(viewed_as or (primitive, raw_args[1:], raw_kwargs)))
    elif unrecorded_view:
        # A view made under no_autodiff shares its operand's memory: read-only while a
        # live graph holds that (v = y[1:]; v[0] = 100 changed what backward read)
        args[0].data  # noqa: B018 (the operand's array leaves the engine with it)
        memory.flag_with_base(ans)
    return result


def _stale_view(view: Any) -> bool:
    """Whether ``view`` was taken, as it is recorded, of a leaf a backward has cleared
    since (``w0 = W[0]`` before a step whose graph held ``W`` alone), or of a view
    that was (``x.T[1:]``): reading it again is reading ``W`` now, as NumPy's view
    does."""
    node, parent = view._node, view._view[0]
    if not (len(node.parents) == 1 and node.parents[0][2] is parent):
        return False
    root = view._base
    if root is not None and root._computed and root._node is None:
        return False  # (see below)
    if parent._view is not None and parent._cleared > node.clears:
        return parent._node is None or _stale_view(parent)
    if parent._view is not None and parent._node is not None:
        return _stale_view(parent)
    # (of a computed tensor whose graph was cleared, the gradient would stop there:
    # refused, as MyGrad does, rather than leave the leaves the last step's)
    return parent._node is None and not parent._computed and parent._cleared > node.clears


def _recorded_again(view: Any) -> None:
    """Record anew how a view whose graph a backward cleared is read from its base
    (``Wt = W.T`` made once, a loss computed from it at each step): its gradient is
    the same view of its base's, so the base must get it too (as MyGrad's base would
    not, keeping the gradient of the first step)."""
    parent, primitive, rest, kwargs = view._view
    if parent._constant:
        return
    if parent._view is not None and (parent._node is None or _stale_view(parent)):
        _recorded_again(parent)
    # (recorded as the view was made: the rule's own layout of its operands)
    view._node = apply(type(view), primitive, (parent, *rest), kwargs, view._constant)._node


def _no_gradient_through_options(tensor_type: type, rule: Any, primitive: Any, args: tuple,
                                 kwargs: dict) -> None:
    """Refuse a tensor that needs a gradient given where the rule takes a constant (an
    option: ``np.interp``'s ``left``, an axis): its gradient would silently be None."""
    options = list(args[rule.n_inputs:]) + list(kwargs.values())
    if any(isinstance(v, tensor_type) and not v._constant for v in options):
        raise TypeError(f"{registry.primitive_name(primitive)} takes no gradient through "
                        "this argument (its derivative rule treats it as a constant): pass "
                        "tensor.data, or a constant tensor")


def _kept(value: Any) -> Any:
    """``value`` (an argument of an operation that is not an input: an index, a mask,
    labels) as it is now: a writable array copied, in tuples and lists too."""
    kind = type(value)
    if kind is np.ndarray:
        return value.copy() if value.flags.writeable else value
    if (kind is tuple or kind is list) and any(type(v) is np.ndarray for v in value):
        return kind(_kept(v) for v in value)
    return value


def _split_axis(raw_args: tuple, raw_kwargs: dict) -> int:
    return raw_kwargs.get("axis", raw_args[2] if len(raw_args) > 2 else 0)


#: NumPy's splitting functions, each with the axis it splits along: their pieces are
#: recorded as basic-index views of the tensor (which NumPy's pieces are too).
_SPLITS: dict = {
    np.split: _split_axis, np.array_split: _split_axis,
    np.vsplit: lambda raw_args, raw_kwargs: 0,
    np.hsplit: lambda raw_args, raw_kwargs: 1 if np.ndim(raw_args[0]) > 1 else 0,
    np.dsplit: lambda raw_args, raw_kwargs: 2,
}


def _pieces(tensor: Any, pieces: list, axis: int, constant: Optional[bool]) -> list:
    """The pieces NumPy split ``tensor``'s data into, as ``tensor[..., start:stop]``
    along ``axis``, each recorded (a list, as NumPy returns)."""
    axis = operator.index(axis) % tensor._data.ndim
    out, start = [], 0
    for piece in pieces:
        stop = start + piece.shape[axis]
        index = (slice(None),) * axis + (slice(start, stop),)
        out.append(apply(type(tensor), operator.getitem, (tensor, index), {}, constant))
        start = stop
    return out


class _Item:
    """The rule of item ``index`` of a primitive with several results (``svd``,
    ``eigh``, ``slogdet``...): each item is a tensor of its own, whose adjoint is the
    primitive's rule given that item's gradient and None for the others. The rule is
    linear in its gradient, so the items' adjoints sum to the adjoint of them all."""

    def __init__(self, rule: registry.Rule, index: int, ans: Any) -> None:
        self.whole, self.index, self.ans = rule, index, ans
        self.primitive, self.n_inputs = rule.primitive, rule.n_inputs
        self.params, self.signature = rule.params, rule.signature

    def vjp(self, g: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        gradients: list = [None] * len(self.ans)
        gradients[self.index] = g
        return self.whole.vjp(gradients, self.ans, *args, **kwargs)

    def broadcasts(self, index: int) -> bool:
        return self.whole.broadcasts(index)

    def input_is_sequence(self, index: int) -> bool:
        return self.whole.input_is_sequence(index)

    def input_vjp(self, index: int) -> None:
        return None  # backward runs vjp whole


def _several(tensor_type: type, rule: registry.Rule, args: tuple, raw_args: tuple,
             raw_kwargs: dict, ans: Any, constant: Optional[bool]) -> Any:
    """Each result of a primitive with several (a tuple, or NumPy's named tuple) as a
    tensor recorded with the rule `_Item`."""
    if _has_sequence(rule):
        raise TypeError(f"{registry.primitive_name(rule.primitive)} of a sequence returns "
                        "several arrays: call it on tensor.data, or differentiate the "
                        "function with grad")
    tracked = [(slot, operand) for slot, operand in zip(range(rule.n_inputs), args)
               if isinstance(operand, tensor_type)]
    if any(np.iscomplexobj(value) for value in ans) and \
            any(not t._constant for _, t in tracked):
        # (np.linalg.eig under NumPy 2.5 is complex even for real eigenvalues: as a
        # constant result its gradient would be silently zero)
        raise TypeError(f"{registry.primitive_name(rule.primitive)} returned complex "
                        "arrays, which the rules do not differentiate: use a function "
                        "with real results (np.linalg.eigh for a symmetric matrix)")
    # The arrays each item's operation holds, locked as `apply` locks them: the
    # operands' that no graph holds yet, and plain arrays (the user's).
    held = [(t._data, t._exposed) for _, t in tracked if t._node is None] + \
        [(a, True) for a in raw_args[:rule.n_inputs] if type(a) is np.ndarray
         and not any(a is t._data for _, t in tracked)]
    items = []
    for index, value in enumerate(ans):
        item = _Item(rule, index, ans)
        items.append(_recorded(tensor_type, item, tracked, held, raw_args, raw_kwargs,
                               value, constant))
    return type(ans)._make(items) if hasattr(ans, "_fields") else type(ans)(items)


def _recorded(tensor_type: type, rule: Any, tracked: list, held: list, raw_args: tuple,
              raw_kwargs: dict, value: Any, constant: Optional[bool]) -> Any:
    parents = [(slot, None, t) for slot, t in tracked if not t._constant]
    versions = [t._version for _, _, t in parents]
    for _, t in tracked:
        t._grad = None
    value = np.asarray(value) if not isinstance(value, np.ndarray) else value
    is_float = value.dtype.kind == "f"
    if constant is None:
        constant = not parents or not is_float
    result = tensor_type._wrap(value, constant=bool(constant) or not is_float)
    if parents and not result._constant and _Recording.enabled:
        node = result._node = Node(rule, raw_args, raw_kwargs, parents, versions)
        result._computed = True
        if held:
            node.locked = memory.lock([a for a, _ in held], [e for _, e in held])
    return result


def _input_vjps(rule: registry.Rule) -> tuple:
    """``rule.input_vjp(slot)`` for every input slot, looked up once per rule."""
    cached = rule.__dict__.get("_tensor_input_vjps")
    if cached is None:
        cached = rule.__dict__["_tensor_input_vjps"] = tuple(
            rule.input_vjp(i) for i in range(rule.n_inputs))
    return cached


def _broadcasts(rule: registry.Rule) -> tuple:
    """``rule.broadcasts(slot)`` for every input slot, computed once per rule."""
    cached = rule.__dict__.get("_broadcasts")
    if cached is None:
        cached = rule.__dict__["_broadcasts"] = tuple(
            rule.broadcasts(i) for i in range(rule.n_inputs))
    return cached


def _has_sequence(rule: registry.Rule) -> bool:
    cached = rule.__dict__.get("_has_sequence")
    if cached is None:
        cached = rule.__dict__["_has_sequence"] = any(
            rule.input_is_sequence(i) for i in range(rule.n_inputs))
    return cached


def _stacked(tensor_type: type, value: Any) -> Any:
    """``value``, or for a list or tuple holding tensors that need a gradient, their
    ``np.stack`` as a recorded operation (what NumPy's conversion of the list does)."""
    if type(value) is not list and type(value) is not tuple:
        return value
    items = [_stacked(tensor_type, v) for v in value]
    if not any(isinstance(v, tensor_type) and not v._constant for v in items):
        return value
    return apply(tensor_type, np.stack, (items,), {})


def _rows(tensor_type: type, rule: registry.Rule, args: tuple) -> tuple:
    """``np.vstack(t)``: a tensor given for a sequence input is, as NumPy reads it, the
    sequence of its rows; each row becomes an operand of its own (``t[i]``, recorded)."""
    if not any(isinstance(a, tensor_type) and not a._constant for a in args):
        return args
    args = list(args)
    for index in range(min(rule.n_inputs, len(args))):
        if rule.input_is_sequence(index) and isinstance(args[index], tensor_type) and \
                not args[index]._constant:
            param = rule.signature.parameters[rule.params[index]]
            if param.kind is not param.VAR_POSITIONAL and args[index].ndim > 0:
                args[index] = list(args[index])
    return tuple(args)


def unwrap(value: Any) -> Any:
    data = getattr(value, "_data", None)
    if data is not None:
        return data
    if isinstance(value, (list, tuple)) and any(hasattr(v, "_data") for v in value):
        return type(value)(unwrap(v) for v in value)
    return value


def topological_order(root: Any, check: bool = False) -> list[Any]:
    """Tensors reachable from ``root``, each after every tensor computed from it.

    Kahn's algorithm on the consumer counts: a tensor is emitted only once every
    tensor that read it has been, so a value reaching ``root`` by several paths
    has all of its contributions summed before its own rule runs. Iterative, so
    a 10,000-operation chain does not hit the recursion limit. ``check`` refuses
    a graph that reads a tensor whose own graph was cleared since (`_refuse`).
    """
    consumers: dict[int, int] = {id(root): 0}
    stack = [root]
    while stack:
        node = stack.pop()._node
        if node is None:
            continue
        for entry, version in zip(node.parents, node.versions):
            parent = entry[2]
            if parent._version != version:
                parent = _resolve(node, node.parents.index(entry))
            if check and parent._cleared > node.clears and parent._node is None:
                _refuse(parent)
            key = id(parent)
            if key in consumers:
                consumers[key] += 1
            else:
                consumers[key] = 1
                stack.append(parent)
    order: list[Any] = []
    ready = [root]
    while ready:
        tensor = ready.pop()
        order.append(tensor)
        node = tensor._node
        if node is None:
            continue
        for _, _, parent in node.parents:
            key = id(parent)
            consumers[key] -= 1
            if consumers[key] == 0:
                ready.append(parent)
    return order


def _resolve(node: Node, i: int) -> Any:
    """Parent ``i`` of ``node`` as the operation read it: an in-place update since then
    left that value in a placeholder, the tensor's ``_past`` (see `Tensor._retire`).
    A placeholder keeps the version number it had, so one that was itself updated
    since (a hidden tensor of ``x.shape = ...``) is followed to its own past."""
    slot, position, parent = node.parents[i]
    version = node.versions[i]
    while parent._version != version:
        past = parent._past.get(version) if parent._past else None
        if past is None:
            _refuse(parent)
        parent = past
    node.parents[i] = (slot, position, parent)
    return parent


def _operand(node: Node, slot: int, position: int) -> Any:
    """Item ``position`` of the sequence input ``slot``, as the operation read it."""
    items = node.args[slot]
    return items[position] if isinstance(items, (list, tuple)) else node.args[slot + position]


def _refuse(tensor: Any) -> None:
    raise InvalidBackprop(
        f"backward() reached a tensor of shape {tensor.shape} whose computational graph "
        "an earlier backward() or clear_graph() cleared after this result was computed "
        "from it, so the gradients before it would be stale; recompute the result from "
        "its inputs (MyGrad raises InvalidBackprop here)")


def clear(root: Any) -> None:
    """Forget how ``root`` and the tensors before it were computed.

    Each computed tensor remembers when its graph was cleared: a result recorded
    earlier that reads it (``g`` in ``y = 2 * x; f = y * y; g = y + 1;
    f.backward()``) can no longer reach ``x``, so its `backward` refuses to run, as
    MyGrad's does, instead of leaving in ``x.grad`` the gradient of ``f``.
    """
    _Recording.clears += 1
    for tensor in topological_order(root):
        node = tensor._node
        if node is not None:
            tensor._node = None
            node.release()
        tensor._cleared = _Recording.clears
        tensor._past = None


def _seed(tensor: Any, grad: Any) -> np.ndarray:
    shape = tensor._data.shape
    if grad is None:
        return np.ones(shape, dtype=tensor._data.dtype)
    grad = np.asarray(getattr(grad, "_data", grad), dtype=tensor._data.dtype)
    try:
        return np.array(np.broadcast_to(grad, shape))
    except ValueError:
        raise InvalidGradient(f"backward(grad) needs a gradient that broadcasts to the tensor's "
                         f"shape {shape}; got shape {grad.shape}") from None


def backward(root: Any, grad: Any = None) -> None:
    """Store in ``.grad`` of every tensor that ``root`` depends on the gradient of ``root``.

    A non-scalar ``root`` behaves like ``root.sum()``; ``grad`` replaces the seed
    of ones and must broadcast to ``root``'s shape. The graph is cleared after;
    a RuntimeError if it reads a tensor whose own graph was cleared since (`clear`).
    """
    if root._constant:
        return
    seed = _seed(root, grad)
    if root._view is not None and _Recording.enabled and (
            root._node is None or _stale_view(root)):
        # v.backward() on a view whose graph a backward cleared: its gradient is the
        # same view of its base's, which must get it (not keep the last one's)
        _recorded_again(root)
    order = topological_order(root, check=True)
    _Recording.backwards += 1
    _Recording.clears += 1
    clears = _Recording.clears
    # id(tensor) -> [gradient, whether that array is shared with another tensor]
    pending: dict[int, list] = {id(root): [seed, False]}
    for tensor in order:
        entry = pending.pop(id(tensor), None)
        node = tensor._node
        tensor._cleared = clears  # graphs recorded before that read it are stale now
        if node is not None:
            tensor._node = None
            if node.locked is not None:
                memory.release(node.locked)
                node.locked = None
        if tensor._past is not None:
            tensor._past = None
        if entry is None:
            continue
        g, shared = entry
        data = tensor._data
        if type(g) is not np.ndarray or g.dtype != data.dtype or g.shape != data.shape:
            g = np.array(np.broadcast_to(g, data.shape), dtype=data.dtype)
        elif shared and node is None:
            g = g.copy()  # a leaf's .grad is its own array
        tensor._grad = g
        if node is None:
            continue
        rule = node.rule
        info = rule.__dict__
        vjps = info.get("_tensor_input_vjps") or _input_vjps(rule)
        broadcasts = info.get("_broadcasts") or _broadcasts(rule)
        grads: dict[int, Any] = {}
        for slot, _, _ in node.parents:
            if slot in grads:
                continue
            single = vjps[slot]
            if single is None:  # a rule that cannot be split: run it whole
                whole = rule.vjp(g, data, *node.args, **node.kwargs)
                whole = (whole,) if rule.n_inputs == 1 else whole
                grads = dict(enumerate(whole))
                break
            grads[slot] = single(g, data, *node.args, **node.kwargs)
        for slot, position, parent in node.parents:
            contribution = grads[slot] if position is None else grads[slot][position]
            if contribution is None:
                continue
            # The operand as the operation read it: x.shape = ... since then leaves
            # x reshaped, and the contribution is shaped like the operand.
            operand = node.args[slot] if position is None else _operand(node, slot, position)
            if broadcasts[slot] and not (type(contribution) is np.ndarray
                                         and type(operand) is np.ndarray
                                         and contribution.shape == operand.shape):
                contribution = runtime.unbroadcast(contribution, operand)
            if operand is not parent._data:
                contribution = np.reshape(contribution, parent._data.shape)
            key = id(parent)
            if key in pending:
                pending[key] = [pending[key][0] + contribution, False]
            else:
                # Whether the array may be another's (g itself, or a view of it or of
                # anything: a view is counted as shared, which only costs a leaf a copy
                # of its .grad; np.may_share_memory took a third of this loop's time).
                pending[key] = [contribution, contribution is g or (
                    type(contribution) is np.ndarray and contribution.base is not None)]
