"""Mask2Former's set loss: Hungarian matching, then class CE and point-sampled
mask BCE + dice on every prediction set (paper Sec. 3.3, 4.1)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.dist import all_reduce, get_world_size
from torch import Tensor, nn

from m2f_mm.registry import MODELS, TASK_UTILS
from ..layers.point_sampling import sample_points, uncertain_point_coords
from . import functional as LF


def num_masks_across_workers(num_local: int, device) -> float:
    """Mean over processes of the number of target masks, at least 1."""
    count = torch.tensor(float(num_local), device=device)
    if get_world_size() > 1:
        all_reduce(count, op='mean')
    return max(count.item(), 1.0)


@MODELS.register_module()
class MaskSetLoss(nn.Module):
    """Matches each prediction set to the targets and sums the weighted losses.

    Args:
        num_classes: K, classes without the no-object class.
        assigner: config of the matcher (``PointHungarianAssigner``).
        class_weight: weight of the class CE (2.0).
        mask_weight: weight of the mask BCE (5.0).
        dice_weight: weight of the mask dice loss (5.0).
        no_object_weight: CE weight of the no-object class (0.1); the other
            classes weigh 1.
        num_points: K points per mask for the losses (12544).
        oversample_ratio: importance-sampling oversampling (3.0).
        importance_sample_ratio: share of points chosen by uncertainty (0.75).
        dice_eps: dice smoothing (1.0).
        loss_cls, loss_mask, loss_dice: configs of loss modules that replace
            our class CE, mask BCE or dice (e.g. ``mmdet.FocalLoss``,
            ``mmdet.CrossEntropyLoss``, ``mmdet.DiceLoss``), called as
            mmdet's ``Mask2FormerHead`` calls its losses: ``loss_cls(class
            logits (N, K+1), labels (N,), weights (N,), avg_factor=sum of
            the CE class weights of the labels)``, ``loss_mask(point logits
            (N*P,), point targets (N*P,), avg_factor=masks * P)``,
            ``loss_dice(point logits (N, P), point targets (N, P),
            avg_factor=masks)``. A module's own ``loss_weight`` weighs it;
            ``class_weight`` / ``mask_weight`` / ``dice_weight`` weigh only
            our terms. None (default): ours.
    """

    def __init__(self, *, num_classes: int, assigner: dict,
                 class_weight: float = 2.0, mask_weight: float = 5.0,
                 dice_weight: float = 5.0, no_object_weight: float = 0.1,
                 num_points: int = 12544, oversample_ratio: float = 3.0,
                 importance_sample_ratio: float = 0.75,
                 dice_eps: float = 1.0, loss_cls: Optional[dict] = None,
                 loss_mask: Optional[dict] = None,
                 loss_dice: Optional[dict] = None) -> None:
        super().__init__()
        self.loss_cls = None if loss_cls is None else MODELS.build(loss_cls)
        self.loss_mask = None if loss_mask is None else MODELS.build(loss_mask)
        self.loss_dice = None if loss_dice is None else MODELS.build(loss_dice)
        self.num_classes = num_classes
        self.assigner = TASK_UTILS.build(assigner)
        self.class_weight = class_weight
        self.mask_weight = mask_weight
        self.dice_weight = dice_weight
        self.num_points = num_points
        self.oversample_ratio = oversample_ratio
        self.importance_sample_ratio = importance_sample_ratio
        self.dice_eps = dice_eps
        ce_weight = torch.ones(num_classes + 1)
        ce_weight[-1] = no_object_weight
        self.register_buffer('ce_class_weight', ce_weight, persistent=False)

    def match(self, class_logits: Tensor, mask_logits: Tensor,
              gt_labels: Sequence[Tensor], gt_masks: Sequence[Tensor]
              ) -> List[Tuple[Tensor, Tensor]]:
        """Per image (query_indices, gt_indices) for one prediction set.

        Args:
            class_logits: (B, Q, K+1).
            mask_logits: (B, Q, h, w), or tubes (B, Q, T, h, w).
            gt_labels: B tensors (M_b,).
            gt_masks: B tensors (M_b, H, W), or tubes (M_b, T, H, W).
        """
        return [
            self.assigner.assign(c, m, lab, gm)
            for c, m, lab, gm in zip(class_logits, mask_logits, gt_labels,
                                     gt_masks)
        ]

    def single_set(self, class_logits: Tensor, mask_logits: Tensor,
                   gt_labels: Sequence[Tensor], gt_masks: Sequence[Tensor],
                   num_masks: float) -> Tuple[Tensor, Tensor, Tensor]:
        """Unweighted (class CE, mask BCE, dice) of one prediction set.

        Tubes (video) are matched on the same points in every frame, and
        their mask losses are taken frame by frame (each frame its own
        importance-sampled points), as the official video criterion and
        mmdet's ``Mask2FormerTrackHead``; the BCE is normalised as mmdet's
        (by masks * P / T: T times the official criterion's, which divides
        by masks * P).

        Args:
            class_logits: (B, Q, K+1).
            mask_logits: (B, Q, h, w), or tubes (B, Q, T, h, w).
            gt_labels: B tensors (M_b,).
            gt_masks: B tensors (M_b, H, W), or tubes (M_b, T, H, W).
            num_masks: normaliser of the mask losses.
        """
        matches = self.match(class_logits, mask_logits, gt_labels, gt_masks)
        batch, num_queries = class_logits.shape[:2]
        labels = class_logits.new_full((batch, num_queries), self.num_classes,
                                       dtype=torch.long)  # (B, Q)
        for b, (q_idx, g_idx) in enumerate(matches):
            labels[b, q_idx] = gt_labels[b][g_idx]
        ce_weight = self.ce_class_weight.to(class_logits.dtype)
        if self.loss_cls is None:
            loss_cls = LF.weighted_cross_entropy(
                class_logits.flatten(0, 1), labels.flatten(), ce_weight)
        else:
            loss_cls = self.loss_cls(
                class_logits.flatten(0, 1), labels.flatten(),
                torch.ones_like(labels.flatten(), dtype=class_logits.dtype),
                avg_factor=ce_weight[labels.flatten()].sum())
        matched_logits = torch.cat(
            [mask_logits[b, q] for b, (q, _) in enumerate(matches)])  # (N, [T,] h, w)
        if matched_logits.shape[0] == 0:
            zero = mask_logits.sum() * 0  # keeps the graph, finite
            return loss_cls, zero, zero
        matched_targets = torch.cat(
            [gt_masks[b][g] for b, (_, g) in enumerate(matches)])  # (N, [T,] H, W)
        frames = 1
        if matched_logits.dim() == 4:  # tubes: each frame a mask of its own
            frames = matched_logits.shape[1]
            matched_logits = matched_logits.flatten(0, 1)  # (N*T, h, w)
            matched_targets = matched_targets.flatten(0, 1)  # (N*T, H, W)
        with torch.no_grad():
            coords = uncertain_point_coords(
                matched_logits, self.num_points, self.oversample_ratio,
                self.importance_sample_ratio)  # (N, P, 2)
            target_points = sample_points(
                matched_targets.to(mask_logits.dtype), coords)  # (N, P)
        point_logits = sample_points(matched_logits, coords)  # (N, P)
        if self.loss_mask is None:
            loss_mask = LF.sigmoid_bce(point_logits,
                                       target_points).sum() * frames / num_masks
        else:
            loss_mask = self.loss_mask(
                point_logits.reshape(-1), target_points.reshape(-1),
                avg_factor=num_masks * point_logits.shape[1] / frames)
        if self.loss_dice is None:
            loss_dice = LF.dice_loss(point_logits, target_points,
                                     self.dice_eps).sum() / num_masks
        else:
            loss_dice = self.loss_dice(point_logits, target_points,
                                       avg_factor=num_masks)
        return loss_cls, loss_mask, loss_dice

    def forward(self, class_logits: Sequence[Tensor],
                mask_logits: Sequence[Tensor], gt_labels: Sequence[Tensor],
                gt_masks: Sequence[Tensor]) -> Dict[str, Tensor]:
        """Weighted losses of all prediction sets.

        Args:
            class_logits: L tensors (B, Q, K+1), the last the final prediction.
            mask_logits: L tensors (B, Q, h, w), or tubes (B, Q, T, h, w).
            gt_labels: B tensors (M_b,).
            gt_masks: B tensors (M_b, H, W), or tubes (M_b, T, H, W).

        Returns:
            ``loss_cls``, ``loss_mask``, ``loss_dice`` for the final set and
            ``d{i}.loss_*`` for the earlier ones (d0: the learnable queries),
            float32 also under mixed precision (matching and losses run with
            autocast off on float32 predictions).
        """
        num_masks = num_masks_across_workers(
            sum(len(lab) for lab in gt_labels), class_logits[0].device)
        losses = {}
        last = len(class_logits) - 1
        for i, (cls, masks) in enumerate(zip(class_logits, mask_logits)):
            # float32 matching and losses under mixed precision
            with torch.autocast(cls.device.type, enabled=False):
                loss_cls, loss_mask, loss_dice = self.single_set(
                    cls.float(), masks.float(), gt_labels, gt_masks,
                    num_masks)
            prefix = '' if i == last else f'd{i}.'
            # a named loss module carries its own loss_weight
            losses[prefix + 'loss_cls'] = loss_cls * (
                self.class_weight if self.loss_cls is None else 1)
            losses[prefix + 'loss_mask'] = loss_mask * (
                self.mask_weight if self.loss_mask is None else 1)
            losses[prefix + 'loss_dice'] = loss_dice * (
                self.dice_weight if self.loss_dice is None else 1)
        return losses
