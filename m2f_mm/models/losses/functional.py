"""The mask and class math of Mask2Former, as pure functions on tensors.

Each mask quantity lives here once, in two forms: *pairwise* (every prediction
against every target, for the Hungarian match costs) and *elementwise* (matched
pairs, for the losses). ``dice_loss(a, b) == pairwise_dice_loss(a, b).diag()``
and likewise for BCE. Predictions are logits; targets are in [0, 1].
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def pairwise_dice_loss(mask_logits: Tensor, targets: Tensor,
                       eps: float = 1.0) -> Tensor:
    """Dice loss of every prediction against every target.

    Args:
        mask_logits: (N, P) logits at P points.
        targets: (M, P) binary targets at the same points.
        eps: smoothing added to numerator and denominator.

    Returns:
        (N, M) loss ``1 - (2|p.t| + eps) / (|p| + |t| + eps)``.
    """
    probs = mask_logits.sigmoid()
    targets = targets.to(probs.dtype)
    numerator = 2 * torch.einsum('np,mp->nm', probs, targets)
    denominator = probs.sum(-1)[:, None] + targets.sum(-1)[None, :]
    return 1 - (numerator + eps) / (denominator + eps)


def dice_loss(mask_logits: Tensor, targets: Tensor, eps: float = 1.0) -> Tensor:
    """Dice loss of matched pairs: (N, P), (N, P) -> (N,)."""
    probs = mask_logits.sigmoid()
    targets = targets.to(probs.dtype)
    numerator = 2 * (probs * targets).sum(-1)
    denominator = probs.sum(-1) + targets.sum(-1)
    return 1 - (numerator + eps) / (denominator + eps)


def pairwise_sigmoid_bce(mask_logits: Tensor, targets: Tensor) -> Tensor:
    """Mean binary cross-entropy of every prediction against every target.

    Uses ``bce(x, t) = t * bce(x, 1) + (1 - t) * bce(x, 0)`` so the (N, M, P)
    tensor is never built.

    Args:
        mask_logits: (N, P) logits.
        targets: (M, P) targets in [0, 1].

    Returns:
        (N, M) BCE averaged over the P points.
    """
    targets = targets.to(mask_logits.dtype)
    pos = F.binary_cross_entropy_with_logits(
        mask_logits, torch.ones_like(mask_logits), reduction='none')
    neg = F.binary_cross_entropy_with_logits(
        mask_logits, torch.zeros_like(mask_logits), reduction='none')
    cost = torch.einsum('np,mp->nm', pos, targets) + torch.einsum(
        'np,mp->nm', neg, 1 - targets)
    return cost / mask_logits.shape[1]


def sigmoid_bce(mask_logits: Tensor, targets: Tensor) -> Tensor:
    """Mean binary cross-entropy of matched pairs: (N, P), (N, P) -> (N,)."""
    return F.binary_cross_entropy_with_logits(
        mask_logits, targets.to(mask_logits.dtype), reduction='none').mean(-1)


def pairwise_class_cost(class_logits: Tensor, gt_labels: Tensor) -> Tensor:
    """Negative predicted probability of each target's class.

    Args:
        class_logits: (N, K+1) logits, no-object last.
        gt_labels: (M,) class indices.

    Returns:
        (N, M) cost ``-softmax(class_logits)[:, gt_labels]``.
    """
    return -class_logits.softmax(-1)[:, gt_labels]


def weighted_cross_entropy(class_logits: Tensor, labels: Tensor,
                           class_weight: Optional[Tensor] = None) -> Tensor:
    """Class-weighted mean cross-entropy, normalised by the summed weights.

    Args:
        class_logits: (N, K+1) logits.
        labels: (N,) targets, K meaning no object.
        class_weight: (K+1,) per-class weight, or None for 1.

    Returns:
        Scalar ``sum_i w[y_i] * ce_i / sum_i w[y_i]``.
    """
    losses = F.cross_entropy(class_logits, labels, weight=class_weight,
                             reduction='sum')
    if class_weight is None:
        return losses / max(labels.numel(), 1)
    return losses / class_weight[labels].sum().clamp(min=torch.finfo(
        class_logits.dtype).eps)
