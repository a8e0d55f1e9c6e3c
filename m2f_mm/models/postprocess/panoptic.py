"""Panoptic inference: merge query masks into non-overlapping segments."""
import torch
from mmdet.evaluation.functional import INSTANCE_OFFSET
from torch import Tensor

from .query_masks import QUERY_CHUNK


def panoptic_inference(class_logits: Tensor, mask_logits: Tensor,
                       num_things: int, object_mask_thr: float = 0.8,
                       overlap_thr: float = 0.8) -> Tensor:
    """One image's panoptic map, in mmdet's encoding.

    Follows the official Mask2Former (``panoptic_inference``): queries whose
    top class is not no-object with probability > ``object_mask_thr`` compete
    per pixel by ``score * mask_prob``; a query keeps the pixels it wins
    *where its own mask prob >= 0.5*, if that segment is non-empty and the
    area it wins is at least ``overlap_thr`` of its own mask's area (prob
    >= 0.5). Stuff segments of one class merge (one id per stuff class);
    things get instance ids 1, 2, ...

    Args:
        class_logits: (Q, K+1).
        mask_logits: (Q, H, W) at the output resolution, or
            :class:`QueryMasks` (only the kept queries are resized).
        num_things: classes ``[0, num_things)`` are things, the rest stuff.
        object_mask_thr: class-probability threshold (0.8).
        overlap_thr: won-area / own-mask-area threshold (0.8).

    Returns:
        (H, W) int32: ``label`` for stuff, ``label + id * INSTANCE_OFFSET``
        for things, ``K`` (num_classes) where nothing was kept.
    """
    num_classes = class_logits.shape[-1] - 1
    scores, labels = class_logits.softmax(-1).max(-1)  # (Q,)
    keep = labels.ne(num_classes) & (scores > object_mask_thr)
    scores, labels = scores[keep], labels[keep]
    kept = keep.nonzero().flatten()  # (N,) query indices
    height, width = mask_logits.shape[-2:]
    panoptic = torch.full((height, width), num_classes, dtype=torch.int32,
                          device=mask_logits.device)
    if labels.numel() == 0:
        return panoptic
    # winner = argmax over the kept queries of score * mask prob, and each
    # query's own mask (prob >= 0.5), a few queries at a time: the full-size
    # maps of all kept queries are never held at once
    best = winner = None
    own = torch.empty((len(kept), height, width), dtype=torch.bool,
                      device=mask_logits.device)
    for start in range(0, len(kept), QUERY_CHUNK):
        end = min(start + QUERY_CHUNK, len(kept))
        mask_probs = mask_logits[kept[start:end]].sigmoid()  # (n, H, W)
        own[start:end] = mask_probs >= 0.5
        chunk_best, chunk_winner = (scores[start:end, None, None] *
                                    mask_probs).max(0)  # first max: as argmax
        if best is None:
            best, winner = chunk_best, chunk_winner
        else:
            # strictly better only: ties keep the earlier query, as argmax
            better = chunk_best > best
            best = torch.where(better, chunk_best, best)
            winner = torch.where(better, chunk_winner + start, winner)
    instance_id = 1
    for k, label in enumerate(labels.tolist()):
        won = winner == k
        won_area = int(won.sum())
        own_area = int(own[k].sum())
        segment = won & own[k]
        if won_area == 0 or own_area == 0 or not segment.any():
            continue
        if won_area / own_area < overlap_thr:
            continue
        if label < num_things:
            panoptic[segment] = label + instance_id * INSTANCE_OFFSET
            instance_id += 1
        else:
            panoptic[segment] = label  # stuff of one class merges
    return panoptic
