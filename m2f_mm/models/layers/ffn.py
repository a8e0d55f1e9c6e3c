"""Transformer feed-forward block with residual and post-norm."""
from torch import Tensor, nn


class FFN(nn.Module):
    """``norm(x + linear2(relu(linear1(x))))``; no dropout (Mask2Former uses none).

    Args:
        embed_dims: model width.
        feedforward_dims: hidden width.
    """

    def __init__(self, embed_dims: int, feedforward_dims: int) -> None:
        super().__init__()
        self.linear1 = nn.Linear(embed_dims, feedforward_dims)
        self.linear2 = nn.Linear(feedforward_dims, embed_dims)
        self.norm = nn.LayerNorm(embed_dims)

    def forward(self, x: Tensor) -> Tensor:
        """(B, N, C) -> (B, N, C)."""
        # in place: linear1 keeps no output for backward, so no copy needed
        return self.norm(x + self.linear2(self.linear1(x).relu_()))
