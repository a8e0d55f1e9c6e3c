"""A config whose class counts differ from its dataset's is refused when the
run starts (it used to train, then fail with a KeyError in the metric)."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT


def _cfg(task, root, tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'quickstart',
                                   f'm2f_r18_shapes_{task}.py'))
    options = {}
    for option in data_options(task, root):
        key, value = option.split('=', 1)
        options[key] = {'False': False}.get(value, int(value) if
                                            value.isdigit() else value)
    cfg.merge_from_dict(options)
    cfg.work_dir = str(tmp_path / task)
    return cfg


@pytest.mark.parametrize('task', ['panoptic', 'semantic'])
def test_more_classes_than_the_dataset_is_refused_at_start(task, tmp_path):
    root = str(tmp_path / 'shapes') + '/'
    generate(root, dict(train=2, val=1))
    cfg = _cfg(task, root, tmp_path)
    if task == 'panoptic':
        cfg.model.num_stuff_classes = 4
        message = r'num_things_classes=5, num_stuff_classes=4.*train dataset.*' \
                  r'panoptic_train.json.*5 thing and 3 stuff'
    else:
        cfg.model.decode_head.num_classes = 10
        message = r'num_classes=10.*train dataset.*8 classes'
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match=message):
        runner.train()
    assert runner.iter == 0
