"""Test-time augmentation merged per query: one identity view gives the
model's own outputs, one flipped view gives the outputs on the flipped image
flipped back, on both faces; and the pure pieces (un-flipping, merging)."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope, init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.models.segmentors.m2f_tta_model import merge_views, unflip
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_{}.py')


def test_unflip_undoes_each_direction():
    maps = torch.arange(24.).reshape(2, 3, 4)
    assert torch.equal(unflip(maps, dict(flip=False)), maps)
    assert torch.equal(unflip(maps, dict(flip=True, flip_direction='horizontal')),
                       maps.flip(-1))
    assert torch.equal(unflip(maps, dict(flip=True, flip_direction='vertical')),
                       maps.flip(-2))
    assert torch.equal(unflip(maps, dict(flip=True, flip_direction='diagonal')),
                       maps.flip(-1).flip(-2))
    with pytest.raises(ValueError, match="'sideways'"):
        unflip(maps, dict(flip=True, flip_direction='sideways'))


def test_merge_views_averages_probabilities_and_mask_logits():
    c1, c2 = torch.randn(4, 6), torch.randn(4, 6)
    m1, m2 = torch.randn(4, 5, 5), torch.randn(4, 5, 5)
    class_logits, mask_logits = merge_views([(c1, m1), (c2, m2)])
    assert torch.allclose(class_logits.softmax(-1),
                          (c1.softmax(-1) + c2.softmax(-1)) / 2, atol=1e-6)
    assert torch.allclose(mask_logits, (m1 + m2) / 2)
    single, _ = merge_views([(c1, m1)])
    assert torch.allclose(single.softmax(-1), c1.softmax(-1), atol=1e-6)


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene')) + '/'
    generate(root, dict(val=1))
    return root


def _item(task, root):
    from m2f_mm.datasets import CLASSES, STUFF_CLASSES, THING_CLASSES
    from mmdet.datasets import CocoPanopticDataset
    init_default_scope('m2f_mm')
    info = CocoPanopticDataset(
        data_root=root, ann_file='annotations/panoptic_val.json',
        data_prefix=dict(img='images/val/', seg='annotations/panoptic_val/'),
        metainfo=dict(classes=CLASSES, thing_classes=THING_CLASSES,
                      stuff_classes=STUFF_CLASSES),
        pipeline=[], test_mode=True).get_data_info(0)
    if task == 'semantic':
        return dict(img_path=info['img_path'], seg_fields=[],
                    reduce_zero_label=False,
                    seg_map_path=osp.join(root, 'annotations/semantic_val',
                                          osp.basename(info['seg_map_path'])))
    return info


def _models(task):
    cfg = Config.fromfile(QUICKSTART.format(task))
    init_default_scope('m2f_mm')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    tta = MODELS.build(dict(cfg.tta_model, module=cfg.model))
    tta.module.load_state_dict(model.state_dict())
    tta.eval()
    return cfg, model, tta


def _tta_views(cfg, item, flips):
    """The config's tta_pipeline with one scale (the scene's own size) and
    the flip probabilities in ``flips`` (0.: the plain view, 1.: the
    flipped one)."""
    pipeline = copy.deepcopy(cfg.tta_pipeline)
    tta = pipeline[1]
    tta.transforms[0] = [t for t in tta.transforms[0] if t.scale[1] == 128]
    tta.transforms[1] = [t for t in tta.transforms[1] if t.prob in flips]
    with DefaultScope.overwrite_default_scope(_scope(cfg)):
        return pseudo_collate([Compose(pipeline)(copy.deepcopy(item))])


def _scope(cfg):
    """The scope the config's test dataset builds its transforms in."""
    return cfg.test_dataloader.dataset.get('_scope_', 'm2f_mm')


def _plain(cfg, model, item, flip):
    pipeline = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    if flip:
        pipeline.insert(-1, dict(type='RandomFlip', prob=1.))
    with DefaultScope.overwrite_default_scope(_scope(cfg)):
        data = Compose(pipeline)(copy.deepcopy(item))
    return model.test_step(pseudo_collate([data]))[0]


def _one_view(task, scene, flip: float):
    """The TTA model's output on one view of the scene (flipped or not),
    and the plain model's on the same view."""
    cfg, model, tta = _models(task)
    item = _item(task, scene)
    with torch.no_grad():
        merged = tta.test_step(_tta_views(cfg, item, flips=(flip, )))[0]
        plain = _plain(cfg, model, item, flip=bool(flip))
    return merged, plain


@pytest.mark.parametrize('task', ['panoptic', 'semantic'])
def test_one_view_gives_the_models_outputs(task, scene):
    merged, plain = _one_view(task, scene, 0.)
    assert torch.allclose(merged.seg_logits.data, plain.seg_logits.data,
                          atol=1e-5)
    if task == 'panoptic':
        assert torch.equal(merged.pred_panoptic_seg.sem_seg,
                           plain.pred_panoptic_seg.sem_seg)
        assert torch.allclose(merged.pred_instances.scores,
                              plain.pred_instances.scores, atol=1e-5)


@pytest.mark.parametrize('task', ['panoptic', 'semantic'])
def test_a_flipped_view_is_flipped_back(task, scene):
    merged, flipped = _one_view(task, scene, 1.)
    scores = flipped.seg_logits.data
    assert not torch.allclose(scores, scores.flip(-1), atol=1e-3)
    # mmseg's EncoderDecoder flips its own outputs back; M2FDetector, as
    # mmdet's detectors, leaves them in the view's orientation
    expected = scores if task == 'semantic' else scores.flip(-1)
    assert torch.allclose(merged.seg_logits.data, expected, atol=1e-5)
    if task == 'panoptic':
        assert torch.equal(merged.pred_panoptic_seg.sem_seg,
                           flipped.pred_panoptic_seg.sem_seg.flip(-1))


@pytest.mark.parametrize('task', ['panoptic', 'semantic'])
def test_score_merging_averages_each_views_semantic_scores(task, scene):
    """``semantic_merge='scores'`` (the official semantic TTA): the mean of
    the plain and the flipped-back flipped view's scores; panoptic outputs
    stay those of the merged query set."""
    cfg, model, tta = _models(task)
    tta.semantic_merge = 'scores'
    item = _item(task, scene)
    views = _tta_views(cfg, item, flips=(0., 1.))
    with torch.no_grad():
        merged = tta.test_step(views)[0]
        plain = _plain(cfg, model, item, flip=False).seg_logits.data
        flipped = _plain(cfg, model, item, flip=True).seg_logits.data
    if task == 'panoptic':  # mmdet's side leaves the flipped view flipped
        flipped = flipped.flip(-1)
    assert torch.allclose(merged.seg_logits.data, (plain + flipped) / 2,
                          atol=1e-5)
    tta.semantic_merge = 'query'
    with torch.no_grad():
        by_query = tta.test_step(views)[0]
    assert not torch.allclose(by_query.seg_logits.data,
                              merged.seg_logits.data, atol=1e-4)
    if task == 'panoptic':
        assert torch.equal(by_query.pred_panoptic_seg.sem_seg,
                           merged.pred_panoptic_seg.sem_seg)



def test_segment_merging_pools_the_views_instances(scene):
    """``instance_merge='segments'``: the plain and the flipped-back flipped
    view's instances, duplicates dropped by mask IoU."""
    from m2f_mm.models.postprocess import merge_view_instances
    from m2f_mm.models.postprocess.batched import masks_to_boxes
    cfg, model, tta = _models('panoptic')
    tta.instance_merge = 'segments'
    item = _item('panoptic', scene)
    views = _tta_views(cfg, item, flips=(0., 1.))
    with torch.no_grad():
        merged = tta.test_step(views)[0].pred_instances
        plain = _plain(cfg, model, item, flip=False).pred_instances
        flipped = _plain(cfg, model, item, flip=True).pred_instances
    back = flipped.masks.flip(-1)
    expected = merge_view_instances([
        (plain.scores, plain.labels, plain.masks, plain.bboxes),
        (flipped.scores, flipped.labels, back, masks_to_boxes(back))])
    assert len(plain.scores) > 0 and len(expected[0]) > 0
    assert torch.allclose(merged.scores, expected[0], atol=1e-5)
    assert torch.equal(merged.labels, expected[1])
    assert (merged.masks != expected[2]).float().mean() < 1e-3
