"""The rule table both engines read: every derivative is written once, here.

`registry` (the table: `defvjp`, `nondifferentiable`, `lookup`), `numpy_rules`
(the NumPy, `math` and builtin rules, registered on import), `container_rules`
(Python's builtins on lists and dicts of values), `composites` (NumPy functions
without a rule, computed from functions with one) and `runtime` (the helpers that
rules and generated code call, ``_ad`` in generated code).
"""

from . import composites, container_rules, numpy_rules, registry, runtime

__all__ = ["composites", "container_rules", "numpy_rules", "registry", "runtime"]
