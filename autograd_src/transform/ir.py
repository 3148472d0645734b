"""The normalized form of a function: primitive operations, kept statements, branches, loops.

Also the small syntax-tree helpers every later stage uses.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Union

import gast

from ..rules.registry import Rule

__all__ = ["Comment", "Verbatim", "Primal", "Op", "Branch", "Loop", "Normalized",
           "name_node", "assign_node", "is_trivial", "is_scalar_operand", "load_names",
           "is_number", "assigned_in", "ops_in", "differentiable_inputs", "same_shape",
           "shape_reads", "reads_of", "kept_by", "base_of", "base_name", "expr_key", "children",
           "parents"]


class Comment(gast.stmt):
    """A ``# ...`` line in the generated code (a statement node, so passes can walk past it)."""

    _fields = ("text",)

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Verbatim(gast.stmt):
    """Generated source placed as it is (the derivative of a nested def, with its comments)."""

    _fields = ("text", "names")

    def __init__(self, text: str, names: list) -> None:
        super().__init__()
        self.text = text
        self.names = names  # the names its code reads, for liveness


@dataclass
class Primal:
    """A user statement kept verbatim: it computes nothing that needs an adjoint."""

    stmt: gast.stmt
    origin: gast.stmt
    assigned: set[str] = field(default_factory=set)


@dataclass
class Op:
    """``target = <primitive>(inputs...)`` with every active operand a plain name."""

    target: str
    value: gast.expr
    rule: Optional[Rule]          # None: a copy, ``target = source``
    #: One entry per rule input: the active name, a list of names for a
    #: sequence input (None for inactive elements), or None when inactive.
    inputs: list[Union[None, str, list[Optional[str]]]]
    #: The expression bound to every rule parameter, for substitution.
    bound: dict[str, Any]
    origin: gast.stmt
    #: Names among the operands known to hold scalars (0-d): adjoints flowing
    #: into them need summing, adjoints flowing past them need no unbroadcast.
    scalars: frozenset = frozenset()
    #: Shape classes of the operands: names in one class surely have the same
    #: shape, so an adjoint passing between them needs no unbroadcast.
    classes: dict = field(default_factory=dict)
    #: The shape class of the result (kept apart: ``a = x * a`` names both ``a``).
    result_class: Optional[int] = None
    #: Ids of the bound operand expressions other than names known to be scalars
    #: (``c[i]`` of a list of floats).
    scalar_operands: frozenset = frozenset()
    #: An item read as a number (``R[i - 1, j]`` of a float table, ``c[i]`` of a list
    #: of floats): a value of its own, never a view of the container.
    gives_number: bool = False

    def input_names(self) -> list[str]:
        names: list[str] = []
        for entry in self.inputs:
            if isinstance(entry, list):
                names += [n for n in entry if n is not None]
            elif entry is not None:
                names.append(entry)
        return names


@dataclass
class Branch:
    """``if test: body else: orelse``.

    ``test`` is a simple expression of names (``i % 3 == 0``, ``not broke``), which
    the adjoint evaluates again, or the name of a condition computed just before.
    """

    test: gast.expr
    body: list
    orelse: list
    origin: gast.stmt

    def assigned(self) -> set[str]:
        return assigned_in(self.body) | assigned_in(self.orelse)


@dataclass
class Loop:
    """A ``for`` loop over ``range(...)`` or a ``while`` loop, with its body normalized."""

    header: Union[gast.For, gast.While]   # the loop statement, body left empty
    body: list
    origin: gast.stmt
    #: Counts iterations for the adjoint loop (while loops, and loops that break).
    counter: Optional[str] = None

    @property
    def target(self) -> Optional[str]:
        return self.header.target.id if isinstance(self.header, gast.For) else None

    def assigned(self) -> set[str]:
        names = assigned_in(self.body)
        if self.target:
            names.add(self.target)
        if self.counter:
            names.add(self.counter)
        return names


def ops_in(items: list) -> Iterator[Op]:
    """Every operation in ``items``, inside branches and loops too."""
    for item in items:
        if isinstance(item, Op):
            yield item
        elif isinstance(item, Branch):
            yield from ops_in(item.body)
            yield from ops_in(item.orelse)
        elif isinstance(item, Loop):
            yield from ops_in(item.body)


def assigned_in(items: list) -> set[str]:
    names: set[str] = set()
    for item in items:
        if isinstance(item, Op):
            names.add(item.target)
        elif isinstance(item, Primal):
            names |= item.assigned
        else:
            names |= item.assigned()
    return names


@dataclass
class Normalized:
    """A function body in A-normal form, and the name that holds its output."""

    body: list
    output: str
    output_active: bool
    return_stmt: gast.Return
    #: Whether the output is known to be a scalar (a full reduction, a float).
    output_scalar: bool = False
    #: Names that hold Python lists somewhere: their adjoints are lists too.
    lists: set = field(default_factory=set)
    #: Parameters whose values may be lists, tuples or dicts (a helper's, called
    #: with whatever its caller passes); the caller's are checked to be numbers.
    opaque: set = field(default_factory=set)
    #: Names holding an item or attribute a helper's derivative reads once (see
    #: `ExpressionNormalizer.hoist`): folded back where only the primal reads them.
    state_reads: set = field(default_factory=set)
    #: Parameters an operator applies to beside a differentiated value, and the
    #: methods (``__mul__``, ``__rmul__``) an argument's class must not define itself.
    operand_params: dict = field(default_factory=dict)
    #: Parameters holding a float (or np.float64) in the calls this code is made for,
    #: never assigned: their zero adjoints are 0.0.
    scalar_params: frozenset = frozenset()
    #: Arrays of module objects, dicts and globals its adjoints (and those of the
    #: helpers it calls) read by reference: (function, expression, text, helper). A
    #: caller writing into one in place after the call would change what they read.
    state_arrays: list = field(default_factory=list)
    #: (parameter, attribute) of what a helper logs values computed from differentiated
    #: ones into (``self.log.append(float(l))``), run as written: numbers without
    #: gradient, which its caller must not read back (`CallNormalizer.helper_call`).
    logged: frozenset = frozenset()


def name_node(id_: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def assign_node(target: str, value: gast.expr, origin: gast.AST) -> gast.Assign:
    stmt = gast.Assign(targets=[name_node(target, gast.Store())], value=value, type_comment=None)
    return gast.copy_location(stmt, origin)


def base_of(expr: Any) -> Any:
    """What an item or attribute chain starts from (``self`` of ``self.buf[i]``, ``f()``
    of ``f()[0]``)."""
    while isinstance(expr, (gast.Subscript, gast.Attribute)):
        expr = expr.value
    return expr


def base_name(expr: Any) -> Optional[str]:
    """The name an item or attribute chain starts from (``self`` of ``self.buf[i]``), or
    None when it starts from anything else (a call, a literal)."""
    expr = base_of(expr)
    return expr.id if isinstance(expr, gast.Name) else None


def is_trivial(expr: Any) -> bool:
    """Cheap, side-effect-free expressions that may be repeated in adjoint code."""
    if expr is None or isinstance(expr, (gast.Name, gast.Constant)):
        return True
    if isinstance(expr, gast.Attribute):
        return is_trivial(expr.value)
    if isinstance(expr, (gast.Tuple, gast.List)):
        return all(is_trivial(e) for e in expr.elts)
    if isinstance(expr, gast.UnaryOp):
        return isinstance(expr.operand, gast.Constant)
    if isinstance(expr, gast.BinOp):  # 0.95 * 0.99: arithmetic of numbers written out
        return _numbers_only(expr)
    if isinstance(expr, gast.Subscript):
        return is_trivial(expr.value) and is_trivial(expr.slice)
    if isinstance(expr, gast.Slice):
        return all(is_trivial(e) for e in (expr.lower, expr.upper, expr.step))
    return False


def _numbers_only(expr: Any) -> bool:
    """Whether ``expr`` is arithmetic of int and float literals alone."""
    if isinstance(expr, gast.BinOp):
        return not isinstance(expr.op, gast.MatMult) and _numbers_only(expr.left) and \
            _numbers_only(expr.right)
    if isinstance(expr, gast.UnaryOp):
        return isinstance(expr.op, (gast.USub, gast.UAdd)) and _numbers_only(expr.operand)
    return isinstance(expr, gast.Constant) and type(expr.value) in (int, float)


_AST = gast.AST
_NAME = gast.Name
_CONTEXT = gast.expr_context

# Fields that never hold a node (an identifier, a flag, a constant's value): the walks
# below skip them, class by class, which saves a third of their time.
_SCALAR_FIELDS = frozenset(("id", "attr", "type_comment", "kind", "conversion", "is_async",
                            "level", "module", "asname"))
_SCALAR_BY_CLASS = {gast.Constant: ("value",), gast.keyword: ("arg",),
                    gast.FunctionDef: ("name",), gast.AsyncFunctionDef: ("name",),
                    gast.ClassDef: ("name",), gast.alias: ("name",)}
# ... and what holds no name either: a name's context, an operator
_NO_NAMES = frozenset(("ctx", "op", "ops"))


def _node_fields(cls: type, leave_out: frozenset = frozenset()) -> tuple:
    """The fields of ``cls`` that may hold a node, less ``leave_out``."""
    scalar = _SCALAR_BY_CLASS.get(cls, ())
    return tuple(f for f in getattr(cls, "_fields", ())
                 if f not in _SCALAR_FIELDS and f not in scalar and f not in leave_out)


_NAME_FIELDS: dict = {}
_CHILD_FIELDS: dict = {}
_WALK_FIELDS: dict = {}


def names(tree: Any) -> Iterator[Any]:
    """The ``gast.Name`` nodes of ``tree``, depth first, without visiting what cannot
    hold a name (a name's context, its id, an operator)."""
    todo = [tree]
    pop, push = todo.pop, todo.append
    fields_of = _NAME_FIELDS.get
    while todo:
        node = pop()
        if isinstance(node, _NAME):
            yield node
            annotation = getattr(node, "annotation", None)  # a parameter's (x: T)
            if isinstance(annotation, _AST):
                push(annotation)
            continue
        cls = node.__class__
        fields = fields_of(cls)
        if fields is None:
            fields = _NAME_FIELDS[cls] = _node_fields(cls, _NO_NAMES)
        for attribute in fields:
            value = getattr(node, attribute, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
            elif isinstance(value, _AST):
                push(value)


def name_ids(tree: Any) -> set[str]:
    """The ids of the ``gast.Name`` nodes in ``tree`` (those ``gast.walk`` finds), in one
    walk that does not enter a name's context node."""
    if not isinstance(tree, _AST):
        return set()
    return {node.id for node in names(tree)}


def children(node: Any) -> list:
    """The child nodes of ``node``, as ``gast.iter_child_nodes`` gives them but for
    contexts (``Load``, ``Store``), which hold nothing: a list, made in a third of the time."""
    found: list = []
    cls = node.__class__
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = _CHILD_FIELDS[cls] = _node_fields(cls, frozenset(("ctx",)))
    for attribute in fields:
        value = getattr(node, attribute, None)
        if type(value) is list:
            found += [item for item in value if isinstance(item, _AST)]
        elif isinstance(value, _AST):
            found.append(value)
    return found


def parents(tree: Any) -> dict:
    """``{id(node): its parent}`` for every node of ``tree`` but ``tree`` itself."""
    found: dict = {}
    for node in walk(tree):
        for child in children(node):
            found[id(child)] = node
    return found


def walk(tree: Any) -> Iterator[Any]:
    """Every node of ``tree``, in ``gast.walk``'s order (breadth first, each node's
    children queued before it is given), in a third of its time."""
    todo = deque([tree])
    pop, push = todo.popleft, todo.append
    fields_of = _WALK_FIELDS.get
    while todo:
        node = pop()
        cls = node.__class__
        fields = fields_of(cls)
        if fields is None:
            fields = _WALK_FIELDS[cls] = _node_fields(cls)
        for attribute in fields:
            value = getattr(node, attribute, None)
            if isinstance(value, _AST):
                push(value)
            elif type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
        yield node


def expr_key(node: Any) -> str:
    """A key equal for two expressions exactly when their trees are the same (contexts
    aside): what the passes that reuse a computed value compare, in a quarter of the
    time printing them (``gast.unparse``) took, and a string, whose hash Python keeps.
    Constants compare by ``repr``, so ``0.0`` and ``-0.0``, ``1`` and ``1.0`` and
    ``True`` stay apart; a node is its class's name and its fields in order."""
    if isinstance(node, _NAME):
        return node.id
    if isinstance(node, gast.Constant):
        return "#" + repr(node.value)
    if isinstance(node, _AST):
        return node.__class__.__name__ + "(" + ",".join([
            expr_key(getattr(node, field, None)) for field in node._fields
            if field != "ctx" and field != "type_comment"]) + ")"
    if type(node) is list:
        return "[" + ",".join([expr_key(item) for item in node]) + "]"
    return "~" if node is None else repr(node)  # a field's str or int (an attribute's
    # name, a keyword's), quoted


_VISITORS: dict[type, str] = {}


class Transformer(gast.NodeTransformer):
    """``gast.NodeTransformer``, faster: the same visits and the same replacements,
    except that a name's or subscript's context (``Load``, ``Store``), which holds
    nothing, is not visited (a subclass must not define ``visit_Load`` and the like)."""

    def visit(self, node: Any) -> Any:
        cls = node.__class__
        method = _VISITORS.get(cls)
        if method is None:
            method = _VISITORS[cls] = "visit_" + cls.__name__
        return getattr(self, method, self.generic_visit)(node)

    def visit_Constant(self, node: Any) -> Any:
        # (ast.NodeVisitor's looks for the visit_Num and visit_Str of old first)
        return self.generic_visit(node)

    def generic_visit(self, node: Any) -> Any:
        for attribute in node._fields:
            try:
                old_value = getattr(node, attribute)
            except AttributeError:
                continue
            if isinstance(old_value, list):
                new_values = []
                for value in old_value:
                    if isinstance(value, _AST):
                        value = self.visit(value)
                        if value is None:
                            continue
                        if not isinstance(value, _AST):
                            new_values.extend(value)
                            continue
                    new_values.append(value)
                old_value[:] = new_values
            elif isinstance(old_value, _AST) and not isinstance(old_value, _CONTEXT):
                new_node = self.visit(old_value)
                if new_node is None:
                    delattr(node, attribute)
                else:
                    setattr(node, attribute, new_node)
        return node


def load_names(expr: Any) -> set[str]:
    """Every name an expression (or statement) reads or writes."""
    return name_ids(expr)


def is_number(expr: Any) -> bool:
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
        expr = expr.operand
    return isinstance(expr, gast.Constant) and type(expr.value) in (int, float)


def is_none(value: Any) -> bool:
    return value is None or (isinstance(value, gast.Constant) and value.value is None)


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, gast.Constant) and value.value is True)


def is_scalar_operand(expr: Any, scalars: Any) -> bool:
    """Whether ``expr`` is a number literal (or arithmetic of those) or a name known to
    hold a scalar."""
    return is_number(expr) or (isinstance(expr, gast.Name) and expr.id in scalars) or \
        (isinstance(expr, gast.BinOp) and _numbers_only(expr))


def keywords_of(kw: dict) -> list:
    return [gast.keyword(arg=k, value=v) for k, v in kw.items()]


def replace_nodes(expr: Any, replaced: dict[int, gast.expr]) -> Any:
    if id(expr) in replaced:
        return replaced[id(expr)]
    if isinstance(expr, (gast.List, gast.Tuple)) and any(id(e) in replaced for e in expr.elts):
        return type(expr)(elts=[replaced.get(id(e), e) for e in expr.elts], ctx=gast.Load())
    return expr


# ----- what the adjoint of an operation reads -----


def differentiable_inputs(op: Op) -> list[str]:
    """Active operand names of ``op`` whose rule entry is not None."""
    if op.rule is None:
        return op.input_names()
    names: list[str] = []
    for index, entry in enumerate(op.inputs):
        if op.rule.exprs is not None and op.rule.exprs[index] is None:
            continue
        if isinstance(entry, list):
            names += [n for n in entry if n is not None]
        elif entry is not None:
            names.append(entry)
    return names


def same_shape(name: str, others: list, op: Op) -> bool:
    """Whether the adjoint flowing to ``name`` already has its shape (no unbroadcast).

    True when every other operand is a scalar (it cannot widen the result),
    is ``name`` itself, or surely has ``name``'s shape.
    """
    mine = op.classes.get(name)
    fits = getattr(op, "value_fits", None)
    if fits is not None and name == fits:
        return True  # u[i] = v with v shaped like u's items (normalize's assign_item)
    return bool(others) and all(
        is_scalar_operand(x, op.scalars) or id(x) in op.scalar_operands or (
            isinstance(x, gast.Name) and (
            x.id == name or (mine is not None and op.classes.get(x.id) == mine)))
        for x in others)


def shape_reads(op: Op) -> set[str]:
    """Operands whose shapes the adjoint of ``op`` reads (to sum a broadcast gradient back)."""
    if op.rule is None or hasattr(op.rule, "helper_keywords"):
        return set()
    inputs = [op.bound.get(p) for p in op.rule.params[: op.rule.n_inputs]]
    names = set()
    for index, entry in enumerate(op.inputs):
        others = [x for i, x in enumerate(inputs) if i != index]
        if isinstance(entry, str) and op.rule.broadcasts(index) and \
                not same_shape(entry, others, op) and entry not in op.scalars:
            names.add(entry)  # (a number's shape is (): read from no value)
    return names


def _uses(rule: Rule, index: int) -> Any:
    """``rule.uses(index)``, found once per rule and input: a rule's expressions do
    not change once registered (a helper's rule answers without walking)."""
    if rule.exprs is None or hasattr(rule, "helper_keywords"):
        return rule.uses(index)
    cache = rule.__dict__.get("_autograd_src_uses")
    if cache is None or cache[0] is not rule.exprs:
        cache = rule.__dict__["_autograd_src_uses"] = (rule.exprs, {})
    found = cache[1].get(index)
    if found is None:
        found = cache[1][index] = frozenset(rule.uses(index))
    return found


def reads_of(op: Op) -> tuple[set[str], bool]:
    """Primal names the adjoint of ``op`` reads, and whether it reads ``ans``."""
    if op.rule is None:
        return set(), False
    used: set[str] = set()
    for index, entry in enumerate(op.inputs):
        if entry is None or (isinstance(entry, list) and not any(entry)):
            continue
        used |= _uses(op.rule, index)
    if getattr(op, "reads_shape_only", False):
        # y[i] of an array bound once: its adjoint reads y's shape and dtype, the same
        # in whatever value y holds then (updates write into it)
        used = used - {"x"}
    names: set[str] = set()
    for param in used - {"g", "ans"}:
        names |= load_names(op.bound.get(param))
    return names, "ans" in used


def kept_by(op: Op) -> set[str]:
    """Names whose arrays the adjoint of ``op`` reads when it runs: what its rule reads,
    and for a call of a function whose derivative is generated every operand (its
    backward function keeps the arrays it was given; not where it is given a number
    read from one, ``R[i - 1, j]`` of a float table, which it keeps instead)."""
    if op.rule is not None and hasattr(op.rule, "helper_keywords"):
        copied = getattr(op.rule, "copied_operands", ())
        return set().union(*(load_names(v) for k, v in op.bound.items() if k not in copied
                             and id(v) not in op.scalar_operands))
    names, reads_result = reads_of(op)
    # exp's adjoint reads its own result (g * ans): an update of y after y = np.exp(x)
    # must not change what it reads
    return names | {op.target} if reads_result else names
