"""Helpers writing into the arrays they are given: right where only the name passed
sees the change, refused where another name (or a caller's caller) would."""

import re

import numpy as np
import pytest

from autograd_src import grad
from autograd_src.errors import DiffSyntaxError, InPlaceUpdateError
from autograd_src.testing import check_grads

from . import written_argument_cases as wc

RNG = np.random.default_rng(8)


@pytest.mark.parametrize("fn, args", [(wc.filled, (RNG.standard_normal(4),)),
                                      (wc.heat, (RNG.standard_normal(5), 0.1)),
                                      (wc.value_and_update, (RNG.standard_normal(3),
                                                             RNG.standard_normal(3)))],
                         ids=["filled", "heat", "value_and_update"])
def test_matches_finite_differences(fn, args):
    before = [np.copy(a) for a in args]
    check_grads(fn, *args)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)


def test_the_step_returns_the_array_it_updated():
    df = grad(wc.heat)
    df(RNG.standard_normal(5), 0.1)
    # (the copy's derivative is called; the comment shows the line as written)
    assert re.search(r"\n +u, step_on_copies_back = dstep_on_copies\w*\(u, dt\)\n",
                     df.source)
    assert "# Grad of: step(u, dt)  (" in df.source


def test_another_name_for_the_array_is_checked_when_it_runs():
    with pytest.raises(InPlaceUpdateError, match="z = fill\\(z, x\\).*shares"):
        grad(wc.seen_through_an_alias)(RNG.standard_normal(3))


def test_a_helper_passing_on_its_callers_array():
    # (refused before session 24; now copied in, with the helper it passes the array to)
    x = RNG.standard_normal(3)
    check_grads(wc.through_two_helpers, x)


def test_the_statement_takes_the_value_and_the_array_back():
    df = grad(wc.value_and_update, wrt=(0, 1))
    df(RNG.standard_normal(3), RNG.standard_normal(3))
    assert re.search(r"\n +values, accumulate_on_copies_back = daccumulate_on_copies\w*"
                     r"\(s, y, z\)\n +_ad.unpacking\(values, 2\)\n +s = values\[0\]\n"
                     r" +z = values\[1\]\n", df.source)
    assert "# Grad of: s = accumulate(s, y, z)  (" in df.source


def test_a_helper_appending_to_a_list_of_the_functions_own():
    # (refused until session 23: the helper is copied in, appending to a copy of the
    # list that the statement takes back)
    params, x = [np.ones(2)], np.array([1.0, 2.0])
    got = grad(wc.helper_appending_to_its_list, wrt=(0, 1))(params, x)
    np.testing.assert_allclose(got[0][0], [4.0, 4.0])
    np.testing.assert_allclose(got[1], [24.0, 24.0])


@pytest.mark.parametrize("fn, args, fix", [
    (wc.closure_appending_to_a_list, (np.ones(2),),
     r"push is a nested function.*out.append\(push\(x\)\)"),
])
def test_calls_made_for_their_effect_say_what_to_write(fn, args, fix):
    # the fix once offered was np.exp(x) rather than np.exp(x, out=y), for an append
    with pytest.raises(DiffSyntaxError, match=fix):
        grad(fn)(*args)
