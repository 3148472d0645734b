"""Reading, tracing and stepping through the code that grad generates.

``grad`` writes an ordinary Python function for the derivative. This script
shows the ways to look at it:

1. ``.source`` and ``inspect.getsource``: the code, with ``# Grad of:`` comments
   naming the line of your function that each block differentiates;
2. ``.variants``: the specialised versions made so far, and which one ran;
3. ``verbose=2``: the function after each stage of the pipeline;
4. tracebacks: an error inside a derivative points at a line of generated code;
5. pdb: breaking inside the derivative and stepping through it line by line.

Run from anywhere:

    python examples/reading_generated_code.py                # headless: pdb is scripted
    python examples/reading_generated_code.py --interactive  # your own pdb prompt

From a shell, ``python -m autograd_src examples/reading_generated_code.py:loss``
prints the same derivative as step 1.
"""

import argparse
import contextlib
import inspect
import io
import math
import pdb
import sys
import traceback

import numpy as np

from autograd_src import grad


def loss(w, X, y):
    """Mean squared error of a one-layer tanh model."""
    prediction = np.tanh(X @ w)
    error = prediction - y
    return np.mean(error ** 2)


def spread(a, b):
    """One function called with numbers, with arrays of one shape, and broadcasting."""
    return np.sum(np.sin(a) * b)


def bump(t):
    """A function of a float whose derivative is infinite at t = 0."""
    return math.sqrt(t) * t + t


def heading(title):
    print(f"\n== {title} " + "=" * max(0, 60 - len(title)))


def reading_the_source(dloss):
    heading("1. .source and inspect.getsource")
    print(dloss.source)
    # The same text: the code is registered with linecache, so inspect, tracebacks
    # and debuggers all find it although there is no file on disk.
    print("inspect.getsource(dloss) == dloss.source:", inspect.getsource(dloss) == dloss.source)
    # Each '# Grad of:' comment names a line of this file; here are those lines.
    lines, first = inspect.getsourcelines(loss)
    for number, text in enumerate(lines, start=first):
        if f":{number})" in dloss.source:
            print(f"  line {number} of this file: {text.strip()}")


def which_variant():
    heading("2. .variants: the versions made so far")
    dspread = grad(spread)
    # Each kind of call gets a variant generated for what it passes: Python
    # numbers, arrays known to share one shape, or anything (the general one,
    # which sums gradients back over broadcast dimensions with _ad.unbroadcast).
    calls = [("dspread(0.5, 2.0)", (0.5, 2.0)),
             ("dspread(x, x)", (np.ones(3), np.ones(3))),
             ("dspread(x, M)", (np.ones(3), np.ones((2, 3))))]
    for text, args in calls:
        dspread(*args)
        ran = [key for key, code in dspread.variants.items() if code == dspread.source]
        print(f"{text:<18} ran the variant {ran[0]!r}")
    # .source shows the variant that ran last; .variants maps each one to its code.
    for key, code in dspread.variants.items():
        print(f"\n# .variants[{key!r}]:")
        print(code.rstrip())


def the_stages():
    heading("3. verbose=2: the function after each stage")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # to show an excerpt only
        grad(loss, verbose=2)
    stages = printed.getvalue()
    print("stages printed:")
    for line in stages.splitlines():
        if line.startswith("# -----"):
            print("   ", line)
    # The normalize stage splits nested expressions into one operation per line,
    # each named after what it computes: this is what the adjoint rules read.
    start = stages.index("# ----- after normalize")
    # grad(loss, optimize=False).source gives the code before the rewriting
    # passes (the last stage's input): the same values, to rule out the optimiser.
    print("\nexcerpt:")
    print("\n".join(stages[start:].splitlines()[:6]))


def a_traceback(dbump):
    heading("4. A traceback into generated code")
    try:
        dbump(0.0)  # the derivative divides by 2 * sqrt(0): ZeroDivisionError in floats
    except ZeroDivisionError:
        # The last frame is the generated derivative, its line shown from the
        # source text. Its "file" name says which of your functions it came from
        # (the def's file and line) and numbers each generated code (#N).
        print(traceback.format_exc())


def stepping_with_pdb(dbump, interactive):
    heading("5. Stepping through a derivative with pdb")
    # At a pdb prompt before the call (e.g. after `breakpoint()`), these commands
    # stop at the first line of the generated derivative and step through it:
    #     tbreak dbump.__wrapped__    # the variant that ran last: the scalar one here,
    #                                 # by forward mode (t is one number)
    #     continue                    # run until the derivative is entered
    #     list                        # its source
    #     step                        # into jvp_bump, its '# Tangent of:' code
    #     next, p sqrt_t, p dt, ...   # step and print its variables as usual
    commands = ["tbreak dbump.__wrapped__", "continue", "list", "p t", "step",
                "next", "next", "next", "next", "p sqrt_t", "p dout", "continue"]
    if interactive:
        print("Type, for instance:", "; ".join(commands))
        breakpoint()
        slope = dbump(4.0)
    else:  # the same commands, read from a string: the run stays headless
        transcript = io.StringIO()
        debugger = pdb.Pdb(stdin=io.StringIO("\n".join(commands) + "\n"),
                           stdout=transcript, nosigint=True)
        debugger.use_rawinput = False
        debugger.set_trace()
        slope = dbump(4.0)
        sys.settrace(None)
        print(transcript.getvalue())
    print("dbump(4.0) =", slope)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactive", action="store_true",
                        help="stop at a real pdb prompt in step 5")
    parser.add_argument("--quick", action="store_true", help="accepted for uniformity; "
                        "this script is small already")
    options = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=8)
    dloss = grad(loss)
    dloss(np.zeros(3), X, y)
    dbump = grad(bump)

    reading_the_source(dloss)
    which_variant()
    the_stages()
    a_traceback(dbump)
    stepping_with_pdb(dbump, options.interactive)


if __name__ == "__main__":
    main()
