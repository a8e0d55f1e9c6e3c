"""Multi-scale deformable attention (Deformable DETR) with kernel selection."""
from typing import Optional

import torch
from mmcv.ops import MultiScaleDeformableAttention, get_compiling_cuda_version
from mmcv.ops.multi_scale_deform_attn import (
    MultiScaleDeformableAttnFunction, multi_scale_deformable_attn_pytorch)
from torch import Tensor

#: True when this mmcv build carries the CUDA kernel of deformable attention.
MMCV_HAS_CUDA_KERNEL = get_compiling_cuda_version() not in ('not available', '')


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
