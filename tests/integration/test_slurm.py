"""Two Slurm nodes on this machine (tools/slurm_cluster.sh: a network
namespace, address and slurmd per node, one slurmctld, munge): one task per
node trains the quickstart config over gloo with tools/slurm_train.sh, with
the loss curve of a one-node two-process run; a batch job signalled
mid-run checkpoints, requeues itself and resumes on the same curve, bit for
bit; tools/slurm_test.sh evaluates across the two nodes. The module starts
and stops everything it needs."""
import os
import os.path as osp
import shutil
import subprocess
import time

import pytest

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT, logged_scalars

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

CONFIG = osp.join(REPO_ROOT, 'configs', 'quickstart',
                  'm2f_r18_shapes_panoptic.py')
PROGRAMS = ('srun', 'sbatch', 'scancel', 'scontrol', 'slurmctld', 'slurmd',
            'munged')
ITERS = 8


def _missing_reason():
    """None when the cluster can start here, else why not."""
    if not all(shutil.which(n) or osp.exists(f'/usr/sbin/{n}')
               for n in PROGRAMS):
        return ('slurm-wlm/munge are not installed: run bash tools/setup.sh '
                '--with-slurm')
    if os.geteuid() != 0:
        return 'network namespaces (one per node) need root'
    probe = subprocess.run(['ip', 'netns', 'add', 'm2f-probe'],
                           capture_output=True, text=True)
    if probe.returncode:
        return f'cannot create a network namespace: {probe.stderr.strip()}'
    subprocess.run(['ip', 'netns', 'del', 'm2f-probe'])
    return None


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    reason = _missing_reason()
    if reason:
        print(f'skipping the Slurm tests: {reason}')
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp('slurm')
    script = osp.join(REPO_ROOT, 'tools', 'slurm_cluster.sh')
    up = subprocess.run(['bash', script, 'up', str(folder)],
                        capture_output=True, text=True, timeout=180)
    assert up.returncode == 0, up.stdout + up.stderr
    env = dict(os.environ, SLURM_CONF=str(folder / 'slurm.conf'),
               GLOO_SOCKET_IFNAME='m2f0', OMP_NUM_THREADS='1')
    try:
        yield env
    finally:
        down = subprocess.run(['bash', script, 'down', str(folder)],
                              capture_output=True, text=True, timeout=120)
        assert down.returncode == 0, down.stderr
        # nothing left behind: no bridge, namespaces or daemons of ours
        links = subprocess.run(['ip', '-br', 'link'], capture_output=True,
                               text=True).stdout
        assert 'm2fbr0' not in links and 'm2fv' not in links
        assert 'm2f-node' not in subprocess.run(
            ['ip', 'netns', 'list'], capture_output=True, text=True).stdout
        assert subprocess.run(['pgrep', '-f', str(folder)]).returncode == 1


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('slurm_data') / 'shapes') + '/'
    generate(root, dict(train=8, val=2))
    return root


def _options(root):
    return data_options('panoptic', root) + [
        f'train_cfg.max_iters={ITERS}', 'train_cfg.val_interval=1000',
        'default_hooks.checkpoint.interval=1000',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
        'env_cfg.mp_cfg.opencv_num_threads=1', 'randomness.seed=0',
        'randomness.deterministic=True']


def _train_command(work, root):
    return ['bash', osp.join(REPO_ROOT, 'tools', 'slurm_train.sh'), 'two',
            'm2f', CONFIG, str(work), '--cfg-options', *_options(root)]


@pytest.fixture(scope='module')
def two_node_run(cluster, data_root, tmp_path_factory):
    """tools/slurm_train.sh: 2 tasks, one on each node."""
    work = tmp_path_factory.mktemp('two_nodes')
    env = dict(cluster, GPUS='2', GPUS_PER_NODE='1', CPUS_PER_TASK='1',
               MASTER_PORT='29571')
    proc = subprocess.run(_train_command(work, data_root), cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True,
                          timeout=900)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    return work, output


@pytest.mark.timeout(1200)
def test_two_nodes_train_as_one_node_with_two_processes(two_node_run,
                                                        data_root, tmp_path):
    work, output = two_node_run
    assert '--gres' not in output  # the nodes have no GPUs: none asked for
    # world size 2, the two nodes, the rendezvous on node1's own address
    assert ('world size 2: rank 0 on node1, rank 1 on node2; rendezvous at '
            '10.77.0.11:29571') in output, output[-3000:]
    two_nodes = logged_scalars(work)
    assert sorted(two_nodes) == list(range(1, ITERS + 1))
    # the same config and seed on one node: torchrun, two processes
    proc = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'), CONFIG, '2',
         '--work-dir', str(tmp_path / 'one_node'), '--cfg-options',
         *_options(data_root)], cwd=REPO_ROOT,
        env=dict(os.environ, PORT='29572', OMP_NUM_THREADS='1'),
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    one_node = logged_scalars(tmp_path / 'one_node')
    diffs = [abs(two_nodes[i] - one_node[i]) / abs(one_node[i])
             for i in range(1, ITERS + 1)]
    print(f'two nodes vs one node, {ITERS} iterations: largest relative '
          f'loss difference {max(diffs):.2e}')
    assert max(diffs) <= 1e-6


@pytest.mark.timeout(1200)
def test_signalled_batch_job_requeues_and_continues_the_curve(
        cluster, two_node_run, data_root, tmp_path):
    """sbatch --requeue: scancel --signal=USR1 mid-run; the tasks
    checkpoint, rank 0 requeues the job, the job's script runs again and
    tools/slurm_train.sh resumes (SLURM_RESTART_COUNT): the loss curve is
    the uninterrupted two-node run's, bit for bit."""
    work = tmp_path / 'work'
    script = tmp_path / 'job.sh'
    command = ' '.join(f"'{part}'" for part in _train_command(work,
                                                              data_root))
    script.write_text(f'#!/usr/bin/env bash\ncd {REPO_ROOT}\n'
                      f'GPUS=2 GPUS_PER_NODE=1 CPUS_PER_TASK=1 '
                      f'MASTER_PORT=29573 {command}\n')
    log = tmp_path / 'job.out'
    submitted = subprocess.run(
        ['sbatch', '--parsable', '-N', '2', '--ntasks-per-node=1',
         '--requeue', '--open-mode=append', '-o', str(log), str(script)],
        env=cluster,
        capture_output=True, text=True, check=True, cwd=tmp_path)
    job = submitted.stdout.strip().split(';')[0]

    def state():
        record = subprocess.run(['scontrol', 'show', 'job', job, '-o'],
                                env=cluster, capture_output=True,
                                text=True).stdout
        return dict(item.split('=', 1) for item in record.split()
                    if '=' in item)

    deadline = time.time() + 900
    while not (log.exists() and 'Iter(train) [3/' in log.read_text()):
        assert time.time() < deadline and state().get('JobState') in (
            'PENDING', 'RUNNING'), log.read_text()[-3000:]
        time.sleep(0.5)
    subprocess.run(['scancel', '--signal=USR1', job], env=cluster,
                   check=True)
    # Slurm counts the restart when rank 0 asks for the requeue, and holds
    # the job 120 s (BeginTime) once it is back in the queue: start it now
    # (setting it earlier is overwritten by the requeue itself)
    while (record := state()).get('Restarts', '0') == '0' or \
            record.get('JobState') != 'PENDING':
        assert time.time() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)
    subprocess.run(['scontrol', 'update', f'JobId={job}', 'StartTime=now'],
                   env=cluster, check=True)
    while state().get('JobState') != 'COMPLETED':
        assert time.time() < deadline and state().get('JobState') in (
            'PENDING', 'RUNNING', 'REQUEUED', 'COMPLETING'), \
            log.read_text()[-3000:]
        time.sleep(1)
    text = log.read_text()
    assert 'SIGUSR1: stopping at iteration' in text
    assert f'requeueing Slurm job {job}' in text
    assert 'resumed epoch: 0, iter:' in text
    expected, got = logged_scalars(two_node_run[0]), logged_scalars(work)
    assert sorted(got) == list(range(1, ITERS + 1)), text[-3000:]
    assert [got[i] for i in range(1, ITERS + 1)] == \
        [expected[i] for i in range(1, ITERS + 1)]


@pytest.mark.timeout(900)
def test_slurm_test_sh_evaluates_on_two_nodes(cluster, two_node_run,
                                               data_root, tmp_path):
    work, _ = two_node_run
    env = dict(cluster, GPUS='2', GPUS_PER_NODE='1', CPUS_PER_TASK='1',
               MASTER_PORT='29574')
    proc = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'slurm_test.sh'), 'two', 'm2f',
         CONFIG, str(work / f'iter_{ITERS}.pth'), '--work-dir',
         str(tmp_path / 'test'), '--cfg-options',
         *data_options('panoptic', data_root)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=840)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert 'coco_panoptic/PQ' in output, output[-3000:]
