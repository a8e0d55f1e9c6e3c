"""Multi-scale deformable attention (Deformable DETR) with kernel selection."""
from typing import Optional

import torch
from mmcv.ops import MultiScaleDeformableAttention, get_compiling_cuda_version
from mmcv.ops.multi_scale_deform_attn import (
    MultiScaleDeformableAttnFunction, multi_scale_deformable_attn_pytorch)
from torch import Tensor

#: True when this mmcv build carries the CUDA kernel of deformable attention.
MMCV_HAS_CUDA_KERNEL = get_compiling_cuda_version() not in ('not available', '')
#: the dense path is used up to this many values (tokens of all levels): on
#: 2 CPU cores it is 2.1x faster than grid_sample at 336 values, 0.85x at 756
#: and 0.6x at 1344 (tools/analysis/benchmark_deformable_attention.py).
DENSE_MAX_VALUES = 512
#: and up to this many sampling-matrix elements (B * heads * queries * values).
DENSE_MAX_ELEMENTS = 2**25


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
        spatial_shapes: L pairs (h_l, w_l).
        locations: (B, Nq, heads, L, P, 2) normalised (x, y).
        weights: (B, Nq, heads, L, P).

    Returns:
        (B, Nq, heads * d).
    """
    batch, num_value, heads, dims = value.shape
    num_query = locations.shape[1]
    indices, contribs = [], []
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
            indices.append((yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).long()
                           + start)
            contribs.append(corner * w_l * inside)
        start += h * w
    index = torch.cat(indices, -1).transpose(1, 2)  # (B, heads, Nq, 4LP)
    contrib = torch.cat(contribs, -1).transpose(1, 2)
    matrix = value.new_zeros(batch, heads, num_query, num_value).scatter_add(
        -1, index, contrib.to(value.dtype))  # (B, heads, Nq, S)
    out = matrix @ value.transpose(1, 2)  # (B, heads, Nq, d)
    return out.transpose(1, 2).reshape(batch, num_query, heads * dims)


class DeformableAttention(MultiScaleDeformableAttention):
    """mmcv's ``MultiScaleDeformableAttention`` (same parameters and init),
    with a forward that never crashes on a device its kernel lacks.

    CUDA tensors use mmcv's CUDA kernel when this mmcv was compiled with it;
    everything else (CPU, or CUDA with a CPU-only mmcv build) uses the
    pure-PyTorch path. Always batch-first, no dropout, post-residual (the
    caller adds the norm).
    """

    def __init__(self, embed_dims: int, num_heads: int, num_levels: int,
                 num_points: int) -> None:
        super().__init__(embed_dims=embed_dims, num_heads=num_heads,
                         num_levels=num_levels, num_points=num_points,
                         dropout=0.0, batch_first=True)

    def forward(self, query: Tensor, query_pos: Tensor,
                reference_points: Tensor, spatial_shapes: Tensor,
                level_start_index: Tensor,
                value: Optional[Tensor] = None) -> Tensor:  # type: ignore[override]
        """Deformable attention plus residual.

        Args:
            query: (B, N, C) queries; also the values when ``value`` is None.
            query_pos: (B, N, C) or (1, N, C) position embedding.
            reference_points: (B or 1, N, 1 or L, 2) normalised (x, y).
            spatial_shapes: (L, 2) long (h, w) of each level.
            level_start_index: (L,) start of each level in the flat values.
            value: (B, S, C) values, S = sum(h * w).

        Returns:
            (B, N, C) ``query + attention``.
        """
        identity = query
        value = query if value is None else value
        query = query + query_pos
        batch, num_query, _ = query.shape
        num_value = value.shape[1]
        heads, levels, points = self.num_heads, self.num_levels, self.num_points
        value = self.value_proj(value).view(batch, num_value, heads, -1)
        offsets = self.sampling_offsets(query).view(batch, num_query, heads,
                                                    levels, points, 2)
        weights = self.attention_weights(query).view(batch, num_query, heads,
                                                     levels * points)
        weights = weights.softmax(-1).view(batch, num_query, heads, levels,
                                           points)
        # offsets are in pixels of each level: normalise by (w, h)
        normalizer = spatial_shapes.flip(-1).to(offsets.dtype)  # (L, 2)
        locations = (reference_points[:, :, None, :, None, :] +
                     offsets / normalizer[None, None, None, :, None, :])
        # (B, N, heads, L, points, 2)
        if value.is_cuda and MMCV_HAS_CUDA_KERNEL:
            out = MultiScaleDeformableAttnFunction.apply(
                value, spatial_shapes, level_start_index, locations, weights,
                self.im2col_step)
        elif (not value.is_cuda and num_value <= DENSE_MAX_VALUES
              and batch * heads * num_query * num_value <= DENSE_MAX_ELEMENTS):
            out = deformable_sampling_dense(value, spatial_shapes.tolist(),
                                            locations, weights)
        else:
            out = multi_scale_deformable_attn_pytorch(value, spatial_shapes,
                                                      locations, weights)
        return identity + self.output_proj(out)  # (B, N, C)


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
