"""The sliding windows' overlap average (m2f_mm.deploy.sliding) against
the plain loop of mmseg's slide_inference, on random scores; and a slide
model's exported file against mmseg's slide_inference."""
import os.path as osp

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from mmengine.config import Config

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel, export_onnx, output_names
from m2f_mm.deploy.sliding import (average_windows, cover_index, max_cover,
                                   window_starts)
from m2f_mm.testing.tools import REPO_ROOT


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


@pytest.mark.slow  # exports a file (full suite)
def test_slide_mode_runs_inside_the_graph(tmp_path):
    """A semantic model whose test_cfg slides (mmseg's mode='slide'): the
    exported file (dynamic sizes) computes the windows itself and gives
    mmseg's slide_inference scores within 1e-5 and its labels, at sizes
    other than the traced one, smaller than a window on a side included;
    run three times, as the overlaps are averaged by gathers (no scatter
    whose sum order the runtime chooses: m2f_mm/deploy/sliding.py)."""
    from mmengine.config import ConfigDict
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'quickstart',
                                   'm2f_r18_shapes_semantic.py'))
    cfg.model.test_cfg = ConfigDict(mode='slide', crop_size=(64, 64),
                                    stride=(42, 42))
    torch.manual_seed(0)
    model, _, _ = init_model(cfg)
    path = export_onnx(DeployModel(model, 'semantic'),
                       str(tmp_path / 'slide.onnx'), (100, 150))
    assert not {'ScatterND', 'ScatterElements'} & {
        node.op_type for node in onnx.load(path).graph.node}
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    rng = np.random.RandomState(3)
    for shape in ((50, 70), (130, 200)):
        image = rng.randint(0, 256, (1, *shape, 3)).astype(np.uint8)
        sample = SegDataSample(metainfo=dict(img_shape=shape,
                                             ori_shape=shape))
        data = model.data_preprocessor(dict(
            inputs=[torch.from_numpy(image[0]).permute(2, 0, 1).contiguous()],
            data_samples=[sample]), False)
        with torch.no_grad():
            expected = model.predict(data['inputs'], data['data_samples'])[0]
        for _ in range(3):
            out = dict(zip(output_names('semantic'),
                           session.run(None, {'images': image})))
            np.testing.assert_allclose(out['seg_logits'][0],
                                       expected.seg_logits.data.numpy(),
                                       rtol=0, atol=1e-5)
            assert np.array_equal(out['sem_seg'][0],
                                  expected.pred_sem_seg.data[0].numpy())
