"""Parameter names are checkpoint keys: the R50 COCO panoptic and R50 ADE20K
semantic models keep the keys (and shapes) their checkpoints were saved with
(lists written from the models before the decoder, attention and face
restructuring), so every earlier checkpoint still loads strictly."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
KEYS = osp.join(osp.dirname(osp.abspath(__file__)), 'state_dict_keys')


@pytest.mark.parametrize('name', ['m2f_r50_coco_panoptic',
                                  'm2f_r50_ade20k_semantic'])
def test_state_dict_keys_unchanged(name):
    init_default_scope('m2f_mm')
    cfg = Config.fromfile(osp.join(ROOT, 'configs', f'{name}.py'))
    cfg.model.backbone.init_cfg = None
    state = MODELS.build(cfg.model).state_dict()
    got = [f'{key} {tuple(value.shape)}' for key, value in state.items()]
    with open(osp.join(KEYS, f'{name}.txt')) as f:
        expected = f.read().splitlines()
    assert got == expected
