"""The sliding windows' overlap average (m2f_mm.deploy.sliding) against
the plain loop of mmseg's slide_inference, on random scores."""
import pytest
import torch

from m2f_mm.deploy.sliding import (average_windows, cover_index, max_cover,
                                   window_starts)


def _mmseg_loop(scores, rows, cols, span_h, span_w, pad_h, pad_w):
    """mmseg's slide_inference sums: every window padded into the image in
    row-major order, then divided by the count."""
    batch, _, _, classes = scores.shape[:4]
    summed = torch.zeros(batch, classes, pad_h, pad_w, dtype=torch.float64)
    count = torch.zeros(pad_h, pad_w, dtype=torch.float64)
    for i, y in enumerate(rows.tolist()):
        for j, x in enumerate(cols.tolist()):
            summed[..., y:y + span_h, x:x + span_w] += scores[:, i, j]
            count[y:y + span_h, x:x + span_w] += 1
    return summed / count


@pytest.mark.parametrize('size,crop,stride', [
    ((160, 224), (64, 64), (42, 42)),   # a clamped last window per side
    ((96, 128), (64, 48), (64, 16)),    # no overlap down; 4 windows across
    ((50, 70), (64, 64), (42, 42)),     # smaller than a window: one window
    ((1067, 300), (640, 640), (426, 426)),  # ADE20K's crop and stride
])
def test_average_equals_mmseg_loop(size, crop, stride):
    (pad_h, pad_w) = size
    rows, span_h = window_starts(pad_h, crop[0], stride[0])
    cols, span_w = window_starts(pad_w, crop[1], stride[1])
    gen = torch.Generator().manual_seed(0)
    scores = torch.rand(2, len(rows), len(cols), 3, span_h, span_w,
                        generator=gen, dtype=torch.float64)
    got = average_windows(scores, rows, cols, span_h, span_w, pad_h, pad_w,
                          max_cover(crop[0], stride[0]),
                          max_cover(crop[1], stride[1]))
    torch.testing.assert_close(got, _mmseg_loop(scores, rows, cols, span_h,
                                                span_w, pad_h, pad_w),
                               rtol=0, atol=1e-12)


def test_max_cover_bounds_every_layout():
    """No pixel is covered by more windows than max_cover says, for every
    image side up to 3 crops and strides from a quarter crop to a crop."""
    for crop in (16, 23):
        for stride in range(crop // 4, crop + 1):
            cover = max_cover(crop, stride)
            for size in range(1, 3 * crop):
                starts, span = window_starts(size, crop, stride)
                _, _, count = cover_index(starts, span, size, cover)
                assert 1 <= int(count.min()) and int(count.max()) <= cover, (
                    crop, stride, size)
