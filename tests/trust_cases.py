"""The smallest forms of programs that once gave silently wrong gradients.

Imported by ``test_trust.py``; kept in a module of their own because `grad`
reads their source.
"""

import numpy as np


def shared_subscript_in_both_arms(x):
    # x[i] was computed in the if-arm and read, uncomputed, in the else-arm.
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s = s + x[i] ** 2
        else:
            s = s - 0.5 * x[i]
    return s


def shared_subscript_in_conditional_expressions(x):
    a = x[0] if x[1] > 0 else x[0] * 2
    b = x[0] * 3 if x[1] < 0 else x[0]
    return a * b


def make_step(a):
    return lambda x: x - 0.05 * (x ** 2 - a)


def closure_made_by_a_helper(a):
    return make_step(a)(10.0)


def closure_kept_in_a_name(a):
    step = make_step(a)
    return step(10.0)


def nested_def_reading_a_differentiated_value(a):
    def scaled(x):
        return x * a
    return scaled(2.0)


def lambda_reading_a_differentiated_value(x):
    i = 0
    first = x[i] ** 2
    third = lambda i: x[i] * 3  # noqa: E731
    return first + third(2)


def restored_value_read_by_its_own_adjoint(x, v):
    # `loss` carries no gradient when first multiplied: the adjoint of
    # `loss * np.cos(x[3])` read the final `loss` before restoring the old one.
    act, loss = np.tanh(v) / (1.0 + x[6] ** 2), 1.8 / np.sqrt(1.0 + 1.2 ** 2)
    loss = loss * np.cos(x[3])
    loss += np.mean(x)
    return np.sum(np.sin(act)) + loss


def constant_scaled_by_a_differentiated_value_in_a_loop(x):
    c = 1.5
    s = x * 1.0
    for _ in range(3):
        c = c * np.cos(s)
        s = s * c
        c = c - 0.5
    return np.sum(s)


def scale_through(ws, x):
    for w in ws:
        x = x * w
    return np.sum(x)


def list_looped_over_in_a_helper(a, b, x):
    # The list's adjoint was summed with `+`, which concatenates: zero gradients.
    return scale_through([a, b], x)


def first_pair(params, x):
    W, b = params[0]
    return np.sum(W * x + b)


def pair_unpacked_in_a_helper(W, b, x):
    return first_pair([(W, b)], x) + first_pair([(W, b)], 2.0 * x)


def weighted(p, x):
    return np.sum(np.tanh(x * p["w"]) * p["v"])


def dict_passed_to_two_helper_calls(w, v, x):
    p = {"w": w, "v": v}
    return weighted(p, x) + weighted(p, 2.0 * x)


def sum_of_squares(ws):
    total = 0.0
    for w in ws:
        total = total + np.sum(w ** 2)
    return total


def one_list_passed_to_two_helper_calls(a, b):
    ws = [a, b]
    return sum_of_squares(ws) + sum_of_squares(ws) * sum_of_squares((a,))


def r_of_differentiated_values(x):
    return np.sum(np.r_[x, x] ** 2)


def c_of_differentiated_values(x):
    return np.sum(np.c_[x, x] ** 2)


def r_with_a_string_directive(x):
    return np.sum(np.r_["0,2", x, x] ** 2)


def einsum_sublist_form(x):
    return np.sum(np.einsum(np.outer(x, x), [0, 1], [1, 0]))


def out_argument(x):
    y = np.zeros(3)
    np.exp(x, out=y)
    return np.sum(y)


def out_argument_assigned(x):
    z = np.exp(x, out=np.zeros(3))
    return np.sum(z)


def multiply_at(x):
    y = x * 1.0
    np.multiply.at(y, [0, 0], x[1])
    return np.sum(y * y)


def fill_diagonal(x):
    m = np.outer(x, x)
    np.fill_diagonal(m, 0.0)
    return np.sum(m)


def copyto(x):
    y = np.zeros(3)
    np.copyto(y, x)
    return np.sum(y * y)


def put(x):
    y = x * 2
    np.put(y, [0], 5.0)
    return np.sum(y)


def fill_method(x):
    y = np.zeros(3)
    y.fill(x[0])
    return np.sum(y)


def _store_first(buffer, value):
    buffer[0] = value


def helper_writing_into_its_argument(x):
    y = np.zeros(3)
    _store_first(y, x[1])
    return np.sum(y * x)


def _log(value):
    print(value.shape)


def discarded_calls_that_change_nothing(x):
    _log(x)
    np.sum(x)
    return np.sum(x ** 2)


def spread(x):
    return np.std(x)


def spread_by_column(x):
    return np.sum(np.std(x, axis=0))


DATA64 = np.linspace(0.5, 1.5, 3)


def float32_weights_times_float64_data(w):
    return np.sum(np.tanh(w * DATA64))


def identity_times_one(x):
    return x * 1.0


def _doubled(x):
    return x * 2.0


def calls_a_helper(x):
    return np.sum(_doubled(x) ** 2)


def _walk(x, n):
    if n == 0:
        return x
    return _walk(x * 0.999, n - 1) + 0.0


def recursive_walk(x):
    return _walk(x, 900)


RANDOM = np.random.RandomState(0)
CALLS = [0]


def _noisy(x, scale=1.0):
    CALLS[0] += 1
    return x * RANDOM.randn(*np.shape(x)) * scale


def sum_of_noisy_squares(x):
    CALLS[0] = 0
    return np.sum(_noisy(x) ** 2)


def _counted_step(h):
    CALLS[0] += 1
    return np.tanh(h) * 0.9 + h


def noisy_steps(x):
    h = x
    for _ in range(4):
        h = _counted_step(h)
    return np.sum(h ** 2)


def noiseless_steps(x):
    h = x
    for _ in range(4):
        h = np.tanh(h) * 0.9 + h
    return np.sum(h ** 2)


def constant_replaces_a_value_in_a_branch(v):
    # The adjoint of `out` flowed past `out = 2.0` into v[0].
    out = v[0] * 1.0
    if v[1] > 0:
        out = 2.0
    return out * v[1]


def constant_replaces_a_value_in_a_loop(v):
    out = v[0] * 1.0
    for _ in range(2):
        out = 2.0
    return out * v[1]


def array_replaces_a_scalar_in_a_branch(v):
    out = v[0] * 1.0
    if v[1] > 0:
        out = np.zeros(2)
    return np.sum(out * v[1])


def constant_replaces_a_value_in_a_while_loop(v):
    out = v[0]
    n_iter = 0
    while n_iter < 5 and out <= 0.11:
        n_iter += 1
        out = 2.0
    y = v[0]
    return out - y


def loop_whose_adjoint_is_only_a_comment(w):
    # The reversed loop held only its comment: an IndentationError in generated code.
    e1 = np.cos(w[3])
    for _ in range(1):
        e1 = e1
    return e1


def repeated_positions_assigned(x):
    # NumPy keeps the last of repeated positions: x[0] is overwritten.
    y = np.zeros(3)
    y[[0, 0]] = x
    return np.sum(y * np.array([1.0, 2.0, 3.0]))


def repeated_positions_added(w):
    y = w * 1.0
    y[np.array([0, 0])] += w
    return np.sum(y ** 2)


def view_of_a_constant_then_assignment(x):
    y = np.zeros(3)
    v = y.reshape(3, 1)
    y[0] = x[0]
    return np.sum(v) * x[1]


def view_of_a_differentiated_value_then_assignment(x):
    y = x * 1.0
    v = y.reshape(-1)
    y[0] = 10.0
    return np.sum(v * x)


def slice_kept_then_assignment(x):
    y = x * 1.0
    r = y[0:2]
    y[0] = 10.0
    return np.sum(r * x[:2])


def _first_row(m):
    return m[0]


def view_returned_by_a_helper_then_assignment(x):
    m = np.outer(x, x)
    r = _first_row(m)
    m[0, 1] = 0.0
    return np.sum(r * x)


def rows_updated_in_a_loop(x):
    m = np.zeros((2, 2))
    for row in m:
        row += x
    return np.sum(m)


def _normalized_in_place(v):
    v /= np.sum(v)
    return v


def helper_dividing_its_argument_in_place(x):
    p = np.exp(x)
    q = _normalized_in_place(p)
    return np.sum(p * np.array([1.0, 2.0])) + np.sum(q)


def iterated_array_rebound_in_the_loop(x):
    out = 0.0
    for v in x:
        x = x * 2.0
        out = out + v * v
    return out


def list_grown_while_iterated(x):
    items = [x]
    total = 0.0
    for v in items:
        total = total + v
        if len(items) < 3:
            items.append(v * 2.0)
    return total


def _fresh_square(v):
    out = v * v
    return out


def fresh_helper_result_then_assignment(x):
    y = _fresh_square(x)
    y[0] = 1.0
    return np.sum(y * x)


def continue_in_the_else_of_an_inner_loop(x):
    total = 0.0
    for i in range(3):
        for j in range(3):
            if j == i:
                break
            total = total + x * j
        else:
            continue
        total = total * 1.5
    return total


def lambda_defined_inside_a_loop(x):
    total = 0.0
    for _ in range(3):
        square = lambda v: v ** 2  # noqa: E731
        total = total + square(x)
    return total


def item_of_a_dict_updated(x):
    d = {"a": x, "b": 1.0}
    d["a"] = d["a"] * 2
    return np.sum(d["a"] * x)


def array_put_into_a_list_of_numbers(x):
    hs = [0.0, 0.0]
    hs[0] = x
    return np.sum(hs[0] * 3 + hs[1] * x)


def weight_plus_bias(w, b):
    return np.sum((w + b) ** 2)


def _scaled_all(ws, x):
    return [w * x for w in ws]


def comprehension_returned_by_a_helper(a, b, x):
    return np.sum(_scaled_all([a, b], x)[0] * _scaled_all([a, b], x)[1])


# Lists and tuples: + concatenates and * repeats; they were differentiated as if
# they were array arithmetic.
def lists_concatenated(x):
    t = [x] + [x * 2.0]
    return np.sum(t[0] * t[1])


def list_repeated(x):
    t = [x] * 2
    return np.sum(t[0] * t[1])


def list_extended_in_place(x):
    xs = [x]
    xs += [x ** 2]
    return np.sum(xs[0] * xs[1])


def tuple_repeated(x):
    t = (x[0], x[1]) * 2
    return t[0] * t[3]


def tuple_grown_in_a_loop(x):
    t = ()
    for i in range(3):
        t = t + (x * i,)
    return np.sum(t[1] * t[2])


def _concatenated(a, b):
    return a + b


def lists_concatenated_in_a_helper(x):
    t = _concatenated([x], [x * 3.0])
    return np.sum(t[0] * t[1]) + np.sum(_concatenated(x, x ** 2))


def builtin_sum_of_an_array(x):
    return sum(2 * x) + sum(x ** 2)


def numpy_reduction_of_a_list(x):
    return np.sum([x, x ** 2]) + np.sum(np.exp([x, 2.0 * x]))


def loops_over_expressions(a):
    t = 0.0
    for r in a.T:
        t = t + np.sum(r ** 2) * r[0]
    for r in np.sin(a):
        t = t + np.sum(r * r)
    for p, q in zip(a[:-1], a[1:]):
        t = t + np.sum(p * q)
    for i, r in enumerate(a * 2):
        t = t + i * np.sum(r ** 2)
    return t


HIGH = np.array([0.2, 0.5, 0.7, 0.9])


def clip_to_a_bound_of_a_larger_shape(a):
    return np.sum(np.clip(a, -0.3, HIGH))


def constant_scaled_in_place_after_use(y):
    z = np.ones(len(y))
    s = np.sum(y * z)
    z *= 0.0
    return s


def constant_item_changed_after_use(y):
    z = np.ones(len(y))
    s = np.sum(y * z)
    z[0] = 5.0
    return s


def constant_filled_after_use(y):
    z = np.ones(len(y))
    s = np.sum(y * z)
    z.fill(3.0)
    return s


def alias_of_a_constant_changed_after_use(y):
    z = np.ones(len(y))
    s = np.sum(y * z)
    w = z
    w += 1.0
    return s


def _two_values(x):
    return x[::-1] * 1.0, x * 3.0


def loop_of_copies_after_a_helper(w):
    q1, hid = _two_values(w)
    for _ in range(2):
        q1, unused = q1, hid  # noqa: F841 - the shape of the fuzzed program
    return np.sum(hid ** 2) - np.sum(q1)


def scalar_argument_rebound_to_an_array(x, a):
    # In the variant for a Python float `a`, the adjoint of the old a (a scalar) was
    # left unsummed: a = x * a gave the result's shape class to the operand a too.
    a = x * a
    val = a[0, 0]
    return np.sum(np.sin(val + x))


def constant_item_decremented_after_use(m):
    z = np.ones(3)
    s = np.sum(m[0] * z)
    z[0] -= 0.5
    return s


def branch_test_read_after_its_names_change(x, w):
    # The adjoint evaluated `res >= 0.3` again to restore `broke` under it, but res
    # had changed later in the iteration and was not kept: the wrong arm, and a pop
    # from an empty stack (or the wrong values restored).
    res = np.sum(w)
    for _ in range(2):
        if res >= 0.3:
            if w[0] < -0.33:
                break
        else:
            tmp = np.sqrt(1.0 + x ** 2)
            tmp *= np.cos(tmp)
        res -= -0.5 * w[-1]
    return res


def constant_set_in_a_nested_while_loop(w):
    # The inner loop's adjoint only restores `term` and resets its adjoint, so its
    # iteration counter was not kept per outer iteration: the last one's count was
    # used for all, and the gradient of the replaced value leaked through.
    term = 0.1 * np.sum(w) * -0.25
    it = 0
    while it < 3:
        it += 1
        iters = 0
        while abs(term) < 0.42 and iters < 3:
            iters += 1
            term = -1.5
    return term


def flipped_view_then_assignment(x):
    # np.flip gives a view; the normalizer's own list of views had missed it.
    y = x * 1.0
    v = np.flip(y)
    y[0] = 10.0
    return np.sum(v * x)
