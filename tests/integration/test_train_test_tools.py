"""tools/train.py then tools/test.py --show-dir and --tta, end to end on the synthetic
scenes, for a panoptic, an instance and a semantic config: mmdet's/mmseg's
metrics print real numbers from the trained checkpoint, an overlay is drawn
for every test image, and the logs carry none of the warnings a newcomer
would meet (our scope missing from a registry tree, weights initialised
twice)."""
import glob
import importlib
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT
ITERS = 4


EXPECTED = {
    'panoptic': ['coco_panoptic/PQ', 'coco_panoptic/PQ_th', 'coco/segm_mAP',
                 'mIoU'],
    'instance': ['coco/segm_mAP'],
    'semantic': ['mIoU', 'aAcc'],
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize('task', ['panoptic', 'instance', 'semantic'])
def test_train_then_test(task, tmp_path_factory):
    root = str(tmp_path_factory.getbasetemp() / 'shapes_tools') + '/'
    generate(root, dict(train=8, val=4))
    config = osp.join(ROOT, 'configs', 'quickstart',
                      f'm2f_r18_shapes_{task}.py')
    work = tmp_path_factory.mktemp(task)
    options = data_options(task, root) + [
        f'train_cfg.max_iters={ITERS}', f'train_cfg.val_interval={ITERS}',
        f'default_hooks.checkpoint.interval={ITERS}',
        'train_dataloader.batch_size=2']
    train = subprocess.run(
        [sys.executable, 'tools/train.py', config, '--work-dir', str(work),
         '--cfg-options', *options], cwd=ROOT, capture_output=True, text=True)
    assert train.returncode == 0, (train.stdout + train.stderr)[-3000:]
    for warning in ('Failed to search registry', 'has been called more than once'):
        assert warning not in train.stdout + train.stderr, warning
    checkpoint = work / f'iter_{ITERS}.pth'
    assert checkpoint.is_file()
    test = subprocess.run(
        [sys.executable, 'tools/test.py', config, str(checkpoint),
         '--work-dir', str(work / 'test'), '--show-dir', 'overlays',
         '--cfg-options', *options],
        cwd=ROOT, capture_output=True, text=True)
    output = test.stdout + test.stderr
    assert test.returncode == 0, output[-3000:]
    line = [l for l in output.splitlines() if 'Iter(test)' in l][-1]
    for key in EXPECTED[task]:
        match = re.search(re.escape(key) + r': (-?[0-9.]+)', line)
        assert match, f'{key} missing from {line}'
        assert 0.0 <= float(match.group(1)) <= 100.0
    drawn = glob.glob(str(work / 'test' / '*' / 'overlays' / '*.jpg'))
    assert len(drawn) == 4, drawn  # one per val image, either face
    # test-time augmentation: the same metrics, from every view merged
    tta = subprocess.run(
        [sys.executable, 'tools/test.py', config, str(checkpoint), '--tta',
         '--work-dir', str(work / 'tta'), '--cfg-options', *options],
        cwd=ROOT, capture_output=True, text=True)
    output = tta.stdout + tta.stderr
    assert tta.returncode == 0, output[-3000:]
    line = [l for l in output.splitlines() if 'Iter(test)' in l][-1]
    ours = {key: re.search(re.escape(key) + r': (-?[0-9.]+)', line)
            for key in EXPECTED[task]}
    assert all(ours.values()), line
    # mmdet's / mmseg's own tools/test.py --tta (shipped in their packages'
    # .mim) on the same config and checkpoint: the same numbers
    package = 'mmseg' if task == 'semantic' else 'mmdet'
    theirs = subprocess.run(
        [sys.executable, osp.join(osp.dirname(
            importlib.import_module(package).__file__), '.mim', 'tools',
            'test.py'), config, str(checkpoint), '--tta',
         '--work-dir', str(work / f'{package}_tta'), '--cfg-options', *options],
        cwd=ROOT, capture_output=True, text=True,
        env=dict(os.environ, PYTHONPATH=ROOT))
    output = theirs.stdout + theirs.stderr
    assert theirs.returncode == 0, output[-3000:]
    line = [l for l in output.splitlines() if 'Iter(test)' in l][-1]
    for key, match in ours.items():
        assert re.search(re.escape(key) + r': (-?[0-9.]+)', line).group(1) \
            == match.group(1), (key, line)


def test_tta_without_settings_is_refused_with_the_reason(tmp_path):
    checkpoint = tmp_path / 'weights.pth'
    checkpoint.write_bytes(b'')
    config = osp.join(ROOT, 'configs', 'm2f_r50_ade20k_panoptic.py')
    run = subprocess.run(
        [sys.executable, 'tools/test.py', config, str(checkpoint), '--tta'],
        cwd=ROOT, capture_output=True, text=True)
    assert run.returncode != 0
    assert 'has no tta_pipeline' in run.stderr, run.stderr[-2000:]


def _short_train(tmp_path, iters: int, *flags) -> str:
    """tools/train.py with ``flags`` on the panoptic quickstart config for
    ``iters`` iterations of batch 2 over four generated scenes, logging every
    iteration into ``tmp_path/work``; its output."""
    root = str(tmp_path / 'shapes') + '/'
    generate(root, dict(train=4, val=1))
    config = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')
    options = data_options('panoptic', root) + [
        f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=10',
        'train_dataloader.batch_size=2', 'default_hooks.logger.interval=1']
    run = subprocess.run(
        [sys.executable, 'tools/train.py', config, *flags, '--work-dir',
         str(tmp_path / 'work'), '--cfg-options', *options],
        cwd=ROOT, capture_output=True, text=True)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    return output


@pytest.mark.timeout(600)
def test_auto_scale_lr_scales_by_the_real_batch(tmp_path):
    """Batch 2 on one process against the quickstart's base batch 4: the
    learning rate is halved, as the log says and the optimizer has it."""
    output = _short_train(tmp_path, 1, '--auto-scale-lr')
    assert 'Scaling the original LR by 0.5' in output
    scaled = [l for l in output.splitlines() if 'Iter(train)' in l][-1]
    # warm-up's first steps: 3e-4 x 0.5 x (0.01 + 0.0099 k), k = 0 or 1;
    # unscaled it would be 3e-6 or more
    lr = float(re.search(r' lr: ([0-9.e+-]+)', scaled).group(1))
    assert 1.4e-6 < lr < 2.95e-6, scaled



@pytest.mark.timeout(600)
def test_amp_trains_under_mixed_precision(tmp_path):
    """tools/train.py --amp on the CPU: CPUAutocastOptimWrapper (bfloat16
    autocast; mmengine's AmpOptimWrapper refuses CPUs) drives the step, and
    the logged losses stay finite."""
    import json
    import math
    _short_train(tmp_path, 2, '--amp')
    dumped = (tmp_path / 'work' / 'm2f_r18_shapes_panoptic.py').read_text()
    assert "type='CPUAutocastOptimWrapper'" in dumped  # the config it ran
    scalars = next((tmp_path / 'work').glob('*/vis_data/scalars.json'))
    losses = [json.loads(line)['loss'] for line in scalars.read_text().split(
        '\n') if '"loss"' in line]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
