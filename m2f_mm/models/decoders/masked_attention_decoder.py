"""The stack of masked-attention decoder layers and its final norm."""
from torch import nn

from m2f_mm.registry import MODELS
from .masked_attention_decoder_layer import MaskedAttentionDecoderLayer


@MODELS.register_module()
class MaskedAttentionDecoder(nn.Module):
    """``num_layers`` masked-attention layers sharing a final LayerNorm.

    The head drives the layers (each needs the previous layer's mask
    prediction), so this module only owns the parameters.

    Args:
        num_layers: decoder layers (9 = 3 rounds over 3 levels).
        embed_dims: model width C.
        num_heads: attention heads (8).
        feedforward_dims: FFN hidden width (2048).
    """

    def __init__(self, *, num_layers: int = 9, embed_dims: int = 256,
                 num_heads: int = 8, feedforward_dims: int = 2048) -> None:
        super().__init__()
        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.layers = nn.ModuleList(
            MaskedAttentionDecoderLayer(embed_dims, num_heads, feedforward_dims)
            for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(embed_dims)

    def init_weights(self) -> None:
        """Xavier-normal for every matrix, as the reference does."""
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_normal_(p)
