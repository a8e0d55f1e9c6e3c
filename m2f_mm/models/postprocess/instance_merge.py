"""Instances of several test-time views merged at the segment level: the
views' instances pooled and the duplicates removed by mask IoU (the
alternative to merging the views' queries, measured against it)."""
from typing import List, Tuple

import torch
from torch import Tensor

Instances = Tuple[Tensor, Tensor, Tensor, Tensor]  # scores, labels, masks, boxes


def merge_view_instances(views: List[Instances], iou_thr: float = 0.5,
                         max_per_image: int = 100) -> Instances:
    """Greedy same-class mask NMS over the instances of all views.

    Args:
        views: per view (scores (N,), labels (N,), masks (N, H, W) bool,
            bboxes (N, 4)), all at the original size and orientation.
        iou_thr: an instance is dropped when its mask overlaps a kept one of
            the same class by more than this IoU.
        max_per_image: instances kept at most, best first.

    Returns:
        (scores, labels, masks, bboxes) of the kept instances, best first.
    """
    scores, labels, masks, bboxes = (torch.cat(part) for part in zip(*views))
    order = scores.argsort(descending=True)
    areas = masks.flatten(1).sum(1)  # (N,)
    kept: List[int] = []
    for i in order.tolist():
        if len(kept) == max_per_image:
            break
        same = [k for k in kept if labels[k] == labels[i]]
        if same:
            inter = (masks[same] & masks[i]).flatten(1).sum(1)
            union = areas[same] + areas[i] - inter
            if (inter > iou_thr * union.clamp(min=1)).any():
                continue
        kept.append(i)
    index = torch.as_tensor(kept, dtype=torch.long)
    return scores[index], labels[index], masks[index], bboxes[index]
