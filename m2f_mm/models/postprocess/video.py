"""Video instance inference (Mask2Former-VIS, arXiv 2112.10764 Sec. 3.3): the
top-scoring (query, class) pairs of the whole clip become tracks, each with
its query's mask tube."""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .query_masks import resize_masks


def top_track_pairs(class_probs: Tensor, num_things: int, top_k: int
                    ) -> Tuple[Tensor, Tensor, Tensor]:
    """The ``top_k`` (query, class) pairs by probability, best first, those
    of a stuff class dropped.

    Args:
        class_probs: (Q, K) without the no-object column.

    Returns:
        scores (N,), labels (N,), query indices (N,).
    """
    num_classes = class_probs.shape[1]
    scores, top_idx = class_probs.flatten().topk(
        min(top_k, class_probs.numel()))
    labels = top_idx % num_classes
    queries = torch.div(top_idx, num_classes, rounding_mode='floor')
    keep = labels < num_things
    return scores[keep], labels[keep], queries[keep]


def link_queries(previous: Tensor, current: Tensor) -> Tensor:
    """Which query of a video window continues each query of the window
    before: the one-to-one assignment of highest total cosine similarity
    between their final query embeddings (as online VIS methods link
    clips, e.g. MinVIS, arXiv 2208.02245).

    Args:
        previous, current: (Q, C) embeddings of two consecutive windows.

    Returns:
        (Q,) ``order``: ``current[order[i]]`` continues ``previous[i]``.
    """
    from scipy.optimize import linear_sum_assignment
    similarity = F.normalize(previous, dim=-1) @ F.normalize(current,
                                                             dim=-1).T
    rows, cols = linear_sum_assignment(-similarity.double().cpu().numpy())
    order = torch.empty(len(rows), dtype=torch.long)
    order[torch.as_tensor(rows)] = torch.as_tensor(cols, dtype=torch.long)
    return order.to(current.device)


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
    scores, labels, queries = top_track_pairs(
        class_logits.softmax(-1)[:, :-1], num_things, top_k)
    tubes = mask_logits[queries]  # (N, T, h, w)
    if pad_size is not None:
        num, frames = tubes.shape[:2]
        tubes = resize_masks(tubes.flatten(0, 1), pad_size, img_size,
                             ori_size)  # (N*T, H, W)
        tubes = tubes.view(num, frames, *tubes.shape[-2:])
    return scores, labels, queries, tubes > 0
