"""Multi-head attention with residual and post-norm, on scaled_dot_product_attention."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class AttentionBlock(nn.Module):
    """``norm(q + MHA(q + q_pos, k + k_pos, v, mask))``, no dropout.

    Parameters are laid out as ``nn.MultiheadAttention``'s (packed
    ``in_proj_weight``), so checkpoints of either convert by renaming.

    Args:
        embed_dims: model width C.
        num_heads: attention heads; C must divide evenly.
    """

    def __init__(self, embed_dims: int, num_heads: int) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dims, embed_dims))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dims))
        self.out_proj = nn.Linear(embed_dims, embed_dims)
        self.norm = nn.LayerNorm(embed_dims)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def _heads(self, x: Tensor) -> Tensor:
        # (B, N, C) -> (B, h, N, C/h)
        b, n, c = x.shape
        return x.view(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                query_pos: Optional[Tensor] = None,
                key_pos: Optional[Tensor] = None,
                attend: Optional[Tensor] = None) -> Tensor:
        """Attend from queries to keys.

        Args:
            query: (B, Q, C).
            key, value: (B, N, C).
            query_pos: (B, Q, C) or (1, Q, C), added to the query.
            key_pos: (B, N, C) or (1, N, C), added to the key.
            attend: boolean (B, Q, N) or (B, 1, Q, N); True where a query may
                attend. Rows must not be all False.

        Returns:
            (B, Q, C) updated queries.
        """
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)
        q = F.linear(query if query_pos is None else query + query_pos, w_q, b_q)
        k = F.linear(key if key_pos is None else key + key_pos, w_k, b_k)
        v = F.linear(value, w_v, b_v)
        if attend is not None and attend.dim() == 3:
            attend = attend.unsqueeze(1)  # (B, 1, Q, N), shared by heads
        out = F.scaled_dot_product_attention(
            self._heads(q), self._heads(k), self._heads(v), attn_mask=attend)
        out = out.transpose(1, 2).flatten(2)  # (B, Q, C)
        return self.norm(query + self.out_proj(out))
