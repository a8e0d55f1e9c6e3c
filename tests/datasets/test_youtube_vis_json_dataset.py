"""The moving-shapes videos and YouTubeVISJsonDataset: what the generator
writes is what the dataset and mmdet's pipelines give (instance ids kept over
frames, ``None`` where an object is absent, empty videos), the YouTube-VIS
JSON and the converted layout mmdet reads agree, and bad files are refused
naming the file and the video."""
import copy
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from pycocotools import mask as mask_utils

from m2f_mm.datasets import generate_videos, make_video
from m2f_mm.registry import DATASETS
from m2f_mm.testing.tools import REPO_ROOT

BASE = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'shapes_video.py')


@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('videos')) + '/'
    generate_videos(root, dict(train=8, val=3), frames=(6, 9), size=64)
    return root


def _dataset(root, split='train', **changes):
    cfg = Config.fromfile(BASE)
    data = copy.deepcopy(cfg[f'{split}_dataloader'].dataset)
    data.update(data_root=root, **changes)
    return DATASETS.build(data)


def test_generation_is_deterministic_and_keeps_identities():
    first, objects = make_video(3, 10, 64)
    again, objects_again = make_video(3, 10, 64)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert len(objects) == len(objects_again) > 0
    for (kind, masks), (kind2, masks2) in zip(objects, objects_again):
        assert kind == kind2
        assert all((a is None and b is None) or np.array_equal(a, b)
                   for a, b in zip(masks, masks2))
    # occlusion: visible masks of one frame never overlap
    for t in range(10):
        visible = [m[t] for _, m in objects if m[t] is not None]
        if len(visible) > 1:
            assert np.stack(visible).sum(0).max() == 1


def test_some_objects_move_enter_or_leave_and_some_videos_are_empty():
    moved = entered_or_left = empty = 0
    for seed in range(60):
        _, objects = make_video(seed, 10, 64)
        empty += not objects
        for _, masks in objects:
            present = [m is not None for m in masks]
            entered_or_left += not all(present)
            shown = [m for m in masks if m is not None]
            moved += len(shown) > 1 and not np.array_equal(shown[0], shown[-1])
    assert moved > 30 and entered_or_left > 5 and empty >= 1


def test_both_json_layouts_agree(videos):
    with open(osp.join(videos, 'annotations', 'ytvis_train.json')) as f:
        ytvis = json.load(f)
    with open(osp.join(videos, 'annotations', 'ytvis_train_coco.json')) as f:
        coco = json.load(f)
    per_frame = sum(m is not None for a in ytvis['annotations']
                    for m in a['segmentations'])
    assert per_frame == len(coco['annotations'])
    assert sum(v['length'] for v in ytvis['videos']) == len(coco['images'])
    assert all(len(a['segmentations']) == len(
        ytvis['videos'][a['video_id'] - 1]['file_names'])
        for a in ytvis['annotations'])


def test_dataset_gives_each_video_with_its_tracks(videos):
    dataset = _dataset(videos, 'val')
    with open(osp.join(videos, 'annotations', 'ytvis_val.json')) as f:
        ytvis = json.load(f)
    assert len(dataset) == len(ytvis['videos'])
    item = dataset[0]
    video = ytvis['videos'][0]
    frames = item['data_samples']
    assert item['inputs'].shape[0] == len(frames) == video['length']
    tracks = [a for a in ytvis['annotations'] if a['video_id'] == video['id']]
    for t, frame in enumerate(frames):
        expected = {a['id']: mask_utils.decode(a['segmentations'][t])
                    for a in tracks if a['segmentations'][t] is not None}
        ids = frame.gt_instances.instances_ids.tolist()
        assert sorted(ids) == sorted(expected)
        masks = frame.gt_instances.masks.masks
        for row, track in enumerate(ids):
            assert np.array_equal(masks[row], expected[track])
    # the frames on disk are what the generator made
    image = cv2.imread(osp.join(videos, 'videos', 'val', 'JPEGImages',
                                video['file_names'][0]))
    assert image.shape == (64, 64, 3)


def test_training_clips_have_two_frames_and_empty_videos_stay(videos):
    dataset = _dataset(videos)
    with open(osp.join(videos, 'annotations', 'ytvis_train.json')) as f:
        ytvis = json.load(f)
    assert len(dataset) == len(ytvis['videos'])  # none dropped
    for i in range(len(dataset)):
        item = dataset[i]
        assert item['inputs'].shape[:2] == (2, 3)


def _broken(videos, tmp_path, change):
    with open(osp.join(videos, 'annotations', 'ytvis_train.json')) as f:
        ytvis = json.load(f)
    change(ytvis)
    path = tmp_path / 'broken.json'
    path.write_text(json.dumps(ytvis))
    return str(path)


def test_bad_annotations_are_refused_naming_the_file_and_every_video(
        videos, tmp_path):
    def damage(ytvis):
        ytvis['annotations'][0]['segmentations'].pop()  # one frame short
        ytvis['annotations'][1]['category_id'] = 99  # not a configured class
        ytvis['videos'][2]['file_names'][1] = 'nowhere/00001.jpg'
    path = _broken(videos, tmp_path, damage)
    with pytest.raises(ValueError) as err:
        _dataset(videos, ann_file=path)
    text = str(err.value)
    assert path in text and '3 problem(s)' in text
    first, second = (f'video {a["video_id"]}' for a in json.load(
        open(path))['annotations'][:2])
    assert first in text and 'segmentations for' in text
    assert second in text and 'category 99' in text
    assert 'nowhere/00001.jpg does not exist' in text


def test_a_frame_of_another_size_is_refused_naming_it(videos, tmp_path):
    import shutil
    root = str(tmp_path / 'copy') + '/'
    shutil.copytree(videos, root)
    with open(osp.join(root, 'annotations', 'ytvis_val.json')) as f:
        video = json.load(f)['videos'][0]
    frame = osp.join(root, 'videos', 'val', 'JPEGImages',
                     video['file_names'][1])
    cv2.imwrite(frame, np.zeros((48, 64, 3), np.uint8))
    with pytest.raises(ValueError, match=r'00001\.jpg: frame of video 1 is '
                       r'64x48, the video is 64x64'):
        _dataset(root, 'val')[0]
