"""The masked-attention transformer decoder: its layers, round robin over the
feature levels, and the prediction after the queries and after every layer."""
from typing import Callable, List, Optional, Sequence, Tuple, TypeVar

import torch
import torch.utils.checkpoint as cp
from torch import Tensor, nn

from m2f_mm.registry import MODELS
from .masked_attention_decoder_layer import MaskedAttentionDecoderLayer

#: What the head's prediction callback returns for one set; the decoder only
#: reads its ``attend`` mask.
Prediction = TypeVar('Prediction')


@MODELS.register_module()
class MaskedAttentionDecoder(nn.Module):
    """``num_layers`` masked-attention layers sharing a final LayerNorm.

    Layer ``i`` cross-attends to feature level ``i mod L`` inside the masks
    predicted by the set before it (paper Sec. 3.2.1-3.2.2), so every set is
    predicted between layers by a callback of the head.

    Args:
        num_layers: decoder layers (9 = 3 rounds over 3 levels).
        embed_dims: model width C.
        num_heads: attention heads (8).
        feedforward_dims: FFN hidden width (2048).
        with_cp: in training, keep only each layer's inputs for backward and
            recompute the layer there (gradient checkpointing, mmdet's
            ``with_cp``): the same gradients, less memory, one more forward
            of the layers per step.
    """

    def __init__(self, *, num_layers: int = 9, embed_dims: int = 256,
                 num_heads: int = 8, feedforward_dims: int = 2048,
                 with_cp: bool = False) -> None:
        super().__init__()
        self.with_cp = with_cp
        self.layers = nn.ModuleList(
            MaskedAttentionDecoderLayer(embed_dims, num_heads, feedforward_dims)
            for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(embed_dims)

    def init_weights(self) -> None:
        """Xavier-normal for every matrix, as the reference does."""
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_normal_(p)

    def forward(self, queries: Tensor, query_pos: Tensor,
                memories: Sequence[Tensor], memory_pos: Sequence[Tensor],
                memory_sizes: Sequence[Tuple[int, int]],
                predict: Callable[[Tensor, Optional[Tuple[int, int]]],
                                  Tuple[Prediction, Optional[Tensor]]]
                ) -> List[Prediction]:
        """Run every layer and predict after the queries and after each.

        Args:
            queries: (B, Q, C) initial queries.
            query_pos: (B or 1, Q, C) learnable query positions.
            memories: L flattened feature levels (B, h*w, C).
            memory_pos: L position embeddings (B or 1, h*w, C).
            memory_sizes: L pairs (h, w).
            predict: ``predict(normed_queries, attn_size)`` -> (prediction,
                ``attend`` (B, Q, h*w) bool for the level of ``attn_size``,
                or None when ``attn_size`` is None, after the last layer).

        Returns:
            ``num_layers + 1`` predictions, first to last.
        """
        num_levels = len(memories)
        prediction, attend = predict(self.final_norm(queries), memory_sizes[0])
        predictions = [prediction]
        for i, layer in enumerate(self.layers):
            level = i % num_levels
            args = (queries, query_pos, memories[level], memory_pos[level],
                    attend)
            if self.with_cp and self.training and torch.is_grad_enabled():
                queries = cp.checkpoint(layer, *args, use_reentrant=False)
            else:
                queries = layer(*args)
            is_last = i + 1 == len(self.layers)
            next_size = None if is_last else memory_sizes[(i + 1) % num_levels]
            prediction, attend = predict(self.final_norm(queries), next_size)
            predictions.append(prediction)
        return predictions
