"""Crop pre-training of a from-scratch backbone: crops centred at native
scale, one crop per thing of the dataset with its label, a backbone that
learns to tell the shapes apart, and no pre-training when training resumes."""
import json
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.datasets import generate
from m2f_mm.datasets.object_crops import object_crops
from m2f_mm.engine.hooks.crop_pretrain_hook import (CropPretrainHook,
                                                    pretrain_classifier,
                                                    thing_crops)


def test_object_crops_are_centred_native_scale_and_mirrored_at_borders():
    image = np.arange(20 * 30).reshape(20, 30, 1)  # value = 30 * y + x
    crops = object_crops(image, [[8, 4, 12, 8], [0, 0, 2, 2]], 6)  # centres (10, 6), (1, 1)
    assert crops.shape == (2, 6, 6, 1)
    assert crops[0, 3, 3, 0] == 30 * 6 + 10  # centre pixel
    assert (crops[0, :, :, 0] == image[3:9, 7:13, 0]).all()  # no resizing
    # window (-2..3) x (-2..3): rows/columns -2, -1 mirror 2, 1
    assert crops[1, 0, 2, 0] == image[2, 0, 0] and crops[1, 1, 3, 0] == image[1, 1, 0]
    assert object_crops(image, np.zeros((0, 4)), 6).shape == (0, 6, 6, 1)


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('shapes')) + '/'
    generate(root, dict(train=60, val=2))
    init_default_scope('mmdet')
    from mmdet.registry import DATASETS
    from m2f_mm.datasets import STUFF_CLASSES, THING_CLASSES
    return DATASETS.build(dict(
        type='CocoPanopticDataset', data_root=root,
        metainfo=dict(classes=THING_CLASSES + STUFF_CLASSES,
                      thing_classes=THING_CLASSES, stuff_classes=STUFF_CLASSES),
        ann_file='annotations/panoptic_train.json',
        data_prefix=dict(img='images/train/', seg='annotations/panoptic_train/'),
        pipeline=[]))


def test_one_crop_per_thing_with_its_label(dataset):
    crops, labels, num_things = thing_crops(dataset, 48)
    inst = json.load(open(osp.join(dataset.data_root,
                                   'annotations/instances_train.json')))
    expected = sorted(a['category_id'] - 1 for a in inst['annotations'])
    assert num_things == 5 and sorted(labels.tolist()) == expected
    assert crops.shape == (len(expected), 48, 48, 3) and crops.dtype == np.uint8


def test_backbone_learns_the_shapes(dataset):
    from mmdet.models.backbones import ResNet
    torch.manual_seed(0)
    crops, labels, num_things = thing_crops(dataset, 48)
    images = (torch.from_numpy(crops).permute(0, 3, 1, 2).float() - 128) / 64
    backbone = ResNet(depth=18, norm_eval=False)
    accuracy = pretrain_classifier(backbone, images, torch.from_numpy(labels),
                                   num_things, steps=120, batch_size=32, lr=1e-3,
                                   weight_decay=0.05, seed=0, log_interval=40)
    assert accuracy > 0.45  # chance is 0.2


def test_no_pretraining_when_training_resumes_or_loads_weights():
    from mmdet.models.backbones import ResNet
    backbone = ResNet(depth=18)
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    logs = []
    for it, load_from in ((5, None), (0, 'some.pth')):
        runner = SimpleNamespace(iter=it, _load_from=load_from,
                                 logger=SimpleNamespace(info=logs.append),
                                 model=SimpleNamespace(backbone=backbone))
        CropPretrainHook(steps=10).before_train(runner)
    assert all((before[k] == v).all() for k, v in backbone.state_dict().items())
    assert len(logs) == 2 and all('skipped' in line for line in logs)
