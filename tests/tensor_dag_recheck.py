"""The shared DAG fuzzer's Tensor graphs, with its finite-difference oracle re-checked.

``dag_fuzz.py`` (in the shared fuzz directory, outside this repository) compares
gradients with differences at a step of 1e-4. Where a ``max`` or ``maximum`` has two
entries within that step of a tie, or the function is steep (``sin((x @ x.T)**4)``),
those differences are off while the gradient is right. This runs the same graphs
(same seeds, same programs) through the Tensor engine and, for each that fails the
1e-4 check, recomputes the differences at 1e-6 and 1e-7 and compares with ``grad``:
a graph counts as wrong only if the Tensor gradient matches the differences at no step.

    python -m tests.tensor_dag_recheck --fuzz ../shared/fuzz/dag_fuzz.py --seeds 601 602 --n 4000
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", required=True, help="path of dag_fuzz.py")
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    parser.add_argument("--n", type=int, default=4000)
    options = parser.parse_args()
    spec = importlib.util.spec_from_file_location("dag_fuzz", options.fuzz)
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    totals = {"passed": 0, "oracle": 0, "wrong": 0, "errors": 0}
    for seed in options.seeds:
        for j in range(options.n):
            rng = np.random.default_rng([seed, j])
            shapes, lines = fuzz.random_graph(rng, n_leaves=int(rng.integers(1, 4)),
                                              n_nodes=int(rng.integers(3, 10)))
            args = [rng.uniform(-1.2, 1.2, size=s) if s else float(rng.uniform(-1.2, 1.2))
                    for s in shapes.values()]
            mod, _ = fuzz.load(fuzz.program_source(shapes, lines), f"{seed}_{j}")
            try:
                got = fuzz.tensor_grads(mod, args)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                totals["errors"] += 1
                print(f"graph {seed}/{j}: ERROR {type(exc).__name__}: {exc}")
                continue
            ref = fuzz.finite_differences(mod.f, args)
            if all(fuzz.close(g, r) for g, r in zip(got, ref)):
                totals["passed"] += 1
                continue
            smaller = [all(fuzz.close(g, r) for g, r in
                           zip(got, fuzz.finite_differences(mod.f, args, h=h)))
                       for h in (1e-6, 1e-7)]
            same_as_grad = all(np.allclose(g, s, rtol=1e-8, atol=1e-10)
                               for g, s in zip(got, fuzz.sct_grads(mod, args)))
            verdict = "oracle" if any(smaller) else "wrong"
            totals[verdict] += 1
            print(f"graph {seed}/{j}: fails at step 1e-4; at 1e-6, 1e-7: {smaller}; "
                  f"same as grad: {same_as_grad} -> {verdict}")
    graphs = sum(totals.values())
    print(f"{graphs} graphs: {totals['passed']} passed, {totals['oracle']} right where the "
          f"1e-4 differences were off, {totals['wrong']} wrong, {totals['errors']} errors")
    return 1 if totals["wrong"] or totals["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
