"""Programs of tester D (session 9) that were silently wrong or crashed: casts to
objects, numbers read back from text, text returned, copies of dicts and lists, an
operator object made inline for a helper."""

import numpy as np


def cast_to_objects(x):
    y = x.astype(object)  # LINE objects
    return float(np.sum(y * y))


def array_of_objects(x):
    y = np.array([x[0], x[1]], dtype=object)  # LINE object_array
    return float(y[0] * y[1])


def cast_to_float32(x):
    return np.sum(x.astype("float32") ** 2)


def percent_round_trip(x):
    return float("%.17g" % x[0]) * x[1]  # LINE percent


def fstring_round_trip(x):
    s = f"{x[0]}"
    return float(s) * x[1]  # LINE fstring


def format_round_trip(x):
    return np.float64("{}".format(x[0])) * x[1]  # LINE format


def text_only_printed(x):
    message = "loss %g" % np.sum(x)
    message.strip()
    return np.sum(x ** 2)


def returns_text(x):
    return "loss=%s" % np.sum(x ** 2)  # LINE text_out


def dict_copy(x):
    d = {"a": x[0]}
    e = d.copy()
    e["b"] = 2.0 * x[1]
    return e["a"] ** 2 + e["b"] + d["a"]


def list_copy_grown(x):
    d = [x[0], x[1]]
    e = d.copy()
    e.append(x[2])
    return e[0] ** 2 + e[2] + np.sum(np.array(d))


class Square:
    def __rmul__(self, other):
        return other ** 2


def apply_op(x, op):
    return np.sum(x * op)


def operator_object_inline(x):
    return apply_op(x, Square())  # LINE inline_object
