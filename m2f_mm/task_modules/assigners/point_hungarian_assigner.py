"""One-to-one matching of queries to ground-truth masks on sampled points."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from mmdet.models.task_modules.assigners.match_cost import BaseMatchCost
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from m2f_mm.models.layers.point_sampling import sample_points
from m2f_mm.registry import TASK_UTILS


def hungarian_match(cost: Tensor) -> Tuple[Tensor, Tensor]:
    """Minimum-cost one-to-one assignment.

    Args:
        cost: (N, M) cost matrix.

    Returns:
        (query_indices, gt_indices), each (min(N, M),) long, sorted by query.
    """
    if not torch.isfinite(cost).all():
        raise ValueError('the matching cost has NaN or inf entries: '
                         'the predictions have diverged')
    rows, cols = linear_sum_assignment(cost.detach().cpu().numpy())
    order = rows.argsort()
    return (torch.as_tensor(rows[order], dtype=torch.long, device=cost.device),
            torch.as_tensor(cols[order], dtype=torch.long, device=cost.device))


@TASK_UTILS.register_module()
class PointHungarianAssigner:
    """Hungarian matching on a cost summed from match costs, with masks
    compared at ``num_points`` points drawn uniformly and shared by every
    prediction/target pair of the image (paper Sec. 3.3).

    Args:
        match_costs: configs of the costs, e.g. ``ClassProbCost`` (2.0),
            ``PointBCECost`` (5.0), ``PointDiceCost`` (5.0): a list, or a
            dict of named costs (summed in its order), so that a child config
            can change one cost by name. mmdet's costs can be named too
            (``mmdet.ClassificationCost``, ``mmdet.CrossEntropyLossCost``,
            ``mmdet.DiceCost``, ``mmdet.FocalLossCost``...): they are called
            as mmdet's Mask2Former calls them, with ``scores`` (the class
            logits) and ``masks`` (the point logits) of the predictions and
            ``labels`` and ``masks`` (the points) of the targets.
        num_points: K, points per image (12544 = 112 x 112).
    """

    def __init__(self, *, match_costs: Union[Sequence[dict], Dict[str, dict]],
                 num_points: int = 12544) -> None:
        if isinstance(match_costs, dict):
            match_costs = list(match_costs.values())
        self.match_costs = [TASK_UTILS.build(c) for c in match_costs]
        self.num_points = num_points

    @torch.no_grad()
    def assign(self, class_logits: Tensor, mask_logits: Tensor,
               gt_labels: Tensor, gt_masks: Tensor,
               point_coords: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Match one image's queries to its targets.

        Args:
            class_logits: (Q, K+1).
            mask_logits: (Q, h, w).
            gt_labels: (M,).
            gt_masks: (M, H, W) binary, any resolution.
            point_coords: (1, P, 2) points to use; drawn uniformly when None.
                Always drawn (also for M = 0) so that the random stream does
                not depend on the targets.

        Returns:
            (query_indices, gt_indices), each (min(Q, M),), sorted by query.
        """
        if point_coords is None:
            point_coords = torch.rand(1, self.num_points, 2,
                                      device=class_logits.device)
        if gt_labels.numel() == 0:
            empty = gt_labels.new_zeros(0, dtype=torch.long)
            return empty, empty
        return hungarian_match(self.cost(class_logits, mask_logits,
                                         gt_labels, gt_masks, point_coords))

    def cost(self, class_logits: Tensor, mask_logits: Tensor,
             gt_labels: Tensor, gt_masks: Tensor,
             point_coords: Tensor) -> Tensor:
        """(Q, M) matching cost, always in float32: under mixed precision
        the predictions are cast up and autocast is off here, as the
        official matcher does (a half-precision cost can overflow or break
        ties differently)."""
        with torch.autocast(class_logits.device.type, enabled=False):
            point_logits = sample_points(mask_logits.float(),
                                         point_coords.float())  # (Q, P)
            gt_points = sample_points(gt_masks.float(),
                                      point_coords.float())  # (M, P)
            return sum(self._one_cost(c, class_logits.float(), point_logits,
                                      gt_labels, gt_points)
                       for c in self.match_costs)  # (Q, M)

    @staticmethod
    def _one_cost(cost, class_logits: Tensor, point_logits: Tensor,
                  gt_labels: Tensor, gt_points: Tensor) -> Tensor:
        """(Q, M) cost of one term, ours or mmdet's calling convention."""
        if isinstance(cost, BaseMatchCost):
            return cost(InstanceData(scores=class_logits, masks=point_logits),
                        InstanceData(labels=gt_labels, masks=gt_points))
        return cost(class_logits, point_logits, gt_labels, gt_points)
