"""Two CPU processes (gloo): the mask-loss normaliser is the mean number of
masks over the processes, and ``tools/dist_train.sh`` trains the quickstart
model with both ranks on the synthetic scenes."""
import json
import os
import os.path as osp
import re
import subprocess

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT
CONFIG = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')


def _normaliser_worker(rank, init_file, out_dir):
    from m2f_mm.models.losses.mask_set_loss import num_masks_across_workers
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=2)
    local = [1, 6][rank]  # rank 0 sees 1 mask, rank 1 sees 6
    value = num_masks_across_workers(local, torch.device('cpu'))
    with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
        json.dump(dict(world=dist.get_world_size(), value=value), f)
    dist.destroy_process_group()


def test_mask_normaliser_is_the_mean_over_processes(tmp_path):
    mp.spawn(_normaliser_worker, args=(str(tmp_path / 'init'), str(tmp_path)),
             nprocs=2, join=True)
    for rank in range(2):
        with open(tmp_path / f'rank{rank}.json') as f:
            result = json.load(f)
        assert result == dict(world=2, value=3.5)  # (1 + 6) / 2 on both


@pytest.mark.timeout(600)
def test_dist_train_sh_two_cpu_processes(tmp_path):
    data_root = str(tmp_path / 'shapes') + '/'
    generate(data_root, dict(train=16, val=4))
    work_dir = tmp_path / 'work'
    iters = 4
    options = data_options('panoptic', data_root) + [
        'train_dataloader.batch_size=2',
        f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=1000',
        f'default_hooks.checkpoint.interval={iters}',
        'default_hooks.logger.interval=1',
        'env_cfg.dist_cfg.backend=gloo',
        'env_cfg.mp_cfg.opencv_num_threads=1',
    ]
    env = dict(os.environ, PORT='29531', OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), CONFIG, '2',
         '--work-dir', str(work_dir), '--cfg-options', *options],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=580)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    logs = [osp.join(dp, f) for dp, _, fs in os.walk(work_dir) for f in fs
            if f.endswith('.log')]
    assert logs, output[-3000:]
    log = open(logs[0]).read()
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    losses = [float(v) for v in re.findall(r'Iter\(train\) \[\s*\d+/\d+\].*?'
                                           r' loss: ([0-9.]+)', log)]
    assert len(losses) == iters and all(v == v and v > 0 for v in losses)
    assert osp.isfile(work_dir / f'iter_{iters}.pth')
    # tools/dist_test.sh evaluates that checkpoint over the same 2 processes
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_test.sh'), CONFIG,
         str(work_dir / f'iter_{iters}.pth'), '2', '--work-dir',
         str(tmp_path / 'test'), '--cfg-options', *options],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=580)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert 'Distributed training: True' in output
    assert 'coco_panoptic/PQ' in output, output[-3000:]
