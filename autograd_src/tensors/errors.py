"""The Tensor engine's errors, under MyGrad's names (``mygrad.errors``)."""

__all__ = ["MyGradException", "InvalidBackprop", "InvalidGradient", "DisconnectedView",
           "GradientDropped"]


class MyGradException(Exception):
    """The base of the Tensor engine's own errors."""


class InvalidBackprop(MyGradException, RuntimeError):
    """`backward` reached a graph that an earlier `backward` or `clear_graph` cleared."""


class InvalidGradient(MyGradException, ValueError):
    """A gradient that cannot serve as ``backward``'s seed."""


class DisconnectedView(MyGradException):
    """A view whose link to its base was lost (kept for MyGrad's names; not raised here)."""


class GradientDropped(MyGradException, TypeError):
    """A conversion of a tensor that needs gradients to a NumPy array or a Python
    number that NumPy or Python would make implicitly (``np.array([t, t])``,
    ``np.r_[t]``, ``math.exp(t)``), where the result could only be a constant: the
    gradient would be silently lost. (Not in MyGrad, which converts silently.)"""
