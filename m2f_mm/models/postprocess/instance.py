"""Instance inference: top-scoring (query, class) pairs with their masks."""
from typing import Tuple

import torch
from mmdet.structures.mask import mask2bbox
from torch import Tensor

from .query_masks import QUERY_CHUNK


def instance_inference(class_logits: Tensor, mask_logits: Tensor,
                       num_things: int, max_per_image: int = 100
                       ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """One image's instances.

    The top ``max_per_image`` of queries x classes by class probability
    (no-object dropped) are kept, restricted to thing classes; each score is
    ``class prob * mean mask prob over the predicted foreground``.

    Args:
        class_logits: (Q, K+1).
        mask_logits: (Q, H, W), or :class:`QueryMasks` (only the selected
            queries are resized).
        num_things: classes ``[0, num_things)`` are things.
        max_per_image: pairs kept before the thing filter (100).

    Returns:
        scores (N,), labels (N,), masks (N, H, W) bool, bboxes (N, 4) xyxy.
    """
    num_queries, num_k1 = class_logits.shape
    num_classes = num_k1 - 1
    probs = class_logits.softmax(-1)[:, :-1]  # (Q, K)
    top_scores, top_idx = probs.flatten().topk(
        min(max_per_image, probs.numel()), sorted=False)
    labels = top_idx % num_classes
    query_idx = torch.div(top_idx, num_classes, rounding_mode='floor')
    is_thing = labels < num_things
    top_scores, labels = top_scores[is_thing], labels[is_thing]
    # a query can hold several of the pairs: its mask, mask score and box
    # are computed once, a few queries at a time (the full-size maps of a
    # chunk stay in cache and the peak memory is the output's)
    queries, pair_query = query_idx[is_thing].unique(return_inverse=True)
    height, width = mask_logits.shape[-2:]
    masks = torch.empty((len(pair_query), height, width), dtype=torch.bool,
                        device=class_logits.device)
    mask_scores = class_logits.new_empty(len(queries))
    bboxes = class_logits.new_empty(len(queries), 4)
    for start in range(0, len(queries), QUERY_CHUNK):
        end = min(start + QUERY_CHUNK, len(queries))
        logits = mask_logits[queries[start:end]]  # (n, H, W)
        fg = logits > 0
        fg_float = fg.flatten(1).to(logits.dtype)
        mask_scores[start:end] = (logits.sigmoid().flatten(1) * fg_float).sum(
            1) / (fg_float.sum(1) + 1e-6)
        bboxes[start:end] = mask2bbox(fg)
        in_chunk = (pair_query >= start) & (pair_query < end)
        masks[in_chunk] = fg[pair_query[in_chunk] - start]
    return (top_scores * mask_scores[pair_query], labels, masks,
            bboxes[pair_query])
