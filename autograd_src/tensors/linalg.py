"""``mg.linalg``: NumPy's linear algebra on tensors, backed by the shared rule table.

Every function of ``np.linalg`` that the rule table differentiates, read from the
table at import (`functions.rule_table_functions`).
"""

import numpy as np

from .functions import rule_table_functions, wrap_primitive

_FUNCTIONS = rule_table_functions(np.linalg)
globals().update({name: wrap_primitive(name, f) for name, f in _FUNCTIONS.items()})

__all__ = sorted(_FUNCTIONS)
