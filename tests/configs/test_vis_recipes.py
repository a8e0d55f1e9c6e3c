"""Our YouTube-VIS configs against mmdet's Mask2Former-VIS configs (from
mmdet's package), parameter by parameter: every parameter's learning rate
and weight decay, the learning rate of every iteration, and what the
training and test loaders feed the model (dataset, frames a clip, pipeline,
batch and sampling)."""
import os.path as osp

import mmdet
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope

from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

MMDET_VIS = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs',
                     'mask2former_vis')
PAIRS = [
    ('m2f_r50_ytvis19_vis.py', 'mask2former_r50_8xb2-8e_youtubevis2019.py'),
    ('m2f_r50_ytvis21_vis.py', 'mask2former_r50_8xb2-8e_youtubevis2021.py'),
    ('m2f_r101_ytvis19_vis.py', 'mask2former_r101_8xb2-8e_youtubevis2019.py'),
    ('m2f_r101_ytvis21_vis.py', 'mask2former_r101_8xb2-8e_youtubevis2021.py'),
    ('m2f_swinl_ytvis21_vis.py',
     'mask2former_swin-l-p4-w12-384-in21k_8xb2-8e_youtubevis2021.py'),
]


def _configs(ours, theirs):
    return (Config.fromfile(osp.join(REPO_ROOT, 'configs', ours)),
            Config.fromfile(osp.join(MMDET_VIS, theirs)))


def _lr_and_decay(model, optim_cfg, rename=lambda n: n):
    optimizer = build_optim_wrapper(model, optim_cfg).optimizer
    by_id = {id(p): name for name, p in model.named_parameters()}
    return {rename(by_id[id(p)]): (group['lr'], group['weight_decay'])
            for group in optimizer.param_groups for p in group['params']}


def _ours(name):
    return next(iter(convert_mmdet_state_dict({name: None})))


@pytest.mark.parametrize('ours,theirs', [
    pytest.param(*PAIRS[0]),
    pytest.param(*PAIRS[4], marks=pytest.mark.slow),  # Swin-L at full width
], ids=lambda v: v if v.startswith('m2f') else '')
def test_every_parameters_lr_and_decay_equal_mmdets(ours, theirs):
    cfg, ref_cfg = _configs(ours, theirs)
    cfg.model.backbone.init_cfg = None
    ref_cfg.model.backbone.init_cfg = None
    ref_cfg.model.init_cfg = None
    init_default_scope('mmdet')
    from mmdet.registry import MODELS as MMDET_MODELS
    ref = MMDET_MODELS.build(ref_cfg.model)
    expected = _lr_and_decay(ref, ref_cfg.optim_wrapper, _ours)
    init_default_scope('m2f_mm')
    got = _lr_and_decay(MODELS.build(cfg.model), cfg.optim_wrapper)
    assert got.keys() == expected.keys()
    wrong = {k: (got[k], expected[k]) for k in got
             if got[k] != pytest.approx(expected[k])}
    assert not wrong, wrong


@pytest.mark.parametrize('ours,theirs', PAIRS,
                         ids=lambda v: v if v.startswith('m2f') else '')
def test_schedule_and_data_equal_mmdets(ours, theirs):
    cfg, ref_cfg = _configs(ours, theirs)
    assert cfg.train_cfg.max_iters == ref_cfg.train_cfg.max_iters
    # the learning rate of every iteration
    rates = []
    for config in (cfg, ref_cfg):
        optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)],
                                      lr=config.optim_wrapper.optimizer.lr)
        schedulers = config.param_scheduler
        schedulers = schedulers if isinstance(schedulers, list) else [
            schedulers]
        built = [PARAM_SCHEDULERS.build(dict(s, optimizer=optimizer))
                 for s in schedulers]
        lr = []
        for _ in range(config.train_cfg.max_iters):
            lr.append(optimizer.param_groups[0]['lr'])
            for scheduler in built:
                scheduler.step()
        rates.append(lr)
    assert rates[0] == pytest.approx(rates[1], rel=1e-12)
    assert cfg.optim_wrapper.clip_grad == ref_cfg.optim_wrapper.clip_grad
    # what the loaders feed the model: the same dataset and files, the same
    # transforms in the same order with the same settings, batches, sampling
    for loader in ('train_dataloader', 'test_dataloader'):
        ours_loader, ref_loader = cfg[loader], ref_cfg[loader]
        assert ours_loader.batch_size == ref_loader.batch_size
        assert ours_loader.sampler == ref_loader.sampler
        assert _unscoped(ours_loader.get('batch_sampler')) == _unscoped(
            ref_loader.get('batch_sampler'))
        data, ref_data = ours_loader.dataset, ref_loader.dataset
        for key in ('type', 'data_root', 'dataset_version', 'ann_file',
                    'data_prefix', 'test_mode'):
            assert _unscoped(data.get(key)) == _unscoped(ref_data.get(key)), key
        assert _unscoped(data.pipeline) == _unscoped(ref_data.pipeline)
    assert cfg.model.num_things_classes == ref_cfg.model.track_head.num_classes
    assert cfg.model.head.num_queries == ref_cfg.model.track_head.num_queries
    assert cfg.model.top_k == 10  # mmdet's predict_by_feat keeps 10


def _unscoped(node):
    """A config value without scope prefixes, ``_scope_`` keys and keys set
    to None (a transform's default: mmdet's configs spell out
    ``backend_args=None``)."""
    if isinstance(node, dict):
        return {k: _unscoped(v) for k, v in node.items()
                if k != '_scope_' and v is not None}
    if isinstance(node, (list, tuple)):
        return [_unscoped(v) for v in node]
    if isinstance(node, str) and node.startswith('mmdet.'):
        return node[len('mmdet.'):]
    return node
