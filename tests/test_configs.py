"""Every config under configs/ builds, and its model takes one loss step on a
tiny input with everything else from the config."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_and_steps(path):
    from oracle import make_batch
    cfg = Config.fromfile(path)
    # LSJ pads every batch to 1024 x 1024: too slow for a CPU test
    cfg.model.data_preprocessor.batch_augments = None
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    model = MODELS.build(cfg.model)
    model.train()
    num_classes = cfg.model.num_things_classes + cfg.model.num_stuff_classes
    assert model.head.class_head.out_features == num_classes + 1
    inputs, samples = make_batch(model, sizes=((64, 64), ), training=True)
    for s in samples:  # labels of the tiny batch fit any class count
        s.gt_instances.labels %= cfg.model.num_things_classes
        s.gt_sem_seg.sem_seg[s.gt_sem_seg.sem_seg < 255] %= num_classes
    losses = model.loss(inputs, samples)
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    # the schedule and data settings are there for the Runner
    assert cfg.train_cfg.max_iters > 0 and cfg.optim_wrapper.optimizer.lr > 0
