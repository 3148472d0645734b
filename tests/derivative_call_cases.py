"""Programs of tester H (session 10): derivatives made by grad called inside functions
differentiated (MAML steps over dict parameters, value_and_grad and tuple wrt, a local
name for a derivative), callable objects, dict comprehensions over a dict's keys."""

import numpy as np

from autograd_src import grad, make_jvp, value_and_grad


def inner(p):
    return p["a"] * p["b"]


dinner = grad(inner)


def dict_rebound_after_a_gradient(p):
    g = dinner(p)
    p = {"a": g["a"] * p["a"], "b": p["b"]}
    return p["a"] * p["b"]


def task_loss(params, x):
    return np.sum(np.tanh(params["W"] @ x + params["b"]) ** 2)


dtask = grad(task_loss)


def maml_three_steps(params, x, lr=0.1):
    fast = dict(params)
    for _ in range(3):
        g = dtask(fast, x)
        fast = {k: fast[k] - lr * g[k] for k in ("W", "b")}
    return task_loss(fast, x)


def square(z):
    return z * z


def inner_with_a_helper(w, b):
    return np.sum(square(w) * b) + np.sum(np.sin(b))


value_and_gradient = value_and_grad(inner_with_a_helper, wrt=(0, 1))
gradients = grad(inner_with_a_helper, wrt=(0, 1))
value_and_gradient_w = value_and_grad(inner_with_a_helper)


def value_and_grad_inside(w, b):
    v, (gw, gb) = value_and_gradient(w, b)
    return v * 0.5 + np.sum(gw ** 2) + np.sum(gb * w)


def tuple_wrt_inside(w, b):
    gw, gb = gradients(w, b)
    return np.sum(gw * gb) + np.sum(np.cos(gb))


def value_unused(w, b):
    v, gw = value_and_gradient_w(w, b)
    return np.sum(gw ** 2)


def energy(q):
    return 0.25 * np.sum(q ** 4)


def local_name_for_a_derivative(q, b):
    force = grad(energy)
    return np.sum(force(q) * b)


def sgd_over_keys(params, b):
    fast = {k: params[k] * b for k in params}
    fast = {k: fast[k] * 0.5 for k in fast}
    return fast["a"] * fast["b"]


def sgd_over_keys_in_a_loop(params, b):
    fast = dict(params)
    out = {}
    for k in params:
        out[k] = fast[k] * b
    return out["a"] * out["b"]


class Quadratic:
    def __init__(self, A):
        self.A = A

    def __call__(self, x):
        return 0.5 * x @ self.A @ x


def loss_for_jvp(p):
    return np.sum(np.sin(p) * p)


jvp_of_loss = make_jvp(loss_for_jvp)


def calls_a_forward_derivative(p):
    v, t = jvp_of_loss(p, dp=np.ones_like(p))  # LINE jvp
    return t * v


def times_b(x, b):
    return x * x * b


def inner_with_two_arguments(x, b):
    return np.sum(times_b(x, b))


dinner_x = grad(inner_with_two_arguments, wrt=0)


def derivative_given_a_dict_item(b, x):
    p = {"b": b}
    return np.sum(dinner_x(x, p["b"]) ** 2)


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def __call__(self, x):
        return x @ self.W + self.b


class Net:
    """Sub-modules stored on the instance, called as self.l1(x) (PyTorch style)."""

    def __init__(self, rng):
        self.l1 = Linear(rng.normal(size=(3, 4)), np.zeros(4))
        self.l2 = Linear(rng.normal(size=(4, 1)), np.zeros(1))
        self.act = np.tanh

    def __call__(self, x):
        return self.l2(self.act(self.l1(x)))


NET = Net(np.random.default_rng(0))


def through_sub_modules(x):
    return np.sum(NET(x) ** 2)


class Potential:
    def __init__(self, k):
        self.k = k

    def U(self, q):
        return 0.5 * self.k * np.sum(q ** 3)


POT = Potential(2.0)
dU_bound = grad(POT.U)
dU = grad(Potential.U, wrt=1)


def calls_grad_of_a_bound_method(q):
    return np.sum(dU_bound(q) ** 2)  # LINE bound


def calls_grad_of_the_function_under_it(q):
    return np.sum(dU(POT, q) ** 2)


class BatchNorm:
    def __init__(self):
        self.running_mean = np.zeros(2)

    def forward(self, x):
        mu = np.mean(x, axis=0)
        self.running_mean = 0.9 * self.running_mean + 0.1 * mu  # LINE store
        return (x - mu) / np.sqrt(np.var(x, axis=0) + 1e-5)


BN = BatchNorm()


def stores_a_statistic(x):
    return np.sum(BN.forward(x) ** 3)


def momentum_state_from_a_comprehension(p):
    m = {k: np.zeros(3) for k in p}
    q = {}
    for k in p:
        m[k] = m[k] + p[k]
        q[k] = p[k] - 0.5 * m[k]
    return np.sum(q["w"] ** 2) + np.sum(m["w"] * q["w"])


# value_and_grad called inside, with containers (tester J): reverse over its combined code
# gave zeros for a list read in a branch, crashed adding dicts, and wrote into a
# read-only zero; by parts, forward over reverse, now.
def list_in_a_branch(vs, c):
    s = vs[0] * 1.0
    if c > 0.0:
        s = s + vs[1]
    return np.sum(s ** 2)


value_and_grad_of_list = value_and_grad(list_in_a_branch)


def loss_of_a_list_gradient(vs, c):
    val, dvs = value_and_grad_of_list(vs, c)
    return np.sum(dvs[0] ** 2)


def dict_in_a_loop(theta, z):
    for _ in range(2):
        acc = theta["W"] * z
    return np.sum(acc ** 2)


value_and_grad_of_dict = value_and_grad(dict_in_a_loop)


def loss_of_a_dict_gradient(theta, z):
    val, dtheta = value_and_grad_of_dict(theta, z)
    return np.sum(dtheta["W"])


def squares_of_a_list(x, vs):
    return np.sum(vs[0] ** 2) + np.sum(vs[1] ** 2)


value_and_grad_of_list_only = value_and_grad(squares_of_a_list, wrt=1)


def loss_not_depending_on_x(x, vs):
    val, dvs = value_and_grad_of_list_only(x, vs)
    return np.sum(dvs[0]) + np.sum(x) * 0.0
