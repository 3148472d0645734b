"""The rewriting passes: simpler generated code that computes the same values.

Inlined rule expressions are simplified as they are made (`expressions`:
constants folded, ones dropped, defaults omitted, primal values reused). The
sweeps are rewritten after the reverse stage, in this order:

the adjoint sweep (`ADJOINT_PASSES`)
    propagate copies → write ``g * 2 * x`` for a value times itself → fold
    terms read once into their reader → exact folds → accumulate in place →
    zero overwritten entries in place in loops → skip, in a reverse loop's last
    step, adjoints only a next step would read;
the primal sweep (`rewrite_primal`)
    drop dead work → fold temporaries read once into their reader → compute a
    value the adjoint reads once at that use;
then both (`iterate_stacks`)
    reversed loops read the stacks they pop item by item.

``grad(f, optimize=False)`` runs none of them (`control`); ``verbose=2`` shows
both sweeps before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import gast

from ..ir import load_names, name_node
from .accumulate import accumulate_in_place, add_to_items, rows_into_items
from .control import ENABLED, enabled
from .copies import propagate_copies
from .exact import fold_exactly
from .expressions import Replace, reuse_primal_values, simplify
from .fusion import double_repeated, fuse_adjoint_terms, fuse_temporaries, sink_into_adjoint
from .last_step import skip_in_last_step
from .lists import lists_in_place
from .shapes import names_read_for_shape, shapes_from
from .stacks import drop_dead_copies, iterate_stacks
from .walk import assigned_name, helper_of, load_counts, names, names_in, nodes
from .zeroing import zero_in_place

__all__ = ["ENABLED", "enabled", "Sweeps", "ADJOINT_PASSES",
           "rewrite_adjoint", "rewrite_primal", "simplify", "reuse_primal_values", "Replace",
           "assigned_name", "helper_of", "load_counts", "names_in", "names_read_for_shape",
           "shapes_from", "iterate_stacks", "drop_dead_copies", "nodes", "names"]


@dataclass
class Sweeps:
    """What the passes need to know of the derivative being rewritten."""

    adjoints: set[str]              # adjoint variables (and terms shared between them)
    kept: set[str]                  # the returned gradients
    ad: str                         # the runtime's name in generated code (_ad)
    #: Names the adjoint assigns once and the primal never, given its store counts.
    adjoint_terms: Callable[[Any], set[str]]
    #: The primal sweep less the pure work nothing reads, given the names read after.
    without_dead_code: Callable[[list, set[str]], list]
    temporaries: set[str]           # names the transformation made for pure operations
    #: Temporaries that may be computed in the adjoint instead, given both sweeps.
    sinkable: Callable[[list, list], set[str]]
    #: Adjoints that may be lists, tuples or dicts (summed item by item).
    containers: frozenset = frozenset()
    #: Temporaries the adjoint makes again before reading them: their primal
    #: values are read by nothing (``prod = 0.5 * y`` only feeds a stack no more).
    remade: frozenset = frozenset()
    #: Names holding one int wherever they are bound (the counters of range loops,
    #: bound nowhere else): ``dR[i - 1, j] += g`` for ``_ad.add_at(dR, (i - 1, j), g)``.
    integers: frozenset = frozenset()
    #: Lists of the function's own only ever grown by appends (``xs.append(v)``, no item
    #: stored): their adjoint, where written in place, has their length at each point,
    #: so ``_ad.add_into(dxs, xs, -1, g)`` may read it in place of ``xs`` (which then
    #: need not be kept per pass: a copy of the list at each append, quadratic).
    grown_lists: frozenset = frozenset()


def _statements(stmts: list) -> list:
    return [s for s in stmts if isinstance(s, gast.AST)]


def _copies(adjoint: list, sweeps: Sweeps) -> list:
    return propagate_copies(adjoint, sweeps.adjoints, sweeps.kept)


def _squares(adjoint: list, sweeps: Sweeps) -> list:
    return double_repeated(adjoint, sweeps.adjoints, load_counts(_statements(adjoint)))


def _terms(adjoint: list, sweeps: Sweeps) -> list:
    kept = [name_node(n) for n in sorted(sweeps.kept)]  # the return reads them
    stores, loads = names_in(adjoint + kept)
    return fuse_adjoint_terms(adjoint, sweeps.adjoint_terms(stores), loads)


def _exact(adjoint: list, sweeps: Sweeps) -> list:
    return fold_exactly(adjoint)


def _in_place(adjoint: list, sweeps: Sweeps) -> list:
    adjoint = add_to_items(adjoint, sweeps.ad)
    adjoint = accumulate_in_place(adjoint, sweeps.adjoints, sweeps.ad, sweeps.containers,
                                  sweeps.integers, sweeps.grown_lists)
    return rows_into_items(adjoint, sweeps.ad, load_counts(_statements(adjoint)))


def _zeroing(adjoint: list, sweeps: Sweeps) -> list:
    return zero_in_place(adjoint, sweeps.adjoints, sweeps.ad, sweeps.containers)


def _last_step(adjoint: list, sweeps: Sweeps) -> list:
    return skip_in_last_step(adjoint, sweeps.adjoints, sweeps.kept, sweeps.ad)


def _lists(adjoint: list, sweeps: Sweeps) -> list:
    return lists_in_place(adjoint, sweeps.ad)


#: The adjoint sweep's passes, in order.
ADJOINT_PASSES: tuple = (_copies, _squares, _terms, _exact, _in_place, _zeroing,
                         _last_step, _lists)


def rewrite_adjoint(adjoint: list, sweeps: Sweeps) -> list:
    """``adjoint`` after `ADJOINT_PASSES`, in order (unchanged when the passes are off)."""
    if not ENABLED.get():
        return adjoint
    for rewrite in ADJOINT_PASSES:
        adjoint = rewrite(adjoint, sweeps)
    return adjoint


def rewrite_primal(primal: list, adjoint: list, reads: list,
                   sweeps: Sweeps) -> tuple[list, list]:
    """``primal`` (and ``adjoint``, into which values may move) after the primal passes,
    in order: dead work dropped, temporaries read once folded into their reader,
    values the adjoint reads once computed there. ``reads`` are the other
    expressions that read primal values (the results, the value)."""
    if not ENABLED.get():
        return primal, adjoint
    statements = _statements(adjoint) + reads
    live = set().union(*(load_names(s) for s in statements)) - sweeps.remade
    primal = sweeps.without_dead_code(primal, live)
    # Folding a temporary into its one reader moves reads without adding any: the
    # counts stay right for the second pass.
    loads = load_counts(primal + statements)
    primal = fuse_temporaries(primal, sweeps.temporaries, loads)
    primal, adjoint = sink_into_adjoint(primal, adjoint, sweeps.sinkable(primal, adjoint),
                                        loads)
    return lists_in_place(primal, sweeps.ad), adjoint
