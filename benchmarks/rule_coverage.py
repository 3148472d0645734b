"""How many of HIPS autograd's listed call forms each engine differentiates correctly.

Usage::

    python benchmarks/rule_coverage.py [--verbose] [--group NAME]

The forms are those of HIPS autograd's test lists (``tests/parity_cases.py`` builds
them: ``test_systematic.py``, ``test_numpy.py``, ``test_linalg.py``,
``test_scalar_ops.py``, ``test_binary_ops.py``, ``test_scipy.py``, expanded as their
``combo_check`` expands them), plus the forms issue 11 lists. Each form is
differentiated by ``grad`` and by the Tensor engine (``mg.tensor`` and NumPy's
protocols) and compared with central finite differences
(`autograd_src.testing.check_grads`). A form counts as correct only when every
gradient matches; a wrong gradient is reported apart from an error.

When HIPS autograd is installed it is run on the same forms too, as the reference.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import autograd_src as mg  # noqa: E402
from autograd_src.testing import check_grads  # noqa: E402
from tests import parity_cases as pc  # noqa: E402


def _seed_for(value: object) -> np.ndarray:
    rng = np.random.default_rng(7)
    shape = np.shape(value)
    return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def _symmetrized(fn, form):
    """For a function of a symmetric matrix, HIPS autograd's check: perturb symmetrically."""
    if not form.symmetric:
        return fn

    def wrapped(a, *rest):
        lower = np.tril(a)
        return fn((lower + np.swapaxes(lower, -1, -2)) / 2, *rest)
    return wrapped


def check_grad_engine(form: pc.Form, index: int) -> None:
    fn = pc.define(form, index)
    wrt = form.wrt[0] if len(form.wrt) == 1 else form.wrt
    check_grads(fn, *form.args, wrt=wrt)


class _TensorFunctions:
    """``sp.<name>`` or ``stats.norm.<name>`` in the Tensor engine: ``mg.<name>`` where
    the Tensor API exports it, else the same wrapping of the primitive that ``mg.<name>``
    is (`autograd_src.tensors.functions.wrap_primitive`): SciPy's functions have no
    protocol through which a Tensor could reach them."""

    def __init__(self, module):
        self.module = module

    def __getattr__(self, name):
        from autograd_src.rules import registry
        primitive = getattr(self.module, name)
        if registry.lookup(primitive) is None and not registry.is_nondifferentiable(primitive):
            return _TensorFunctions(primitive)  # stats.norm: its methods have the rules
        exported = getattr(mg, name, None)
        if getattr(exported, "__autograd_src_primitive__", None) is primitive:
            return exported
        from autograd_src.tensors.functions import wrap_primitive
        return wrap_primitive(name, primitive)


def tensor_gradients(fn, form: pc.Form, seed: np.ndarray, args: tuple):
    """The gradients the Tensor engine gives: a result that is not a tensor, or a
    constant one, gives zero gradients (no gradient flows), which finite differences
    then confirm or refute."""
    tensors = list(args)
    for i in form.wrt:
        tensors[i] = mg.tensor(np.asarray(args[i], dtype=np.float64))
    out = fn(*tensors)
    if isinstance(out, mg.Tensor) and not out.constant:
        out.backward(seed)
    grads = []
    for i in form.wrt:
        g = tensors[i].grad
        grads.append(np.zeros(np.shape(args[i])) if g is None else g)
    return grads[0] if len(form.wrt) == 1 else tuple(grads)


def check_tensor_engine(form: pc.Form, index: int) -> None:
    fn = pc.define(form, index)
    if pc.sp is not None:
        fn.__globals__.update(sp=_TensorFunctions(pc.sp), stats=_TensorFunctions(pc.stats))
    plain = pc.define(form, index)
    seed = _seed_for(plain(*form.args))

    def seeded(*args):
        return np.sum(seed * plain(*args))

    wrt = form.wrt[0] if len(form.wrt) == 1 else form.wrt
    check_grads(seeded, *form.args, wrt=wrt,
                df=lambda *args: tensor_gradients(fn, form, seed, args))


def check_hips(form: pc.Form, index: int) -> None:
    import autograd
    import autograd.numpy as anp
    import autograd.scipy.special as asp
    import autograd.scipy.stats as astats
    namespace = dict(pc.NAMESPACE, np=anp, sp=asp, stats=astats, **form.namespace)
    body = form.body if "return" in form.body else f"return {form.body}"
    text = f"def form({', '.join(form.params)}):\n" + "".join(
        f"    {line}\n" for line in body.splitlines())
    exec(compile(text, "<hips form>", "exec"), namespace)
    fn = namespace["form"]
    seed = _seed_for(pc.define(form, index)(*form.args))

    def seeded(*args):
        if form.symmetric:  # HIPS autograd's convention: the symmetric gradient, checked
            lower = anp.tril(args[0])  # along symmetric perturbations
            args = ((lower + anp.swapaxes(lower, -1, -2)) / 2,) + args[1:]
        return anp.sum(seed * fn(*args))

    wrt = form.wrt[0] if len(form.wrt) == 1 else form.wrt
    df = autograd.grad(seeded, wrt) if len(form.wrt) == 1 else \
        (lambda *a: tuple(autograd.grad(seeded, i)(*a) for i in form.wrt))
    plain = _symmetrized(pc.define(form, index), form)
    check_grads(lambda *a: np.sum(seed * plain(*a)), *form.args, wrt=wrt,
                df=lambda *a: _floats(df(*a), form))


def _floats(grads, form):
    def one(g, arg):
        if isinstance(arg, np.ndarray):
            return np.asarray(g, dtype=arg.dtype)
        return float(g) if np.ndim(g) == 0 else g
    if len(form.wrt) == 1:
        return one(grads, form.args[form.wrt[0]])
    return tuple(one(g, form.args[i]) for g, i in zip(grads, form.wrt))


def classify(exc: BaseException) -> str:
    """``wrong`` for a gradient check_grads found wrong; ``error`` for anything raised
    on the way (an assert inside an engine is a refusal, not a wrong gradient)."""
    if isinstance(exc, AssertionError):
        tb = exc.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        if tb.tb_frame.f_code.co_filename.endswith(os.path.join("autograd_src", "testing.py")):
            return "wrong"
    return "error"


def reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:150]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every form out")
    parser.add_argument("--group", help="only the forms of one HIPS test file")
    parser.add_argument("--no-hips", action="store_true", help="skip running HIPS autograd")
    options = parser.parse_args()
    try:
        import autograd  # noqa: F401
        engines = {"grad": check_grad_engine, "Tensor": check_tensor_engine}
        if not options.no_hips:
            engines["HIPS autograd"] = check_hips
    except ImportError:
        engines = {"grad": check_grad_engine, "Tensor": check_tensor_engine}
    forms = [(i, f) for i, f in enumerate(pc.FORMS)
             if options.group is None or f.group == options.group]
    totals = {e: collections.Counter() for e in engines}
    by_group = collections.defaultdict(lambda: {e: collections.Counter() for e in engines})
    failures = {e: [] for e in engines}
    valid = 0
    for index, form in forms:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                pc.define(form, index)(*form.args)
            except Exception:
                continue  # NumPy itself rejects this combination: not a form
            valid += 1
            for engine, check in engines.items():
                try:
                    check(form, index)
                    outcome = "ok"
                except Exception as exc:  # noqa: BLE001 - every failure is reported
                    outcome = classify(exc)
                    failures[engine].append((form, outcome, reason(exc)))
                totals[engine][outcome] += 1
                by_group[form.group][engine][outcome] += 1
    print(f"{valid} call forms (of HIPS autograd's test lists, and issue 11's list)\n")
    header = f"{'group':<18}" + "".join(f"{e:>24}" for e in engines)
    print(header)
    for group, counts in sorted(by_group.items()):
        n = sum(counts[next(iter(engines))].values())
        cells = "".join(f"{counts[e]['ok']:>12}/{n:<4} ({counts[e]['wrong']} wrong)"
                        .rjust(24) for e in engines)
        print(f"{group:<18}{cells}")
    cells = "".join(f"{totals[e]['ok']:>12}/{valid:<4} ({totals[e]['wrong']} wrong)".rjust(24)
                    for e in engines)
    print(f"{'all':<18}{cells}\n")
    for engine, items in failures.items():
        print(f"{engine}: {len(items)} out")
        if engine == "Tensor":
            # Refusals the Tensor API makes on purpose, each saying why: a conversion
            # that would silently lose the gradient (GradientDropped), and MyGrad's
            # refusal of piecewise-constant functions on variables. Neither is a
            # wrong gradient; anything else out is an error to look at.
            on_purpose = sum(1 for _, outcome, why in items if outcome == "error" and (
                why.startswith("GradientDropped") or "cannot involve non-constant" in why))
            print(f"  ({on_purpose} refused on purpose: GradientDropped, or MyGrad's "
                  f"ValueError for floor/ceil/sign/...; {len(items) - on_purpose} other)")
        reasons = collections.Counter(r for _, _, r in items)
        shown = items if options.verbose else []
        for form, outcome, why in shown:
            print(f"  [{outcome}] {form.group}: {form.name}: {why}")
        if not options.verbose:
            for why, count in reasons.most_common(25):
                names = sorted({f.name.split("(")[0] for f, _, r in items if r == why})
                print(f"  {count:4d} x {why}\n         ({', '.join(names)[:200]})")
    print("\nLeft out of the table (not forms this project differentiates):")
    for what, why in pc.OUT.items():
        print(f"  - {what}: {why}")


if __name__ == "__main__":
    main()
