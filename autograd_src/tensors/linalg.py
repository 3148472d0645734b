"""``mg.linalg``: NumPy's linear algebra on tensors, backed by the shared rule table."""

import numpy as np

from .functions import wrap_primitive

norm = wrap_primitive("norm", np.linalg.norm)
inv = wrap_primitive("inv", np.linalg.inv)
solve = wrap_primitive("solve", np.linalg.solve)
det = wrap_primitive("det", np.linalg.det)

__all__ = ["norm", "inv", "solve", "det"]
