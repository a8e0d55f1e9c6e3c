"""Semantic inference: class probabilities times mask probabilities."""
import torch
from torch import Tensor


def semantic_inference(class_logits: Tensor, mask_logits: Tensor) -> Tensor:
    """Per-class scores ``sum_q p_q(c) * sigmoid(m_q)`` (no-object dropped).

    Args:
        class_logits: (..., Q, K+1).
        mask_logits: (..., Q, H, W).

    Returns:
        (..., K, H, W) class scores; argmax over K gives the label map.
    """
    return semantic_from_probs(class_logits, mask_logits.sigmoid())


def semantic_from_probs(class_logits: Tensor, mask_probs: Tensor) -> Tensor:
    """:func:`semantic_inference` from mask probabilities (e.g.
    :meth:`QueryMasks.all_probs`, made in place)."""
    probs = class_logits.softmax(-1)[..., :-1]
    return torch.einsum('...qk,...qhw->...khw', probs, mask_probs)
