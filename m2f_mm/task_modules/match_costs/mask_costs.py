"""Pairwise match costs of Mask2Former's Hungarian matching (paper Sec. 3.3).

Each cost maps (predictions, targets) of one image to an (N, M) matrix, scaled
by its ``weight``; the math lives in :mod:`m2f_mm.models.losses.functional`,
shared with the losses.
"""
from torch import Tensor

from m2f_mm.models.losses import functional as LF
from m2f_mm.registry import TASK_UTILS


@TASK_UTILS.register_module()
class ClassProbCost:
    """``weight * -p(class of target)``.

    Args:
        weight: cost weight (2.0).
    """

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def __call__(self, class_logits: Tensor, point_logits: Tensor,
                 gt_labels: Tensor, gt_points: Tensor) -> Tensor:
        """(N, K+1), (N, P), (M,), (M, P) -> (N, M)."""
        return self.weight * LF.pairwise_class_cost(class_logits, gt_labels)


@TASK_UTILS.register_module()
class PointBCECost:
    """``weight * mean sigmoid BCE`` over the sampled points.

    Args:
        weight: cost weight (5.0).
    """

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def __call__(self, class_logits: Tensor, point_logits: Tensor,
                 gt_labels: Tensor, gt_points: Tensor) -> Tensor:
        """(N, K+1), (N, P), (M,), (M, P) -> (N, M)."""
        return self.weight * LF.pairwise_sigmoid_bce(point_logits, gt_points)


@TASK_UTILS.register_module()
class PointDiceCost:
    """``weight * dice loss`` over the sampled points.

    Args:
        weight: cost weight (5.0).
        eps: dice smoothing (1.0).
    """

    def __init__(self, weight: float = 1.0, eps: float = 1.0) -> None:
        self.weight = weight
        self.eps = eps

    def __call__(self, class_logits: Tensor, point_logits: Tensor,
                 gt_labels: Tensor, gt_points: Tensor) -> Tensor:
        """(N, K+1), (N, P), (M,), (M, P) -> (N, M)."""
        return self.weight * LF.pairwise_dice_loss(point_logits, gt_points,
                                                   self.eps)
