"""Pairwise match costs of Mask2Former's Hungarian matching (paper Sec. 3.3).

Each cost maps (predictions, targets) of one image to an (N, M) matrix, scaled
by its ``weight``; the math lives in :mod:`m2f_mm.models.losses.functional`,
shared with the losses. Every cost is called as
``cost(class_logits (N, K+1), point_logits (N, P), gt_labels (M,),
gt_points (M, P)) -> (N, M)``.
"""
from torch import Tensor

from m2f_mm.models.losses import functional as LF
from m2f_mm.registry import TASK_UTILS


class _WeightedCost:
    """``weight * pairwise(...)``: the call every cost shares."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def __call__(self, class_logits: Tensor, point_logits: Tensor,
                 gt_labels: Tensor, gt_points: Tensor) -> Tensor:
        """(N, K+1), (N, P), (M,), (M, P) -> (N, M)."""
        return self.weight * self.pairwise(class_logits, point_logits,
                                           gt_labels, gt_points)

    def pairwise(self, class_logits: Tensor, point_logits: Tensor,
                 gt_labels: Tensor, gt_points: Tensor) -> Tensor:
        raise NotImplementedError


@TASK_UTILS.register_module()
class ClassProbCost(_WeightedCost):
    """``weight * -p(class of target)``.

    Args:
        weight: cost weight (2.0).
    """

    def pairwise(self, class_logits, point_logits, gt_labels, gt_points):
        return LF.pairwise_class_cost(class_logits, gt_labels)


@TASK_UTILS.register_module()
class PointBCECost(_WeightedCost):
    """``weight * mean sigmoid BCE`` over the sampled points.

    Args:
        weight: cost weight (5.0).
    """

    def pairwise(self, class_logits, point_logits, gt_labels, gt_points):
        return LF.pairwise_sigmoid_bce(point_logits, gt_points)


@TASK_UTILS.register_module()
class PointDiceCost(_WeightedCost):
    """``weight * dice loss`` over the sampled points.

    Args:
        weight: cost weight (5.0).
        eps: dice smoothing (1.0).
    """

    def __init__(self, weight: float = 1.0, eps: float = 1.0) -> None:
        super().__init__(weight)
        self.eps = eps

    def pairwise(self, class_logits, point_logits, gt_labels, gt_points):
        return LF.pairwise_dice_loss(point_logits, gt_points, self.eps)
