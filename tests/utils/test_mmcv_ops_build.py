"""mmcv's compiled CPU ops that m2f_mm and mmdet's import path use, from
the wheel tools/setup.sh builds (-O1, no debug information), against the
outputs of mmcv 2.1.0 built with Python's default flags (-g -O3), saved in
tests/utils/data/mmcv_ops_default_build.npz by ``python
tests/utils/test_mmcv_ops_build.py --save`` on that build."""
import os.path as osp
import sys

import numpy as np
import torch

REFERENCE = osp.join(osp.dirname(__file__), 'data',
                     'mmcv_ops_default_build.npz')


def op_outputs() -> dict:
    """{name: array} of the ops on fixed inputs."""
    from mmcv.ops import (batched_nms, box_iou_rotated, deform_conv2d, nms,
                          nms_match, roi_align)
    gen = torch.Generator().manual_seed(0)
    out = {}
    xy = torch.rand(200, 2, generator=gen) * 60
    wh = torch.rand(200, 2, generator=gen) * 30 + 2
    boxes = torch.cat([xy, xy + wh], 1)
    scores = torch.rand(200, generator=gen)
    dets, keep = nms(boxes, scores, 0.5)
    out['nms_keep'], out['nms_dets'] = keep.numpy(), dets.numpy()
    labels = torch.randint(0, 5, (200,), generator=gen)
    dets, keep = batched_nms(boxes, scores, labels, dict(iou_threshold=0.6))
    out['batched_nms_keep'] = keep.numpy()
    groups = nms_match(torch.cat([boxes, scores[:, None]], 1), 0.5)
    out['nms_match'] = np.concatenate([np.asarray(g) for g in groups])
    features = torch.randn(2, 8, 32, 32, generator=gen)
    rois = torch.cat([torch.randint(0, 2, (16, 1), generator=gen).float(),
                      boxes[:16] / 2], 1)
    out['roi_align'] = roi_align(features, rois, (7, 7), 0.5, 2, 'avg',
                                 True).numpy()
    weight = torch.randn(4, 8, 3, 3, generator=gen)
    offset = torch.randn(2, 18, 32, 32, generator=gen)
    out['deform_conv2d'] = deform_conv2d(features, offset, weight, 1,
                                         1).numpy()
    rotated = torch.cat([xy[:40], wh[:40], torch.rand(40, 1, generator=gen)],
                        1)  # (cx, cy, w, h, angle)
    out['box_iou_rotated'] = box_iou_rotated(rotated[:20],
                                             rotated[20:]).numpy()
    # (roi_pool, masked_conv2d and sigmoid_focal_loss have no CPU
    # implementation in mmcv 2.1.0)
    return out


def test_compiled_ops_give_the_default_builds_results():
    expected = np.load(REFERENCE)
    got = op_outputs()
    assert sorted(got) == sorted(expected.files)
    for name, value in got.items():
        if value.dtype.kind in 'iu':  # indices: identical
            np.testing.assert_array_equal(value, expected[name], name)
        else:
            np.testing.assert_allclose(value, expected[name], rtol=1e-5,
                                       atol=1e-5, err_msg=name)


if __name__ == '__main__' and sys.argv[1:] == ['--save']:
    np.savez_compressed(REFERENCE, **op_outputs())
    print(f'wrote {REFERENCE}')
