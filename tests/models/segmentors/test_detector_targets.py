"""M2FDetector's training targets: things from gt_instances, one mask per
stuff class of gt_sem_seg, and a clear error (naming the image) when labels
do not fit the configured class counts instead of a silently dropped class."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData

from m2f_mm.models.segmentors import image_targets
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart',
                      'm2f_r18_shapes_panoptic.py')  # 5 things, 3 stuff


@pytest.fixture(scope='module')
def detector():
    return MODELS.build(Config.fromfile(QUICKSTART).model)


def _targets(detector, sample):
    return image_targets(sample, num_things=detector.num_things,
                         num_classes=detector.num_classes,
                         ignore_index=detector.ignore_index, device='cpu')


def _sample(thing_labels, sem):
    sample = DetDataSample(metainfo=dict(img_path='scenes/000007.jpg'))
    masks = np.zeros((len(thing_labels), ) + sem.shape, np.uint8)
    for i in range(len(thing_labels)):
        masks[i, i, :] = 1
    sample.gt_instances = InstanceData(
        labels=torch.tensor(thing_labels, dtype=torch.long),
        masks=BitmapMasks(masks, *sem.shape))
    sample.gt_sem_seg = PixelData(sem_seg=torch.from_numpy(sem)[None])
    return sample


def test_things_then_one_mask_per_stuff_class(detector):
    sem = np.full((8, 8), 255, np.int64)
    sem[4:, :] = 5  # sky
    sem[6:, 4:] = 7  # water
    sem[0, :] = 2  # a thing's pixels are not stuff
    labels, masks = _targets(detector, _sample([2, 4], sem))
    assert labels.tolist() == [2, 4, 5, 7]
    assert masks.shape == (4, 8, 8)
    assert torch.equal(masks[2], torch.from_numpy(sem == 5))
    assert torch.equal(masks[3], torch.from_numpy(sem == 7))


def test_a_thing_label_beyond_the_things_is_refused(detector):
    with pytest.raises(ValueError, match='000007.jpg.*thing label 5.*'
                       'num_things_classes=5'):
        _targets(detector, _sample([1, 5], np.full((8, 8), 255)))


def test_a_semantic_label_beyond_the_classes_is_refused(detector):
    sem = np.full((8, 8), 6, np.int64)
    sem[0, 0] = 11
    with pytest.raises(ValueError, match='000007.jpg.*semantic label 11.*= 8'):
        _targets(detector, _sample([0], sem))
