"""mmseg's sliding windows (``test_cfg`` mode 'slide') as pure tensor
functions that export to deterministic standard operators.

The windows' scores are averaged where they overlap by *gathering*, for
every pixel, the windows that cover it (at most :func:`max_cover` per side)
instead of scatter-adding every window into the image: a scatter with
reduction (ONNX ScatterND) is summed in an order ONNX Runtime does not fix,
and one of our runs lost 176 of 208000 sums that way.
"""
import math
from typing import Tuple

import torch
from torch import Tensor


def window_starts(size, crop: int, stride: int,
                  device=None) -> Tuple[Tensor, object]:
    """The first row (or column) of every window along one side, and the
    windows' side, as mmseg: ``y2 = min(y1 + crop, size)``, ``y1 = max(y2 -
    crop, 0)``. ``size`` may be symbolic.

    Returns:
        starts (n,) int64, nondecreasing, and the span ``min(crop, size)``.
    """
    count = (torch.sym_max(size - crop, 0) + stride - 1) // stride + 1
    span = torch.sym_min(crop, size)
    starts = (torch.arange(count, device=device) * stride).clamp(max=size - span)  # (n,)
    return starts, span


def max_cover(crop: int, stride: int) -> int:
    """The most windows that cover one pixel along a side: ``ceil(crop /
    stride)`` on the stride grid, plus the last window, moved back to end at
    the border."""
    return math.ceil(crop / stride) + 1


def cover_index(starts: Tensor, span, size, cover: int):
    """For every pixel along a side, its candidates among the windows that
    cover it: the covering windows are consecutive (equal spans,
    nondecreasing starts), so candidate ``k`` is the first covering window
    plus ``k``.

    Returns:
        index (cover, size): the candidate's row in the windows stacked along
        this side (``window * span + offset``), clamped inside where the
        candidate does not cover the pixel; valid (cover, size), True where
        it does; count (size,), the covering windows.
    """
    pixel = torch.arange(size, device=starts.device)  # (size,)
    covers = (pixel[None] >= starts[:, None]) & (
        pixel[None] < starts[:, None] + span)  # (n, size)
    first = covers.to(torch.int64).argmax(0)  # (size,) first covering window
    count = covers.to(torch.int64).sum(0)  # (size,)
    last = starts.shape[0] - 1
    rank = torch.arange(cover, device=starts.device)[:, None]  # (cover, 1)
    window = (first[None] + rank).clamp(max=last)  # (cover, size)
    offset = (pixel[None] - starts[window]).clamp(0, span - 1)
    return window * span + offset, rank < count[None], count


def average_windows(scores: Tensor, rows: Tensor, cols: Tensor, span_h,
                    span_w, pad_h, pad_w, cover_h: int,
                    cover_w: int) -> Tensor:
    """The windows' scores summed where they overlap and divided by the
    number of windows, as mmseg's ``slide_inference``.

    Args:
        scores: (B, n_h, n_w, K, span_h, span_w), the windows row-major.
        rows, cols: (n_h,), (n_w,) the windows' first row and column.
        span_h, span_w: a window's size.
        pad_h, pad_w: the image's size.
        cover_h, cover_w: :func:`max_cover` of each side.

    Returns:
        (B, K, pad_h, pad_w).
    """
    batch, num_h, num_w, classes = scores.shape[:4]
    row_index, row_valid, row_count = cover_index(rows, span_h, pad_h,
                                                  cover_h)
    col_index, col_valid, col_count = cover_index(cols, span_w, pad_w,
                                                  cover_w)
    row_valid, col_valid = row_valid.to(scores.dtype), col_valid.to(scores.dtype)
    count = (row_count[:, None] * col_count[None, :]).to(scores.dtype)
    # rows first: each column of windows summed down the image
    stacked = scores.permute(0, 2, 3, 1, 4, 5).reshape(
        batch, num_w, classes, num_h * span_h, span_w)
    down = 0
    for k in range(cover_h):
        down = down + stacked.index_select(3, row_index[k]) * \
            row_valid[k][:, None]  # (B, n_w, K, pad_h, span_w)
    stacked = down.permute(0, 2, 3, 1, 4).reshape(
        batch, classes, pad_h, num_w * span_w)
    summed = 0
    for k in range(cover_w):
        summed = summed + stacked.index_select(3, col_index[k]) * \
            col_valid[k]  # (B, K, pad_h, pad_w)
    return summed / count
