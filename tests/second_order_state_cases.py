"""Second derivatives of functions whose helpers read state (session 10). Forward mode
over grad runs a helper again where its backward runs: state changed in between made
Hessians silently wrong (-11.3 for -7.9); an object given to a helper crashed
(AttributeError: its tangent was taken for an array)."""

import numpy as np

K = [1.0]
STATE = {"k": 1.0}
SCALE = 2.0
W = np.array([0.5, -1.0])


def setk(v):
    K[0] = v


def scaled(x):
    return K[0] * x


def list_item_changed_between(x):
    setk(1.0)
    a = np.sin(scaled(x))
    setk(3.0)
    b = np.sin(scaled(x))
    return a * b


def setd(v):
    STATE["k"] = v


def scaled_d(x):
    return STATE["k"] * x


def dict_item_changed_between(x):
    setd(1.0)
    a = np.sin(scaled_d(x))
    setd(3.0)
    b = np.sin(scaled_d(x))
    return a * b


def dict_item_written_between(x):
    STATE["k"] = 2.0
    a = np.sin(scaled_d(x))
    STATE["k"] = 3.0
    return a * np.sin(scaled_d(x))


def set_scale(v):
    global SCALE
    SCALE = v


def scaled_g(x):
    return SCALE * x


def global_rebound_between(x):
    set_scale(1.0)
    a = np.sin(scaled_g(x))
    set_scale(3.0)
    b = np.sin(scaled_g(x))
    return a * b


class Opt:
    def __init__(self):
        self.lr = 1.0

    def decay(self):
        self.lr = self.lr * 0.5


def step(w, opt):
    return w - opt.lr * np.sin(w)


def attribute_changed_between(w):
    opt = Opt()
    w = step(w, opt)
    opt.decay()
    w = step(w, opt)
    return np.sum(w ** 2)


def object_given_to_a_helper(w):
    opt = Opt()
    w = step(w, opt)
    w = step(w * w, opt)
    return np.sum(w ** 2)


def pure(v):
    return v * 2.0


def model(x):
    return np.tanh(W * x)


def pure_calls_and_constants(x):
    z = pure(1.5)
    return np.sum(model(x) ** 2) * z


# Mixed second derivatives through helpers (tester G): grad(grad(f, wrt=0), wrt=1) runs
# the helper's derivative for wrt=0 again along b, an argument it does not
# differentiate: its tangent must flow (silently 0 in a draft of this session).
def times_b(a, b):
    return a * a * b


def mixed_through_a_helper(a, b):
    return times_b(a, b)


def layer(W, x):
    return np.tanh(x @ W)


def critic(W, x):
    return np.sum(layer(W, x))


def step_scaled(w, opt, c):
    return w - opt.lr * c * np.sin(w)


def mixed_with_an_object(w, c):
    opt = Opt()
    return np.sum(step_scaled(w, opt, c) ** 2)


def early_return_in_else(x, t):
    """The arm taken returns early; the other defines b (tester J: hessian read b's
    tangent after the if, UnboundLocalError)."""
    if t > 0.0:
        b = t
    else:
        return t
    b = b - np.sum(x ** 3)
    return b


def scaled_rows(u, v):
    v = v * 1.0
    v *= 0.5  # (its own copy)
    return np.sum(np.tanh(u) * v) * u.shape[0] + np.sum(u.T * v)


def reads_an_arrays_shape(u, v):
    return scaled_rows(u, v) + scaled_rows(u * u, v)


def halves_its_argument(u, v):
    v *= 0.5  # the array it was given, changed in place
    return np.sum(np.tanh(u) * v)


def helper_changing_its_argument(u, v):
    return halves_its_argument(u, v * 1.0)  # LINE halves
