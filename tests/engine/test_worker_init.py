"""Data-loader workers exit when tools/train.py is SIGKILLed (they used to
live on for many minutes, holding the trainer's memory and files)."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT

CONFIG = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')


def _alive_children(pid: int):
    """Live (not zombie) processes whose parent is ``pid``."""
    children = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(')', 1)[1].split()
        if int(fields[1]) == pid and fields[0] != 'Z':
            children.append(int(entry))
    return children


def _alive(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='parent-death signals are Linux-only')
@pytest.mark.timeout(600)
def test_workers_exit_when_the_trainer_is_killed(tmp_path):
    root = str(tmp_path / 'shapes') + '/'
    generate(root, dict(train=8, val=2))
    options = [o for o in data_options('panoptic', root)
               if not o.startswith('train_dataloader')]
    options += [f'train_dataloader.dataset.data_root={root}',
                'train_dataloader.num_workers=2',
                'train_dataloader.persistent_workers=True',
                'train_dataloader.batch_size=2', 'train_cfg.max_iters=1000',
                'default_hooks.logger.interval=1']
    log = open(tmp_path / 'train.log', 'w')
    trainer = subprocess.Popen(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
         str(tmp_path / 'work'), '--cfg-options', *options],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while 'Iter(train)' not in (tmp_path / 'train.log').read_text():
            assert trainer.poll() is None, (tmp_path / 'train.log').read_text()[-3000:]
            assert time.time() < deadline, 'training did not start'
            time.sleep(0.5)
        workers = _alive_children(trainer.pid)
        assert len(workers) >= 2, workers  # the two loader workers
        os.kill(trainer.pid, signal.SIGKILL)
        trainer.wait()
        deadline = time.time() + 10
        while any(_alive(w) for w in workers) and time.time() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if _alive(w)]
    finally:
        if trainer.poll() is None:
            trainer.kill()
        log.close()
