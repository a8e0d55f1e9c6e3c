"""Deformable attention's sampling paths: one table, one signature, one
choice.

Every path computes the same function of (values, layout, reference points,
pixel offsets, attention logits): a softmax over each head's L * P logits,
sampling locations ``reference + offset / (w_l, h_l)``, and the
attention-weighted bilinear samples of the values (zero padding,
``align_corners=False``). They differ in speed, in where they run and in
what an exporter can trace:

===============  ==========================================================
``'mmcv_cuda'``  mmcv's CUDA kernel: CUDA tensors, mmcv built with CUDA
``'cpu_op'``     our compiled CPU op (``deformable_sampling_cpu.py``), which
                 also computes the locations and the softmax (fused)
``'dense'``      one sparse-to-dense sampling matrix and a matmul
``'grid_sample'``  mmcv's pure-PyTorch path (the arithmetic of mmdet's
                 Mask2Former); the path of exported graphs
===============  ==========================================================

:func:`choose_path` picks by device and size. Measured crossovers (2-core
x86_64 CPU, forward + backward, batch 8 / 4 / 2 at 336 / 1344 / 5376 values,
``python tools/analysis/benchmark_deformable_attention.py``, whose docstring
keeps the table): the compiled op is the fastest at every size (3 to 4.5x
grid_sample); without it, dense beats grid_sample up to about 512 values
(2.1x at 336, 0.85x at 756, 0.6x at 1344), hence :data:`DENSE_MAX_VALUES`.
"""
from typing import Callable, Dict

import torch
from mmcv.ops import get_compiling_cuda_version
from mmcv.ops.multi_scale_deform_attn import (
    MultiScaleDeformableAttnFunction, multi_scale_deformable_attn_pytorch)
from torch import Tensor

from .deformable_sampling_cpu import (NON_FINITE_MESSAGE,
                                      deformable_attention_cpu, load_op)
from .feature_levels import FeatureLevels

#: True when this mmcv build carries the CUDA kernel of deformable attention.
MMCV_HAS_CUDA_KERNEL = get_compiling_cuda_version() not in ('not available', '')
#: Without the compiled CPU op, the dense path is used up to this many values
#: (tokens of all levels) and up to DENSE_MAX_ELEMENTS sampling-matrix
#: elements (B * heads * queries * values); crossovers in the module doc.
DENSE_MAX_VALUES = 512
DENSE_MAX_ELEMENTS = 2**25
#: CUDA kernel's batch chunk (mmcv's default).
IM2COL_STEP = 64
#: The path of exported graphs (torch.export, ONNX): standard operators only,
#: every size symbolic; grid_sample becomes ONNX GridSample (opset >= 16).
EXPORT_PATH = 'grid_sample'


def corner_samples(spatial_shapes, locations: Tensor, weights: Tensor):
    """The four bilinear corners of every sampling point, level by level:
    yields ``(index, contrib)``, each (B, Nq, heads, P): the corner's flat
    index into the values and its bilinear weight times the attention weight
    (0 for a corner outside the map, whose index is clamped inside).

    Args:
        spatial_shapes: L pairs (h_l, w_l) of Python ints.
        locations: (B, Nq, heads, L, P, 2) normalised (x, y).
        weights: (B, Nq, heads, L, P).
    """
    start = 0
    for level, (h, w) in enumerate(spatial_shapes):
        x = locations[:, :, :, level, :, 0] * w - 0.5  # (B, Nq, heads, P)
        y = locations[:, :, :, level, :, 1] * h - 0.5
        x0, y0 = x.floor(), y.floor()
        fx, fy = x - x0, y - y0
        w_l = weights[:, :, :, level]
        for dx, dy, corner in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                               (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
            xi, yi = x0 + dx, y0 + dy
            inside = (xi >= 0) & (xi <= w - 1) & (yi >= 0) & (yi <= h - 1)
            yield ((yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).long() + start,
                   corner * w_l * inside)
        start += h * w


def deformable_sampling_dense(value: Tensor, spatial_shapes, locations: Tensor,
                              weights: Tensor) -> Tensor:
    """Deformable sampling as one sparse-to-dense sampling matrix and a
    matmul.

    Computes what ``multi_scale_deformable_attn_pytorch`` computes by
    scattering every corner weight into a (B, heads, Nq, S) matrix and
    multiplying it with the values. For the small maps of CPU training this
    is several times faster than ``grid_sample`` and its backward.

    Args:
        value: (B, S, heads, d), S = sum(h_l * w_l).
        spatial_shapes: L pairs (h_l, w_l) of Python ints.
        locations: (B, Nq, heads, L, P, 2) normalised (x, y).
        weights: (B, Nq, heads, L, P).

    Returns:
        (B, Nq, heads * d).
    """
    batch, num_value, heads, dims = value.shape
    num_query = locations.shape[1]
    indices, contribs = zip(*corner_samples(spatial_shapes, locations,
                                            weights))
    index = torch.cat(indices, -1).transpose(1, 2)  # (B, heads, Nq, 4LP)
    contrib = torch.cat(contribs, -1).transpose(1, 2)
    try:
        matrix = value.new_zeros(batch, heads, num_query, num_value).scatter_add(
            -1, index, contrib.to(value.dtype))  # (B, heads, Nq, S)
    except RuntimeError as err:
        # a NaN/Inf location floors to an absurd index; checked only here,
        # on the error path, so the hot path has no device sync
        if not torch.isfinite(locations).all():
            raise FloatingPointError(NON_FINITE_MESSAGE) from err
        raise
    out = matrix @ value.transpose(1, 2)  # (B, heads, Nq, d)
    return out.transpose(1, 2).reshape(batch, num_query, heads * dims)


def locations_and_weights(levels: FeatureLevels, reference_points: Tensor,
                          offsets: Tensor, logits: Tensor):
    """Sampling locations and attention weights from the projections.

    Args:
        levels: the layout of the values.
        reference_points: (1 or B, Nq, 1, 2) normalised (x, y).
        offsets: (B, Nq, heads, L, P, 2) in pixels of each level.
        logits: (B, Nq, heads, L * P).

    Returns:
        locations (B, Nq, heads, L, P, 2) and weights (B, Nq, heads, L, P).
    """
    batch, num_query, heads, num_levels, points, _ = offsets.shape
    weights = logits.softmax(-1).view(batch, num_query, heads, num_levels,
                                      points)
    normalizer = levels.normalizer(offsets)  # (L, 2) the (w_l, h_l)
    locations = (reference_points[:, :, None, :, None, :] +
                 offsets / normalizer[None, None, None, :, None, :])
    return locations, weights


def _attend_cpu_op(value, levels, reference_points, offsets, logits):
    return deformable_attention_cpu(value, levels.spatial_shapes,
                                    levels.level_start_index,
                                    reference_points, offsets, logits)


def _attend_mmcv_cuda(value, levels, reference_points, offsets, logits):
    locations, weights = locations_and_weights(levels, reference_points,
                                               offsets, logits)
    return MultiScaleDeformableAttnFunction.apply(
        value, levels.spatial_shapes, levels.level_start_index, locations,
        weights, IM2COL_STEP)


def _attend_dense(value, levels, reference_points, offsets, logits):
    locations, weights = locations_and_weights(levels, reference_points,
                                               offsets, logits)
    return deformable_sampling_dense(value, levels.shapes, locations, weights)


def _attend_grid_sample(value, levels, reference_points, offsets, logits):
    locations, weights = locations_and_weights(levels, reference_points,
                                               offsets, logits)
    # the shapes as Python ints (it only loops over them): traced exports
    # then keep them symbolic where a tensor would freeze them
    return multi_scale_deformable_attn_pytorch(value, levels.shapes,
                                               locations, weights)


#: name -> f(value (B, S, heads, d), levels, reference_points (1|B, Nq, 1, 2),
#: offsets (B, Nq, heads, L, P, 2), logits (B, Nq, heads, L*P))
#: -> (B, Nq, heads * d).
SAMPLING_PATHS: Dict[str, Callable[..., Tensor]] = {
    'mmcv_cuda': _attend_mmcv_cuda,
    'cpu_op': _attend_cpu_op,
    'dense': _attend_dense,
    'grid_sample': _attend_grid_sample,
}


def check_path(path: str) -> str:
    """``path`` if it names a path usable here, else a ValueError or
    RuntimeError saying why."""
    if path not in SAMPLING_PATHS:
        raise ValueError(f'unknown sampling path {path!r}; one of '
                         f'{tuple(SAMPLING_PATHS)}')
    if path == 'cpu_op' and load_op() is None:
        raise RuntimeError('the compiled CPU op is not available here '
                           '(run tools/setup.sh)')
    if path == 'mmcv_cuda' and not MMCV_HAS_CUDA_KERNEL:
        raise RuntimeError('this mmcv build has no CUDA deformable-attention '
                           'kernel')
    return path


def choose_path(value: Tensor, num_query: int) -> str:
    """The fastest measured path for this device and size (the export path
    while ``torch.export`` traces)."""
    if torch.compiler.is_exporting():
        return EXPORT_PATH
    batch, num_value, heads, _ = value.shape
    if value.is_cuda:
        return 'mmcv_cuda' if MMCV_HAS_CUDA_KERNEL else 'grid_sample'
    if value.device.type == 'cpu' and load_op() is not None:
        return 'cpu_op'
    if (num_value <= DENSE_MAX_VALUES and
            batch * heads * num_query * num_value <= DENSE_MAX_ELEMENTS):
        return 'dense'
    return 'grid_sample'


def attend(value: Tensor, levels: FeatureLevels, reference_points: Tensor,
           offsets: Tensor, logits: Tensor, path: str) -> Tensor:
    """Multi-scale deformable attention's sampling by ``path`` (of
    :data:`SAMPLING_PATHS`), in float32 (mixed precision included, as the
    official MSDeformAttn: mmcv's kernel has no half-precision version).

    Returns:
        (B, Nq, heads * d).
    """
    with torch.autocast(value.device.type, enabled=False):
        return SAMPLING_PATHS[path](value.float(), levels,
                                    reference_points.float(), offsets.float(),
                                    logits.float())
