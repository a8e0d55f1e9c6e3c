"""VideoTracker and tools/infer.py --task video: whole-video tracks equal to
the model's own predict, windows that keep track ids, the YouTube-VIS
result file and the overlay video."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from m2f_mm.apis import VideoTracker
from m2f_mm.datasets import generate_videos
from m2f_mm.models.postprocess import link_queries
from m2f_mm.registry import DATASETS, MODELS
from m2f_mm.testing.tools import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs', 'quickstart',
                  'm2f_r18_shape_videos_vis.py')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Generated videos, and an untrained model's checkpoint (random
    weights: the tracks are arbitrary but the model's)."""
    folder = tmp_path_factory.mktemp('tracker')
    root = str(folder / 'videos') + '/'
    generate_videos(root, dict(train=1, val=2), frames=(6, 7), size=64)
    cfg = Config.fromfile(CONFIG)
    torch.manual_seed(0)
    checkpoint = str(folder / 'model.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()},
               checkpoint)
    return root, checkpoint, folder


def _frames(root, video=1):
    folder = osp.join(root, 'videos', 'val', 'JPEGImages', f'{video:04d}')
    return [cv2.imread(osp.join(folder, name))
            for name in sorted(__import__('os').listdir(folder))]


def test_whole_video_tracks_equal_the_models_predict(setup):
    root, checkpoint, _ = setup
    tracker = VideoTracker(CONFIG, checkpoint)
    frames = _frames(root)
    tracks = tracker.track(frames)
    # the same video through the config's dataset, pipeline and predict
    cfg = Config.fromfile(CONFIG)
    cfg.test_dataloader.dataset.data_root = root
    data = DATASETS.build(cfg.test_dataloader.dataset)[0]
    model = tracker.model
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]))
    with torch.no_grad():
        predicted = model.predict(batch['inputs'], batch['data_samples'])[0]
    assert len(predicted) == len(frames)
    for t, frame in enumerate(predicted):
        pred = frame.pred_track_instances
        np.testing.assert_allclose(tracks.scores, pred.scores.numpy(),
                                   rtol=0, atol=1e-6)
        assert np.array_equal(tracks.labels, pred.labels.numpy())
        assert np.array_equal(tracks.frame_masks(t), pred.masks.numpy())
    # one window as long as the video is the whole-video mode
    one_window = tracker.track(frames, window=len(frames))
    assert np.array_equal(one_window.scores, tracks.scores)
    assert one_window.masks == tracks.masks


def test_link_queries_recovers_a_permutation():
    torch.manual_seed(0)
    previous = torch.randn(12, 16)
    order = torch.randperm(12)
    current = torch.empty_like(previous)
    current[order] = previous + 0.1 * torch.randn_like(previous)
    assert torch.equal(link_queries(previous, current), order)


def test_track_ids_stay_across_windows(setup):
    """A video whose second window repeats the first: every track's masks
    in frames 3..5 are its masks in frames 0..2, so no id switched at the
    window border."""
    root, checkpoint, _ = setup
    tracker = VideoTracker(CONFIG, checkpoint)
    frames = _frames(root)[:3]
    tracks = tracker.track(frames + frames, window=3)
    for track in tracks.masks:
        assert track[:3] == track[3:]
    # and the class evidence of both windows was pooled per track
    single = tracker.track(frames)
    np.testing.assert_allclose(tracks.scores, single.scores, atol=1e-6)


def test_frames_of_several_sizes_are_refused(setup):
    root, checkpoint, _ = setup
    tracker = VideoTracker(CONFIG, checkpoint)
    frames = _frames(root)
    frames[1] = frames[1][:40]
    with pytest.raises(ValueError, match='frames of several sizes'):
        tracker(frames)


@pytest.mark.slow
def test_infer_tool_writes_results_and_an_overlay_video(setup):
    root, checkpoint, folder = setup
    video = osp.join(root, 'videos', 'val', 'JPEGImages', '0002')
    out = folder / 'out'
    proc = subprocess.run(
        [sys.executable, 'tools/infer.py', CONFIG, checkpoint, video,
         '--task', 'video', '--window', '4', '--out-dir', str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / '0002_tracks.json').read_text())
    length = len(__import__('os').listdir(video))
    assert len(results) == 10  # the model's top_k
    assert all(len(r['segmentations']) == length and r['video_id'] == 1
               for r in results)
    capture = cv2.VideoCapture(str(out / '0002_overlay.mp4'))
    count = 0
    while capture.read()[0]:
        count += 1
    assert count == length


@pytest.mark.slow
def test_our_and_mmdets_test_tools_score_the_video_config_alike(setup):
    """tools/test.py and mmdet's own tools/test.py (from its package's .mim)
    run the video config: the same YouTube-VIS AP line."""
    import importlib
    import os
    import re
    root, checkpoint, folder = setup
    options = ['--cfg-options', f'test_dataloader.dataset.data_root={root}',
               'test_dataloader.num_workers=0',
               'test_dataloader.persistent_workers=False']
    lines = []
    for name, tool in (('ours', 'tools/test.py'), ('mmdet', osp.join(
            osp.dirname(importlib.import_module('mmdet').__file__), '.mim',
            'tools', 'test.py'))):
        proc = subprocess.run(
            [sys.executable, tool, CONFIG, checkpoint, '--work-dir',
             str(folder / f'test_{name}'), *options],
            cwd=REPO_ROOT, capture_output=True, text=True,
            env=dict(os.environ, PYTHONPATH=REPO_ROOT))
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output[-3000:]
        line = [l for l in output.splitlines() if 'Iter(test)' in l][-1]
        lines.append(re.findall(r'youtube_vis/segm_mAP\S*: -?[0-9.]+', line))
    assert lines[0] and lines[0] == lines[1]
