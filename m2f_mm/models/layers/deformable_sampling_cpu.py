"""Deformable attention's sampling as a small compiled CPU op
(``csrc/deformable_sampling.cpp``, the ``'cpu_op'`` path of
``deformable_sampling.py``): computes the sampling locations and the
attention softmax from the module's offsets and logits, gathers the four
bilinear corners of every sampling point straight from the values and
accumulates the weighted sum, where mmcv's pure-PyTorch path materialises
every sample through ``grid_sample`` (B * heads * d * queries * levels *
points floats).

The op is compiled once per machine, source and torch version by
``tools/setup.sh`` (about 30 s; cached in ``$M2F_CACHE``, default
``~/.cache/m2f_mm``, so fresh clones reuse it); if it was not, the first use
compiles it. Without a C++ compiler it is skipped with one warning and the
pure-PyTorch paths are used: same function, slower. ``M2F_DISABLE_CPU_OP=1``
skips it on purpose.
"""
import hashlib
import os
import os.path as osp
import warnings
from typing import Optional

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

SOURCE = osp.join(osp.dirname(osp.abspath(__file__)), 'csrc',
                  'deformable_sampling.cpp')
NON_FINITE_MESSAGE = (
    'deformable attention: non-finite sampling locations (NaN or Inf in the '
    'pixel decoder\'s activations or weights, e.g. after a diverged training '
    'step)')

#: No contraction of a * b + c into FMAs where a compiler may: the same
#: rounding on every machine.
CFLAGS = ['-O3', '-fopenmp', '-ffp-contract=off']

_op = None
_unavailable: Optional[str] = None  # why the op cannot be used, once known


def build_directory() -> str:
    cache = os.environ.get('M2F_CACHE',
                           osp.join(osp.expanduser('~'), '.cache', 'm2f_mm'))
    return osp.join(cache, 'extensions')


def extension_name() -> str:
    """Name keyed by the source, the flags and the torch build, so clones
    at other versions and other torch builds keep their own binaries."""
    with open(SOURCE, 'rb') as f:
        key = hashlib.sha1(f.read() + ' '.join(
            [torch.__version__] + CFLAGS).encode()).hexdigest()
    return f'm2f_deformable_sampling_{key[:12]}'


def built_library() -> str:
    """Where the compiled library of this source and torch build lies."""
    name = extension_name()
    return osp.join(build_directory(), name, name + '.so')


def load_op(verbose: bool = False):
    """The compiled op (compiling it first if needed), or None with one
    warning if it cannot be built here."""
    global _op, _unavailable
    if _op is not None or _unavailable is not None:
        return _op
    if os.environ.get('M2F_DISABLE_CPU_OP'):
        _unavailable = 'M2F_DISABLE_CPU_OP is set'
        return None
    from torch.utils import cpp_extension
    name = extension_name()
    directory = osp.join(build_directory(), name)  # as built_library()
    os.makedirs(directory, exist_ok=True)
    try:
        _op = cpp_extension.load(
            name, [SOURCE], build_directory=directory,
            extra_cflags=CFLAGS,
            extra_ldflags=['-fopenmp'],
            verbose=verbose)
    except Exception as err:  # no compiler, headers, ninja...
        _unavailable = f'{type(err).__name__}: {err}'
        warnings.warn('m2f_mm: the CPU deformable-sampling op could not be '
                      f'compiled ({_unavailable.splitlines()[0]}); using the '
                      'pure-PyTorch paths (same results, slower)')
    return _op


def _forward(op_forward, args) -> Tensor:
    """Run one of the op's forwards; its non-finite-location error becomes
    the FloatingPointError the other paths raise."""
    try:
        return op_forward(*args)
    except RuntimeError as err:
        if 'non-finite sampling locations' in str(err):
            raise FloatingPointError(NON_FINITE_MESSAGE) from None
        raise


class DeformableAttentionCPU(torch.autograd.Function):
    """The op computing the sampling locations and attention weights itself
    (``reference + offsets / (w, h)``, softmax over each head's L * P
    logits), so neither is materialised, forward or backward:
    (value (B, S, heads, d), spatial_shapes (L, 2), level_start_index (L,),
    reference_points (1 or B, Nq, 1 or L, 2), offsets in pixels
    (B, Nq, heads, L, P, 2), logits (B, Nq, heads, L * P))
    -> (B, Nq, heads * d)."""

    @staticmethod
    def forward(ctx, value: Tensor, spatial_shapes: Tensor,
                level_start_index: Tensor, reference_points: Tensor,
                offsets: Tensor, logits: Tensor) -> Tensor:
        args = (value, spatial_shapes, level_start_index, reference_points,
                offsets, logits)
        ctx.save_for_backward(*args)
        return _forward(_op.fused_forward, args)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out: Tensor):
        grad_value, grad_offsets, grad_logits = _op.fused_backward(
            grad_out, *ctx.saved_tensors)
        return grad_value, None, None, None, grad_offsets, grad_logits


def deformable_attention_cpu(value: Tensor, spatial_shapes: Tensor,
                             level_start_index: Tensor,
                             reference_points: Tensor, offsets: Tensor,
                             logits: Tensor) -> Tensor:
    """:class:`DeformableAttentionCPU` with autograd (reference points get
    no gradient); call :func:`load_op` first."""
    return DeformableAttentionCPU.apply(value, spatial_shapes,
                                        level_start_index, reference_points,
                                        offsets, logits)
