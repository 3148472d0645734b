"""grad's pipeline, one stage per module; `pipeline` runs them in order.

`source` (read and parse with gast) → `fence` (refuse unsupported syntax) →
`desugar` (break/continue/return into flags, loops over items into loops over
positions) → `normalize` (one primitive per statement, activity, aliasing;
what it produces is `ir`) → `reverse` (the primal and adjoint sweeps, planned
by `analyze`, rules instantiated by `inline`, rewritten by `optimize`) →
`codegen` (source text with provenance comments) → `loader` (compile, register
with linecache). `naming` gives every generated name; `mutation` knows which
calls write into arrays or may return views.
"""
