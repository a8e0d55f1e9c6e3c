"""mmseg's sliding-window inference (test_cfg mode='slide') of our semantic
face: each window is predicted at its own size (mmseg sets the window's
img_shape; the whole image's pad_shape would misplace it), and the
exported graph computes the same windows inside."""
import numpy as np
import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmseg.structures import SegDataSample

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel
from m2f_mm.testing.tools import REPO_ROOT

SEMANTIC = f'{REPO_ROOT}/configs/quickstart/m2f_r18_shapes_semantic.py'
CROP, STRIDE = (64, 64), (42, 42)


@pytest.fixture(scope='module')
def model():
    cfg = Config.fromfile(SEMANTIC)
    cfg.model.test_cfg = dict(mode='slide', crop_size=CROP, stride=STRIDE)
    torch.manual_seed(0)
    return init_model(cfg)[0]


def _predict(model, image: np.ndarray, mode: str):
    """mmseg predict of one (H, W, 3) uint8 image in ``mode``."""
    height, width = image.shape[:2]
    sample = SegDataSample(metainfo=dict(img_shape=(height, width),
                                         ori_shape=(height, width)))
    data = model.data_preprocessor(dict(
        inputs=[torch.from_numpy(image).permute(2, 0, 1).contiguous()],
        data_samples=[sample]), False)
    saved = model.test_cfg
    model.test_cfg = ConfigDict(mode=mode, crop_size=CROP, stride=STRIDE) \
        if mode == 'slide' else ConfigDict(mode='whole')
    try:
        with torch.no_grad():
            return model.predict(data['inputs'],
                                 data['data_samples'])[0].seg_logits.data
    finally:
        model.test_cfg = saved


def test_slide_windows_are_predicted_at_their_own_size(model):
    rng = np.random.RandomState(0)
    # one window as large as the image: slide is whole-image inference
    image = rng.randint(0, 256, (64, 64, 3)).astype(np.uint8)
    torch.testing.assert_close(_predict(model, image, 'slide'),
                               _predict(model, image, 'whole'), rtol=0,
                               atol=1e-6)
    # 64 x 128 (windows at x = 0, 42, 64): columns 0-41 are covered by the
    # first window alone and equal that window predicted as an image
    image = rng.randint(0, 256, (64, 128, 3)).astype(np.uint8)
    slide = _predict(model, image, 'slide')  # (K, 64, 128)
    first = _predict(model, np.ascontiguousarray(image[:, :64]), 'whole')
    torch.testing.assert_close(slide[:, :, :42], first[:, :, :42], rtol=0,
                               atol=1e-6)
    assert not torch.allclose(slide[:, :, 42:64], first[:, :, 42:64])


@pytest.mark.parametrize('shape', [(100, 150), (50, 70), (64, 64)])
def test_deploy_graph_slides_as_mmseg(model, shape):
    """The graph's windows (all in one batch, overlaps averaged by
    index_add) give mmseg's slide_inference scores within 1e-5 and the same
    labels; images smaller than a window on a side take one window of the
    image's size there, as mmseg."""
    image = np.random.RandomState(sum(shape)).randint(
        0, 256, (*shape, 3)).astype(np.uint8)
    deploy = DeployModel(model, 'semantic')
    assert deploy.slide == (CROP, STRIDE)
    with torch.no_grad():
        sem_seg, seg_logits, class_logits, _ = deploy(
            torch.from_numpy(image[None]))
    expected = _predict(model, image, 'slide')
    torch.testing.assert_close(seg_logits[0], expected, rtol=0, atol=1e-5)
    assert torch.equal(sem_seg[0], expected.argmax(0))
    pad = [-(-side // 32) * 32 for side in shape]  # the size divisor, 32
    windows = np.prod([max(p - c + s - 1, 0) // s + 1
                       for p, c, s in zip(pad, CROP, STRIDE)])
    assert class_logits.shape[0] == windows
