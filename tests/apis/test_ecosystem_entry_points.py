"""mmdet's and mmseg's own entry points on our configs: DetInferencer,
init_detector + inference_detector, MMSegInferencer, init_model +
inference_model. Each gives the model's own prediction (the config's test
pipeline, then predict)."""
import os.path as osp
import warnings

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope, init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_{}.py')


@pytest.fixture(scope='module')
def image(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene'))
    generate(root, dict(val=1), size=128)
    return osp.join(root, 'images', 'val', '000001.jpg')


def _config_and_weights(task, tmp_path):
    """The quickstart config (test thresholds that keep segments of an
    untrained model) and a checkpoint of random weights."""
    cfg = Config.fromfile(QUICKSTART.format(task))
    if task == 'panoptic':
        cfg.model.test_cfg.update(object_mask_thr=0.0, overlap_thr=0.0)
    init_default_scope('m2f_mm')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    head = model.head if task == 'panoptic' else model.decode_head.head
    with torch.no_grad():
        head.class_head.bias[-1] = -10  # no-object unlikely
    path = str(tmp_path / 'weights.pth')
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    model.eval()
    return cfg, path, model


def _reference(cfg, model, image):
    scope = cfg.test_dataloader.dataset.get('_scope_', 'm2f_mm')
    steps = [s for s in cfg.test_dataloader.dataset.pipeline
             if 'Annotations' not in s['type']]
    with DefaultScope.overwrite_default_scope(scope):
        data = Compose(steps)(dict(img_path=image, img_id=0))
    with torch.no_grad():
        return model.test_step(pseudo_collate([data]))[0]


def test_mmdet_entry_points_give_the_models_prediction(image, tmp_path):
    from mmdet.apis import DetInferencer, inference_detector, init_detector
    cfg, weights, model = _config_and_weights('panoptic', tmp_path)
    ref = _reference(cfg, model, image).pred_panoptic_seg.sem_seg
    assert len(ref.unique()) > 1
    # a weights-only checkpoint has no class names: mmdet's inferencer and
    # loader say they take COCO's (the loader also sets a process-wide
    # 'once' warning filter, kept inside these blocks)
    with warnings.catch_warnings(record=True) as caught:
        inferencer = DetInferencer(model=cfg, weights=weights, device='cpu')
    assert any('class names are not saved' in str(w.message) for w in caught)
    found = inferencer(image, no_save_vis=True, return_datasamples=True)
    assert torch.equal(found['predictions'][0].pred_panoptic_seg.sem_seg, ref)
    with warnings.catch_warnings(record=True) as caught:
        detector = init_detector(cfg, weights, device='cpu')
    assert any('class names are not saved' in str(w.message) for w in caught)
    result = inference_detector(detector, image)
    assert torch.equal(result.pred_panoptic_seg.sem_seg, ref)


def test_mmseg_entry_points_give_the_models_prediction(image, tmp_path):
    from mmseg.apis import MMSegInferencer, inference_model, init_model
    cfg, weights, model = _config_and_weights('semantic', tmp_path)
    ref = _reference(cfg, model, image).seg_logits.data  # (K, H, W) scores
    assert ref.shape == (8, 128, 128) and ref.std() > 0
    # no class names saved: mmseg's inferencer takes Cityscapes'; its loader
    # finds none of its datasets with 8 classes and takes Cityscapes' too
    # (its 'once' filter kept inside the block)
    with warnings.catch_warnings(record=True) as caught:
        inferencer = MMSegInferencer(model=cfg, weights=weights, device='cpu')
    assert any('use classes of Cityscapes' in str(w.message) for w in caught)
    found = inferencer(image, return_datasamples=True)
    assert torch.equal(found.seg_logits.data, ref)
    with warnings.catch_warnings(record=True) as caught:
        segmentor = init_model(cfg, weights, device='cpu')
    messages = ' '.join(str(w.message) for w in caught)
    assert 'class names are not saved' in messages
    assert 'No suitable dataset found, use Cityscapes' in messages
    result = inference_model(segmentor, image)
    assert torch.equal(result.seg_logits.data, ref)
