"""Tester B's crashes (session 9), each in its smallest form: a staticmethod called
through type(self) or self.__class__, a namedtuple's property, dict.pop(key)."""

from typing import NamedTuple

import numpy as np
import pytest

from autograd_src import DiffSyntaxError, grad, jvp
from autograd_src.testing import check_grads


class Model:
    @staticmethod
    def act(z):
        return np.sin(z)

    def loss(self, w):
        return np.sum(type(self).act(w) * w)

    def loss_by_class(self, w):
        return np.sum(self.__class__.act(w) ** 2)


class Lin(NamedTuple):
    W: np.ndarray
    b: np.ndarray

    @property
    def norm2(self):
        return np.sum(self.W ** 2)


def uses_property(p):
    return p.norm2 + np.sum(p.b)


def pops_a_key(w):
    d = {"x": w[0], "y": w[1]}
    a = d.pop("x")
    return a * 2.0 + d["y"] ** 2


W = np.array([0.5, 1.0])


@pytest.mark.parametrize("method", ["loss", "loss_by_class"])
def test_staticmethod_through_the_class_of_self(method):
    check_grads(getattr(Model(), method), W)
    value, tangent = jvp(getattr(Model(), method), (W,), (np.ones(2),))
    np.testing.assert_allclose(tangent, np.sum(grad(getattr(Model(), method))(W)))


def test_namedtuple_property_is_a_clear_error():
    with pytest.raises(TypeError, match="norm2 is not one of its fields"):
        grad(uses_property)(Lin(W, np.array([0.5])))


def test_dict_pop_is_refused_at_the_line():
    with pytest.raises(DiffSyntaxError, match=r"d.pop\(key\) on a dict"):
        grad(pops_a_key)(W)
