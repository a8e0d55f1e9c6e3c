"""Every configs/mixing/ model (other pixel decoders, necks, mmdet's costs
and losses, mmdet's Mask2Former with our decoder, mmseg's UPerHead with our
neck, backbones from mmseg and mmpretrain) learns: a batch of synthetic
scenes through the config's own training pipeline, the config's optimizer,
and the total loss on that batch falls within a few steps."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.registry import MODELS
from m2f_mm.testing.config_files import load_config_or_skip
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT
MIXING = sorted(glob.glob(osp.join(ROOT, 'configs', 'mixing', '*.py')))
STEPS = 8


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('shapes')) + '/'
    generate(root, dict(train=4, val=1))
    return root


@pytest.mark.timeout(600)
@pytest.mark.parametrize('path', MIXING, ids=osp.basename)
def test_mixing_config_learns_on_synthetic_scenes(path, data_root):
    cfg = load_config_or_skip(path)
    init_default_scope('m2f_mm')
    loader_cfg = cfg.train_dataloader
    loader_cfg.dataset.data_root = data_root
    loader_cfg.num_workers = 0
    loader_cfg.persistent_workers = False
    loader_cfg.batch_size = 2
    loader_cfg.sampler.shuffle = False
    batch = next(iter(Runner.build_dataloader(loader_cfg, seed=0)))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    totals = []
    for _ in range(STEPS):
        torch.manual_seed(1)  # the same sampled points every step
        log_vars = model.train_step(batch, optim_wrapper)
        totals.append(float(torch.as_tensor(log_vars['loss']).detach()))
    assert all(torch.isfinite(torch.tensor(totals)))
    assert totals[-1] < 0.9 * totals[0], totals
