"""Tester D's findings (session 9), each in its smallest form: refused at the user's
line where grad cannot follow, right where it can."""

import importlib
import inspect
import sys

import numpy as np
import pytest

from autograd_src import SourceUnavailableError, grad, value_and_grad, vjp
from autograd_src.testing import check_grads

from . import tester_d_cases as cases

X = np.array([0.3, -0.7, 1.2])


def line_of(tag):
    source, _ = inspect.getsourcelines(cases)
    return next(n for n, text in enumerate(source, start=1)
                if text.rstrip().endswith(f"# LINE {tag}"))


@pytest.mark.parametrize("fn, tag, message", [
    (cases.cast_to_objects, "objects", "cast to dtype object"),
    (cases.array_of_objects, "object_array", "cast to dtype object"),
    (cases.percent_round_trip, "percent", "number read back from text"),
    (cases.fstring_round_trip, "fstring", "number read back from text"),
    (cases.format_round_trip, "format", "number read back from text"),
    (cases.returns_text, "text_out", "returns text"),
    (cases.operator_object_inline, "inline_object", "Square.*__rmul__ is its own"),
])
def test_refused_at_the_users_line(fn, tag, message):
    with pytest.raises(SyntaxError, match=message) as info:
        grad(fn)(X)
    assert info.value.lineno == line_of(tag)
    assert info.value.filename.endswith("tester_d_cases.py")


def test_cast_to_a_dtype_known_only_when_it_runs():
    def cast(x, dtype):
        return np.sum(x.astype(dtype) ** 2)

    with pytest.raises(TypeError, match="dtype object"):
        grad(cast)(X, object)
    np.testing.assert_allclose(grad(cast)(X, np.float32), 2 * X, rtol=1e-6)


@pytest.mark.parametrize("fn", [cases.cast_to_float32, cases.text_only_printed,
                                cases.dict_copy, cases.list_copy_grown])
def test_taken_and_right(fn):
    check_grads(fn, X)


def test_a_seed_written_as_a_list_is_its_array():
    def square(x):
        return x ** 2

    x = np.array([3.0])
    np.testing.assert_allclose(grad(square)(x, dout=[1.0]), [6.0])
    np.testing.assert_allclose(grad(square)(np.array([1.0, 2.0]), dout=(1.0, 0.5)), [2.0, 2.0])
    np.testing.assert_allclose(vjp(square, x)[1]([1.0])[0], [6.0])
    with pytest.raises(ValueError, match="dout has shape"):
        grad(square)(np.array([1.0, 2.0]), dout=[1.0, 1.0, 1.0])


def test_wrt_and_argnums_both_given_is_an_error():
    def product(x, y):
        return x * y

    assert grad(product, argnums=1)(2.0, 3.0) == 2.0
    assert value_and_grad(product, argnums=1)(2.0, 3.0) == (6.0, 2.0)
    for wrt in (0, 1):
        with pytest.raises(TypeError, match="argnums is a synonym of wrt"):
            grad(product, wrt=wrt, argnums=1)
    assert repr(inspect.signature(grad).parameters["wrt"].default) == "0"


def test_source_edited_on_disk_after_import_is_refused(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "edited_after_import.py"
    path.write_text("import numpy as np\ndef loss(x):\n    return np.sum(x ** 2)\n"
                    "def other(x):\n    return np.sum(x * 3.0)\n")
    module = importlib.import_module("edited_after_import")
    try:
        np.testing.assert_allclose(grad(module.loss)(X), 2 * X)
        # its number changed: the text is another function than the code that runs
        path.write_text("import numpy as np\ndef loss(x):\n    return np.sum(x ** 3)\n"
                        "def other(x):\n    return np.sum(x * 3.0)\n")
        with pytest.raises(SourceUnavailableError, match="changed .*Reload the module"):
            grad(_same_code_new_object(module.loss))(X)
        # lines moved: line 2 now defines another function
        path.write_text("import numpy as np\ndef other(x):\n    return np.sum(x * 3.0)\n"
                        "def loss(x):\n    return np.sum(x ** 2)\n")
        with pytest.raises(SourceUnavailableError, match="now defines other"):
            grad(_same_code_new_object(module.loss))(X)
        importlib.reload(module)  # reloaded: read and differentiated again
        np.testing.assert_allclose(grad(module.loss)(X), 2 * X)
    finally:
        sys.modules.pop("edited_after_import", None)


def _same_code_new_object(fn):
    """``fn`` as a new function object of the same code (grad's caches are per function)."""
    import types
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__)


def test_constant_folding_is_not_taken_for_an_edit():
    def folded(x):
        return np.sum(x * (2 * 3) - 1.5 ** 2)

    check_grads(folded, X)


def test_float64_and_item_are_float():
    from autograd_src import hessian, jvp

    def f(x):
        s = np.sum(x ** 2)
        return np.float64(s) * x[0] + np.sum(x).item() ** 2

    def g(x):
        return np.float64(x[1]) ** 3

    check_grads(f, X)
    check_grads(g, X)
    assert jvp(f, (X,), (np.ones(3),))[1] == pytest.approx(np.sum(grad(f)(X)))
    np.testing.assert_allclose(hessian(g)(X)[1], [0.0, 6 * X[1], 0.0])
