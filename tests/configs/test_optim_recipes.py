"""The optimiser our configs build gives every parameter the learning rate
and weight decay that mmdet's (COCO R50 panoptic) and mmseg's (ADE20K R50)
Mask2Former configs give the same parameter (names through our converter):
backbone lr x0.1, no decay on queries, the transformer decoder's level
embedding and norms; the pixel decoder's level embedding keeps its decay."""
import os.path as osp

import mmdet
import mmseg
import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.testing.mmdet_twin import build_mmdet_twin
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
MMDET_CFG = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs',
                     'mask2former', 'mask2former_r50_8xb2-lsj-50e_coco-panoptic.py')
MMSEG_CFG = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs',
                     'mask2former', 'mask2former_r50_8xb2-160k_ade20k-512x512.py')


def _lr_and_decay(model, optim_cfg, names=lambda n: n):
    """{our name: (lr, weight decay)} of every parameter."""
    optimizer = build_optim_wrapper(model, optim_cfg).optimizer
    by_id = {id(p): name for name, p in model.named_parameters()}
    out = {}
    for group in optimizer.param_groups:
        for p in group['params']:
            out[names(by_id[id(p)])] = (group['lr'], group['weight_decay'])
    return out


def _ours(name):
    return next(iter(convert_mmdet_state_dict({name: None})))


def _compare(ours, theirs):
    assert ours.keys() == theirs.keys()
    wrong = {k: (ours[k], theirs[k]) for k in ours
             if ours[k] != pytest.approx(theirs[k])}
    assert not wrong, wrong
    # the case the recipe test was written for
    level = [k for k in ours if 'pixel_decoder.level_embed' in k]
    assert level and all(ours[k][1] == 0.05 for k in level)


def test_coco_r50_panoptic_optimiser_equals_mmdets():
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'm2f_r50_coco_panoptic.py'))
    cfg.model.backbone.init_cfg = None
    cfg.model.data_preprocessor.batch_augments = None
    ours, ref = build_mmdet_twin(cfg.model)
    init_default_scope('mmdet')
    theirs = _lr_and_decay(ref, Config.fromfile(MMDET_CFG).optim_wrapper,
                           _ours)
    init_default_scope('m2f_mm')
    _compare(_lr_and_decay(ours, cfg.optim_wrapper), theirs)


def test_ade20k_r50_semantic_optimiser_equals_mmsegs():
    from mmseg.registry import MODELS as MMSEG_MODELS
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'm2f_r50_ade20k_semantic.py'))
    cfg.model.backbone.init_cfg = None
    ref_cfg = Config.fromfile(MMSEG_CFG)
    ref_cfg.model.backbone.init_cfg = None
    init_default_scope('mmseg')
    ref = MMSEG_MODELS.build(ref_cfg.model)
    theirs = _lr_and_decay(ref, ref_cfg.optim_wrapper, _ours)
    init_default_scope('m2f_mm')
    ours = MODELS.build(cfg.model)
    _compare(_lr_and_decay(ours, cfg.optim_wrapper), theirs)
