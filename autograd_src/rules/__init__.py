"""The rule table both engines read: every derivative is written once, here.

`registry` (the table: `defvjp`, `nondifferentiable`, `lookup`), `numpy_rules`
(the NumPy, `math` and builtin rules, registered on import) and `runtime` (the
helpers that rules and generated code call, ``_ad`` in generated code).
"""

from . import numpy_rules, registry, runtime

__all__ = ["numpy_rules", "registry", "runtime"]
