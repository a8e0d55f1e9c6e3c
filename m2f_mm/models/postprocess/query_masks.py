"""One image's mask logits at output resolution, upsampled on demand: only
the queries a task asks for are resized (to the padded input, cropped to the
image, then to the original size), where resizing all of them costs
Q * H * W floats twice (3.4 GB for 100 queries at 2048 x 4096).

Bilinear resizing treats each query's map alone, so resizing a subset gives
the rows that resizing all of them gives, up to float rounding: torch's CPU
kernel splits its loops between vector and scalar code by the tensor's
size and thread count, which moves a value by an ulp or two (~2e-6 on
logits of magnitude 10; never at the 800 x 1216 and 100-query sizes measured
with 2 threads, where the rows are bit-identical; with 1 thread a 3-query
subset's values moved by up to 1.9e-6). A mask decision can then only
change for a logit within that rounding of the threshold.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

#: Queries resized and post-processed together: two full-size maps stay in
#: cache (fastest measured at 800 x 1216: 1 to 4 alike, 16 and more 1.7x
#: slower) and bound the memory at 2048 x 4096.
QUERY_CHUNK = 2


def resize_masks(mask_logits: Tensor, pad_size: Tuple[int, int],
                 img_size: Tuple[int, int],
                 ori_size: Optional[Tuple[int, int]] = None) -> Tensor:
    """(N, h, w) logits at 1/4 of the padded input -> (N, H, W) at the
    original size (``ori_size``) or at the image size (None).

    As mmdet's and the official post-processing: resize to the padded input,
    crop the padding off, resize to the original size (skipped when the two
    sizes are equal: a same-size bilinear resize returns its input).
    """
    img_h, img_w = img_size
    if mask_logits.shape[0] == 0:
        out_h, out_w = ori_size or img_size
        return mask_logits.new_zeros((0, out_h, out_w))
    masks = F.interpolate(mask_logits[None], size=pad_size, mode='bilinear',
                          align_corners=False)[0, :, :img_h, :img_w]
    if ori_size is not None and tuple(ori_size) != (img_h, img_w):
        masks = F.interpolate(masks[None], size=tuple(ori_size),
                              mode='bilinear', align_corners=False)[0]
    return masks  # (N, H, W)


class QueryMasks:
    """Indexable like a (Q, H, W) tensor of full-resolution mask logits;
    indexing with query indices or a boolean query mask resizes only those
    queries; nothing is kept between calls.

    Args:
        mask_logits: (Q, h, w) at 1/4 of the padded input.
        pad_size, img_size, ori_size: as :func:`resize_masks`.
    """

    def __init__(self, mask_logits: Tensor, pad_size: Tuple[int, int],
                 img_size: Tuple[int, int],
                 ori_size: Optional[Tuple[int, int]] = None) -> None:
        self.low_res = mask_logits
        self.sizes = (tuple(pad_size), tuple(img_size),
                      None if ori_size is None else tuple(ori_size))
        out_h, out_w = self.sizes[2] or self.sizes[1]
        self.shape = torch.Size((mask_logits.shape[0], out_h, out_w))
        self.device = mask_logits.device

    def all(self) -> Tensor:
        """(Q, H, W) every query's logits."""
        return resize_masks(self.low_res, *self.sizes)

    def all_probs(self) -> Tensor:
        """(Q, H, W) every query's mask probabilities, the sigmoid taken in
        place where the resized logits are contiguous (one full-size tensor,
        not two; on a cropped view torch's in-place kernel would round
        differently from ``sigmoid()``, so there it is not)."""
        logits = self.all()
        return logits.sigmoid_() if logits.is_contiguous() else logits.sigmoid()

    def __getitem__(self, queries: Tensor) -> Tensor:
        """(N, H, W) logits of the queries selected by a (Q,) bool mask or
        (N,) indices (repeats allowed)."""
        return resize_masks(self.low_res[queries], *self.sizes)
