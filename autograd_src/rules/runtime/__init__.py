"""Small helpers that generated derivatives and the rule table call at run time.

Generated code imports this module under a reserved name (``_ad``), so it never
depends on how the user imported NumPy. Every helper keeps the dtype of its
array arguments: scalars that enter arithmetic are Python numbers (NEP 50), so
float32 stays float32.
"""

from __future__ import annotations

from .containers import (  # noqa: F401 - generated code reads them as _ad.<name>
    add,
    appended,
    extended,
    field,
    get_item,
    joined,
    keys,
    kwargs_without,
    largest,
    like_input,
    like_items,
    merged,
    order_of,
    pack,
    pack_dict,
    plus,
    smallest,
    sorted_items,
    summed,
    times,
    transposed,
    unextreme_item,
    unfield,
    unget_item,
    unlist,
    unmerged,
    unplus,
    unsorted,
    unsum,
    unsummed,
    untimes,
    values_at,
)
from .core import (  # noqa: F401 - generated code reads them as _ad.<name>
    alone,
    dtype_of,
    seed,
    shape_of,
    unbroadcast,
    zeros_like,
)
from .decompositions import (  # noqa: F401 - generated code reads them as _ad.<name>
    fold_symmetric,
    uncholesky,
    uneig,
    uneigh,
    uneigvalsh,
    unlstsq,
    unmatrix_power,
    unpinv,
    unqr,
    unslogdet,
    unsvd,
)
from .elementwise import (  # noqa: F401 - generated code reads them as _ad.<name>
    astype,
    cast_like,
    clip_mask,
    digamma,
    inverse_permutation,
    larger_share,
    log_of_base,
    log_or_zero,
    power_exponent,
    sinc_grad,
)
from .indexing import (  # noqa: F401 - generated code reads them as _ad.<name>
    add_at,
    as_items,
    copied,
    setitem,
    unconcatenate,
    unhstack,
    unindex,
    unrepeat,
    unstack,
    untile,
    untrace,
    unvstack,
    written,
    zero_at,
)
from .linalg import (  # noqa: F401 - generated code reads them as _ad.<name>
    cross_grad,
    dot_lhs,
    dot_rhs,
    einsum_grads,
    inner_lhs,
    inner_rhs,
    matmul_lhs,
    matmul_rhs,
    norm_grad,
    solve_lhs,
    tensordot_lhs,
    tensordot_rhs,
)
from .reductions import (  # noqa: F401 - generated code reads them as _ad.<name>
    keep_reduced_dims,
    uncumsum,
    unextreme,
    unextreme_first,
    unmean,
    unprod,
    unreduce,
    unstd,
    unvar,
)
from .shapes import (  # noqa: F401 - generated code reads them as _ad.<name>
    items,
    real_input,
    split_axis,
    unappend,
    unatleast,
    uncompress,
    uncumprod,
    undiff,
    ungather,
    ungradient,
    unkron,
    unlinspace,
    unnan_to_num,
    unpad,
    unpartition,
    unroll,
    unrollaxis,
    unrot90,
    unselect,
    unselect_default,
    unsort,
    unsplit,
    unstack_columns,
    untake,
)
from .special import (  # noqa: F401 - generated code reads them as _ad.<name>
    divide_or_zero,
    multidigamma,
    unlogsumexp,
)

# Helpers whose result depends only on their (constant) arguments: the
# optimizer may evaluate a call to one of these at transformation time.
FOLDABLE: set[str] = {"inverse_permutation", "log_of_base", "power_exponent"}

__all__ = ["alone", "shape_of", "dtype_of", "zeros_like", "seed", "unbroadcast",
           "keep_reduced_dims",
           "unreduce", "unmean", "unextreme", "unvar", "unstd", "unprod", "uncumsum", "unindex",
           "unconcatenate", "unstack", "unhstack", "unvstack", "untile", "unrepeat", "untrace",
           "setitem", "zero_at", "written", "copied", "add_at", "matmul_lhs", "matmul_rhs",
           "dot_lhs", "dot_rhs",
           "inner_lhs", "inner_rhs", "solve_lhs", "norm_grad", "einsum_grads",
           "inverse_permutation", "clip_mask", "log_or_zero", "astype", "cast_like", "pack",
           "appended", "extended", "unlist", "joined", "plus", "unplus", "times", "untimes", "add",
           "values_at", "pack_dict", "unsum", "like_input", "FOLDABLE",
           "tensordot_lhs", "tensordot_rhs", "cross_grad", "digamma", "power_exponent",
           "log_of_base",
           "sinc_grad", "fold_symmetric", "uncholesky", "uneig", "uneigh", "uneigvalsh",
           "unlstsq", "unmatrix_power", "unpinv", "unqr", "unslogdet", "unsvd", "real_input",
           "split_axis", "unappend", "unatleast", "uncompress", "uncumprod", "undiff",
           "ungather", "ungradient", "unkron", "unnan_to_num", "unpad", "unpartition",
           "unroll", "unrollaxis", "unrot90", "unselect", "unselect_default", "unsort",
           "unsplit", "unstack_columns", "untake", "divide_or_zero", "multidigamma",
           "unlogsumexp", "unlinspace", "items", "as_items", "larger_share",
           "unextreme_first", "kwargs_without", "merged", "unmerged", "unsummed"]
