"""Proof of learning inside the suite: the quickstart model, trained for a
short schedule on freshly generated scenes, reaches a PQ floor on val.

The floor was measured over several seeds (see the issue note) and leaves
margin; PQ at this length comes mostly from stuff, PQ_st is checked too.
"""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT
CONFIG = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')
ITERS = 150
PQ_FLOOR, PQ_STUFF_FLOOR = 25.0, 70.0
SEED = 0


@pytest.mark.timeout(600)
def test_short_training_reaches_pq_floor(tmp_path):
    data_root = str(tmp_path / 'shapes') + '/'
    generate(data_root, dict(train=120, val=24))
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path / 'work')
    for loader in (cfg.train_dataloader, cfg.val_dataloader,
                   cfg.test_dataloader):
        loader.dataset.data_root = data_root
        loader.num_workers = 0
        loader.persistent_workers = False
    cfg.val_evaluator[0].ann_file = data_root + 'annotations/panoptic_val.json'
    cfg.val_evaluator[0].seg_prefix = data_root + 'annotations/panoptic_val/'
    cfg.val_evaluator[1].ann_file = data_root + 'annotations/instances_val.json'
    cfg.train_cfg.max_iters = ITERS
    cfg.train_cfg.val_interval = ITERS
    cfg.param_scheduler[1].milestones = [ITERS]
    cfg.default_hooks.checkpoint.interval = ITERS
    cfg.randomness = dict(seed=SEED)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    print(f"PQ {metrics['coco_panoptic/PQ']:.1f} things "
          f"{metrics['coco_panoptic/PQ_th']:.1f} stuff "
          f"{metrics['coco_panoptic/PQ_st']:.1f}")
    assert metrics['coco_panoptic/PQ'] > PQ_FLOOR
    assert metrics['coco_panoptic/PQ_st'] > PQ_STUFF_FLOOR
