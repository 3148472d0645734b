"""Functions and methods that set attributes (session 10): ``m.s = m.s + 1.0`` after an
adjoint read ``m.s`` binds a new value, which the derivative must not see; writing into
the array an attribute holds after an adjoint read it is refused, naming the attribute."""

import numpy as np


class Holder:
    def __init__(self):
        self.s = 1.0
        self.buf = np.ones(2)

    def nothing(self):
        return 1.0


HOLDER = Holder()


def module_attribute_set_twice(w):
    HOLDER.s = 0.5
    out = HOLDER.s * np.sin(w)
    HOLDER.s = HOLDER.s + 1.0
    return out * HOLDER.s * w


class Counter:
    def __init__(self):
        self.s = 1.0

    def forward(self, w):
        out = self.s * np.sin(w)
        self.s = self.s + 1.0
        return out


def counter_called_twice(w):
    c = Counter()
    return c.forward(w) * c.forward(w * w)


def buffer_written_after_read(w):
    HOLDER.buf = np.array([1.0, 2.0])
    y = np.sum(HOLDER.buf * np.sin(w))
    HOLDER.buf[0] = 5.0  # LINE written
    HOLDER.nothing()
    return y


def buffer_copied_then_written(w):
    HOLDER.buf = np.array([1.0, 2.0])
    y = np.sum(HOLDER.buf * np.sin(w))
    HOLDER.buf = HOLDER.buf.copy()
    HOLDER.buf[0] = 5.0
    return y + np.sum(HOLDER.buf * w)


def buffer_copied_in_a_loop(w):
    HOLDER.buf = np.array([1.0, 2.0])
    y = 0.0
    for _ in range(3):
        y = y + np.sum(HOLDER.buf * np.sin(w))
        HOLDER.buf = HOLDER.buf.copy()
        HOLDER.buf[0] = HOLDER.buf[0] + 1.0
    return y


def buffer_rebound_in_a_loop(w):
    HOLDER.buf = np.array([1.0, 2.0])
    y = 0.0
    for _ in range(3):
        HOLDER.buf = HOLDER.buf + 1.0
        y = y + np.sum(HOLDER.buf * np.sin(w))
    return y


def buffer_written_in_a_loop(w):
    HOLDER.buf = np.array([1.0, 2.0])
    y = 0.0
    for _ in range(3):
        HOLDER.buf[0] = HOLDER.buf[0] + 1.0  # LINE loop
        y = y + np.sum(HOLDER.buf * np.sin(w))
    return y


class Private:
    """Attributes and methods with private names, which Python writes as _Private__scale
    (generated code, compiled outside the class, read self.__scale: AttributeError)."""

    def __init__(self):
        self.__scale = 2.0

    def __square(self, x):
        return self.__scale * x ** 2

    def loss(self, x):
        return np.sum(self.__square(x)) + self.__scale * np.sum(x)


PRIVATE = Private()


def private_names(x):
    return PRIVATE.loss(x)
