"""Video instance inference (Mask2Former-VIS, arXiv 2112.10764 Sec. 3.3): the
top-scoring (query, class) pairs of the whole clip become tracks, each with
its query's mask tube."""
from typing import Tuple

import torch
from torch import Tensor

from .query_masks import resize_masks


def video_instance_inference(class_logits: Tensor, mask_logits: Tensor,
                             num_things: int, top_k: int = 10,
                             pad_size: Tuple[int, int] = None,
                             img_size: Tuple[int, int] = None,
                             ori_size: Tuple[int, int] = None
                             ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """One clip's tracks.

    The ``top_k`` of queries x classes by class probability (no-object
    dropped) over the whole clip, as the official code and mmdet's
    ``Mask2FormerTrackHead``: a track's score is its class probability, its
    mask on frame t its query's mask logits > 0 there. Pairs of a stuff class
    (``label >= num_things``) are dropped: VIS is things only. Only the kept
    queries' tubes are resized (to the padded input, cropped to the image,
    then to the original frame size).

    Args:
        class_logits: (Q, K+1).
        mask_logits: (Q, T, h, w) at 1/4 of the padded input.
        num_things: classes ``[0, num_things)`` are things.
        top_k: pairs kept before the thing filter (10).
        pad_size, img_size, ori_size: as :func:`resize_masks`; None keeps
            the tubes at (h, w).

    Returns:
        scores (N,), labels (N,), query indices (N,), masks (N, T, H, W)
        bool, best first.
    """
    num_queries, num_k1 = class_logits.shape
    num_classes = num_k1 - 1
    probs = class_logits.softmax(-1)[:, :-1]  # (Q, K)
    scores, top_idx = probs.flatten().topk(min(top_k, probs.numel()))
    labels = top_idx % num_classes
    queries = torch.div(top_idx, num_classes, rounding_mode='floor')
    keep = labels < num_things
    scores, labels, queries = scores[keep], labels[keep], queries[keep]
    tubes = mask_logits[queries]  # (N, T, h, w)
    if pad_size is not None:
        num, frames = tubes.shape[:2]
        tubes = resize_masks(tubes.flatten(0, 1), pad_size, img_size,
                             ori_size)  # (N*T, H, W)
        tubes = tubes.view(num, frames, *tubes.shape[-2:])
    return scores, labels, queries, tubes > 0
