"""Exact resume: the quickstart model trained 12 iterations straight, and the
same run SIGKILLed after its iteration-8 checkpoint and resumed with
tools/train.py --resume, log the same losses to the last bit (CPU,
randomness.deterministic)."""
import json
import os.path as osp
import subprocess
import sys

import pytest

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT

CONFIG = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')

# SIGKILL at the start of iteration 9, after the iteration-8 checkpoint
_KILLER = r'''
import os, signal, sys
from mmengine.hooks import Hook
from m2f_mm.registry import HOOKS


@HOOKS.register_module()
class KillAt9(Hook):
    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == 8:
            os.kill(os.getpid(), signal.SIGKILL)


from m2f_mm.testing.tools import load_tool
sys.argv = sys.argv[1:]
train = load_tool('tools/train.py')
load_config = train.load_config


def with_killer(args):
    cfg = load_config(args)
    cfg.custom_hooks = [dict(type='KillAt9')]
    return cfg


train.load_config = with_killer
train.main()
'''


def _losses(work_dir):
    """{iteration: logged total loss} of every run in ``work_dir``."""
    import glob
    out = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'loss' in record:
                    out[record['step']] = record['loss']
    return out


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_killed_and_resumed_run_continues_the_same_loss_curve(tmp_path):
    root = str(tmp_path / 'shapes') + '/'
    generate(root, dict(train=6, val=2))  # 3 iterations an epoch at batch 2
    options = data_options('panoptic', root) + [
        'train_cfg.max_iters=12', 'train_cfg.val_interval=100',
        'default_hooks.checkpoint.interval=4',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'randomness.seed=0', 'randomness.deterministic=True']

    def train(work_dir, *extra, killer=False):
        command = [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
                   str(work_dir), *extra, '--cfg-options', *options]
        if killer:
            command = [sys.executable, '-c', _KILLER, *command[1:]]
        return subprocess.run(command, cwd=ROOT, capture_output=True,
                              text=True)

    straight = train(tmp_path / 'straight')
    assert straight.returncode == 0, straight.stderr[-3000:]
    killed = train(tmp_path / 'killed', killer=True)
    assert killed.returncode == -9, killed.stderr[-3000:]
    assert osp.isfile(tmp_path / 'killed' / 'iter_8.pth')
    resumed = train(tmp_path / 'killed', '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    expected, got = _losses(tmp_path / 'straight'), _losses(tmp_path / 'killed')
    assert sorted(expected) == list(range(1, 13))
    assert sorted(got) == list(range(1, 13))  # 1-8 before, 9-12 after
    assert [got[i] for i in range(1, 13)] == [expected[i] for i in range(1, 13)]
