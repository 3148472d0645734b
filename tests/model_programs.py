"""Models written the way ML and science code writes them (issue #10): parameters in
lists, tuples and dicts, cells as nested functions, helpers taking keywords, loops
over time steps. Each entry: (function, make_args(rng), wrt)."""

import numpy as np

# ----- an LSTM whose cell is a nested function reading the parameters -----


def _sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


def lstm_loss(params, xs, target):
    W, U, b = params["W"], params["U"], params["b"]
    hidden = U.shape[0]

    def cell(x, h, c):
        gates = x @ W + h @ U + b
        i = _sigmoid(gates[:hidden])
        f = _sigmoid(gates[hidden:2 * hidden])
        o = _sigmoid(gates[2 * hidden:3 * hidden])
        g = np.tanh(gates[3 * hidden:])
        c = f * c + i * g
        return o * np.tanh(c), c

    h, c = np.zeros(hidden), np.zeros(hidden)
    for x in xs:
        h, c = cell(x, h, c)
    return np.sum((h - target) ** 2)


# ----- a Gaussian mixture's negative log-likelihood -----


def _logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def gmm_nll(params, data):
    log_weights = params["logits"] - _logsumexp(params["logits"], axis=0)
    total = []
    for k, (mean, log_std) in enumerate(zip(params["means"], params["log_stds"])):
        z = (data - mean) / np.exp(log_std)
        total.append(log_weights[k] - 0.5 * np.sum(z ** 2, axis=1) - np.sum(log_std))
    return -np.mean(_logsumexp(np.stack(total), axis=0))


# ----- a Gaussian process's negative log marginal likelihood -----


def _rbf(X, Y, length, scale):
    d = X[:, None, :] - Y[None, :, :]
    return scale ** 2 * np.exp(-0.5 * np.sum(d ** 2, axis=-1) / length ** 2)


def gp_nll(hyper, X, y):
    length, scale, noise = np.exp(hyper["log_length"]), np.exp(hyper["log_scale"]), \
        np.exp(hyper["log_noise"])
    K = _rbf(X, X, length=length, scale=scale) + noise ** 2 * np.eye(len(X))
    alpha = np.linalg.solve(K, y)
    return 0.5 * y @ alpha + 0.5 * np.log(np.linalg.det(K))


# ----- a VAE's loss with encoder and decoder helpers taking keywords -----


def _dense(h, layer, act=np.tanh):
    W, b = layer
    return act(h @ W + b)


def _identity(z):
    return z


def vae_loss(params, x, eps):
    h = _dense(x, params["enc"][0])
    mean = _dense(h, params["enc"][1], act=_identity)
    log_var = _dense(h, layer=params["enc"][2], act=_identity)
    z = mean + np.exp(0.5 * log_var) * eps
    recon = _dense(z, params["dec"])
    kl = -0.5 * np.sum(1 + log_var - mean ** 2 - np.exp(log_var))
    return np.sum((recon - x) ** 2) + kl


# ----- a GAN discriminator's loss on real and generated samples -----


def gan_discriminator_loss(disc, gen, noise, real):
    fake = np.tanh(noise @ gen[0] + gen[1])
    scores = []
    for batch in (real, fake):
        h = batch
        for W, b in disc[:-1]:
            z = h @ W + b
            h = np.maximum(0.1 * z, z)  # leaky relu
        W, b = disc[-1]
        scores.append(h @ W + b)
    real_score, fake_score = scores
    return np.mean(np.log1p(np.exp(-real_score))) + np.mean(np.log1p(np.exp(fake_score)))


# ----- a 1-D advection-diffusion step, fitted through time -----


def advect_diffuse(params, u0, steps=20):
    u = u0.copy()
    speed, diffusion = params
    for _ in range(steps):
        left, right = np.roll(u, 1), np.roll(u, -1)
        u = u - 0.5 * speed * (right - left) * 0.1 + diffusion * (left - 2 * u + right) * 0.1
    return np.sum(u ** 2) + u[3]


# ----- an ODE solved with RK4; its parameters in a namedtuple-like tuple -----


def _lotka_volterra(state, theta):
    prey, predator = state[0], state[1]
    a, b, c, d = theta
    return np.array([a * prey - b * prey * predator, c * prey * predator - d * predator])


def rk4_final_state(theta, state, dt=0.05, n=30):
    for _ in range(n):
        k1 = _lotka_volterra(state, theta)
        k2 = _lotka_volterra(state + 0.5 * dt * k1, theta)
        k3 = _lotka_volterra(state + 0.5 * dt * k2, theta)
        k4 = _lotka_volterra(state + dt * k3, theta)
        state = state + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return np.sum(state ** 2)


# ----- black-box variational inference with fixed draws -----


def _log_density(z):
    return -0.5 * np.sum(z ** 2, axis=1) - 0.1 * np.sum(z ** 4, axis=1)


def bbvi_objective(variational, draws):
    mean, log_std = variational
    samples = mean + np.exp(log_std) * draws
    entropy = np.sum(log_std)
    return -(np.mean(_log_density(samples)) + entropy)


# ----- logistic regression with an L2 penalty over a dict of parameters -----


def logistic_l2(params, X, y, penalty=0.1):
    logits = X @ params["w"] + params["b"]
    loss = np.mean(np.log1p(np.exp(-y * logits)))
    reg = sum(np.sum(v ** 2) for k, v in params.items() if k != "b")
    return loss + penalty * reg


def _r(rng, *shape, scale=1.0):
    return scale * rng.standard_normal(shape)


CASES = [
    (lstm_loss, lambda r: ({"W": _r(r, 3, 8, scale=0.5), "U": _r(r, 2, 8, scale=0.5),
                            "b": _r(r, 8)}, _r(r, 4, 3), _r(r, 2)), 0),
    (gmm_nll, lambda r: ({"logits": _r(r, 3), "means": [_r(r, 2), _r(r, 2), _r(r, 2)],
                          "log_stds": [_r(r, 2, scale=0.3) for _ in range(3)]},
                         _r(r, 10, 2)), 0),
    (gp_nll, lambda r: ({"log_length": 0.1, "log_scale": -0.2, "log_noise": -1.0},
                        _r(r, 6, 2), _r(r, 6)), 0),
    (vae_loss, lambda r: ({"enc": [(_r(r, 4, 5, scale=0.5), _r(r, 5)),
                                   (_r(r, 5, 2, scale=0.5), _r(r, 2)),
                                   (_r(r, 5, 2, scale=0.5), _r(r, 2))],
                           "dec": (_r(r, 2, 4, scale=0.5), _r(r, 4))},
                          _r(r, 3, 4), _r(r, 3, 2)), 0),
    (gan_discriminator_loss, lambda r: ([(_r(r, 2, 4, scale=0.5), _r(r, 4)),
                                         (_r(r, 4, 1, scale=0.5), _r(r, 1))],
                                        (_r(r, 3, 2, scale=0.5), _r(r, 2)), _r(r, 5, 3),
                                        _r(r, 5, 2)), (0, 1)),
    (advect_diffuse, lambda r: ((0.7, 0.3), _r(r, 8)), 0),
    (rk4_final_state, lambda r: ((1.0, 0.4, 0.3, 0.8), np.array([1.2, 0.9])), (0, 1)),
    (bbvi_objective, lambda r: ((_r(r, 3), _r(r, 3, scale=0.2)), _r(r, 16, 3)), 0),
    (logistic_l2, lambda r: ({"w": _r(r, 4), "b": 0.3, "v": _r(r, 2)}, _r(r, 12, 4),
                             np.sign(_r(r, 12))), 0),
]
