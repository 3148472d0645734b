"""The Tensor API, step by step: the MyGrad cheat sheet, run and printed.

``import autograd_src as mg`` gives a MyGrad-style Tensor: NumPy with
automatic differentiation built in. Build a computation from tensors, call
``.backward()`` on the result, and every tensor it came from holds its
derivative in ``.grad``. This script goes through the cheat sheet in order
(creating tensors, math, backprop, constants, reshaping, inspecting), then
``no_autodiff``, the adjoint code behind a backward pass, and a small training
loop. Every step prints the code it runs and what comes out.

Run from anywhere:

    python examples/tensor_walkthrough.py            # the training loop runs 100 steps
    python examples/tensor_walkthrough.py --steps 20
"""

import argparse

import numpy as np

import autograd_src as mg
from autograd_src import grad


def section(title):
    print(f"\n== {title} " + "=" * max(0, 60 - len(title)))


def show(code, value):
    """Print a line of code and the repr of what it gives, as an interpreter would."""
    print(f">>> {code}")
    print(repr(value))


def creating_tensors():
    section("Creating tensors")
    show("mg.tensor(0.)", mg.tensor(0.))
    show('mg.tensor([1., 2., 3], dtype="float32")', mg.tensor([1., 2., 3], dtype="float32"))
    # A constant is skipped by backpropagation: it never gets a gradient.
    x = mg.tensor([-2., -3.], constant=True)
    show("mg.tensor([-2., -3.], constant=True).constant", x.constant)
    show("mg.linspace(0, 10, 5)", mg.linspace(0, 10, 5))


def doing_math():
    section("Doing math with tensors")
    x = mg.tensor([[0., 1., 2.],
                   [3., 4., 5.]])
    show("x ** 2", x ** 2)
    show("mg.square(x)", mg.square(x))
    # constant=True forces the result to be a constant (no gradient through it).
    show("mg.sqrt(x, constant=True)", mg.sqrt(x, constant=True))
    show("mg.matmul(x, x.T)  # dot products of all pairs of rows", mg.matmul(x, x.T))
    show("x.sum(axis=1)", x.sum(axis=1))
    show("mg.sum(x, axis=1)", mg.sum(x, axis=1))


def using_autodiff():
    section("Automatic differentiation")
    # f(x) = 2 * x at x = 10: df/dx = 2
    x = mg.tensor(10.0)
    f = 2 * x
    f.backward()  # backpropagate from f to every tensor it was computed from
    show("x.grad  # f = 2 * x", x.grad)

    # f(x, y) = x ** 2 + y at x = 10, y = 20: df/dx = 2x = 20, df/dy = 1
    x = mg.tensor(10.0)
    y = mg.tensor(20.0)
    f = x ** 2 + y
    f.backward()
    show("x.grad  # f = x ** 2 + y", x.grad)
    show("y.grad", y.grad)

    # Vectorised: f = x0**2 + x1**2 + x2**2, so the gradient is 2 * x.
    x = mg.tensor([-1., 4., 6.])
    f = mg.sum(x ** 2)
    f.backward()
    show("x.grad  # f = mg.sum(x ** 2)", x.grad)


def working_with_constants():
    section("Working with constants")
    constant_tensor = mg.tensor(2.0, constant=True)
    variable_tensor = mg.tensor(3.0)  # default: constant=False
    f = variable_tensor ** constant_tensor
    f.backward()  # computes df/d(variable_tensor) only
    show("variable_tensor.grad  # f = variable_tensor ** constant_tensor",
         variable_tensor.grad)
    show("constant_tensor.grad is None", constant_tensor.grad is None)

    # Integer tensors are always constants: asking otherwise is an error.
    show("mg.tensor([1, 2], dtype=int).constant", mg.tensor([1, 2], dtype=int).constant)
    try:
        mg.tensor([1, 2], dtype=int, constant=False)
    except ValueError as error:
        print(">>> mg.tensor([1, 2], dtype=int, constant=False)")
        print(f"ValueError: {error}")

    # Lists and NumPy arrays are constants, and so is anything computed from them only.
    show("mg.sum([1., 2.]).constant", mg.sum([1., 2.]).constant)
    f = mg.sum(np.array([1., 2.]))
    f.backward()
    show("mg.sum(np.array([1., 2.])).grad is None  # after backward()", f.grad is None)


def reshaping_and_inspecting():
    section("Reshaping and inspecting tensors")
    x = mg.tensor([1.0, 2.0, 3.0, 4.0])
    show("x.reshape(2, 2)", x.reshape(2, 2))
    x.shape = (2, 2)  # or set the shape in place
    show("x.T", x.T)

    x = mg.tensor([[0., 1., 2.],
                   [3., 4., 5.]])
    show("x.shape", x.shape)
    show("x.ndim", x.ndim)
    show("x.constant", x.constant)
    show("x.data  # the underlying NumPy array", x.data)
    show("mg.asarray(x)", mg.asarray(x))
    show("x.grad  # None until a backward pass reaches x", x.grad)


def no_autodiff_and_adjoint_code():
    section("no_autodiff, and the code behind backward()")
    w = mg.tensor([1.0, 2.0])
    # Inside no_autodiff nothing is recorded: useful for evaluation and for
    # optimiser updates, which must not become part of the next graph.
    with mg.no_autodiff:
        doubled = w * 2
    doubled.backward()
    show("w.grad  # after backward() on a result computed under no_autodiff", w.grad)

    # A recorded computation can show the adjoint code that backward() runs,
    # written by the same generator as grad()'s derivatives.
    x = mg.tensor(3.0)
    f = mg.sin(x) * x
    print(">>> print((mg.sin(x) * x).backward_source())")
    print(f.backward_source())
    f.backward()
    show("x.grad  # sin(3) + 3 cos(3)", x.grad)

    # Functions written with mg.* calls can be given to grad as well.
    def g(v):
        return mg.sum(mg.tanh(v) ** 2)

    show("grad(g)(np.array([0.0, 1.0]))  # 2 tanh(v) (1 - tanh(v)**2)",
         grad(g)(np.array([0.0, 1.0])))


def training_loop(steps):
    section("A tiny training loop: fit y = 3x - 1")
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, size=50)
    ys = 3 * xs - 1 + 0.05 * rng.normal(size=50)  # plain arrays: constants
    w = mg.tensor(0.0)
    b = mg.tensor(0.0)
    learning_rate = 0.3
    for step in range(steps + 1):
        loss = mg.mean((w * xs + b - ys) ** 2)
        loss.backward()  # sets w.grad and b.grad, and clears the graph
        if step % max(1, steps // 5) == 0:
            print(f"step {step:3d}  loss {loss.item():.6f}  w {w.item():.4f}  b {b.item():.4f}")
        # Update the data in place: the step itself is not differentiated.
        w.data -= learning_rate * w.grad
        b.data -= learning_rate * b.grad
    print(f"fitted w = {w.item():.3f}, b = {b.item():.3f} (true 3 and -1)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="training-loop steps")
    parser.add_argument("--quick", action="store_true", help="same as --steps 40")
    options = parser.parse_args(argv)

    creating_tensors()
    doing_math()
    using_autodiff()
    working_with_constants()
    reshaping_and_inspecting()
    no_autodiff_and_adjoint_code()
    training_loop(40 if options.quick else options.steps)


if __name__ == "__main__":
    main()
