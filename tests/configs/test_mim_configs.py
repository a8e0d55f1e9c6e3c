"""mim-style use of the installed package: every config listed in the
model index (with the paper's figures where known), and ``m2f_mm::`` names
in ``_base_`` and mmengine's ``get_config``."""
import glob
import os.path as osp

import yaml
from mmengine.config import Config
from mmengine.hub import get_config

import m2f_mm
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
MIM = osp.join(osp.dirname(m2f_mm.__file__), '.mim')


def test_model_index_lists_every_config_with_its_file():
    index = yaml.safe_load(open(osp.join(MIM, 'model-index.yml')))
    models = []
    for meta in index['Import']:
        models += yaml.safe_load(open(osp.join(MIM, meta)))['Models']
    listed = {m['Config'].split('configs/mask2former/')[1] for m in models}
    configs = {osp.relpath(p, osp.join(ROOT, 'configs'))
               for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                                  recursive=True) if '_base_' not in p}
    assert listed == configs
    for m in models:
        assert osp.isfile(osp.join(MIM, m['Config'])), m['Config']
    results = {m['Name']: m['Results'][0]['Metrics'] for m in models
               if 'Results' in m}
    assert results['m2f_r50_coco_panoptic'] == {'PQ': 51.9}
    assert results['m2f_swinl_coco_instance'] == {'AP': 50.1}


def test_m2f_mm_names_resolve_in_base_and_get_config(tmp_path):
    local = Config.fromfile(osp.join(ROOT, 'configs', 'quickstart',
                                     'm2f_r18_shapes_panoptic.py'))
    hub = get_config('m2f_mm::mask2former/quickstart/m2f_r18_shapes_panoptic.py')
    assert hub.model.to_dict() == local.model.to_dict()
    child = tmp_path / 'my_config.py'
    child.write_text("_base_ = ['m2f_mm::mask2former/m2f_r50_coco_panoptic.py']\n"
                     'model = dict(head=dict(num_queries=50))\n')
    cfg = Config.fromfile(str(child))
    assert cfg.model.type == 'M2FDetector' and cfg.model.head.num_queries == 50
    assert cfg.model.num_things_classes == 80  # from our dataset base
