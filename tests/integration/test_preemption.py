"""Exact resume with several processes: a signal to one rank stops both at
the same iteration boundary with a checkpoint (every rank's random state),
in validation or in training, a SIGKILL loses only the work since the last
interval checkpoint, and the resumed runs continue the uninterrupted run's
loss curve bit for bit (CPU, gloo, two processes);
resuming on one process says what changes. A stopped rank stops the job
within the configured timeout, named."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.config import Config

from m2f_mm.datasets import generate
from m2f_mm.engine import PREEMPTED_EXIT_CODE, SILENT_RANK_EXIT_CODE
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT, logged_scalars

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

CONFIG = osp.join(REPO_ROOT, 'configs', 'quickstart',
                  'm2f_r18_shapes_panoptic.py')
PQ = 'coco_panoptic/PQ'

# a test hook that sends a real signal to one rank's own process, once (a
# marker file in the work dir), before a chosen train or val iteration
SIGNAL_AT = '''
import os
import signal

from mmengine.dist import get_rank
from mmengine.hooks import Hook

from m2f_mm.registry import HOOKS


@HOOKS.register_module()
class SignalAt(Hook):
    def __init__(self, rank, iteration, stage, signame, marker):
        self.rank, self.iteration, self.stage = rank, iteration, stage
        self.signum, self.marker = getattr(signal, signame), marker

    def _fire(self, runner, stage):
        if (stage == self.stage and runner.iter == self.iteration and
                get_rank() == self.rank and not os.path.exists(self.marker)):
            open(self.marker, 'w').close()
            os.kill(os.getpid(), self.signum)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._fire(runner, 'train')

    def before_val_iter(self, runner, batch_idx, data_batch=None):
        self._fire(runner, 'val')
'''


def _config(tmp_path, name, hooks):
    """The quickstart config with test hooks, as a file."""
    (tmp_path / 'signal_at.py').write_text(SIGNAL_AT)
    cfg = Config.fromfile(CONFIG)
    cfg.custom_imports = dict(imports=['m2f_mm', 'signal_at'],
                              allow_failed_imports=False)
    cfg.custom_hooks = list(cfg.custom_hooks) + hooks
    path = str(tmp_path / f'{name}.py')
    cfg.dump(path)
    return path


def _run(config, work_dir, options, procs, *extra, port, timeout=600):
    env = dict(os.environ, PORT=str(port), OMP_NUM_THREADS='1',
               PYTHONPATH=f'{osp.dirname(config)}:{REPO_ROOT}')
    if procs == 1:
        command = [sys.executable, 'tools/train.py', config]
    else:
        command = ['bash', 'tools/dist_train.sh', config, str(procs)]
    return subprocess.run(
        command + ['--work-dir', str(work_dir), *extra, '--cfg-options',
                   *options], cwd=REPO_ROOT, env=env, capture_output=True,
        text=True, timeout=timeout)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('preempt') / 'shapes') + '/'
    generate(root, dict(train=8, val=2))
    return root


def _options(root, iters=10):
    return data_options('panoptic', root) + [
        f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=100',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'env_cfg.mp_cfg.opencv_num_threads=1',
        'randomness.seed=0', 'randomness.deterministic=True']


@pytest.mark.timeout(1500)
def test_preempted_killed_and_resumed_continues_the_loss_curve(tmp_path,
                                                               data_root):
    options = _options(data_root)
    straight = _run(_config(tmp_path, 'straight', []), tmp_path / 'straight',
                    options, 2, port=29541)
    assert straight.returncode == 0, straight.stderr[-3000:]
    work = tmp_path / 'preempted'
    hooks = [
        # rank 1 signalled in the validation after iteration 4
        dict(type='SignalAt', rank=1, iteration=4, stage='val',
             signame='SIGUSR1', marker=str(tmp_path / 'fired_val')),
        # rank 0 signalled before iteration 7: stops after it
        dict(type='SignalAt', rank=0, iteration=6, stage='train',
             signame='SIGTERM', marker=str(tmp_path / 'fired_train')),
        # rank 0 killed before iteration 9, after the iteration-8 checkpoint
        dict(type='SignalAt', rank=0, iteration=8, stage='train',
             signame='SIGKILL', marker=str(tmp_path / 'fired_kill'))]
    config = _config(tmp_path, 'preempted', hooks)
    options = options + ['default_hooks.checkpoint.interval=8']
    first = _run(config, work, options, 2, port=29542)
    output = first.stdout + first.stderr
    assert f'exitcode  : {PREEMPTED_EXIT_CODE}' in output, output[-3000:]
    assert 'SIGUSR1: stopping at iteration 4 (in validation)' in output
    second = _run(config, work, options, 2, '--resume', port=29543)
    output = second.stdout + second.stderr
    assert 'validating again before training resumes' in output, \
        output[-3000:]
    assert 'SIGTERM: stopping at iteration 7' in output, output[-3000:]
    third = _run(config, work, options, 2, '--resume', port=29544)
    output = third.stdout + third.stderr
    assert 'exitcode  : -9' in output, output[-3000:]  # SIGKILL
    assert (work / 'iter_8.pth').is_file()
    fourth = _run(config, work, options, 2, '--resume', port=29547)
    assert fourth.returncode == 0, fourth.stderr[-3000:]
    expected, got = (logged_scalars(tmp_path / 'straight'),
                     logged_scalars(work))
    expected_pq, got_pq = (logged_scalars(tmp_path / 'straight', PQ),
                           logged_scalars(work, PQ))
    assert sorted(expected) == list(range(1, 11))
    assert sorted(got) == list(range(1, 11))  # 1-4, 5-7, 8, 9-10
    assert [got[i] for i in range(1, 11)] == \
        [expected[i] for i in range(1, 11)]
    assert got_pq == expected_pq and sorted(got_pq) == [4, 8, 10]
    # every rank's random state is in the checkpoint
    meta = torch.load(work / 'iter_7.pth', weights_only=True)['meta']
    assert meta['world_size'] == 2 and len(meta['random_states']) == 2
    assert meta['preempted'] == dict(signal='SIGTERM', pending_val=False)

    # the same checkpoint resumed on one process: the log says what changes
    one = tmp_path / 'one'
    one.mkdir()
    (one / 'last_checkpoint').write_text(str(work / 'iter_7.pth'))
    resumed = _run(_config(tmp_path, 'plain', []), one,
                   _options(data_root, 8), 1, '--resume', '--auto-scale-lr',
                   port=29545)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    for line in ('saved with 2 process(es) x 2 images, now 1 x 2',
                 'the batch per optimizer step changes from 4 to 2 images',
                 'the data order differs',
                 'learning rates scaled by 2/4 = 0.5 (--auto-scale-lr)'):
        assert line in output, output[-3000:]
    lr = list(logged_scalars(one, 'lr').values())
    saved = torch.load(work / 'iter_7.pth', weights_only=False)[
        'optimizer']['param_groups'][0]['lr']
    assert lr and abs(lr[0] - saved / 2) < 1e-12 * saved


@pytest.mark.timeout(600)
def test_a_stopped_rank_stops_the_job_within_the_timeout(tmp_path,
                                                         data_root):
    """Rank 1 SIGSTOPped mid-run: with env_cfg.dist_cfg.timeout=15 the job
    exits within 15 s + a margin, rank 0 naming rank 1."""
    hooks = [dict(type='SignalAt', rank=1, iteration=2, stage='train',
                  signame='SIGSTOP', marker=str(tmp_path / 'fired'))]
    options = _options(data_root, 100) + ['env_cfg.dist_cfg.timeout=15']
    config = _config(tmp_path, 'stopped', hooks)
    env = dict(os.environ, PORT='29546', OMP_NUM_THREADS='1',
               PYTHONPATH=f'{tmp_path}:{REPO_ROOT}')
    proc = subprocess.Popen(
        ['bash', 'tools/dist_train.sh', config, '2', '--work-dir',
         str(tmp_path / 'work'), '--cfg-options', *options], cwd=REPO_ROOT,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 400
        while not (tmp_path / 'fired').exists():
            assert time.time() < deadline and proc.poll() is None
            time.sleep(0.2)
        stopped_at = time.time()
        output, _ = proc.communicate(timeout=300)
        took = time.time() - stopped_at
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    assert 'rank 1 (' in output and 'has been silent for' in output, \
        output[-3000:]
    assert f'exitcode  : {SILENT_RANK_EXIT_CODE}' in output, output[-3000:]
    # the limit plus the watch's interval and the launcher's teardown
    assert took < 15 + 45, (took, output[-3000:])
    print(f'stopped rank: job exited {took:.1f} s after SIGSTOP (limit 15 s;'
          ' torchrun gives a stopped worker 30 s after SIGTERM): ' +
          next(line for line in output.splitlines()
               if 'has been silent for' in line))
