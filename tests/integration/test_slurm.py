"""tools/slurm_train.sh on a real one-node Slurm cluster that the test
starts (Debian's slurm-wlm and munge, installed when missing): 2 tasks on a
node without GPUs train the quickstart config with gloo."""
import os
import os.path as osp
import shutil
import socket
import subprocess
import time

import pytest

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT
CONFIG = osp.join(ROOT, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')
PROGRAMS = ('srun', 'sinfo', 'scontrol', 'slurmctld', 'slurmd', 'munged')

SLURM_CONF = '''ClusterName=m2ftest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName={host} CPUs={cpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
'''


def _which(*names):
    return all(shutil.which(n) or osp.exists(f'/usr/sbin/{n}') for n in names)


def _missing_reason():
    """None when Slurm and munge are installed (``bash tools/setup.sh
    --with-slurm``, which .ci/run calls), else what is missing."""
    if _which(*PROGRAMS):
        return None
    return ('slurm-wlm/munge are not installed: run bash tools/setup.sh '
            '--with-slurm')


def _free_port():
    with socket.socket() as s:
        s.bind(('', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    reason = _missing_reason()
    if reason:
        print(f'skipping the Slurm test: {reason}')
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp('slurm')
    for sub in ('state', 'spool'):
        (folder / sub).mkdir()
    conf = folder / 'slurm.conf'
    conf.write_text(SLURM_CONF.format(
        host=socket.gethostname(), dir=folder, ctld_port=_free_port(),
        d_port=_free_port(), cpus=os.cpu_count()))
    env = dict(os.environ, SLURM_CONF=str(conf))
    if subprocess.run(['pgrep', '-x', 'munged']).returncode:
        os.makedirs('/run/munge', exist_ok=True)
        shutil.chown('/run/munge', 'munge', 'munge')
        subprocess.run(['su', '-s', '/bin/sh', 'munge', '-c',
                        '/usr/sbin/munged'], check=True)
    subprocess.run(['/usr/sbin/slurmctld'], env=env, check=True)
    subprocess.run(['/usr/sbin/slurmd'], env=env, check=True)
    try:
        deadline = time.time() + 60
        while 'idle' not in subprocess.run(
                ['sinfo', '-h', '-o', '%t'], env=env, capture_output=True,
                text=True).stdout:
            assert time.time() < deadline, (folder / 'slurmctld.log').read_text()
            time.sleep(1)
        yield env
    finally:
        subprocess.run(['scontrol', 'shutdown'], env=env)


@pytest.mark.timeout(900)
def test_slurm_train_sh_two_cpu_tasks(cluster, tmp_path):
    root = str(tmp_path / 'shapes') + '/'
    generate(root, dict(train=8, val=2))
    work = tmp_path / 'work'
    iters = 3
    env = dict(cluster, GPUS='2', GPUS_PER_NODE='2', CPUS_PER_TASK='1',
               OMP_NUM_THREADS='1', MASTER_PORT=str(_free_port()))
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'slurm_train.sh'), 'debug', 'm2f',
         CONFIG, str(work), '--cfg-options', *data_options('panoptic', root),
         f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=1000',
         f'default_hooks.checkpoint.interval={iters}',
         'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=840)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert '--gres' not in output  # the node has no GPUs: none asked for
    logs = [osp.join(d, f) for d, _, fs in os.walk(work) for f in fs
            if f.endswith('.log')]
    log = open(logs[0]).read()
    assert 'Distributed launcher: slurm' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert len([line for line in log.splitlines()
                if 'Iter(train)' in line]) == iters
    assert osp.isfile(work / f'iter_{iters}.pth')
    # tools/slurm_test.sh evaluates that checkpoint over the same two tasks
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'slurm_test.sh'), 'debug', 'm2f',
         CONFIG, str(work / f'iter_{iters}.pth'), '--work-dir',
         str(tmp_path / 'test'), '--cfg-options',
         *data_options('panoptic', root)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=840)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert 'coco_panoptic/PQ' in output, output[-3000:]
