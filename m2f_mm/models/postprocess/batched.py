"""The three post-processings on a batch at once, with static shapes and no
data-dependent control flow: what an exported graph (ONNX, torch.export)
computes. The same decisions as :func:`panoptic_inference`,
:func:`instance_inference` and :func:`semantic_inference`, which instead go
a few queries at a time to bound memory; here every query's full-size map
is held at once, and results come per query slot with a validity flag
rather than as variable-length lists.
"""
from typing import Dict, Optional

import torch
from torch import Tensor

from .panoptic import INSTANCE_OFFSET
from .semantic import semantic_inference


def panoptic_candidates(class_logits: Tensor,
                        object_mask_thr: float = 0.8) -> Tensor:
    """The query slots whose masks :func:`panoptic_batched` needs: (N,)
    int64, in slot order, every slot kept in at least one image of the
    batch, and slot 0 so that N >= 1 (a slot kept nowhere never wins a
    pixel: including it changes nothing). The graph resizes only these
    slots' mask logits to full size."""
    num_classes = class_logits.shape[-1] - 1
    scores, labels = class_logits.softmax(-1).max(-1)  # (B, Q)
    keep = labels.ne(num_classes) & (scores > object_mask_thr)
    slots = torch.arange(keep.shape[1], device=keep.device)
    return (keep.any(0) | slots.eq(0)).nonzero()[:, 0]  # (N,)


def panoptic_batched(class_logits: Tensor, mask_logits: Tensor,
                     num_things: int, object_mask_thr: float = 0.8,
                     overlap_thr: float = 0.8,
                     candidates: Optional[Tensor] = None
                     ) -> Dict[str, Tensor]:
    """Panoptic maps of a batch, as :func:`panoptic_inference` per image.

    Args:
        class_logits: (B, Q, K+1).
        mask_logits: (B, Q, H, W) at the output size, or (B, N, H, W), the
            masks of the slots ``candidates`` only.
        num_things, object_mask_thr, overlap_thr: as
            :func:`panoptic_inference`.
        candidates: (N,) slots in order, at least every slot kept in some
            image (:func:`panoptic_candidates`); None: all Q.

    Returns:
        ``panoptic`` (B, H, W) int32 in mmdet's encoding (stuff ``label``,
        things ``label + id * INSTANCE_OFFSET``, ``K`` where nothing was
        kept); per query slot (B, Q): ``segment_ids`` int32, the value its
        pixels carry in ``panoptic`` or -1 where the query made no segment
        (stuff queries of one class share their label), ``labels`` int64,
        ``scores`` (class probability) and ``is_thing`` bool.
    """
    num_classes = class_logits.shape[-1] - 1
    all_scores, all_labels = class_logits.softmax(-1).max(-1)  # (B, Q)
    all_keep = all_labels.ne(num_classes) & (all_scores > object_mask_thr)
    if candidates is None:
        scores, labels, keep = all_scores, all_labels, all_keep
    else:  # the candidate slots (B, N); the others make no segment
        scores, labels, keep = (t.index_select(1, candidates)
                                for t in (all_scores, all_labels, all_keep))
    batch, num_queries, height, width = mask_logits.shape
    mask_probs = mask_logits.sigmoid()  # (B, N, H, W)
    # kept queries compete by score * mask prob (>= 0); the others never win
    weighted = torch.where(keep[..., None, None],
                           scores[..., None, None] * mask_probs,
                           mask_probs.new_full((), -1.))
    winner = weighted.argmax(1)  # (B, H, W), first max among equals
    own = mask_probs >= 0.5  # (B, N, H, W)
    own_area = own.sum((2, 3))  # (B, N)
    # pixels won, and won inside the winner's own mask, counted per query
    # by scattering (no (B, N, H, W) one-hot of the winners)
    flat_winner = winner.flatten(1)  # (B, H*W)
    winner_own = own.gather(1, winner[:, None]).squeeze(1)  # (B, H, W)
    counts = own_area.new_zeros(batch, num_queries)
    won_area = counts.scatter_add(1, flat_winner,
                                  torch.ones_like(flat_winner))
    segment_area = counts.scatter_add(1, flat_winner,
                                      winner_own.flatten(1).long())
    # the ratio in float64, as panoptic_inference's Python division
    enough = (won_area.double() / own_area.clamp(min=1).double()
              >= overlap_thr)
    is_segment = (keep & (won_area > 0) & (own_area > 0) &
                  (segment_area > 0) & enough)  # (B, N)
    is_thing = labels < num_things
    # things numbered 1, 2, ... in query order; stuff of one class merges
    instance_ids = torch.cumsum((is_segment & is_thing).long(), 1)
    values = torch.where(is_thing, labels + instance_ids * INSTANCE_OFFSET,
                         labels)
    segment_ids = torch.where(is_segment, values,
                              torch.full_like(values, -1)).int()
    # each pixel takes its winner's value where the winner's own mask is
    winner_value = segment_ids.gather(1, flat_winner).view(batch, height,
                                                           width)
    panoptic = torch.where(winner_own & (winner_value >= 0), winner_value,
                           torch.full_like(winner_value, num_classes))
    if candidates is not None:  # back to all Q slots
        segment_ids = torch.full_like(all_labels, -1).int().index_copy(
            1, candidates, segment_ids)
    return dict(panoptic=panoptic, segment_ids=segment_ids,
                labels=all_labels, scores=all_scores,
                is_thing=all_labels < num_things)


def masks_to_boxes(masks: Tensor) -> Tensor:
    """(..., H, W) bool -> (..., 4) float32 tight xyxy boxes (x2, y2
    exclusive), zeros for empty masks: mmdet's ``mask2bbox``."""
    height, width = masks.shape[-2:]
    boxes = []
    for any_along, size in ((masks.any(-2), width), (masks.any(-1), height)):
        index = torch.arange(size, device=masks.device)
        first = torch.where(any_along, index, size).amin(-1)
        last = torch.where(any_along, index, -1).amax(-1) + 1
        boxes.append((first, last))
    (x1, x2), (y1, y2) = boxes
    box = torch.stack([x1, y1, x2, y2], -1).float()
    return torch.where(masks.flatten(-2).any(-1)[..., None], box,
                       torch.zeros_like(box))


def instance_batched(class_logits: Tensor, mask_logits: Tensor,
                     num_things: int, max_per_image: int = 100
                     ) -> Dict[str, Tensor]:
    """Instances of a batch, as :func:`instance_inference` per image but
    sorted by class probability and with the non-thing pairs flagged
    instead of dropped.

    Args:
        class_logits: (B, Q, K+1).
        mask_logits: (B, Q, H, W) at the output size.
        num_things, max_per_image: as :func:`instance_inference`.

    Returns:
        per pair slot, N = min(max_per_image, Q*K): ``scores`` (B, N)
        (class prob * mean mask prob over the foreground), ``labels`` (B, N)
        int64, ``masks`` (B, N, H, W) bool, ``bboxes`` (B, N, 4) xyxy,
        ``valid`` (B, N) bool, False for the pairs of stuff classes, which
        :func:`instance_inference` drops, and ``queries`` (B, N) int64, the
        query slot of each pair.
    """
    num_queries, num_k1 = class_logits.shape[1:]
    num_classes = num_k1 - 1
    height, width = mask_logits.shape[-2:]
    probs = class_logits.softmax(-1)[..., :-1].flatten(1)  # (B, Q*K)
    top_scores, top_idx = probs.topk(min(max_per_image, probs.shape[1]), 1)
    labels = top_idx % num_classes
    queries = torch.div(top_idx, num_classes, rounding_mode='floor')
    logits = mask_logits.gather(
        1, queries[..., None, None].expand(-1, -1, height, width))
    masks = logits > 0  # (B, N, H, W)
    fg = masks.flatten(2).to(logits.dtype)
    mask_scores = (logits.sigmoid().flatten(2) * fg).sum(2) / (fg.sum(2) +
                                                             1e-6)
    return dict(scores=top_scores * mask_scores, labels=labels, masks=masks,
                bboxes=masks_to_boxes(masks), valid=labels < num_things,
                queries=queries)


def semantic_batched(class_logits: Tensor,
                     mask_logits: Tensor) -> Dict[str, Tensor]:
    """``sem_seg`` (B, H, W) int64 label maps and ``seg_logits`` (B, K, H,
    W) class scores, as :func:`semantic_inference`."""
    seg_logits = semantic_inference(class_logits, mask_logits)
    return dict(sem_seg=seg_logits.argmax(1), seg_logits=seg_logits)
