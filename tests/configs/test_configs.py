"""Every config under configs/ builds, its model takes one loss step on a tiny
input, and its training and test pipelines run on real files (the synthetic
scenes in COCO panoptic / instance / semantic-PNG form) with everything else
from the config."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import mmdet.datasets  # noqa: F401  (registers what a Runner would import)
import mmseg.datasets  # noqa: F401
import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.registry import MODELS
from m2f_mm.testing.config_files import load_config_or_skip
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)
# image configs only: the video configs' pipelines run on generated videos
# in tests/datasets/test_youtube_vis_json_dataset.py
R50_CONFIGS = [p for p in CONFIGS
               if osp.basename(p).startswith(('m2f_r50_', 'm2f_r18_'))
               and not osp.basename(p).endswith('_vis.py')]
#: the fast tier's share of the zoo: the quickstart configs, one config of
#: each face at full size; the rest (every backbone x dataset, Swin-L at
#: full width, the mixing examples) runs in the full suite.
FAST = ('configs/quickstart/', 'configs/m2f_r50_coco_panoptic.py',
        'configs/m2f_r50_ade20k_semantic.py')


def _tiered(paths):
    """pytest params of ``paths``, those outside :data:`FAST` marked slow."""
    return [p if osp.relpath(p, ROOT).startswith(FAST)
            else pytest.param(p, marks=pytest.mark.slow) for p in paths]


def _load(path):
    cfg = load_config_or_skip(path)
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    return cfg


def _detector_class_counts(model_cfg):
    """(things, stuff) of an mmdet-side model config (ours or mmdet's
    Mask2Former, configs/mixing/), None for an mmseg-side one."""
    if model_cfg.type == 'M2FDetector':
        return model_cfg.num_things_classes, model_cfg.num_stuff_classes
    if model_cfg.type == 'mmdet.Mask2Former':
        head = model_cfg.panoptic_head
        return head.num_things_classes, head.num_stuff_classes
    return None


@pytest.mark.parametrize('path', _tiered(CONFIGS),
                         ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_and_steps(path):
    from m2f_mm.testing.oracle import make_batch
    cfg = _load(path)
    if cfg.model.type == 'M2FVideoSegmentor':
        return _video_config_steps(cfg)
    counts = _detector_class_counts(cfg.model)
    detector = counts is not None
    if detector:  # LSJ pads every batch to 1024 x 1024: too slow for a CPU test
        cfg.model.data_preprocessor.batch_augments = None
        num_classes = sum(counts)
    else:
        num_classes = cfg.model.decode_head.num_classes
    model = MODELS.build(cfg.model)
    model.train()
    if cfg.model.type == 'M2FDetector':
        head = model.head
    elif cfg.model.type == 'mmdet.Mask2Former':  # configs/mixing/
        head = model.panoptic_head
        assert len(head.class_weight) == num_classes + 1
    else:
        head = getattr(model.decode_head, 'head', None)  # None: not ours
    if hasattr(head, 'class_head'):
        assert head.class_head.out_features == num_classes + 1
    if detector:
        inputs, samples = make_batch(model, sizes=((64, 64), ), training=True)
        for s in samples:  # labels of the tiny batch fit any class count
            s.gt_instances.labels %= counts[0]
            s.gt_sem_seg.sem_seg[s.gt_sem_seg.sem_seg < 255] %= num_classes
        losses = model.loss(inputs, samples)
    else:
        from mmengine.structures import PixelData
        from mmseg.structures import SegDataSample
        samples = []
        for _ in range(2):  # BatchNorm on pooled maps needs 2 (UPerHead)
            sample = SegDataSample(metainfo=dict(img_shape=(64, 64),
                                                 pad_shape=(64, 64)))
            label = torch.randint(0, num_classes, (1, 64, 64))
            label[:, :8] = 255
            sample.gt_sem_seg = PixelData(data=label)
            samples.append(sample)
        losses = model.loss(torch.randn(2, 3, 64, 64), samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    # the schedule and data settings are there for the Runner
    assert cfg.train_cfg.max_iters > 0 and cfg.optim_wrapper.optimizer.lr > 0


def _video_config_steps(cfg):
    """A video config's model takes a loss step on a clip of two frames."""
    from m2f_mm.testing.random_batch import random_video_batch
    model = MODELS.build(cfg.model).train()
    things = cfg.model.num_things_classes
    assert model.head.class_head.out_features == things + 1
    inputs, samples = random_video_batch(model, 2, sizes=((64, 64), ),
                                         training=True,
                                         num_things=min(things, 3))
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert cfg.train_cfg.max_iters > 0 and cfg.optim_wrapper.optimizer.lr > 0


def _dataset_meta(cfg):
    """Class names of the config's test dataset: its ``metainfo``, else its
    class's ``METAINFO``."""
    from m2f_mm.datasets import dataset_class
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset:  # wrappers
        dataset = dataset.dataset
    if dataset.get('metainfo'):
        return dataset.metainfo
    return dataset_class(dataset).METAINFO


@pytest.mark.parametrize('path', _tiered(CONFIGS),
                         ids=lambda p: osp.relpath(p, ROOT))
def test_class_counts_come_from_the_dataset(path):
    """The model's class counts are the dataset's (one fact, set in the
    dataset base), and the visualiser is the one of the model's face."""
    cfg = _load(path)
    meta = _dataset_meta(cfg)
    if meta.get('classes') is None:
        pytest.skip('this dataset reads its classes from the annotation file')
    counts = _detector_class_counts(cfg.model)
    if cfg.model.type == 'M2FVideoSegmentor':
        assert cfg.model.num_things_classes == len(meta['classes'])
        assert cfg.visualizer.type == 'mmdet.TrackLocalVisualizer'
    elif counts is not None:
        things = len(meta.get('thing_classes', meta['classes']))
        stuff = len(meta.get('stuff_classes', ()))
        assert counts == (things, stuff)
        assert cfg.visualizer.type == 'mmdet.DetLocalVisualizer'
    else:
        assert cfg.model.decode_head.num_classes == len(meta['classes'])
        assert cfg.visualizer.type == 'mmseg.SegLocalVisualizer'


def test_coco_instance_reports_box_and_mask_ap():
    cfg = _load(osp.join(ROOT, 'configs', 'm2f_r50_coco_instance.py'))
    assert cfg.test_evaluator.metric == ['bbox', 'segm']


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    """A few synthetic scenes and one item per annotation kind."""
    from mmdet.datasets import CocoDataset, CocoPanopticDataset
    from m2f_mm.datasets import CLASSES, STUFF_CLASSES, THING_CLASSES
    root = str(tmp_path_factory.mktemp('scenes'))
    generate(root, dict(val=2), size=128)
    init_default_scope('m2f_mm')
    meta = dict(classes=CLASSES, thing_classes=THING_CLASSES,
                stuff_classes=STUFF_CLASSES)
    panoptic = CocoPanopticDataset(
        data_root=root, ann_file='annotations/panoptic_val.json',
        data_prefix=dict(img='images/val/', seg='annotations/panoptic_val/'),
        metainfo=meta, pipeline=[], test_mode=True).get_data_info(0)
    instance = CocoDataset(
        data_root=root, ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'), metainfo=dict(classes=THING_CLASSES),
        pipeline=[], test_mode=True).get_data_info(0)
    semantic = dict(img_path=panoptic['img_path'],
                    seg_map_path=osp.join(root, 'annotations/semantic_val/',
                                          osp.basename(panoptic['seg_map_path'])),
                    reduce_zero_label=False, seg_fields=[])
    return dict(panoptic=panoptic, instance=instance, semantic=semantic)


def _item_for(pipeline, scenes):
    types = [t['type'].split('.')[-1] for t in pipeline]
    if any(t.endswith('LoadPanopticAnnotations') for t in types):
        return dict(scenes['panoptic'])
    if 'PackSegInputs' in types:
        load = [t for t in pipeline if t['type'].endswith('LoadAnnotations')][0]
        return dict(scenes['semantic'],
                    reduce_zero_label=load.get('reduce_zero_label', False))
    return dict(scenes['instance'])


@pytest.mark.parametrize('path', R50_CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_pipelines_run_on_real_files(path, scenes):
    """(One config per dataset and task: the other backbones share them.)"""
    cfg = _load(path)
    for loader, training in ((cfg.train_dataloader, True),
                             (cfg.test_dataloader, False)):
        dataset = loader.dataset
        while 'pipeline' not in dataset:  # wrappers
            dataset = dataset.dataset
        item = _item_for(dataset.pipeline, scenes)
        if dataset.get('_scope_'):
            init_default_scope(dataset['_scope_'])
        for seed in range(2):
            np.random.seed(seed)
            out = Compose(dataset.pipeline)(copy.deepcopy(item))
            assert out is not None, 'the pipeline dropped the sample'
            inputs, sample = out['inputs'], out['data_samples']
            assert inputs.dtype in (torch.uint8, torch.float32)
            assert inputs.shape[0] == 3 and inputs.shape[1] >= 32
            if training and 'crop_size' in str(dataset.pipeline):
                crop = [t for t in dataset.pipeline if 'crop_size' in t][0]
                h, w = crop['crop_size']
                if 'PackDetInputs' in str(dataset.pipeline):
                    w, h = crop['crop_size']  # mmdet's RandomCrop: (w, h)
                assert inputs.shape[1] <= h and inputs.shape[2] <= w
            if 'gt_sem_seg' in sample:
                seg = (sample.gt_sem_seg.data if 'data' in sample.gt_sem_seg
                       else sample.gt_sem_seg.sem_seg)
                assert seg.shape[-2:] == inputs.shape[-2:] or not training
        init_default_scope('m2f_mm')


@pytest.mark.parametrize('path', [p for p in R50_CONFIGS
                                  if Config.fromfile(p).get('tta_pipeline')],
                         ids=lambda p: osp.relpath(p, ROOT))
def test_tta_pipelines_give_every_scale_and_flip(path, scenes):
    """``tools/test.py --tta``'s views: one per scale and flip, each with
    the flag M2FTTAModel undoes, the short side at the scale asked."""
    cfg = _load(path)
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset:
        dataset = dataset.dataset
    if dataset.get('_scope_'):
        init_default_scope(dataset['_scope_'])
    item = _item_for([t for group in cfg.tta_pipeline[1].transforms
                      for t in group], scenes)
    out = Compose(cfg.tta_pipeline)(copy.deepcopy(item))
    init_default_scope('m2f_mm')
    sides = cfg.tta_short_sides
    assert len(out['inputs']) == len(sides) * 2
    flips = [s.metainfo['flip'] for s in out['data_samples']]
    assert sorted(flips) == [False] * len(sides) + [True] * len(sides)
    short = sorted({min(i.shape[-2:]) for i in out['inputs']})
    assert short == sorted(sides)  # the square scenes: short side = scale


@pytest.mark.parametrize('path', _tiered(CONFIGS),
                         ids=lambda p: osp.relpath(p, ROOT))
def test_test_pipeline_builds_from_any_default_scope(path):
    """mmdet's init_detector / inference_detector and mmseg's init_model /
    inference_model build ``test_pipeline`` in whatever scope is current;
    each step names its own, and the test loader uses the same steps."""
    cfg = _load(path)
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset:
        dataset = dataset.dataset
    assert [s['type'] for s in cfg.test_pipeline] == [
        s['type'] for s in dataset.pipeline]
    for scope in ('m2f_mm', 'mmdet', 'mmseg'):
        init_default_scope(scope)
        Compose(cfg.test_pipeline)
    init_default_scope('m2f_mm')
