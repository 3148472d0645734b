"""Adjoints of functions that move, pick or pad entries: roll, pad, diagonals, triangles,
splits, takes, sorts, differences, and joins beyond concatenate.

Most of these functions read each output entry from one input entry (or from none,
a padded constant). Where the map is not a simple inverse (``np.pad``, ``np.take``,
``np.diag``), `ungather` runs the function once more on the positions of the input
(``np.arange(x.size)``) and sums the gradient into the positions each output entry
came from: exact, with repeated entries adding up.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from .containers import add
from .core import dtype_of, shape_of
from .indexing import as_items

__all__ = ["end_shape", "linspace_spread", "items", "ungather", "unroll", "unpad", "unrot90",
           "unrollaxis", "unatleast",
           "unsplit", "split_axis", "unappend", "unselect", "unselect_default", "untake",
           "uncompress", "unsort",
           "unpartition", "undiff", "ungradient", "uncumprod", "unkron", "unstack_columns",
           "unconvolve", "convolve_mode",
           "undstack", "index_joined", "unindex_joined",
           "unnan_to_num", "real_input", "unlinspace"]


def _grad_dtype(g: Any, x: Any) -> Any:
    return np.result_type(dtype_of(g), np.float32) if shape_of(x) else dtype_of(x)


def ungather(g: Any, x: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Gradient of ``fn(x, *args, **kwargs)`` for a function that only copies entries of
    ``x`` (or fills constants): ``g`` summed into the positions its entries came from.

    ``fn`` is run on the positions of ``x`` counted from 1 (as integers), which says
    where each output entry came from; an entry ``fn`` filled with 0 came from none.
    """
    shape = shape_of(x)
    positions = np.arange(1, math.prod(shape) + 1, dtype=np.intp).reshape(shape)
    source = np.asarray(fn(positions, *args, **kwargs)) - 1  # a filled 0 becomes -1
    g = np.broadcast_to(g, source.shape)
    keep = source >= 0
    out = np.bincount(source[keep], weights=np.asarray(g, dtype=np.float64)[keep],
                      minlength=positions.size)[:positions.size]
    return out.reshape(shape).astype(_grad_dtype(g, x), copy=False)


def unroll(g: Any, shift: Any, axis: Any = None) -> Any:
    """Gradient of ``roll(x, shift, axis)``: rolled back."""
    back = tuple(-int(s) for s in shift) if isinstance(shift, (tuple, list)) else -shift
    return np.roll(g, back, axis)


def unpad(g: Any, x: Any, pad_width: Any, mode: str = "constant",
          reflect_type: str = "even") -> Any:
    """Gradient of ``pad(x, pad_width, mode)``.

    For ``mode='constant'`` (and ``'empty'``) the input sits unchanged in the middle
    of the result: its gradient is that slice of ``g``. Modes that copy entries of
    ``x`` into the border (``'edge'``, ``'reflect'``, ``'symmetric'``, ``'wrap'``)
    add the border's gradient to the entries copied. Modes whose border is computed
    (``'linear_ramp'``, ``'maximum'``, ``'mean'``, ``'median'``, ``'minimum'``, a
    function) are refused rather than given a partial gradient.
    """
    ndim = len(shape_of(x))
    if mode in ("constant", "empty"):
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (ndim, 2))
        index = tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(widths, shape_of(x)))
        return np.array(np.asarray(g)[index], dtype=_grad_dtype(g, x))
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        if reflect_type != "even":
            raise NotImplementedError("the gradient of np.pad with reflect_type='odd' is "
                                      "not supported")
        return ungather(g, x, np.pad, pad_width, mode)
    raise NotImplementedError(
        f"the gradient of np.pad with mode={mode!r} is not supported; use 'constant', "
        "'edge', 'reflect', 'symmetric' or 'wrap'")


def unrot90(g: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    """Gradient of ``rot90(x, k, axes)``: rotated back."""
    return np.rot90(g, -k, axes)


def unrollaxis(g: Any, x: Any, axis: int, start: int = 0) -> Any:
    """Gradient of ``rollaxis(x, axis, start)``: the inverse permutation of the axes."""
    n = len(shape_of(x))
    axis, start = axis % n, start + n if start < 0 else start  # (as NumPy counts it)
    if axis < start:
        start -= 1
    perm = [a for a in range(n) if a != axis]
    perm.insert(start, axis)
    return np.transpose(g, np.argsort(perm))


def unatleast(g: Any, ans: Any, arys: Sequence[Any]) -> tuple:
    """Gradients of ``atleast_Nd(*arys)``: one array gives one result, several a tuple."""
    pieces = [g] if len(arys) == 1 else items(g, ans)
    return tuple(np.reshape(p, shape_of(a)) for p, a in zip(pieces, arys))


def items(g: Any, ans: Any) -> list:
    """The adjoint of a result that is a list or tuple of arrays (``np.split``,
    ``np.linalg.eigh``), one entry per item (zeros for None).

    An adjoint accumulated with ``+`` where the code did not know the value was a
    list arrives as the concatenation of several adjoints of ``len(ans)`` items each
    (``[g0, g1] + [h0, h1]``): they are added item by item.
    """
    n = len(ans)
    g = list(g)
    if len(g) != n:
        if not n or len(g) % n:
            raise ValueError(f"an adjoint of {len(g)} items for a result of {n} items")
        total = g[:n]
        for start in range(n, len(g), n):
            total = add(total, g[start:start + n])
        g = total
    return [np.zeros(shape_of(a), dtype=dtype_of(a)) if p is None else p
            for p, a in zip(g, ans)]


def unsplit(g: Any, ans: Any, x: Any, axis: int) -> Any:
    """Gradient of ``split``, ``array_split``, ``hsplit``, ``vsplit``, ``dsplit``: the
    pieces' gradients put back together (``axis`` is the axis they were cut along)."""
    if not len(ans):
        return np.zeros(shape_of(x), dtype=_grad_dtype(g, x))
    whole = np.concatenate(items(g, ans), axis=axis)
    return whole.reshape(shape_of(x)).astype(_grad_dtype(whole, x), copy=False)


def split_axis(kind: str, x: Any, axis: int = 0) -> int:
    """The axis ``np.<kind>`` cuts ``x`` along."""
    if kind == "hsplit":
        return 1 if np.ndim(x) > 1 else 0
    return {"vsplit": 0, "dsplit": 2}.get(kind, axis)


def unappend(g: Any, arr: Any, values: Any, axis: Any, which: int) -> Any:
    """Gradient of ``append(arr, values, axis)`` for ``arr`` (0) or ``values`` (1)."""
    if axis is None:
        g = np.ravel(g)
        n = int(np.size(arr))
        part = g[:n] if which == 0 else g[n:]
        return part.reshape(shape_of(arr if which == 0 else values))
    n = shape_of(arr)[axis]
    index = [slice(None)] * np.ndim(g)
    index[axis] = slice(None, n) if which == 0 else slice(n, None)
    return np.asarray(g)[tuple(index)]


def _chosen(condlist: Sequence[Any], shape: tuple) -> np.ndarray:
    """For each entry, the index of the first true condition (len(condlist) for none)."""
    chosen = np.full(shape, len(condlist), dtype=np.intp)
    for k in reversed(range(len(condlist))):
        chosen = np.where(np.broadcast_to(condlist[k], shape), k, chosen)
    return chosen


def unselect(g: Any, condlist: Sequence[Any], choicelist: Sequence[Any]) -> tuple:
    """Gradients of ``select(condlist, choicelist, default)`` for each choice: ``g``
    where its condition is the first true one, summed to the choice's shape."""
    from .core import unbroadcast
    chosen = _chosen(condlist, np.shape(g))
    return as_items(tuple(unbroadcast(np.where(chosen == k, g, 0), c)
                          for k, c in enumerate(choicelist)), choicelist)


def unselect_default(g: Any, condlist: Sequence[Any], default: Any) -> Any:
    """Gradient of ``select(...)`` for ``default``: ``g`` where no condition holds."""
    from .core import unbroadcast
    chosen = _chosen(condlist, np.shape(g))
    return unbroadcast(np.where(chosen == len(condlist), g, 0), default)


def untake(g: Any, x: Any, indices: Any, axis: Any = None, mode: str = "raise") -> Any:
    """Gradient of ``take(x, indices, axis)``: ``g`` summed into the entries taken."""
    return ungather(g, x, np.take, indices, axis, mode=mode)


def uncompress(g: Any, condition: Any, x: Any, axis: Any = None) -> Any:
    """Gradient of ``compress(condition, x, axis)``."""
    return ungather(g, x, lambda p: np.compress(condition, p, axis))


def _along(x: Any, order: np.ndarray, g: Any, axis: Any) -> Any:
    out = np.zeros(shape_of(x) if axis is not None else (int(np.size(x)),),
                   dtype=_grad_dtype(g, x))
    np.put_along_axis(out, order, g, axis=-1 if axis is None else axis)
    return out.reshape(shape_of(x))


def unsort(g: Any, x: Any, axis: Any = -1) -> Any:
    """Gradient of ``sort(x, axis)``: each entry's gradient sent back to where it came
    from (ties in the order of a stable sort, which is how NumPy orders equal values)."""
    if axis is None:
        return _along(x, np.argsort(np.ravel(x), kind="stable"), np.ravel(g), None)
    return _along(x, np.argsort(x, axis=axis, kind="stable"), g, axis)


def partition_order(x: Any, kth: Any, axis: Any = -1) -> np.ndarray:
    """Where each entry of ``partition(x, kth, axis)`` comes from in ``x`` (along
    ``axis``; of the flattened ``x`` for None): ``argpartition``'s order where it gives
    the entries ``partition`` returned, else theirs matched by value (for float16,
    NumPy's two arrange the entries other than ``kth`` differently)."""
    x = np.ravel(x) if axis is None else np.asarray(x)
    axis = -1 if axis is None else axis
    order = np.argpartition(x, kth, axis=axis)
    ans = np.partition(x, kth, axis=axis)
    if np.array_equal(np.take_along_axis(x, order, axis=axis), ans, equal_nan=True):
        return order
    # the k-th smallest of x and of ans are equal values: pair them rank by rank
    by_rank = np.argsort(x, axis=axis, kind="stable")
    ranks = np.argsort(np.argsort(ans, axis=axis, kind="stable"), axis=axis, kind="stable")
    return np.take_along_axis(by_rank, ranks, axis=axis)


def unpartition(g: Any, x: Any, kth: Any, axis: Any = -1) -> Any:
    """Gradient of ``partition(x, kth, axis)``: each entry's gradient sent back to where
    it came from (`partition_order`)."""
    order = partition_order(x, kth, axis)
    return _along(x, order, np.ravel(g) if axis is None else g, axis)


def undiff(g: Any, x: Any, n: int = 1, axis: int = -1, prepend: Any = None,
           append: Any = None) -> Any:
    """Gradient of ``diff(x, n, axis, prepend, append)``: the transposed difference,
    applied ``n`` times, then the part of ``x`` (not ``prepend``/``append``) kept."""
    ndim = len(shape_of(x))
    axis = axis % ndim
    before = 0 if prepend is None else (np.shape(prepend)[axis] if np.ndim(prepend) else 1)
    g = np.asarray(g)
    for _ in range(n):
        widths = [(0, 0)] * g.ndim
        widths[axis] = (1, 0)
        lead = np.pad(g, widths)
        widths[axis] = (0, 1)
        g = lead - np.pad(g, widths)
    index = [slice(None)] * ndim
    index[axis] = slice(before, before + shape_of(x)[axis])
    return g[tuple(index)].astype(_grad_dtype(g, x), copy=False)


def ungradient(g: Any, ans: Any, f: Any, varargs: tuple, axis: Any = None,
               edge_order: int = 1) -> Any:
    """Gradient of ``np.gradient(f, *varargs, axis, edge_order)``.

    ``np.gradient`` is linear in ``f`` along each axis: its matrix along an axis of
    length n is ``np.gradient`` of the n-by-n identity, with the same spacing, so
    the adjoint is exact for every spacing (scalars or coordinates) and edge order.
    """
    ndim = np.ndim(f)
    axes = list(range(ndim)) if axis is None else \
        [a % ndim for a in ((axis,) if np.ndim(axis) == 0 else axis)]
    grads = [g] if len(axes) == 1 else items(g, ans)
    spacing = list(varargs) if len(varargs) != 1 else list(varargs) * len(axes)
    out = np.zeros(shape_of(f), dtype=_grad_dtype(grads[0], f))
    for k, (a, piece) in enumerate(zip(axes, grads)):
        if piece is None:
            continue
        n = shape_of(f)[a]
        step = spacing[k:k + 1] if spacing else []
        lanes = np.moveaxis(np.asarray(piece, dtype=np.float64), a, -1)
        if n <= 8:
            matrix = np.gradient(np.eye(n), *step, axis=0, edge_order=edge_order)
            # out_i = sum_j matrix[i, j] f_j along the axis: the adjoint is matrix^T g.
            moved = lanes @ matrix
        else:
            moved = _banded_transpose(lanes, n, step, edge_order)
        out = out + np.moveaxis(moved, -1, a)
    return out


def _banded_transpose(lanes: Any, n: int, step: list, edge_order: int) -> Any:
    """``lanes @ G`` for ``G``, the matrix of ``np.gradient`` along an axis of length
    ``n``, without making it (n by n: 9 GB at n = 20,000). Each of its rows reads at
    most five neighbouring entries (offsets -2..2: two at the edges, for
    ``edge_order=2``), so five probes, ``np.gradient`` of the columns of each residue
    mod 5, give every entry: ``G[i, i + o]`` is probe ``(i + o) % 5`` at ``i``."""
    columns = np.arange(n)
    probes = np.stack([np.gradient((columns % 5 == c).astype(np.float64), *step,
                                   edge_order=edge_order) for c in range(5)])
    moved = np.zeros(lanes.shape[:-1] + (n,))
    for offset in range(-2, 3):
        i = columns[max(0, -offset):n - max(0, offset)]  # rows whose column i + o exists
        moved[..., i + offset] += lanes[..., i] * probes[(i + offset) % 5, i]
    return moved


def convolve_mode(mode: Any) -> str:
    """``np.convolve``'s mode by name (NumPy takes 0, 1, 2 for valid, same, full)."""
    return {0: "valid", 1: "same", 2: "full"}.get(mode, mode) \
        if not isinstance(mode, str) else mode


def unconvolve(g: Any, a: Any, v: Any, mode: Any, which: int) -> Any:
    """Gradient of ``np.convolve(a, v, mode)`` for operand ``which`` (0: ``a``, 1:
    ``v``): the output's gradient, placed where its entries sit in the full
    convolution, correlated with the other operand (in C: O(n m) time, O(n + m)
    memory)."""
    a1, v1 = np.ravel(a), np.ravel(v)
    n, m = a1.size, v1.size
    short = min(n, m)
    start = {"full": 0, "same": (short - 1) // 2, "valid": short - 1}[convolve_mode(mode)]
    full = np.zeros(n + m - 1, dtype=np.result_type(g, a1, v1, 1.0))
    full[start:start + np.size(g)] = g
    return np.correlate(full, v1 if which == 0 else a1, "valid").reshape(
        shape_of(a if which == 0 else v))


def uncumprod(g: Any, ans: Any, x: Any, axis: Any = None) -> Any:
    """Gradient of ``cumprod(x, axis)``, exact where ``x`` has zeros.

    Without zeros it is the reversed cumulative sum of ``g * ans``, over ``x``;
    along a line that has a zero, each entry's gradient is computed from the
    products of the others (the division would give 0/0).
    """
    if axis is None or np.ndim(x) == 0:  # (NumPy takes axis 0 of a 0-d array too)
        flat = uncumprod(np.ravel(g), np.ravel(ans), np.ravel(x), 0)
        return flat.reshape(shape_of(x))
    x = np.asarray(x)
    axis = axis % x.ndim
    g = np.asarray(g)
    nonzero = np.all(x != 0, axis=axis, keepdims=True)
    safe = np.where(nonzero, x, 1)
    total = np.flip(np.cumsum(np.flip(g * ans, axis), axis), axis)
    out = np.where(nonzero, total / safe, 0)
    if np.all(nonzero):
        return out.astype(_grad_dtype(g, x), copy=False)
    gm, xm = np.moveaxis(g, axis, -1), np.moveaxis(x, axis, -1)
    exact = np.zeros(xm.shape, dtype=out.dtype)
    n = xm.shape[-1]
    for j in range(n):
        before = np.prod(xm[..., :j], axis=-1)
        after = np.concatenate([np.ones(xm.shape[:-1] + (1,)), np.cumprod(xm[..., j + 1:],
                                                                          axis=-1)], axis=-1)
        exact[..., j] = before * np.sum(gm[..., j:] * after, axis=-1)
    exact = np.moveaxis(exact, -1, axis)
    return np.where(nonzero, out, exact).astype(_grad_dtype(g, x), copy=False)


def unkron(g: Any, a: Any, b: Any, which: int) -> Any:
    """Gradient of ``kron(a, b)`` for ``a`` (0) or ``b`` (1)."""
    sa, sb = shape_of(a), shape_of(b)
    ndim = max(len(sa), len(sb))
    sa_full = (1,) * (ndim - len(sa)) + tuple(sa)
    sb_full = (1,) * (ndim - len(sb)) + tuple(sb)
    interleaved = [n for pair in zip(sa_full, sb_full) for n in pair]
    blocks = np.reshape(g, interleaved)
    a_axes = "".join(chr(97 + 2 * i) for i in range(ndim))
    b_axes = "".join(chr(98 + 2 * i) for i in range(ndim))
    both = "".join(chr(97 + i) for i in range(2 * ndim))
    if which == 0:
        out = np.einsum(f"{both},{b_axes}->{a_axes}", blocks, np.reshape(b, sb_full))
        return out.reshape(sa)
    out = np.einsum(f"{both},{a_axes}->{b_axes}", blocks, np.reshape(a, sa_full))
    return out.reshape(sb)


def unstack_columns(g: Any, tup: Sequence[Any]) -> Any:
    """Gradients of ``column_stack(tup)``: 1-D arrays became columns."""
    sizes = [1 if np.ndim(a) < 2 else shape_of(a)[1] for a in tup]
    pieces = np.split(g, np.cumsum(sizes)[:-1], axis=1)
    return as_items(tuple(np.reshape(p, shape_of(a)) for p, a in zip(pieces, tup)), tup)


def undstack(g: Any, tup: Sequence[Any]) -> Any:
    """Gradients of ``dstack(tup)``: each array was made 3-D (``atleast_3d``), then
    joined along the third axis."""
    sizes = [1 if np.ndim(a) < 3 else shape_of(a)[2] for a in tup]
    pieces = np.split(g, np.cumsum(sizes)[:-1], axis=2)
    return as_items(tuple(np.reshape(p, shape_of(a)) for p, a in zip(pieces, tup)), tup)


def index_joined(parts: Sequence[Any], joiner: Any) -> Any:
    """``np.r_[a, b, ...]`` or ``np.c_[...]`` of the values ``parts``, as a function,
    so it can carry a derivative rule."""
    return joiner[tuple(parts)]


def unindex_joined(g: Any, parts: Sequence[Any], joiner: Any) -> tuple:
    """Gradients of ``joiner[tuple(parts)]``: the same join of each entry's number
    tells where each part's entries went, whatever shapes the join gave them."""
    labels, start = [], 0
    for part in parts:
        size = int(np.size(part))
        labels.append(np.arange(start, start + size).reshape(shape_of(part)))
        start += size
    source = np.ravel(joiner[tuple(labels)])
    flat = np.zeros(start, dtype=dtype_of(g))
    flat[source] = np.ravel(g)
    grads, start = [], 0
    for part in parts:
        size = int(np.size(part))
        piece = flat[start:start + size].reshape(shape_of(part))
        grads.append(piece.astype(_grad_dtype(g, part), copy=False)
                     if isinstance(part, np.ndarray) else piece[()])
        start += size
    return tuple(grads)


def unnan_to_num(g: Any, x: Any) -> Any:
    """Gradient of ``nan_to_num(x)``: ``g`` where ``x`` is finite, 0 where a constant
    replaced a nan or an infinity."""
    return np.where(np.isfinite(x), g, 0).astype(_grad_dtype(g, x), copy=False)


def real_input(g: Any, x: Any) -> Any:
    """``g``, for a real ``x``; complex inputs are refused (grad works on real numbers)."""
    if np.iscomplexobj(x):
        raise NotImplementedError("gradients of complex values are not supported")
    return g


def unlinspace(g: Any, start: Any, stop: Any, num: int = 50, endpoint: bool = True,
               axis: int = 0, which: int = 0) -> Any:
    """Gradient of ``linspace(start, stop, num, endpoint, axis)`` for ``start`` (0) or
    ``stop`` (1): entry k is ``start + (stop - start) * t_k``."""
    steps = (num - 1) if endpoint else num
    step_part = 0.0
    if isinstance(g, (list, tuple)):  # retstep=True: (samples, step), the step's too
        g, g_step = g
        if g_step is not None and steps > 0:
            step_part = np.asarray(g_step) * ((1.0 if which == 1 else -1.0) / steps)
    t = np.arange(num, dtype=np.float64) / steps if steps > 0 else np.zeros(num)
    weight = t if which == 1 else 1 - t
    moved = np.moveaxis(np.asarray(g), axis, -1) if num else np.asarray(g)
    total = np.sum(moved * weight, axis=-1) if np.ndim(moved) else moved * 0
    total = total + step_part
    return total.astype(_grad_dtype(g, start if which == 0 else stop), copy=False)


def linspace_spread(h: Any, num: int = 50, endpoint: bool = True, axis: int = 0,
                    which: int = 0) -> Any:
    """`unlinspace` transposed: ``h``, the adjoint of its result, spread over the
    samples with the weights of ``start`` (0) or ``stop`` (1)."""
    return np.linspace(h * (1 - which), h * which, num, endpoint, axis=axis)


def end_shape(a: Any, end: Any, axis: int) -> tuple:
    """The shape ``np.diff(a, prepend=end)`` gives ``end`` before joining it: its own,
    or, for a number, ``a``'s with one entry along ``axis``."""
    if np.ndim(end):
        return np.shape(end)
    shape = list(np.shape(a))
    shape[axis] = 1
    return tuple(shape)
