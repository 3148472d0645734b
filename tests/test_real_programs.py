"""Real programs (issue #10): containers of parameters, keywords, closures, in-place
updates, checked against finite differences and, where installed, HIPS autograd."""

import re
import sys as _sys

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, InPlaceUpdateError, grad, value_and_grad
from autograd_src.testing import check_grads

from . import model_programs as mp
from . import real_program_cases as rc


@pytest.mark.parametrize("fn, make_args, wrt", rc.CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(rc.CASES)])
def test_matches_finite_differences(fn, make_args, wrt):
    check_grads(fn, *make_args(np.random.default_rng(0)), wrt=wrt)


@pytest.mark.parametrize("fn, make_args, wrt", mp.CASES, ids=[c[0].__name__ for c in mp.CASES])
def test_models_match_finite_differences(fn, make_args, wrt):
    check_grads(fn, *make_args(np.random.default_rng(0)), wrt=wrt)


def _with_autograd_numpy(fn):
    """``fn`` from its module's source run again with ``np`` as HIPS autograd's NumPy."""
    import inspect

    import autograd.numpy as anp
    namespace = {"__name__": "hips_" + fn.__module__}
    exec(compile(inspect.getsource(inspect.getmodule(fn)).replace(
        "import numpy as np", "import autograd.numpy as np"), inspect.getsourcefile(fn),
        "exec"), namespace)
    assert namespace["np"] is anp
    return namespace[fn.__name__]


@pytest.mark.parametrize("fn, make_args, wrt", mp.CASES, ids=[c[0].__name__ for c in mp.CASES])
def test_models_agree_with_hips_autograd(fn, make_args, wrt):
    autograd = pytest.importorskip("autograd")
    args = make_args(np.random.default_rng(6))
    positions = (wrt,) if isinstance(wrt, int) else wrt
    ours = grad(fn, wrt=wrt)(*args)
    ours = (ours,) if isinstance(wrt, int) else ours
    from autograd_src.testing import _leaves
    theirs_fn = _with_autograd_numpy(fn)
    for position, mine in zip(positions, ours):
        theirs = autograd.grad(theirs_fn, position)(*args)
        for (path, a), (_, b) in zip(_leaves(mine), _leaves(theirs)):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=str(path))


@pytest.mark.parametrize("fn, make_args, wrt", rc.TESTER_CASES,
                         ids=[c[0].__name__ for c in rc.TESTER_CASES])
def test_once_wrong_now_right(fn, make_args, wrt):
    check_grads(fn, *make_args(np.random.default_rng(0)), wrt=wrt)


@pytest.mark.parametrize("fn", [rc.list_holding_an_updated_array,
                                rc.dict_renamed_then_updated])
def test_updates_seen_through_containers_raise_when_they_run(fn):
    df = grad(fn)
    with pytest.raises(InPlaceUpdateError, match=r"real_program_cases.py:\d+: "):
        df(np.array([1.0, 2.0]))


def test_complex_numbers_are_refused_at_their_line():
    with pytest.raises(DiffSyntaxError, match="a complex number") as info:
        grad(rc.complex_intermediate)
    assert info.value.filename.endswith("real_program_cases.py")


def test_gradient_has_the_layout_of_its_argument():
    rng = np.random.default_rng(1)
    params = [rc.Layer(rng.standard_normal((3, 2)), rng.standard_normal(2)),
              (rng.standard_normal((2, 2)).astype(np.float32), 0.5)]
    nested = {"layers": params, "scale": np.float64(2.0)}

    def f(p, x):
        (W0, b0), (W1, c) = p["layers"]
        return p["scale"] * np.sum(np.tanh(x @ W0 + b0) @ W1) * c

    g = grad(f)(nested, rng.standard_normal((4, 3)))
    assert type(g) is dict and set(g) == {"layers", "scale"}
    assert type(g["layers"]) is list and type(g["layers"][1]) is tuple
    assert type(g["scale"]) is np.float64
    assert type(g["layers"][1][1]) is float
    assert g["layers"][1][0].dtype == np.float32
    check_grads(f, nested, rng.standard_normal((4, 3)))


def test_unused_leaves_get_zeros():
    def f(p):
        return np.sum(p["used"] ** 2)

    g = grad(f)({"used": np.ones(2), "unused": np.ones(3), "c": 1.0})
    np.testing.assert_array_equal(g["unused"], np.zeros(3))
    assert g["c"] == 0.0 and type(g["c"]) is float


def test_value_and_grad_of_a_container():
    params = [(np.ones((2, 2)), np.zeros(2))]
    value, g = value_and_grad(rc.l2_penalty)(params)
    assert value == 4.0
    np.testing.assert_array_equal(g[0][0], 2 * np.ones((2, 2)))


def test_integer_leaf_is_named_in_the_error():
    with pytest.raises(TypeError, match=r"params\[0\]\[1\]=3, an int"):
        grad(rc.l2_penalty)([(np.ones(2), 3)])


def test_source_shows_the_variant_that_ran():
    df = grad(rc.horner_list, wrt=(0, 1))
    general = df.source
    df([1.0, 2.0], 0.5)
    assert df.source != general
    assert "lists of scalars: c" in " ".join(df.variants)
    assert "general" in df.variants
    assert "np.shape" not in df.source  # floats need no shape bookkeeping


def test_optimiser_over_a_list_of_pairs():
    rng = np.random.default_rng(2)
    params = rc._pairs(rng, [3, 4, 1])
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    dloss = grad(rc.mlp_pairs)
    first = rc.mlp_pairs(params, x, y)
    for _ in range(20):
        grads = dloss(params, x, y)
        params = [(W - 0.1 * dW, b - 0.1 * db) for (W, b), (dW, db) in zip(params, grads)]
    assert rc.mlp_pairs(params, x, y) < first


def test_closure_reading_parameters_gets_them_passed():
    df = grad(rc.rnn_step_reads_params)
    rng = np.random.default_rng(4)
    df([rng.standard_normal((3, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)],
       rng.standard_normal((5, 3)))
    # The step's derivative takes the values it reads as parameters, and only the
    # derivative the loop calls is shown (not those of earlier guesses of activity).
    assert "h, update_back = dupdatedh_Wh_Wx_b(xs[t], h, Wh, Wx, b)" in df.source
    assert df.source.count("def dupdate") == 1


def test_a_model_calling_itself_and_its_layers():
    rng = np.random.default_rng(5)
    model = rc.Sequential(rc._layers(rng))
    x = rng.standard_normal((4, 3))
    check_grads(model.loss, x)
    df = grad(rc.layers_in_a_list)
    df(x, model.layers)
    assert re.search(r"h, forward_back = dforward(_\d+)?\(layer, h\)", df.source)


def test_arguments_are_never_changed():
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    value, _ = value_and_grad(rc.update_argument_in_place)(x)
    np.testing.assert_array_equal(x, before)
    assert value == rc.update_argument_in_place(before.copy())


# (not the programs updating arrays in place, which HIPS autograd cannot follow, nor those
# given layer objects, whose methods HIPS autograd would run on plain NumPy)
_PURE = [c for c in rc.CASES if c[2] == 0 and "update" not in c[0].__name__
         and "fill" not in c[0].__name__ and "alias" not in c[0].__name__
         and "layers" not in c[0].__name__]


@pytest.mark.parametrize("fn, make_args, wrt", _PURE, ids=[c[0].__name__ for c in _PURE])
def test_agrees_with_hips_autograd(fn, make_args, wrt):
    autograd = pytest.importorskip("autograd")
    args = make_args(np.random.default_rng(3))
    ours = grad(fn)(*args)
    theirs = autograd.grad(_with_autograd_numpy(fn))(*args)
    from autograd_src.testing import _leaves
    for (path, a), (_, b) in zip(_leaves(ours), _leaves(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=str(path))


HISTORY: list = []


def _loss_logging_to_a_module_list(w, x):
    loss = np.sum(np.tanh(x @ w) ** 2)
    HISTORY.append(loss)  # a record for the caller: nothing here reads it
    return loss


def _loss_reading_its_log(w, x):
    HISTORY.append(np.sum(w))
    return np.sum(w ** 2) * len(HISTORY)


def test_a_record_appended_to_a_module_list_runs_as_written():
    from autograd_src.testing import check_grads
    rng = np.random.default_rng(4)
    w, x = rng.normal(size=3), rng.normal(size=(5, 3))
    check_grads(_loss_logging_to_a_module_list, w, x)
    HISTORY.clear()
    value, _ = value_and_grad(_loss_logging_to_a_module_list)(w, x)
    assert HISTORY == [value]
    with pytest.raises(DiffSyntaxError, match=r"HISTORY.append\(\) puts a differentiated "
                                              r"value into a list of the module's .* read at "
                                              r"test_real_programs.py:\d+"):
        grad(_loss_reading_its_log)(w)


def _reports_its_loss(w, x):
    loss = np.sum(np.tanh(x @ w) ** 2)
    _sys.stdout.write("loss %.4f\n" % loss)  # a string: no gradient through it
    return loss


def test_a_loss_written_to_stdout_with_percent_formatting(capsys):
    # refused ("sys.stdout.write() is called on a differentiated value", tester M)
    from autograd_src.testing import check_grads
    rng = np.random.default_rng(2)
    w, x = rng.normal(size=3), rng.normal(size=(4, 3))
    check_grads(_reports_its_loss, w, x)
    assert "loss " in capsys.readouterr().out
