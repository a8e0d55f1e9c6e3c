"""One Mask2Former decoder layer: masked cross-attention, self-attention, FFN."""
from typing import Optional

from torch import Tensor, nn

from ..layers.attention import AttentionBlock
from ..layers.ffn import FFN


class MaskedAttentionDecoderLayer(nn.Module):
    """Cross-attention to one feature level restricted to each query's
    predicted mask (paper Eq. 2-3), then query self-attention, then FFN;
    post-norm, no dropout (paper Sec. 3.2.1 order).

    Args:
        embed_dims: model width C.
        num_heads: attention heads.
        feedforward_dims: FFN hidden width.
    """

    def __init__(self, embed_dims: int, num_heads: int,
                 feedforward_dims: int) -> None:
        super().__init__()
        self.cross_attn = AttentionBlock(embed_dims, num_heads)
        self.self_attn = AttentionBlock(embed_dims, num_heads)
        self.ffn = FFN(embed_dims, feedforward_dims)

    def forward(self, queries: Tensor, query_pos: Tensor, memory: Tensor,
                memory_pos: Tensor, attend: Optional[Tensor]) -> Tensor:
        """Update the queries.

        Args:
            queries: (B, Q, C).
            query_pos: (B or 1, Q, C) learnable query positions.
            memory: (B, N, C) flattened feature level.
            memory_pos: (B or 1, N, C) its position + level embedding.
            attend: boolean (B, Q, N), True where a query attends.

        Returns:
            (B, Q, C) queries.
        """
        queries = self.cross_attn(queries, memory, memory, query_pos,
                                  memory_pos, attend)
        queries = self.self_attn(queries, queries, queries, query_pos,
                                 query_pos)
        return self.ffn(queries)
