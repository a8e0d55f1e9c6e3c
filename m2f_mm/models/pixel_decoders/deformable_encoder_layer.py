"""One encoder layer of the pixel decoder: deformable self-attention, then FFN."""
from torch import Tensor, nn

from ..layers.deformable_attention import DeformableAttention
from ..layers.feature_levels import FeatureLevels
from ..layers.ffn import FFN


class DeformableEncoderLayer(nn.Module):
    """Post-norm deformable-attention encoder layer (Deformable DETR), no dropout.

    Args:
        embed_dims: model width C.
        num_heads: attention heads.
        num_levels: feature levels attended.
        num_points: sampling points per head and level.
        feedforward_dims: FFN hidden width.
    """

    def __init__(self, embed_dims: int, num_heads: int, num_levels: int,
                 num_points: int, feedforward_dims: int) -> None:
        super().__init__()
        self.attn = DeformableAttention(embed_dims, num_heads, num_levels,
                                        num_points)
        self.norm = nn.LayerNorm(embed_dims)
        self.ffn = FFN(embed_dims, feedforward_dims)

    def forward(self, tokens: Tensor, pos: Tensor, reference_points: Tensor,
                levels: FeatureLevels) -> Tensor:
        """(B, S, C) tokens of all levels -> (B, S, C)."""
        tokens = self.norm(self.attn(tokens, pos, reference_points, levels))
        return self.ffn(tokens)
