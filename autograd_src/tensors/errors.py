"""The Tensor engine's errors, under MyGrad's names (``mygrad.errors``)."""

__all__ = ["MyGradException", "InvalidBackprop", "InvalidGradient", "DisconnectedView"]


class MyGradException(Exception):
    """The base of the Tensor engine's own errors."""


class InvalidBackprop(MyGradException, RuntimeError):
    """`backward` reached a graph that an earlier `backward` or `clear_graph` cleared."""


class InvalidGradient(MyGradException, ValueError):
    """A gradient that cannot serve as ``backward``'s seed."""


class DisconnectedView(MyGradException):
    """A view whose link to its base was lost (kept for MyGrad's names; not raised here)."""
