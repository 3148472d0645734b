"""The registry of derivative rules: one entry per primitive, shared by `grad` and `Tensor`.

A rule is a plain Python function ``rule(g, ans, *inputs, **options)`` that
returns one adjoint expression per differentiable input (``None`` where no
gradient flows). The source transformer inlines those expressions into the
generated code; the Tensor calls the function itself. Unbroadcasting is done by
the engines for rules registered with ``broadcasting=True``, never by rules.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import textwrap
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import gast

__all__ = ["Rule", "defvjp", "nondifferentiable", "lookup", "is_nondifferentiable",
           "alias", "NONDIFFERENTIABLE", "load_optional", "SEQUENCE_RESULTS",
           "returns_sequence"]

VJPFunction = Callable[..., Any]


@dataclass(eq=False)
class Rule:
    """The adjoint rule of one primitive, with its parsed form for inlining."""

    primitive: Any
    vjp: VJPFunction
    #: True, or the names of the inputs whose adjoints are summed back to their shape.
    broadcasting: Union[bool, tuple]
    sequence: Optional[str]
    signature: inspect.Signature = field(repr=False)
    #: Names of the parameters after ``g`` and ``ans``, in order.
    params: tuple[str, ...] = ()
    #: Number of leading parameters that are differentiable inputs.
    n_inputs: int = 0
    #: The returned expressions, one per input (None: no gradient), or None when
    #: the rule cannot be inlined and generated code must call ``vjp``.
    exprs: Optional[list[Optional[gast.expr]]] = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return primitive_name(self.primitive)

    def broadcasts(self, index: int) -> bool:
        """Whether the adjoint of input ``index`` must be summed back to its shape."""
        if isinstance(self.broadcasting, tuple):
            return self.params[index] in self.broadcasting
        return self.broadcasting

    def input_is_sequence(self, index: int) -> bool:
        """Whether input ``index`` is a sequence of arrays (``*operands``, ``arrays``)."""
        param = self.signature.parameters[self.params[index]]
        return param.kind is param.VAR_POSITIONAL or self.params[index] == self.sequence

    @property
    def variadic_input(self) -> Optional[int]:
        """The position of the rule's ``*operands`` among its inputs (``np.einsum``'s 1,
        after the subscripts), or None."""
        for k, name in enumerate(self.params[:self.n_inputs]):
            param = self.signature.parameters[name]
            if param.kind is param.VAR_POSITIONAL:
                return k
        return None

    def input_vjp(self, index: int) -> Optional[VJPFunction]:
        """A function computing only the adjoint of input ``index``, or None.

        Derived from the rule's own source (the same expression `grad` inlines),
        so the Tensor engine does not compute adjoints nobody needs, such as the
        gradient of a constant matrix in ``X @ W``.
        """
        if self.exprs is None:
            return None
        cache = self.__dict__.setdefault("_input_vjps", {})
        if index not in cache:
            cache[index] = _compile_input_vjp(self, index)
        return cache[index]

    def uses(self, index: int) -> set[str]:
        """Names of the rule's parameters that the adjoint of input ``index`` reads."""
        if hasattr(self, "helper_keywords"):
            # A helper's backward function holds what it needs from its one run.
            return {"g"}
        if self.exprs is None:
            return set(self.params) | {"g", "ans"}
        expr = self.exprs[index]
        if expr is None:
            return set()
        return {n.id for n in gast.walk(expr) if isinstance(n, gast.Name)}


def _compile_input_vjp(rule: Rule, index: int) -> Optional[VJPFunction]:
    return compile_input_expression(rule.vjp, rule.signature, rule.exprs[index], index)


def compile_input_expression(fn: Callable[..., Any], signature: inspect.Signature,
                             expr: Optional[gast.expr], index: int) -> Optional[Callable]:
    """A function of the rule ``fn``'s parameters returning its expression ``expr`` for
    input ``index`` alone (None where it has none): an adjoint, or a tangent computed
    from that input's tangent only."""
    if expr is None:
        return None
    rule = types.SimpleNamespace(vjp=fn, signature=signature)
    params = []
    for name, param in list(rule.signature.parameters.items()):
        text = str(param.replace(annotation=param.empty))
        if param.default is not param.empty:
            text = f"{name}=__defaults__[{name!r}]"
        if param.kind is param.KEYWORD_ONLY and not any(p.startswith("*") for p in params):
            params.append("*")
        params.append(text)
    source = (f"def {rule.vjp.__name__}_input_{index}({', '.join(params)}):\n"
              f"    return {gast.unparse(expr)}\n")
    namespace = dict(rule.vjp.__globals__)
    namespace["__defaults__"] = {n: p.default for n, p in rule.signature.parameters.items()}
    exec(compile(source, f"<rule {rule.vjp.__name__}, input {index}>", "exec"), namespace)
    return namespace[f"{rule.vjp.__name__}_input_{index}"]


_RULES: dict[Any, Rule] = {}
#: Replaced whenever a rule is registered or withdrawn: every derivative notes the one
#: it was made under (`source.recording`), and is made again under a newer one (a
#: notebook cell registering a corrected rule).
RULES_EPOCH: object = object()


_ADDING_OPTIONAL: list = []  # (non-empty while an optional package's rules load)


def rules_changed() -> None:
    """Mark every derivative made so far as made under rules that have changed (not
    for an optional package's rules loaded on first use: rules for functions that had
    none, which no derivative made before could have used)."""
    global RULES_EPOCH
    if not _ADDING_OPTIONAL:
        RULES_EPOCH = object()


#: Variants of a rule for one engine: (engine, primitive) -> rule.
_ENGINE_RULES: dict[tuple[str, Any], Rule] = {}
NONDIFFERENTIABLE: set[Any] = set()


def primitive_name(fn: Any) -> str:
    """A readable dotted name for a primitive (``np.sin``, ``math.exp``)."""
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    if isinstance(fn, type(abs)) and module == "builtins":
        return name
    if module.startswith("numpy"):
        for sub in ("linalg", "fft", "random"):  # (np.fft.rfft, not np.rfft)
            if sub in module.split("."):
                return f"np.{sub}.{name}"
        return f"np.{name}"
    if type(fn).__name__ == "ufunc":
        if getattr(np_module(), fn.__name__, None) is fn:
            return f"np.{fn.__name__}"
        return f"scipy.special.{fn.__name__}" if "scipy.special" in sys.modules and \
            getattr(sys.modules["scipy.special"], fn.__name__, None) is fn else fn.__name__
    return f"{module}.{name}" if module and module != "builtins" else name


def _parse_exprs(vjp: VJPFunction, n_params: int) -> Optional[list[Optional[gast.expr]]]:
    """Parse ``return a, b`` of a rule; None if the rule cannot be inlined as source."""
    if vjp.__code__.co_freevars:
        return None
    try:
        source = textwrap.dedent(inspect.getsource(vjp))
        tree = gast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    fn = tree.body[0]
    if not isinstance(fn, gast.FunctionDef):
        return None
    body = [s for s in fn.body
            if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))]
    if len(body) != 1 or not isinstance(body[0], gast.Return) or body[0].value is None:
        return None
    value = body[0].value
    exprs = value.elts if isinstance(value, gast.Tuple) else [value]
    if any(isinstance(e, gast.Starred) for e in exprs):
        return None
    # (the first two parameters under their own names, dx, ans: read as g and ans,
    # which the generated code substitutes; not where those names mean something else)
    first = [a.id for a in fn.args.args[:2]]
    renamed = dict(zip(first, ("g", "ans")))
    read = {n.id for e in exprs for n in gast.walk(e) if isinstance(n, gast.Name)}
    if any(old != new for old, new in renamed.items()):
        if len(first) < 2 or ({"g", "ans"} & read) - set(first):
            return None
        for e in exprs:
            for n in gast.walk(e):
                if isinstance(n, gast.Name) and n.id in renamed:
                    n.id = renamed[n.id]
    scoped = (gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp,
              gast.NamedExpr)
    if any(isinstance(n, scoped) for e in exprs for n in gast.walk(e)):
        return None  # names bound inside the expression cannot be substituted
    return [None if isinstance(e, gast.Constant) and e.value is None else e for e in exprs]


def _count_outputs(vjp: VJPFunction, exprs: Optional[list]) -> int:
    if exprs is not None:
        return len(exprs)
    returned = _returned_lengths(vjp)
    if len(returned) == 1 and next(iter(returned)) > 1:
        return next(iter(returned))  # out = (ga, gb); return out: two inputs
    return getattr(vjp, "n_inputs", 1)


def _returned_lengths(vjp: VJPFunction) -> set:
    """How many values each ``return`` of a rule's body gives: a tuple display's length,
    or a name's, assigned one (``out = (ga, gb); return out``); 1 for anything else;
    empty where the source cannot be read."""
    try:
        fn = gast.parse(textwrap.dedent(inspect.getsource(vjp))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return set()
    if not isinstance(fn, gast.FunctionDef):
        return set()
    own = [n for n in gast.walk(fn) if not any(
        n in gast.walk(inner) for inner in fn.body if isinstance(inner, gast.FunctionDef))]
    tuples = {t.id: len(a.value.elts) for a in own if isinstance(a, gast.Assign)
              and isinstance(a.value, gast.Tuple) for t in a.targets
              if isinstance(t, gast.Name)}
    lengths = set()
    for node in own:
        if isinstance(node, gast.Return) and node.value is not None:
            value = node.value
            lengths.add(len(value.elts) if isinstance(value, gast.Tuple) else
                        tuples.get(value.id, 1) if isinstance(value, gast.Name) else 1)
    return lengths


def _no_hips_form(primitives: tuple, maker: str, kind: str) -> None:
    """Refuse what is no primitive: a number, or HIPS autograd's call form
    ``defvjp(fun, vjpmaker)``, whose maker (``lambda ans, x: lambda g: g``) would be
    taken for a second primitive and the rule never registered (a silent zero)."""
    for primitive in primitives:
        if not callable(primitive):
            raise TypeError(f"{maker} takes the functions the rule differentiates, not "
                            f"{primitive!r}")
    for primitive in primitives[1:]:
        try:
            first = next(iter(inspect.signature(primitive).parameters), None)
        except (TypeError, ValueError):
            continue
        if first == "ans":
            name = getattr(primitives[0], "__name__", "f")
            raise TypeError(
                f"{maker}({name}, {kind}maker) is HIPS autograd's form; here the rule is "
                f"a decorated function of (g, ans, *inputs): @{maker}({name}) then "
                f"def {name}_{kind}(g, ans, x): return ... (one {kind} per input)")


def defvjp(*primitives: Any, broadcasting: Union[bool, tuple] = False,
           sequence: Optional[str] = None, n_inputs: Optional[int] = None,
           engine: Optional[str] = None) -> Callable[[VJPFunction], VJPFunction]:
    """Register the adjoint rule (vector-Jacobian product) of one or more primitives.

    Parameters
    ----------
    *primitives : callable
        The functions the rule differentiates (``np.sin``, ``math.sin``, a user
        function). Each is looked up by identity.
    broadcasting : bool or tuple of str
        Whether the primitive broadcasts its inputs; the engines then sum each
        returned adjoint back to its input's shape. A tuple names the only
        inputs that broadcast.
    sequence : str, optional
        The name of a parameter that takes a list of arrays (``arrays`` of
        ``np.concatenate``); its adjoint expression returns a tuple.
    n_inputs : int, optional
        The number of differentiable inputs, needed only when the rule body is
        not a single ``return`` of one expression per input.
    engine : str, optional
        ``"tensor"``: a variant for the Tensor engine alone, found by
        ``lookup(fn, engine="tensor")`` before the shared rule. Only for a
        documented difference of convention (MyGrad's ties of ``max``).

    Returns
    -------
    callable
        A decorator that registers ``rule(g, ans, *inputs, **options)`` and
        returns it unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_src.extend import defvjp
    >>> def softplus(x):
    ...     return np.logaddexp(0.0, x)
    >>> @defvjp(softplus)
    ... def softplus_vjp(g, ans, x):
    ...     return g / (1 + np.exp(-x))
    """
    if not primitives:
        raise TypeError("defvjp needs at least one primitive function")
    _no_hips_form(primitives, "defvjp", "vjp")

    def register(vjp: VJPFunction) -> VJPFunction:
        signature = inspect.signature(vjp)
        names = list(signature.parameters)
        if len(names) < 2 or any(signature.parameters[n].kind not in (
                inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                for n in names[:2]):
            raise TypeError(
                f"rule {vjp.__name__} must take (g, ans, *inputs), the gradient and the "
                f"primitive's value first, by position: its parameters are "
                f"({', '.join(names)})"
            )
        if {"g", "ans"} & set(names[2:]):
            raise TypeError(
                f"rule {vjp.__name__} names an input g or ans, the names its code is "
                "given the gradient and the value by: rename that input")
        params = tuple(names[2:])
        exprs = _parse_exprs(vjp, len(params))
        count = n_inputs if n_inputs is not None else _count_outputs(vjp, exprs)
        if count > len(params):
            raise TypeError(
                f"rule {vjp.__name__} returns {count} adjoints but takes "
                f"{len(params)} inputs"
            )
        for primitive in primitives:
            rule = Rule(primitive=primitive, vjp=vjp, broadcasting=broadcasting,
                        sequence=sequence, signature=signature, params=params,
                        n_inputs=count, exprs=exprs)
            if engine is not None:
                _ENGINE_RULES[(engine, primitive)] = rule
                continue
            _RULES[primitive] = rule
            NONDIFFERENTIABLE.discard(primitive)
        rules_changed()
        return vjp

    return register


def nondifferentiable(*primitives: Any) -> None:
    """Declare functions whose outputs carry no gradient (``np.floor``, ``np.argmax``).

    Their results are treated as constants: no gradient flows through them.
    """
    for primitive in primitives:
        NONDIFFERENTIABLE.add(primitive)
        _RULES.pop(primitive, None)
    rules_changed()


#: NumPy functions without a rule of their own, each computed by a plain function of
#: functions with rules (`composites`): grad follows that function as it follows a
#: helper of the user's, and the Tensor API calls it on tensors.
_COMPOSITES: dict[Any, Callable[..., Any]] = {}


_FOLLOWED: set = set()  # those functions, and the helpers they call


def defcomposite(*primitives: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``function`` as the way each of ``primitives`` is computed from
    functions with rules (``np.cov`` from means and a product): its derivative, in
    every mode, is that of ``function``'s own code. With no primitives, a helper such
    functions call, followed as they are."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        for primitive in primitives:
            if primitive is not None:
                _COMPOSITES[primitive] = function
        _FOLLOWED.add(function)
        rules_changed()
        return function
    return register


def composite(fn: Any) -> Optional[Callable[..., Any]]:
    """The function computing ``fn`` from functions with rules (itself, for one of
    those functions or a helper of theirs: code grad generated calls it so), or None."""
    try:
        found = _COMPOSITES.get(fn)
        return found if found is not None or fn not in _FOLLOWED else fn
    except TypeError:
        return None


def alias(primitive: Any, existing: Any) -> None:
    """Make ``primitive`` use the rule already registered for ``existing``."""
    rule = _RULES[existing]
    _RULES[primitive] = Rule(
        primitive=primitive, vjp=rule.vjp, broadcasting=rule.broadcasting,
        sequence=rule.sequence, signature=rule.signature, params=rule.params,
        n_inputs=rule.n_inputs, exprs=rule.exprs)
    rules_changed()


def np_module() -> Any:
    import numpy
    return numpy


#: Rule modules for optional packages: (the package, the module registering its rules).
OPTIONAL = [("scipy", "autograd_src.rules.scipy_rules")]
_loaded: set[str] = set()


def load_optional(force: bool = False) -> list[str]:
    """Register the rules of the optional packages the program has imported (all
    that are installed with ``force=True``, which imports them); the names loaded.

    `lookup` calls this when it finds no rule and a new optional package has been
    imported since, so ``import autograd_src`` never imports SciPy.
    """
    loaded = []
    for package, module in OPTIONAL:
        if module in _loaded or not (force or package in sys.modules):
            continue
        _ADDING_OPTIONAL.append(module)
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        finally:
            _ADDING_OPTIONAL.pop()
        _loaded.add(module)
        loaded.append(module)
    return loaded


def _missing(fn: Any) -> bool:
    """Whether an optional rule module could still register ``fn`` (then loads it)."""
    if len(_loaded) == len(OPTIONAL):
        return False
    return bool(load_optional())


def rules_calling(helper_name: str) -> list[str]:
    """The names of the primitives whose adjoint rules call the runtime helper
    ``helper_name`` (``unprod``: ``np.prod``), for messages about generated code."""
    found = []
    for fn, rule in list(_RULES.items()):
        if rule.exprs and any(isinstance(node, gast.Attribute) and node.attr == helper_name
                              for expr in rule.exprs if expr is not None
                              for node in gast.walk(expr)):
            found.append(primitive_name(fn))
    return sorted(set(found))


def lookup(fn: Any, engine: Optional[str] = None) -> Optional[Rule]:
    """The rule registered for ``fn``, or None; with ``engine``, that engine's variant
    where one is registered (``defvjp(..., engine="tensor")``)."""
    try:
        rule = _RULES.get(fn)
        if engine is not None and _ENGINE_RULES:
            rule = _ENGINE_RULES.get((engine, fn), rule)
    except TypeError:  # unhashable callables have no rules
        return None
    if rule is None and _missing(fn):
        return _RULES.get(fn)
    return rule


#: Primitives whose result is a list or tuple of arrays (np.split, np.linalg.eigh): their
#: adjoint is a list, to be summed item by item (``_ad.add``), never with ``+``.
SEQUENCE_RESULTS: set[Any] = set()


def returns_sequence(fn: Any) -> bool:
    """Whether ``fn``'s result is a list or tuple of arrays (see `SEQUENCE_RESULTS`)."""
    try:
        return fn in SEQUENCE_RESULTS
    except TypeError:
        return False


def is_nondifferentiable(fn: Any) -> bool:
    """Whether ``fn`` was declared with `nondifferentiable`."""
    try:
        found = fn in NONDIFFERENTIABLE
    except TypeError:
        return False
    if not found and _missing(fn):
        return fn in NONDIFFERENTIABLE
    return found

