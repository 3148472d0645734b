"""Helpers and closures whose derivative's backward runs after the caller changed
state they read (an independent tester's programs, kept as written). Each backward
must see the values the call used."""

import functools

import numpy as np


def loop_target_read_by_a_closure(x):
    def h(z):
        return z * i
    s = 0.0
    for i in range(1, 3):
        s = s + np.sum(h(x) ** 2)
    return s


def list_changed_after_the_call(x):
    c = [1.0]

    def h(z):
        return c[0] * z ** 2
    a = h(x)
    c[0] = 10.0
    return np.sum(a)


CFG = {"k": 1.0}


def _uses_the_global(z):
    return CFG["k"] * z ** 2


def global_changed_after_the_call(x):
    CFG["k"] = 1.0
    a = _uses_the_global(x)
    CFG["k"] = 4.0
    return np.sum(a)


class _Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, h):
        self.calls = self.calls + 1
        return h * self.calls


def call_counter_on_self(x):
    d = _Counter()
    a = d(x)
    b = d(x)
    return np.sum(a * b)


def array_changed_in_place_after_the_call(x):
    c = np.array([1.0, 2.0, 3.0])

    def h(z):
        return c * z
    a = h(x)
    c[0] = 10.0
    return np.sum(a ** 2)


def _memo(z, cache={}):  # noqa: B006 - the mutable default is the point
    cache["k"] = cache.get("k", 0.0) + 1.0
    return cache["k"] * z


def mutable_default(x):
    _memo.__defaults__[0].clear()
    return np.sum(_memo(x) * _memo(x))


def _linear(z, ws):
    return ws[0] * z ** 2


def partial_of_a_list_changed_after(x):
    ws = [1.0]
    p = functools.partial(_linear, ws=ws)
    a = p(x)
    ws[0] = 10.0
    return np.sum(a)


def _make(ws):
    def g(z):
        return ws[0] * np.sin(z)
    return g


def factory_list_changed_between_calls(x):
    ws = [1.0]
    g = _make(ws)
    a = g(x)
    ws[0] = 5.0
    return np.sum(a * g(x))


CASES = [loop_target_read_by_a_closure, list_changed_after_the_call,
         global_changed_after_the_call, call_counter_on_self,
         array_changed_in_place_after_the_call, mutable_default,
         partial_of_a_list_changed_after]


H = np.ones(2)


def _reads_the_global(z):
    return np.sum(H * z ** 3)


def global_array_changed_after_a_helper_read_it(x):
    H[:] = 1.0
    a = _reads_the_global(x)
    H[0] = 10.0
    return a


def _writes_into_its_buffer(z, buf, i):
    buf[i] = 1.0
    return np.sum(buf * z)


def helper_writing_into_a_buffer_it_reads(x):
    buf = np.zeros(2)
    s = 0.0
    for i in range(2):
        s = s + _writes_into_its_buffer(x, buf, i)
    return s


class _Model:
    def __init__(self):
        self.W = np.array([1.0, 2.0])


def attribute_aliased_and_updated(x):
    m = _Model()
    w = m.W
    s = np.sum(w * x)
    w *= 2.0  # NumPy: m.W doubles too
    return s + np.sum(m.W * x)


class _Schedule:
    def __init__(self):
        self.lr = np.array([1.0])


def attribute_updated_after_it_was_read(x):
    s = _Schedule()
    total = np.sum(s.lr * x ** 2)
    s.lr *= 0.5
    return total


# A helper that puts a differentiated value into module state, read back by the
# differentiated function or a helper it calls (tester K): the read was a constant,
# gradient 0. Refused at the helper's call; a record nothing reads stays allowed.
HIST = []
CACHE = {}
LOG = []


def _record(v):
    HIST.append(v)


def _put(v):
    CACHE["h"] = v


def _last():
    return CACHE["h"]


def _record_and_return(v):
    HIST.append(v)
    return v * 2.0


def _log(v):
    LOG.append(v)


def helper_appends_to_a_module_list_read_back(x):
    _record(x[0] ** 2)
    return HIST[-1] * 3.0


def helper_stores_into_a_module_dict_read_by_a_helper(x):
    _put(x[0] ** 2)
    return _last() * 3.0


def helper_result_used_and_its_record_read_back(x):
    y = _record_and_return(x[0] ** 2)
    return HIST[-1] * 3.0 + y


def helper_logging_what_nothing_reads(x):
    _log(x[0] ** 2)
    y = _record_and_return(x[1])  # (HIST, never read here)
    return np.sum(x ** 2) + y


class _Stats:
    avg = 0.0


STATS = _Stats()


def _ema_set(v):
    STATS.avg = v


def running_average_read_before_it_is_set(x):
    m = STATS.avg  # the last call's average: a constant here
    _ema_set(0.9 * m + 0.1 * x)
    return np.sum((x - m) ** 2)


def running_average_read_again_in_the_loop(x):
    total = 0.0
    for _ in range(2):
        m = STATS.avg  # the second pass reads what the first set: refused
        _ema_set(0.9 * m + 0.1 * x)
        total = total + np.sum((x - m) ** 2)
    return total
