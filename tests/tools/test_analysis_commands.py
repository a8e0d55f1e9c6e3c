"""The commands of docs/benchmarks.md and docs/quickstart.md, run as a user
runs them, in a short mode (the quickstart's ResNet-18, 64 px, one image or
step, a few generated scenes): each prints its figures, and the two models a
benchmark compares agree."""
import re
import subprocess
import sys

import pytest

from m2f_mm.datasets import generate
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow
QUICKSTART = 'configs/quickstart/m2f_r18_shapes_panoptic.py'
SEMANTIC = 'configs/quickstart/m2f_r18_shapes_semantic.py'


def _run(*command, env=None):
    proc = subprocess.run([*command], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def _python(tool, *args):
    return _run(sys.executable, tool, *args)


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scenes')) + '/'
    generate(root, dict(train=4, val=2), size=64)
    return root


def test_get_flops():
    out = _python('tools/analysis/get_flops.py', QUICKSTART, '--shape', '64',
                  '64')
    assert re.search(r'\d+\.\d GFLOPs at 64x64, \d+\.\d M parameters', out)


def test_predict_benchmark_with_amp():
    out = _python('tools/analysis/benchmark.py', QUICKSTART, '--shape', '64',
                  '64', '--images', '1', '--amp')
    assert 'machine:' in out and 'AMP' in out
    assert re.search(r'm2f_mm/mmdet|ratio|x\b', out)


def test_predict_memory_benchmark_with_semantic():
    out = _python('tools/analysis/benchmark.py', QUICKSTART, '--shape', '64',
                  '64', '--memory', '--semantic')
    assert re.search(r'm2f_mm/mmdet = \d+\.\d+x', out)


def test_train_step_benchmark_with_stages_and_flops():
    out = _python('tools/analysis/benchmark_train_step.py', '--batch', '1',
                  '--size', '64', '--steps', '1', '--rounds', '1', '--stages',
                  '--flops')
    gap = float(re.search(r'first losses differ by (\S+)', out).group(1))
    assert gap < 1e-3
    assert re.search(r'm2f_mm/mmdet: time \d+\.\d+x', out)
    assert 'counted GFLOP' in out


def test_browse_dataset(scenes, tmp_path):
    out = _python('tools/analysis/browse_dataset.py', QUICKSTART,
                  '--output-dir', str(tmp_path / 'vis'), '--max', '2',
                  '--cfg-options', f'train_dataloader.dataset.data_root={scenes}')
    assert out.strip().endswith(f'2 pictures in {tmp_path / "vis"}')


def test_deformable_attention_benchmark_quick():
    out = _python('tools/analysis/benchmark_deformable_attention.py',
                  '--quick')
    gaps = [float(g) for g in re.findall(r'gap (\S+)\)', out)]
    assert len(gaps) == 3 and max(gaps) < 1e-5  # grid_sample, dense, cpu_op


def test_gpu_bench_cpu_check(tmp_path):
    """The GPU script's four benchmark lines, on this CPU at toy sizes."""
    import os
    _run('bash', 'tools/analysis/gpu_bench.sh', '--cpu-check',
         env=dict(os.environ, OUT=str(tmp_path)))
    log = (tmp_path / 'gpu_bench.txt').read_text()
    assert 'failed' not in log
    assert len(re.findall(r'm2f_mm/mmdet', log)) >= 4


def test_mmdet_reference_experiment_short(scenes, tmp_path):
    out = _python('tools/experiments/quickstart_mmdet_reference.py',
                  '--iters', '2', '--work-dir', str(tmp_path),
                  '--cfg-options', *data_options('panoptic', scenes))
    assert 'mmdet Mask2Former, 2 iterations' in out


def test_fpn_reference_experiment_short(scenes, tmp_path):
    out = _python('tools/experiments/quickstart_fpn_reference.py',
                  '--iters', '2', '--work-dir', str(tmp_path),
                  '--cfg-options', *data_options('semantic', scenes))
    assert 'Semantic FPN, 2 iterations' in out


def test_video_benchmark_short(tmp_path):
    """Both inference modes timed and measured in their own processes, and
    their AP on val videos (an untrained model: the AP values mean nothing,
    the command is what is checked)."""
    from mmengine.config import Config
    import torch
    from m2f_mm.datasets import generate_videos
    from m2f_mm.registry import MODELS
    config = 'configs/quickstart/m2f_r18_shape_videos_vis.py'
    root = str(tmp_path / 'videos')
    generate_videos(root, dict(train=1, val=2), frames=(4, 5), size=64)
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'model.pth')
    model = MODELS.build(Config.fromfile(f'{REPO_ROOT}/{config}').model)
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    out = _python('tools/analysis/benchmark_video.py', '--lengths', '6',
                  '--window', '3', '--size', '64', '--checkpoint',
                  checkpoint, '--ap-data', root)
    assert 'machine: CPU' in out
    row = re.search(r'^\s+6 \|\s+(\S+)\s+(\d+) \|\s+(\S+)\s+(\d+)$', out, re.M)
    assert row and all(float(v) > 0 for v in row.groups())
    assert re.search(r'VIS mask AP whole video \S+, windows of 3 \S+', out)


def test_video_mmdet_reference_experiment_short(tmp_path):
    from m2f_mm.datasets import generate_videos
    root = str(tmp_path / 'videos') + '/'
    generate_videos(root, dict(train=2, val=2), frames=(4, 5), size=64)
    out = _python('tools/experiments/quickstart_mmdet_reference.py',
                  '--iters', '2', '--task', 'video', '--work-dir',
                  str(tmp_path / 'work'),
                  '--cfg-options', *[
                      f'{loader}.{key}' for loader in (
                          'train_dataloader', 'val_dataloader',
                          'test_dataloader') for key in (
                          f'dataset.data_root={root}', 'num_workers=0',
                          'persistent_workers=False')])
    assert 'mmdet Mask2Former-VIS, 2 iterations' in out
