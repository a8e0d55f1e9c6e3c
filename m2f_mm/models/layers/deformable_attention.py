"""Multi-scale deformable attention (Deformable DETR, Sec. 4.1): the module's
parameters and projections; the sampling itself is one of the paths of
``deformable_sampling.py``."""
import contextlib
import math
from typing import Iterator, Optional

import torch
from torch import Tensor, nn

from .deformable_sampling import attend, check_path, choose_path
from .feature_levels import FeatureLevels


class DeformableAttention(nn.Module):
    """Multi-scale deformable attention plus residual, batch-first, no dropout
    (the caller adds the norm).

    Parameter names and initialisation are those of mmcv's
    ``MultiScaleDeformableAttention``, so checkpoints of either load into the
    other.

    Args:
        embed_dims: model width C.
        num_heads: attention heads; C must divide evenly.
        num_levels: feature levels L.
        num_points: sampling points per head and level P.

    Attributes:
        sampling_path: a name of ``SAMPLING_PATHS`` that this module always
            samples by, or None (the default) to let ``choose_path`` pick the
            fastest for the device and size. Set it for a whole model with
            :func:`sampling_path`.
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
        self.sampling_path: Optional[str] = None
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
        # offsets in pixels of each level
        offsets = self.sampling_offsets(query_with_pos).view(
            batch, num_query, heads, num_levels, points, 2)
        logits = self.attention_weights(query_with_pos).view(
            batch, num_query, heads, num_levels * points)
        path = self.sampling_path or choose_path(value, num_query)
        out = attend(value, levels, reference_points, offsets, logits, path)
        return query + self.output_proj(out)  # (B, S, C)


@contextlib.contextmanager
def sampling_path(model: nn.Module, path: str) -> Iterator[nn.Module]:
    """Inside the block, every :class:`DeformableAttention` of ``model``
    samples by ``path`` (e.g. ``'grid_sample'``, the arithmetic of mmdet's
    Mask2Former, or each path in turn to compare them); afterwards each goes
    back to its own setting. Only this model changes.

    Raises:
        ValueError: an unknown path. RuntimeError: a path not usable here.
    """
    check_path(path)
    layers = [m for m in model.modules() if isinstance(m, DeformableAttention)]
    previous = [layer.sampling_path for layer in layers]
    for layer in layers:
        layer.sampling_path = path
    try:
        yield model
    finally:
        for layer, before in zip(layers, previous):
            layer.sampling_path = before
