"""tools/quickstart.py, both main jobs, in a short mode (a few iterations on
the full generated data in a temporary folder): each trains, evaluates,
cross-checks and writes its pictures or videos, and prints its figures."""
import os.path as osp
import re
import subprocess
import sys

import cv2
import pytest

from m2f_mm.testing.tools import REPO_ROOT

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

SHORT = ['train_cfg.max_iters=2', 'train_cfg.val_interval=2',
         'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
         'test_dataloader.num_workers=0',
         'train_dataloader.persistent_workers=False',
         'val_dataloader.persistent_workers=False',
         'test_dataloader.persistent_workers=False']


def _quickstart(tmp_path, *task):
    proc = subprocess.run(
        [sys.executable, 'tools/quickstart.py', *task, '--data-root',
         str(tmp_path / 'data'), '--work-dir', str(tmp_path / 'work'),
         '--cfg-options', *SHORT],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return proc.stdout


def test_image_quickstart_short(tmp_path):
    out = _quickstart(tmp_path)
    pq = float(re.search(r'^PQ (\S+)', out, re.M).group(1))
    api = re.search(r'pq_compute on the saved predictions: PQ (\S+) '
                    r'\(differs from mmdet by (\S+)\)', out)
    assert float(api.group(2)) < 0.01 and abs(float(api.group(1)) - pq) < 0.1
    assert osp.isfile(tmp_path / 'work' / 'curves.png')


def test_video_quickstart_short(tmp_path):
    out = _quickstart(tmp_path, '--task', 'video')
    assert re.search(r'VIS mask AP \d+\.\d \| AP50', out)
    overlays = sorted((tmp_path / 'work' / 'val_overlays').glob('*.mp4'))
    assert len(overlays) == 30  # one per val video
    assert cv2.VideoCapture(str(overlays[0])).read()[0]
    assert osp.isfile(tmp_path / 'work' / 'curves.png')
