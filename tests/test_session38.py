"""Session 38: what testers and fuzzers found, each kept in its smallest form."""

import numpy as np
import pytest

from autograd_src import grad, hessian
from autograd_src.errors import InPlaceUpdateError


class _CountedBonds:
    def __init__(self, k, ncalls=0, alias=False):
        self.k = k
        self.ncalls = ncalls
        if alias:
            self.ncalls = self.k

    def bond(self, x):
        return 0.5 * np.sum(self.k * x ** 2)

    def energy(self, x):
        self.ncalls += 1
        return self.bond(x)

    def energy_counted_after(self, x):
        e = self.bond(x) + self.bond(x)
        self.ncalls += 1
        return e

    def reads_its_count(self, x):
        return np.sum((self.ncalls + 1.0) * x ** 2)

    def energy_read_count(self, x):
        e = self.reads_its_count(x) + self.reads_its_count(x)
        self.ncalls += 1
        return e


def test_hessian_of_a_method_counting_its_calls():
    # GP 01, GW 01: self.ncalls += 1 was taken to change self.k a helper method reads
    model = _CountedBonds(2.0)
    np.testing.assert_allclose(hessian(model.energy)(np.array([1.0, 2.0])), 2.0 * np.eye(2))


def test_a_counter_bumped_after_helper_calls_in_a_method():
    # GW 02: self.n += 1 after two self.kin(k) calls was refused though no method reads n
    model = _CountedBonds(2.0)
    assert grad(model.energy_counted_after)(1.5) == pytest.approx(4 * 1.5)
    assert model.ncalls == 1
    model = _CountedBonds(np.array([2.0]), ncalls=np.array([5.0]))  # an array, not read
    np.testing.assert_allclose(grad(model.energy_counted_after)(np.array([1.5])), [6.0])
    np.testing.assert_allclose(model.ncalls, [6.0])


def test_a_counter_that_is_the_array_a_method_reads_is_still_refused():
    model = _CountedBonds(np.array([2.0]), alias=True)  # self.ncalls is self.k
    with pytest.raises(InPlaceUpdateError, match="reads under another name"):
        grad(model.energy_counted_after)(np.array([1.5]))


def test_a_counter_a_method_reads_is_still_refused():
    with pytest.raises(Exception, match="self.ncalls"):
        grad(_CountedBonds(2.0).energy_read_count)(1.5)
