"""Multi-scale deformable attention (Deformable DETR, Sec. 4.1) and the choice
of the kernel that samples the values."""
import contextlib
import math
from typing import Iterator, NamedTuple, Optional, Sequence, Tuple

import torch
from mmcv.ops import get_compiling_cuda_version
from mmcv.ops.multi_scale_deform_attn import (
    MultiScaleDeformableAttnFunction, multi_scale_deformable_attn_pytorch)
from torch import Tensor, nn

from .deformable_sampling_cpu import (NON_FINITE_MESSAGE,
                                      deformable_attention_cpu,
                                      deformable_sampling_cpu, load_op)

#: True when this mmcv build carries the CUDA kernel of deformable attention.
MMCV_HAS_CUDA_KERNEL = get_compiling_cuda_version() not in ('not available', '')
#: Without the compiled CPU op, the dense path is used up to this many values
#: (tokens of all levels) and up to DENSE_MAX_ELEMENTS sampling-matrix elements (B * heads * queries *
#: values). Measured crossover (2-core x86_64 CPU, forward + backward,
#: ``python tools/analysis/benchmark_deformable_attention.py``, whose
#: docstring keeps the figures): dense is 2.1x faster than grid_sample at 336
#: values, 0.85x at 756 and 0.6x at 1344.
DENSE_MAX_VALUES = 512
DENSE_MAX_ELEMENTS = 2**25
#: CUDA kernel's batch chunk (mmcv's default).
IM2COL_STEP = 64
#: The sampling paths :func:`sample_levels` chooses from.
SAMPLING_PATHS = ('mmcv_cuda', 'cpu_op', 'dense', 'gather', 'grid_sample')
_forced_path: Optional[str] = None


@contextlib.contextmanager
def forced_sampling_path(path: str) -> Iterator[None]:
    """Run every deformable attention inside the block on one path (of
    :data:`SAMPLING_PATHS`), e.g. mmcv's ``grid_sample`` path for arithmetic
    equal to mmdet's, or to compare the paths in tests and benchmarks."""
    global _forced_path
    if path not in SAMPLING_PATHS:
        raise ValueError(f'unknown sampling path {path!r}; one of '
                         f'{SAMPLING_PATHS}')
    if path == 'cpu_op' and load_op() is None:
        raise RuntimeError('the compiled CPU op is not available here '
                           '(run tools/setup.sh)')
    previous, _forced_path = _forced_path, path
    try:
        yield
    finally:
        _forced_path = previous


class FeatureLevels(NamedTuple):
    """The flattened multi-scale layout, built once per forward.

    ``shapes`` as Python ints for the paths that loop over levels, and the
    same as tensors for the compiled kernels, so no layer converts them
    again. Under ``torch.export`` (ONNX export included) the tensors are None:
    making them would freeze the traced sizes, and only the pure-PyTorch
    paths, which loop over ``shapes``, can be exported.
    """

    #: L pairs (h_l, w_l), the order the values are concatenated in.
    shapes: Tuple[Tuple[int, int], ...]
    #: (L, 2) long, the same pairs; None under torch.export.
    spatial_shapes: Optional[Tensor]
    #: (L,) long, where each level starts in the flat values; None under
    #: torch.export.
    level_start_index: Optional[Tensor]

    def normalizer(self, like: Tensor) -> Tensor:
        """(L, 2) the (w_l, h_l) pairs, as ``like``'s dtype and device."""
        if self.spatial_shapes is not None:
            return self.spatial_shapes.flip(-1).to(like.dtype)
        # under torch.export: filled from the symbolic sizes
        return torch.stack([torch.stack([like.new_full((), w),
                                         like.new_full((), h)])
                            for h, w in self.shapes])

    @classmethod
    def of(cls, shapes: Sequence[Tuple[int, int]], device) -> 'FeatureLevels':
        shapes = tuple((h, w) for h, w in shapes)
        if torch.compiler.is_exporting():
            return cls(shapes, None, None)
        sizes = [h * w for h, w in shapes]
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return cls(shapes,
                   torch.as_tensor(shapes, dtype=torch.long, device=device),
                   torch.as_tensor(starts, dtype=torch.long, device=device))


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


def deformable_sampling_gather(value: Tensor, spatial_shapes,
                               locations: Tensor, weights: Tensor) -> Tensor:
    """Deformable attention as gathers of the four corners of every sampling
    point and a weighted sum: the same function as
    ``multi_scale_deformable_attn_pytorch`` in ONNX's plainest operators
    (Gather, Mul, ReduceSum), for exported graphs.

    Args: as :func:`deformable_sampling_dense`.

    Returns:
        (B, Nq, heads * d).
    """
    batch, _, heads, dims = value.shape
    num_query, points = locations.shape[1], locations.shape[4]
    value = value.transpose(1, 2)  # (B, heads, S, d)
    out = None
    for index, contrib in corner_samples(spatial_shapes, locations, weights):
        index = index.transpose(1, 2).reshape(batch, heads, -1)  # (B, h, Nq*P)
        picked = value.gather(2, index[..., None].expand(-1, -1, -1, dims))
        contrib = contrib.transpose(1, 2).reshape(batch, heads, -1, 1)
        part = (picked * contrib.to(value.dtype)).view(
            batch, heads, num_query, points, dims).sum(3)  # (B, h, Nq, d)
        out = part if out is None else out + part
    return out.transpose(1, 2).reshape(batch, num_query, heads * dims)


def deformable_sampling_dense(value: Tensor, spatial_shapes, locations: Tensor,
                              weights: Tensor) -> Tensor:
    """Deformable attention as one sparse-to-dense sampling matrix and a matmul.

    Computes what ``multi_scale_deformable_attn_pytorch`` computes (bilinear
    sampling with zero padding, ``align_corners=False``, weighted by the
    attention weights) by scattering every corner weight into a
    (B, heads, Nq, S) matrix and multiplying it with the values. For the
    small maps of CPU training this is several times faster than
    ``grid_sample`` and its backward.

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


def sample_levels(value: Tensor, levels: FeatureLevels, locations: Tensor,
                  weights: Tensor, path: Optional[str] = None) -> Tensor:
    """Attention-weighted bilinear samples of the values, by the fastest path
    this device and size allow; every path computes the same function.

    * CUDA tensors with an mmcv built with CUDA: mmcv's CUDA kernel;
    * CPU tensors, where the compiled op is built (``tools/setup.sh``):
      :func:`deformable_sampling_cpu`, at every size (3 to 4.5x faster than
      mmcv's pure-PyTorch path, forward and backward: see
      ``tools/analysis/benchmark_deformable_attention.py``);
    * otherwise small inputs (CPU training sizes):
      :func:`deformable_sampling_dense`;
    * otherwise mmcv's pure-PyTorch ``grid_sample`` path.

    Args:
        value: (B, S, heads, d).
        levels: the layout of the S values.
        locations: (B, Nq, heads, L, P, 2) normalised (x, y).
        weights: (B, Nq, heads, L, P).
        path: one of :data:`SAMPLING_PATHS` when the caller has chosen it
            (:func:`sampling_path`), else chosen here.

    Returns:
        (B, Nq, heads * d).
    """
    path = path or sampling_path(value, locations.shape[1])
    if path == 'mmcv_cuda':
        return MultiScaleDeformableAttnFunction.apply(
            value, levels.spatial_shapes, levels.level_start_index, locations,
            weights, IM2COL_STEP)
    if path == 'cpu_op':
        return deformable_sampling_cpu(value, levels.spatial_shapes,
                                       levels.level_start_index, locations,
                                       weights)
    if path == 'dense':
        return deformable_sampling_dense(value, levels.shapes, locations,
                                         weights)
    if path == 'gather':
        return deformable_sampling_gather(value, levels.shapes, locations,
                                          weights)
    # the shapes as Python ints (it only loops over them): traced exports
    # then keep them symbolic where a tensor would freeze them
    return multi_scale_deformable_attn_pytorch(value, levels.shapes,
                                               locations, weights)


#: The path of exported graphs (torch.export, ONNX): standard operators only,
#: every size symbolic. grid_sample becomes ONNX GridSample (opset >= 16);
#: 'gather' (Gather, Mul, ReduceSum) measured slower in ONNX Runtime and
#: OpenVINO at 128x128 and 800x1216 (tools/analysis/benchmark_deploy.py
#: --sampling, figures in the README).
EXPORT_PATH = 'grid_sample'


def sampling_path(value: Tensor, num_query: int) -> str:
    """The path forced by :func:`forced_sampling_path`, else the fastest
    measured for this device and size."""
    if _forced_path is not None:
        return _forced_path
    if torch.compiler.is_exporting():
        return EXPORT_PATH
    batch, num_value, heads, _ = value.shape
    if value.is_cuda and MMCV_HAS_CUDA_KERNEL:
        return 'mmcv_cuda'
    if value.device.type == 'cpu' and load_op() is not None:
        return 'cpu_op'
    if (not value.is_cuda and num_value <= DENSE_MAX_VALUES and
            batch * heads * num_query * num_value <= DENSE_MAX_ELEMENTS):
        return 'dense'
    return 'grid_sample'


class DeformableAttention(nn.Module):
    """Multi-scale deformable attention plus residual, batch-first, no dropout
    (the caller adds the norm).

    Parameter names and initialisation are those of mmcv's
    ``MultiScaleDeformableAttention``, so checkpoints of either load into the
    other; the sampling itself is :func:`sample_levels`.

    Args:
        embed_dims: model width C.
        num_heads: attention heads; C must divide evenly.
        num_levels: feature levels L.
        num_points: sampling points per head and level P.
    """

    def __init__(self, embed_dims: int, num_heads: int, num_levels: int,
                 num_points: int) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.num_levels = num_levels
        self.num_points = num_points
        samples = num_heads * num_levels * num_points
        self.sampling_offsets = nn.Linear(embed_dims, samples * 2)
        self.attention_weights = nn.Linear(embed_dims, samples)
        self.value_proj = nn.Linear(embed_dims, embed_dims)
        self.output_proj = nn.Linear(embed_dims, embed_dims)
        self.init_weights()  # as mmcv's does: same weights from the same seed

    @torch.no_grad()
    def init_weights(self) -> None:
        """Deformable DETR's init: zero offset weights, offset biases on a
        ring of head directions (point i at distance i + 1), uniform
        attention, Xavier-uniform value and output projections."""
        nn.init.zeros_(self.sampling_offsets.weight)
        angles = torch.arange(self.num_heads, dtype=torch.float32) * (
            2.0 * math.pi / self.num_heads)
        directions = torch.stack([angles.cos(), angles.sin()], -1)
        directions = directions / directions.abs().max(-1, keepdim=True)[0]
        grid = directions.view(self.num_heads, 1, 1, 2).repeat(
            1, self.num_levels, self.num_points, 1)  # (heads, L, P, 2)
        grid *= torch.arange(1, self.num_points + 1,
                             dtype=torch.float32).view(1, 1, -1, 1)
        self.sampling_offsets.bias.copy_(grid.flatten())
        nn.init.zeros_(self.attention_weights.weight)
        nn.init.zeros_(self.attention_weights.bias)
        for proj in (self.value_proj, self.output_proj):
            nn.init.xavier_uniform_(proj.weight)
            nn.init.zeros_(proj.bias)

    def forward(self, query: Tensor, query_pos: Tensor,
                reference_points: Tensor, levels: FeatureLevels) -> Tensor:
        """Each query attends to the values (its own tokens) of all levels.

        Args:
            query: (B, S, C) tokens of all levels; also the values.
            query_pos: (B or 1, S, C) position embedding.
            reference_points: (B or 1, S, 1, 2) normalised (x, y).
            levels: layout of the S tokens.

        Returns:
            (B, S, C) ``query + attention``.
        """
        batch, num_query, _ = query.shape
        heads, num_levels, points = self.num_heads, self.num_levels, self.num_points
        value = self.value_proj(query).view(batch, num_query, heads, -1)
        query_with_pos = query + query_pos
        offsets = self.sampling_offsets(query_with_pos).view(
            batch, num_query, heads, num_levels, points, 2)
        logits = self.attention_weights(query_with_pos).view(
            batch, num_query, heads, num_levels * points)
        path = sampling_path(value, num_query)
        if path == 'cpu_op':
            # the op takes offsets and logits: locations and softmax inside
            with torch.autocast(value.device.type, enabled=False):
                out = deformable_attention_cpu(
                    value.float(), levels.spatial_shapes,
                    levels.level_start_index, reference_points.float(),
                    offsets.float(), logits.float())
            return query + self.output_proj(out)  # (B, S, C)
        weights = logits.softmax(-1).view(batch, num_query, heads, num_levels,
                                          points)
        # offsets are in pixels of each level: normalise by (w, h)
        normalizer = levels.normalizer(offsets)  # (L, 2)
        locations = (reference_points[:, :, None, :, None, :] +
                     offsets / normalizer[None, None, None, :, None, :])
        # (B, S, heads, L, points, 2)
        with torch.autocast(value.device.type, enabled=False):
            # sampling in float32 under mixed precision, as the official
            # MSDeformAttn (mmcv's kernel has no half-precision version)
            out = sample_levels(value.float(), levels, locations.float(),
                                weights.float(), path)
        return query + self.output_proj(out)  # (B, S, C)


def reference_points_of(spatial_shapes, device) -> Tensor:
    """Pixel centres of every level, normalised to [0, 1].

    Args:
        spatial_shapes: sequence of (h, w).

    Returns:
        (1, sum(h*w), 1, 2) (x, y) points, level after level, row-major.
    """
    points = []
    for h, w in spatial_shapes:
        ys = (torch.arange(h, dtype=torch.float32, device=device) + 0.5) / h
        xs = (torch.arange(w, dtype=torch.float32, device=device) + 0.5) / w
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing='ij')
        points.append(torch.stack([grid_x.flatten(), grid_y.flatten()], -1))
    return torch.cat(points)[None, :, None, :]
